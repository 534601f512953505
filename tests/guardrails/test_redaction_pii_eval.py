"""Measure the Redactor on evals/cases/pii_vi.jsonl (gold spans) and pii_vi_negatives.jsonl.

A gold entity counts as found when a detected entity of the same type
covers its whole span. Run with -s to print the table of recall per type.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

# These tests load the spaCy English model through the shared Redactor.
pytestmark = pytest.mark.slow

CASES_DIR = Path(__file__).resolve().parents[2] / "evals" / "cases"
IDENTIFIER_TYPES = ("VN_CCCD", "PHONE_NUMBER", "VN_TAX_CODE")
MIN_IDENTIFIER_RECALL = 0.95


def load_cases(name: str) -> list[dict]:
    lines = (CASES_DIR / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


POSITIVES = load_cases("pii_vi.jsonl")
NEGATIVES = load_cases("pii_vi_negatives.jsonl")


@pytest.fixture(scope="module")
def recall(redactor) -> dict[str, tuple[int, int]]:
    """Return found and total gold entities per type."""
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for case in POSITIVES:
        detected = redactor.analyze(case["text"], "vi")
        for gold in case["entities"]:
            total[gold["type"]] += 1
            if any(_covers(entity, gold) for entity in detected):
                found[gold["type"]] += 1
    table = {kind: (found[kind], total[kind]) for kind in sorted(total)}
    for kind, (hits, count) in table.items():
        print(f"recall {kind}: {hits}/{count} = {hits / count:.3f}")
    return table


def _covers(entity, gold: dict) -> bool:
    return entity.type == gold["type"] and entity.start <= gold["start"] and entity.end >= gold["end"]


def test_pii_cases_well_formed() -> None:
    assert len(POSITIVES) >= 60
    assert len(NEGATIVES) >= 20
    for case in POSITIVES:
        assert case["entities"], case["text"]
        for gold in case["entities"]:
            assert 0 <= gold["start"] < gold["end"] <= len(case["text"]), case["text"]
            assert case["text"][gold["start"] : gold["end"]].strip() == case["text"][gold["start"] : gold["end"]]


@pytest.mark.parametrize("entity_type", IDENTIFIER_TYPES)
def test_identifier_recall(recall: dict[str, tuple[int, int]], entity_type: str) -> None:
    hits, count = recall[entity_type]
    assert count >= 9
    assert hits / count >= MIN_IDENTIFIER_RECALL


def test_overall_recall(recall: dict[str, tuple[int, int]]) -> None:
    hits = sum(found for found, _ in recall.values())
    count = sum(total for _, total in recall.values())
    assert hits / count >= 0.9


@pytest.mark.parametrize(
    "case", [pytest.param(case, id=f"negative {index}") for index, case in enumerate(NEGATIVES, 1)]
)
def test_negative_has_no_entity(redactor, case: dict) -> None:
    detected = redactor.analyze(case["text"], "vi")
    assert [case["text"][entity.start : entity.end] for entity in detected] == []
