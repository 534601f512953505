"""Choose the department for a request, its urgency, and whether a person must check it.

The router embeds the request (already pseudonymised by the caller), scores
each department with the trained model when the data folder contains one, else
with the zero-shot classifier, and explains its decision in reasons that name
signals and departments, never words of the request beyond the fixed
keyword and signal lists.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field

import numpy as np

from assistant.routing.classifier import TrainedRouter, ZeroShotClassifier, embed_requests
from assistant.routing.signals import count_asks, match_keywords, normalize, urgency_signals
from assistant.routing.taxonomy import Taxonomy, load_taxonomy
from retrieval.embeddings import Embedder

log = logging.getLogger(__name__)

# A request "spans several departments" when the runner-up scores at least this
# share of the winner's score and at least SECOND_MIN in absolute terms.
SECOND_SHARE = 0.4
SECOND_MIN = 0.2
# A request longer than this with at least LONG_ASKS asks counts as complex.
LONG_CHARS = 600
LONG_ASKS = 3
# A request of fewer words than this is too short to route without review.
MIN_WORDS = 3
# Learned urgency counts when the urgency model gives the level at least this probability.
LEARNED_URGENCY_MIN = 0.5


@dataclass
class RoutingResult:
    """A routing decision: department, urgency, confidence, review flag and reasons."""

    department: str
    department_name: str
    urgency: str
    confidence: float
    alternatives: list[dict[str, float | str]]
    needs_review: bool
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


class Router:
    """Route request texts to the departments of one taxonomy."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        embedder: Embedder,
        model: TrainedRouter | None = None,
        min_confidence: float = 0.5,
        min_margin: float = 0.1,
    ) -> None:
        """model: a trained router checked against taxonomy and embedder; None routes zero-shot."""
        if model is not None:
            model.check_compatible(taxonomy, embedder)
        self.taxonomy = taxonomy
        self.embedder = embedder
        self.model = model
        self.zero_shot = ZeroShotClassifier(taxonomy, embedder)
        self.min_confidence = min_confidence
        self.min_margin = min_margin

    @classmethod
    def from_settings(cls, settings, embedder: Embedder) -> Router:  # noqa: ANN001 - assistant.settings.Settings
        """Build the router of a data folder: its trained model if one was saved, else zero-shot."""
        taxonomy = load_taxonomy(settings.routing_taxonomy)
        model = TrainedRouter.load(settings.data_dir)
        return cls(taxonomy, embedder, model, settings.routing_min_confidence, settings.routing_min_margin)

    @property
    def mode(self) -> str:
        return "trained" if self.model is not None else "zero-shot"

    def route(self, text: str, vector: np.ndarray | None = None) -> RoutingResult:
        """Route one request; vector is its embedding when the caller already has it."""
        if vector is None:
            # encode_query bypasses the embedding cache, so requests are not kept on disk.
            vector = self.embedder.encode_query(text)
        return self._decide(text, self.scores(vector[None, :])[0], vector)

    def route_many(self, texts: list[str]) -> list[RoutingResult]:
        """Route many requests with their embeddings from the cache; for evaluation on public data."""
        vectors = embed_requests(self.embedder, texts)
        scores = self.scores(vectors)
        return [self._decide(text, row, vector) for text, row, vector in zip(texts, scores, vectors)]

    def scores(self, vectors: np.ndarray) -> np.ndarray:
        """Return (n, departments) scores in taxonomy order."""
        if self.model is None:
            return self.zero_shot.predict_proba(vectors)
        proba = self.model.predict_proba(vectors)
        order = [self.model.classes.index(d) for d in self.taxonomy.ids]
        weight = self.model.zero_shot_weight
        if weight == 0:
            return proba[:, order]
        return (1 - weight) * proba[:, order] + weight * self.zero_shot.predict_proba(vectors)

    def _decide(self, text: str, scores: np.ndarray, vector: np.ndarray) -> RoutingResult:
        ranked = np.argsort(-scores)
        ids = self.taxonomy.ids
        best, second = ids[ranked[0]], ids[ranked[1]]
        confidence, runner_up = float(scores[ranked[0]]), float(scores[ranked[1]])
        department = self.taxonomy.get(best)
        reasons = [self._match_reason(best, confidence, vector)]
        reasons += self._keyword_reasons(text, best)
        review = self._review_reasons(text, confidence, confidence - runner_up, second)
        urgency, urgency_reasons = self._urgency(text, confidence, runner_up, second, vector)
        alternatives = [{"department": ids[i], "score": round(float(scores[i]), 3)} for i in ranked[:3]]
        return RoutingResult(
            department=best,
            department_name=department.name,
            urgency=urgency,
            confidence=round(confidence, 3),
            alternatives=alternatives,
            needs_review=bool(review),
            reasons=reasons + urgency_reasons + review,
        )

    def _match_reason(self, best: str, confidence: float, vector: np.ndarray) -> str:
        name = self.taxonomy.get(best).name
        similarity = float(self.zero_shot.similarities(vector[None, :])[0, self.taxonomy.ids.index(best)])
        if self.model is None:
            return (f"the request is closest to the remit of {name} (similarity {similarity:.2f} to its "
                    f"description; score {confidence:.2f})")
        return (f"the trained model chose {name} with score {confidence:.2f}; similarity to its "
                f"description {similarity:.2f}")

    def _keyword_reasons(self, text: str, best: str) -> list[str]:
        matches = match_keywords(text, [(d.id, d.keywords) for d in self.taxonomy.departments])
        reasons = []
        for match in matches[:2]:
            quoted = ", ".join(f'"{k}"' for k in match.keywords[:4])
            relation = "" if match.department == best else " (another department)"
            reasons.append(f"keywords of {self.taxonomy.get(match.department).name}{relation}: {quoted}")
        return reasons

    def _review_reasons(self, text: str, confidence: float, margin: float, second: str) -> list[str]:
        reasons = []
        if len(normalize(text).split()) < MIN_WORDS:
            reasons.append(f"needs review: the request has fewer than {MIN_WORDS} words")
        if confidence < self.min_confidence:
            reasons.append(f"needs review: confidence {confidence:.2f} is below {self.min_confidence:.2f}")
        if margin < self.min_margin:
            reasons.append(f"needs review: {self.taxonomy.get(second).name} is within {margin:.2f} of the choice")
        return reasons

    def _urgency(self, text: str, confidence: float, runner_up: float, second: str,
                 vector: np.ndarray) -> tuple[str, list[str]]:
        signals = urgency_signals(text)
        if signals:
            return "urgent", [f"urgent: {', '.join(signals)} mentioned"]
        learned = self.model.urgency_proba(vector[None, :]) if self.model is not None else None
        if learned is not None and learned.get("urgent", np.zeros(1))[0] >= LEARNED_URGENCY_MIN:
            return "urgent", [f"urgent: resembles urgent training examples (probability {learned['urgent'][0]:.2f})"]
        if runner_up >= SECOND_MIN and runner_up >= SECOND_SHARE * confidence:
            name = self.taxonomy.get(second).name
            return "complex", [f"complex: {name} is also a strong candidate (score {runner_up:.2f})"]
        asks = count_asks(text)
        if len(text) > LONG_CHARS and asks >= LONG_ASKS:
            return "complex", [f"complex: a long request with {asks} asks"]
        if learned is not None and learned.get("complex", np.zeros(1))[0] >= LEARNED_URGENCY_MIN:
            probability = learned["complex"][0]
            return "complex", [f"complex: resembles complex training examples (probability {probability:.2f})"]
        return "normal", ["normal: no sign of urgency or of several departments"]
