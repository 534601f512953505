"""The redaction evaluation on real English data and the Vietnamese cases (evals/pii.py).

Needs DATA_DIR pointing at the real data folder, and loads spaCy twice.
Run with -s to see the measured table:

    DATA_DIR=../shared/data .venv/bin/python -m pytest tests/test_pii_eval_real.py -q -s
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import blocked_network, require_data

pytestmark = [pytest.mark.slow, pytest.mark.real_data]

ENGLISH_LIMIT = 300
F2_TOLERANCE = 0.02
MIN_IDENTIFIER_RECALL = 0.98
IDENTIFIER_TYPES = ("VN_CCCD", "PHONE_NUMBER", "VN_TAX_CODE")
SYSTEMS = ("redactor", "presidio", "presidio@0.4")


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    """Run the evaluation once for the module, with the network blocked."""
    synth = require_data("pii_presidio_synth")
    from evals.pii import evaluate_pii, format_markdown

    with blocked_network() as attempts:
        measured = evaluate_pii(synth.parent, limit=ENGLISH_LIMIT)
    assert attempts == [], f"the evaluation tried to reach the network: {attempts}"
    print(format_markdown(measured))
    return measured


def test_sample_sizes(results: dict[str, Any]) -> None:
    assert results["english"]["texts"] == ENGLISH_LIMIT
    assert results["vietnamese"]["texts"] >= 80
    assert results["english"]["systems"]["redactor"]["overall"]["gold"] > 0
    assert results["vietnamese"]["systems"]["redactor"]["overall"]["gold"] > 0


def test_english_f2_not_below_presidio(results: dict[str, Any]) -> None:
    systems = results["english"]["systems"]
    ours = systems["redactor"]["overall"]["f2"]
    plain = systems["presidio"]["overall"]["f2"]
    print(f"English overall F2 on {ENGLISH_LIMIT} texts: redactor {ours:.3f}, plain Presidio {plain:.3f}")
    assert ours >= plain - F2_TOLERANCE, f"redactor F2 {ours:.3f} is below plain Presidio F2 {plain:.3f} - 0.02"


@pytest.mark.parametrize("entity_type", IDENTIFIER_TYPES)
def test_vietnamese_identifier_recall(results: dict[str, Any], entity_type: str) -> None:
    scores = results["vietnamese"]["systems"]["redactor"]["per_type"][entity_type]
    assert scores["gold"] >= 9, f"too few {entity_type} cases to measure recall: {scores['gold']}"
    assert scores["recall"] >= MIN_IDENTIFIER_RECALL, f"{entity_type}: {scores['found']}/{scores['gold']} found"


def test_vietnamese_note_present(results: dict[str, Any]) -> None:
    assert "English pipeline" in results["vietnamese"]["note"]


def iterate_scores(results: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (where, scores) for every per-type, overall and any-type entry."""
    for language in ("english", "vietnamese"):
        for system in SYSTEMS:
            summary = results[language]["systems"][system]
            yield f"{language} {system} overall", summary["overall"]
            yield f"{language} {system} any_type", summary["any_type"]
            for entity_type, scores in summary["per_type"].items():
                yield f"{language} {system} {entity_type}", scores


def test_every_rate_between_zero_and_one(results: dict[str, Any]) -> None:
    checked = 0
    for where, scores in iterate_scores(results):
        for name in ("precision", "recall", "f2"):
            value = scores[name]
            if value is None:
                continue
            assert 0.0 <= value <= 1.0, f"{where} {name} = {value}"
            checked += 1
    assert checked > 0


def test_counts_consistent(results: dict[str, Any]) -> None:
    for where, scores in iterate_scores(results):
        assert 0 <= scores["correct"] <= scores["predicted"], where
        assert 0 <= scores["found"] <= scores["gold"], where
