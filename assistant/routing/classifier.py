"""Department classifiers: logistic regression on sentence embeddings, a zero-shot
classifier that compares a request with each department's description, and the
keyword-count baseline they are measured against.

All three return one score per department, summing to 1 for the two embedding
classifiers, in the order of ``classes``.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.errors import InputError, ModelNotFoundError
from assistant.routing.signals import match_keywords
from assistant.routing.taxonomy import Taxonomy
from retrieval.embeddings import Embedder

log = logging.getLogger(__name__)

MODEL_DIR = "router"
MODEL_FILE = "model.npz"
METADATA_FILE = "model.json"
FORMAT_VERSION = 1
# Inverse regularisation strength of the logistic regression. Unit-length
# embeddings give small logits, so weak regularisation is needed. On the
# Boston 311 split, 8 and 32 gave the same macro-F1 within one point.
DEFAULT_C = 8.0
# Shares of the zero-shot score tried when mixing it into the trained model's,
# chosen by cross-validation on the labelled requests. With about 100
# Vietnamese examples the mix wins; with 950 Boston ones the model alone does.
MIX_WEIGHTS = (0.0, 0.5)
MIX_FOLDS = 3
# The zero-shot classifier turns cosine similarities into a softmax at this
# temperature. Similarities of this model to a description differ by a few
# hundredths, so a temperature near 0.02 spreads them over 0 to 1.
ZERO_SHOT_TEMPERATURE = 0.02


class IncompatibleModelError(ModelNotFoundError):
    """The trained router model does not fit the current taxonomy or embedding model."""


def description_examples(taxonomy: Taxonomy) -> tuple[list[str], list[str]]:
    """Return (texts, department ids): each sentence of each description, and the keywords as one text."""
    texts: list[str] = []
    labels: list[str] = []
    for department in taxonomy.departments:
        sentences = [s for text in department.descriptions() for s in re.split(r"(?<=[.!?])\s+", text) if s]
        keyword_text = ", ".join(department.keywords)
        for text in [*sentences, keyword_text] if keyword_text else sentences:
            texts.append(text)
            labels.append(department.id)
    return texts, labels


def embed_requests(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """Embed request texts the way the router does: as queries, through the embedder's cache."""
    return embedder.encode_inputs([embedder.query_input(text) for text in texts])


class ZeroShotClassifier:
    """Score a request by its cosine similarity to each department's description centroid."""

    def __init__(self, taxonomy: Taxonomy, embedder: Embedder) -> None:
        self.classes = taxonomy.ids
        texts, labels = description_examples(taxonomy)
        vectors = embedder.encode_passages([""] * len(texts), texts)
        rows = []
        for department_id in self.classes:
            mean = vectors[[label == department_id for label in labels]].mean(axis=0)
            rows.append(mean / np.linalg.norm(mean))
        self.centroids = np.vstack(rows)

    def similarities(self, vectors: np.ndarray) -> np.ndarray:
        return vectors @ self.centroids.T

    def predict_proba(self, vectors: np.ndarray) -> np.ndarray:
        return _softmax(self.similarities(vectors) / ZERO_SHOT_TEMPERATURE)


@dataclass
class TrainedRouter:
    """A logistic regression over request embeddings, with an optional urgency model."""

    classes: list[str]
    coef: np.ndarray
    intercept: np.ndarray
    embedding_model: str
    taxonomy_name: str
    taxonomy_sha256: str
    trained_at: str
    examples: int
    zero_shot_weight: float = 0.0
    urgency_classes: list[str] = field(default_factory=list)
    urgency_coef: np.ndarray | None = None
    urgency_intercept: np.ndarray | None = None

    def predict_proba(self, vectors: np.ndarray) -> np.ndarray:
        return _linear_proba(vectors, self.coef, self.intercept)

    def urgency_proba(self, vectors: np.ndarray) -> dict[str, np.ndarray] | None:
        """Return level -> probability per row, or None when no urgency labels were given."""
        if self.urgency_coef is None or self.urgency_intercept is None:
            return None
        proba = _linear_proba(vectors, self.urgency_coef, self.urgency_intercept)
        return {level: proba[:, i] for i, level in enumerate(self.urgency_classes)}

    def save(self, data_dir: Path) -> Path:
        """Write the model as arrays (.npz) and metadata (.json) under data_dir/router; no pickle."""
        folder = data_dir / MODEL_DIR
        folder.mkdir(parents=True, exist_ok=True)
        arrays = {"coef": self.coef, "intercept": self.intercept}
        if self.urgency_coef is not None and self.urgency_intercept is not None:
            arrays |= {"urgency_coef": self.urgency_coef, "urgency_intercept": self.urgency_intercept}
        np.savez(folder / MODEL_FILE, **arrays)
        metadata = {
            "format_version": FORMAT_VERSION,
            "classes": self.classes,
            "urgency_classes": self.urgency_classes,
            "embedding_model": self.embedding_model,
            "taxonomy": self.taxonomy_name,
            "taxonomy_sha256": self.taxonomy_sha256,
            "trained_at": self.trained_at,
            "examples": self.examples,
            "zero_shot_weight": self.zero_shot_weight,
        }
        (folder / METADATA_FILE).write_text(json.dumps(metadata, ensure_ascii=False, indent=2), encoding="utf-8")
        log.info("saved router model for taxonomy %s (%d classes, %d examples) in %s",
                 self.taxonomy_name, len(self.classes), self.examples, folder)
        return folder

    @classmethod
    def load(cls, data_dir: Path) -> TrainedRouter | None:
        """Return the model saved under data_dir/router, or None when there is none."""
        folder = data_dir / MODEL_DIR
        if not (folder / METADATA_FILE).is_file():
            return None
        metadata = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
        if metadata.get("format_version") != FORMAT_VERSION:
            raise IncompatibleModelError(
                f"router model in {folder} has format {metadata.get('format_version')!r}, this version reads "
                f"{FORMAT_VERSION}; retrain it with: python -m assistant train-router FILE"
            )
        with np.load(folder / MODEL_FILE, allow_pickle=False) as arrays:
            urgency = "urgency_coef" in arrays.files
            return cls(
                classes=list(metadata["classes"]),
                coef=arrays["coef"],
                intercept=arrays["intercept"],
                embedding_model=metadata["embedding_model"],
                taxonomy_name=metadata["taxonomy"],
                taxonomy_sha256=metadata["taxonomy_sha256"],
                trained_at=metadata["trained_at"],
                examples=int(metadata["examples"]),
                zero_shot_weight=float(metadata.get("zero_shot_weight", 0.0)),
                urgency_classes=list(metadata.get("urgency_classes", [])),
                urgency_coef=arrays["urgency_coef"] if urgency else None,
                urgency_intercept=arrays["urgency_intercept"] if urgency else None,
            )

    def check_compatible(self, taxonomy: Taxonomy, embedder: Embedder) -> None:
        """Raise IncompatibleModelError unless the model was trained for this taxonomy and embedding model."""
        retrain = "retrain it with: python -m assistant train-router FILE [--taxonomy FILE]"
        if self.taxonomy_sha256 != taxonomy.fingerprint():
            raise IncompatibleModelError(
                f"the router model was trained for taxonomy {self.taxonomy_name!r} "
                f"(sha256 {self.taxonomy_sha256[:12]}), but the configured taxonomy is {taxonomy.name!r} "
                f"(sha256 {taxonomy.fingerprint()[:12]}); {retrain}"
            )
        if self.embedding_model != embedder.model_id:
            raise IncompatibleModelError(
                f"the router model was trained on embeddings of {self.embedding_model}, but the configured "
                f"embedding model is {embedder.model_id}; {retrain}"
            )


def train(
    taxonomy: Taxonomy,
    embedder: Embedder,
    texts: Sequence[str],
    labels: Sequence[str],
    urgency: Sequence[str] | None = None,
    c: float = DEFAULT_C,
) -> TrainedRouter:
    """Fit the router on labelled requests plus the taxonomy's descriptions.

    The descriptions are added as examples so that a department with no
    labelled request can still be chosen.
    """
    unknown = sorted(set(labels) - set(taxonomy.ids))
    if unknown:
        raise InputError(f"unknown department ids {unknown}; known ids: {', '.join(taxonomy.ids)}")
    extra_texts, extra_labels = description_examples(taxonomy)
    vectors = embed_requests(embedder, [*texts, *extra_texts])
    all_labels = [*labels, *extra_labels]
    model = _fit(vectors, all_labels, c)
    zero_shot = ZeroShotClassifier(taxonomy, embedder)
    weight = choose_zero_shot_weight(vectors[: len(texts)], list(labels), vectors[len(texts):], extra_labels,
                                     zero_shot, c)
    router = TrainedRouter(
        classes=[str(c) for c in model.classes_],
        coef=model.coef_.astype(np.float32),
        intercept=model.intercept_.astype(np.float32),
        embedding_model=embedder.model_id,
        taxonomy_name=taxonomy.name,
        taxonomy_sha256=taxonomy.fingerprint(),
        trained_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        examples=len(texts),
        zero_shot_weight=weight,
    )
    if urgency is not None and len(set(urgency)) > 1:
        urgency_model = _fit(vectors[: len(texts)], list(urgency), c)
        router.urgency_classes = [str(c) for c in urgency_model.classes_]
        router.urgency_coef = urgency_model.coef_.astype(np.float32)
        router.urgency_intercept = urgency_model.intercept_.astype(np.float32)
    return router


def choose_zero_shot_weight(vectors: np.ndarray, labels: list[str], extra_vectors: np.ndarray,
                            extra_labels: list[str], zero_shot: ZeroShotClassifier, c: float) -> float:
    """Return the share of the zero-shot score, of MIX_WEIGHTS, with the best macro-F1 over
    MIX_FOLDS folds of the labelled requests. Every fold also trains on the descriptions."""
    if len(labels) < 2 * MIX_FOLDS:
        return max(MIX_WEIGHTS)
    folds = np.arange(len(labels)) % MIX_FOLDS
    predictions: dict[float, list[str]] = {w: [""] * len(labels) for w in MIX_WEIGHTS}
    for fold in range(MIX_FOLDS):
        test = folds == fold
        train_labels = [label for label, is_test in zip(labels, test) if not is_test]
        model = _fit(np.vstack([vectors[~test], extra_vectors]), train_labels + extra_labels, c)
        order = [list(model.classes_).index(i) for i in zero_shot.classes]
        learned = model.predict_proba(vectors[test])[:, order]
        prior = zero_shot.predict_proba(vectors[test])
        positions = np.flatnonzero(test)
        for weight in MIX_WEIGHTS:
            chosen = ((1 - weight) * learned + weight * prior).argmax(axis=1)
            for position, index in zip(positions, chosen):
                predictions[weight][position] = zero_shot.classes[index]
    scores = {w: _macro_f1(labels, predicted) for w, predicted in predictions.items()}
    log.info("zero-shot share by macro-F1 in %d folds: %s", MIX_FOLDS, scores)
    return max(MIX_WEIGHTS, key=lambda w: (scores[w], w))


def _macro_f1(expected: list[str], predicted: list[str]) -> float:
    from sklearn.metrics import f1_score  # noqa: PLC0415

    return float(f1_score(expected, predicted, average="macro", zero_division=0))


class KeywordClassifier:
    """The baseline: the department with the most keywords found in the request wins.

    A request with no keyword goes to the taxonomy's fallback department.
    """

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.classes = taxonomy.ids
        self.fallback = taxonomy.fallback
        self._keywords = [(d.id, d.keywords) for d in taxonomy.departments]

    def predict(self, texts: Sequence[str]) -> list[str]:
        predictions = []
        for text in texts:
            matches = match_keywords(text, self._keywords)
            predictions.append(matches[0].department if matches else self.fallback)
        return predictions


def _fit(vectors: np.ndarray, labels: Sequence[str], c: float):  # noqa: ANN202 - a fitted LogisticRegression
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415 - takes seconds to import

    model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
    model.fit(vectors, list(labels))
    return model


def _linear_proba(vectors: np.ndarray, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    logits = vectors @ coef.T + intercept
    if coef.shape[0] == 1:  # scikit-learn keeps one row of weights for two classes
        positive = 1.0 / (1.0 + np.exp(-logits[:, 0]))
        return np.column_stack([1.0 - positive, positive])
    return _softmax(logits)


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)
