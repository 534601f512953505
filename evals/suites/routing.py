"""Request routing: accuracy and macro-F1 of the router beside the keyword baseline.

Two data sets. Boston 311 (real requests, short titles, noisy labels) is
scored against two targets: the department recorded on the request, and the
department implied by the queue that handled it, which is often the truer
one. The project's Vietnamese cases for Hà Nội's bodies are scored zero-shot
(department descriptions only) and after training on their training split.
Each set is split 80/20 by a hash of the row id within each department, so
the split never changes between runs. Texts are pseudonymised as on the live
path before they are embedded.
"""

from __future__ import annotations

import csv
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

from assistant.routing.classifier import KeywordClassifier, train
from assistant.routing.router import Router
from assistant.routing.service import pseudonymize_all
from assistant.routing.taxonomy import DEPARTMENTS_DIR, Taxonomy, load_taxonomy
from evals.environment import describe_file
from evals.suites import CASES_DIR, SuiteContext, SuiteResult

NAME = "routing"
VI_CASES = CASES_DIR / "routing_vi.csv"
BOSTON_DIR = "routing_boston311"
BOSTON_TAXONOMY = DEPARTMENTS_DIR / "boston.toml"
TEST_SHARE = 5  # one row in five of each department is a test row


@dataclass(frozen=True)
class Example:
    """A labelled request: id, text, expected department id and urgency level."""

    id: str
    text: str
    department: str
    urgency: str = ""


@dataclass(frozen=True)
class Scores:
    accuracy: float
    macro_f1: float


def split(examples: Sequence[Example]) -> tuple[list[Example], list[Example]]:
    """Split within each department, in sha256 order of the ids: rows 0, 5, 10, ... are test rows.

    A department of one row goes to training only."""
    by_department: dict[str, list[Example]] = {}
    for example in examples:
        by_department.setdefault(example.department, []).append(example)
    training, test = [], []
    for group in by_department.values():
        group.sort(key=lambda e: hashlib.sha256(e.id.encode()).hexdigest())
        for position, example in enumerate(group):
            is_test = position % TEST_SHARE == 0 and len(group) > 1
            (test if is_test else training).append(example)
    return training, test


def score(expected: Sequence[str], predicted: Sequence[str]) -> Scores:
    labels = sorted(set(expected))
    return Scores(round(float(accuracy_score(expected, predicted)), 4),
                  round(float(f1_score(expected, predicted, labels=labels, average="macro", zero_division=0)), 4))


def load_vietnamese_cases(path: Path = VI_CASES) -> list[Example]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [Example(row["id"], row["text"], row["department"], row["urgency"]) for row in csv.DictReader(handle)]


def load_boston(folder: Path, taxonomy: Taxonomy, target: str = "department") -> list[Example]:
    """Read Boston 311 requests: text is the case title; target is "department" or "queue"."""
    examples = []
    with (folder / "requests.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            label = row["department"] if target == "department" else row["queue"]
            department = taxonomy.resolve_alias(label) if target == "department" else queue_department(label, taxonomy)
            if department is None:
                raise ValueError(f"Boston row {row['id']}: no department of {taxonomy.name} has the alias {label!r}")
            examples.append(Example(row["id"], row["case_title"], department))
    return examples


def queue_department(queue: str, taxonomy: Taxonomy) -> str | None:
    """Return the department of a queue name such as "HS_Veterans Call Log": a later part naming a
    department ("Veterans") wins over the prefix ("HS")."""
    parts = queue.split("_")
    for part in parts[1:]:
        found = taxonomy.resolve_alias(part.split(" ")[0])
        if found is not None:
            return found
    return taxonomy.resolve_alias(parts[0])


def limited(examples: list[Example], limit: int | None) -> list[Example]:
    """Return at most limit examples, the first in sha256 order of their ids, so the sample ignores file order."""
    if limit is None or limit >= len(examples):
        return examples
    ordered = sorted(examples, key=lambda e: hashlib.sha256(e.id.encode()).hexdigest())
    return ordered[:limit]


def run(ctx: SuiteContext) -> SuiteResult:
    started = time.perf_counter()
    result = SuiteResult(NAME)
    assistant = ctx.assistant
    if assistant is None:
        from assistant.service import Assistant  # noqa: PLC0415
        from assistant.settings import Settings  # noqa: PLC0415

        assistant = Assistant(Settings(data_dir=ctx.out_dir / "routing-data"), use_configured_llm=False)
    embedder, redactor = assistant.index.embedder, assistant.redactor
    if ctx.server:
        result.notes.append("Routing is measured in-process: a server's trained model cannot be replaced for a run.")
    _vietnamese(ctx, result, embedder, redactor)
    boston = ctx.data_dir / BOSTON_DIR
    if (boston / "requests.csv").is_file():
        _boston(ctx, result, embedder, redactor, boston)
    else:
        result.notes.append(f"Boston 311 skipped: {boston}/requests.csv does not exist.")
    result.seconds = round(time.perf_counter() - started, 1)
    return result


def _vietnamese(ctx: SuiteContext, result: SuiteResult, embedder, redactor) -> None:  # noqa: ANN001
    taxonomy = load_taxonomy()
    examples = limited(load_vietnamese_cases(), ctx.limit)
    training, test = split(examples)
    texts = pseudonymize_all(redactor, [e.text for e in test])
    expected = [e.department for e in test]
    zero_shot = Router(taxonomy, embedder).route_many(texts)
    model = train(taxonomy, embedder, pseudonymize_all(redactor, [e.text for e in training]),
                  [e.department for e in training], [e.urgency for e in training])
    trained = Router(taxonomy, embedder, model).route_many(texts)
    keyword = KeywordClassifier(taxonomy).predict(texts)
    _record(result, "vi.zero_shot", score(expected, [r.department for r in zero_shot]))
    _record(result, "vi.model", score(expected, [r.department for r in trained]))
    _record(result, "vi.keyword", score(expected, keyword), baseline=True)
    urgency_hits = sum(r.urgency == e.urgency for r, e in zip(trained, test))
    result.metrics["vi.model.urgency_accuracy"] = round(urgency_hits / len(test), 4)
    urgent = [(r, e) for r, e in zip(trained, test) if e.urgency == "urgent"]
    if urgent:
        result.metrics["vi.model.urgent_recall"] = round(sum(r.urgency == "urgent" for r, _ in urgent) / len(urgent), 4)
    result.metrics["vi.model.needs_review_rate"] = round(sum(r.needs_review for r in trained) / len(test), 4)
    wrong_reviewed = [r.needs_review for r, e in zip(trained, test) if r.department != e.department]
    if wrong_reviewed:
        result.metrics["vi.model.errors_flagged"] = round(sum(wrong_reviewed) / len(wrong_reviewed), 4)
    for r, e in zip(trained, test):
        if r.department != e.department and len(result.failures) < 10:
            # The Vietnamese cases are invented, so their text may be shown.
            result.failures.append({"set": "vi", "id": e.id, "text": e.text[:160], "expected": e.department,
                                    "routed": r.department, "confidence": r.confidence,
                                    "needs_review": r.needs_review})
    result.plots.append(_confusion(ctx, "routing_vi_confusion.png", taxonomy.ids, expected,
                                   [r.department for r in trained], "Hà Nội cases, trained router (test split)"))
    sizes = f"; {len(training)} train, {len(test)} test"
    result.datasets["routing_vi"] = describe_file(VI_CASES, len(examples)) + sizes


def _boston(ctx: SuiteContext, result: SuiteResult, embedder, redactor, folder: Path) -> None:  # noqa: ANN001
    taxonomy = load_taxonomy(BOSTON_TAXONOMY)
    for target, prefix in (("department", "boston311"), ("queue", "boston311_queue")):
        examples = limited(load_boston(folder, taxonomy, target), ctx.limit)
        training, test = split(examples)
        texts = pseudonymize_all(redactor, [e.text for e in examples])
        changed = sum(text != e.text for e, text in zip(examples, texts))
        result.metrics[f"{prefix}.pseudonymised_share"] = round(changed / len(examples), 4)
        by_id = {e.id: text for e, text in zip(examples, texts)}
        model = train(taxonomy, embedder, [by_id[e.id] for e in training], [e.department for e in training])
        test_texts = [by_id[e.id] for e in test]
        expected = [e.department for e in test]
        routed = Router(taxonomy, embedder, model).route_many(test_texts)
        zero_shot = Router(taxonomy, embedder).route_many(test_texts)
        _record(result, f"{prefix}.model", score(expected, [r.department for r in routed]))
        _record(result, f"{prefix}.zero_shot", score(expected, [r.department for r in zero_shot]))
        _record(result, f"{prefix}.keyword", score(expected, KeywordClassifier(taxonomy).predict(test_texts)),
                baseline=True)
        for r, e in zip(routed, test):
            if r.department != e.department and sum(f["set"] == prefix for f in result.failures) < 5:
                result.failures.append({"set": prefix, "id": e.id, "expected": e.department, "routed": r.department,
                                        "confidence": r.confidence})
        result.plots.append(_confusion(ctx, f"{prefix}_confusion.png", taxonomy.ids, expected,
                                       [r.department for r in routed], f"Boston 311 by {target}, trained router"))
        result.datasets[prefix] = (describe_file(folder / "requests.csv", len(examples))
                                   + f"; target {target}; {len(training)} train, {len(test)} test")
    result.notes.append("Boston text is the case title only: many titles repeat the request type's name, "
                        "and department labels are noisy, so the queue target is reported beside it.")
    result.notes.append("pseudonymised_share is the share of Boston titles that pseudonymisation changed. "
                        "Presidio's English PERSON recognizer also fires on title-case phrases such as "
                        "'Abandoned Building', and the router then sees only a placeholder.")


def _record(result: SuiteResult, name: str, scores: Scores, baseline: bool = False) -> None:
    table = result.baselines if baseline else result.metrics
    table[f"{name}.accuracy"] = scores.accuracy
    table[f"{name}.macro_f1"] = scores.macro_f1
    # Thresholds are checked on metrics, so the baselines' macro-F1 is also kept there.
    if baseline:
        result.metrics[f"{name}.macro_f1"] = scores.macro_f1


def _confusion(ctx: SuiteContext, name: str, labels: list[str], expected: Sequence[str],
               predicted: Sequence[str], title: str) -> str:
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    matrix = confusion_matrix(expected, predicted, labels=labels)
    figure, axes = plt.subplots(figsize=(9, 8))
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=7)
    axes.set_yticks(range(len(labels)), labels, fontsize=7)
    for row in range(len(labels)):
        for column in range(len(labels)):
            if matrix[row, column]:
                axes.text(column, row, str(matrix[row, column]), ha="center", va="center", fontsize=7)
    axes.set_xlabel("routed to")
    axes.set_ylabel("expected")
    axes.set_title(title)
    figure.tight_layout()
    path = ctx.out_dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100, format="png")
    plt.close(figure)
    return name
