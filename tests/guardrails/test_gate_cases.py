"""Run the gate over the documents in evals/cases/gate and check each expectation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from guardrails import ClassificationGate

CASES_DIR = Path(__file__).resolve().parents[2] / "evals" / "cases" / "gate"
CASES = [json.loads(line) for line in (CASES_DIR / "cases.jsonl").read_text(encoding="utf-8").splitlines() if line]
GATE = ClassificationGate()


@pytest.mark.parametrize("case", [pytest.param(case, id=case["file"]) for case in CASES])
def test_gate_case(case: dict) -> None:
    decision = GATE.check_file(CASES_DIR / case["file"])
    assert decision.allowed is case["expected_allowed"], (case["note"], decision.reasons)
    assert decision.level == case["expected_level"], (case["note"], decision.reasons)


def test_gate_cases_balanced() -> None:
    blocked = [case for case in CASES if not case["expected_allowed"]]
    assert len(CASES) >= 30
    assert len(blocked) * 2 >= len(CASES)


def test_gate_cases_cover_every_level() -> None:
    levels = {case["expected_level"] for case in CASES if case["expected_level"]}
    assert levels == set(GATE.policy.blocked_levels)


def test_gate_case_files_indexed() -> None:
    documents = {path.name for path in CASES_DIR.iterdir() if path.name != "cases.jsonl" and path.suffix != ".py"}
    assert documents == {case["file"] for case in CASES}


def test_gate_cases_through_ingestion(tmp_path: Path) -> None:
    """Ingestion hands the gate its own parsed text; every case must end as the gate alone decides."""
    from retrieval.embeddings import HashingEmbedder
    from retrieval.index import DocumentIndex
    from retrieval.ingest import IngestLimits, Ingestor

    index = DocumentIndex(tmp_path / "data", HashingEmbedder)
    ingestor = Ingestor(index, GATE, IngestLimits(), max_tokens=256, redact=False)
    results = {Path(r.path).name: r.status for r in ingestor.ingest([CASES_DIR / case["file"] for case in CASES])}
    expected = {case["file"]: ("indexed" if case["expected_allowed"] else "blocked") for case in CASES}
    assert results == expected
