"""`python -m evals run` end to end on a few items per suite, in subprocesses.

Runs every suite with --limit 2 and no language model (extractive answers),
then the answers suite with a deliberately broken setting that must miss its
threshold. Needs DATA_DIR; the first run indexes the legal corpus (about 1.5
minutes with a warm embedding cache), so the whole module takes minutes.

    DATA_DIR=../shared/data .venv/bin/python -m pytest tests/test_evals_smoke.py -q
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_data, run_cli

pytestmark = [pytest.mark.slow, pytest.mark.real_data]

OWN_SUITES = ("answers", "gate", "injection", "latency", "pii", "retrieval")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Lenient floors that a 2-item run meets; the broken setting must miss the first one.
SMOKE_THRESHOLDS = """
"answers.answerable.answered_correct" = {min = 0.5}
"answers.unanswerable.refused" = {min = 1.0}
"gate.marked.indexed" = {max = 0}
"pii.vietnamese.redactor.recall" = {min = 0.9}
"retrieval.hybrid.recall@10" = {min = 0.5}
"""
# Metric name endings whose values are shares between 0 and 1.
SHARE_SUFFIXES = ("recall", "precision", "f2", "refused", "answered_correct", "kept_out", "indexed_share",
                  "citation_accuracy", "answered", "attack_success", "false_refusals", "supported_sentences",
                  "mrr@10", "recall@1", "recall@5", "recall@10")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    data = require_data("legal_vi_alqac2023").parent
    root = tmp_path_factory.mktemp("evals-smoke")
    thresholds = root / "thresholds.toml"
    thresholds.write_text(SMOKE_THRESHOLDS, encoding="utf-8")
    return {"data": data, "index": root / "index", "out": root / "out", "thresholds": thresholds}


def evals_run(workspace: dict[str, Path], out: str, *extra: str) -> tuple[Any, dict[str, Any], str]:
    done = run_cli(
        "-m", "evals", "run", "--data", str(workspace["data"]), "--index-dir", str(workspace["index"]),
        "--out", str(workspace["out"] / out), "--thresholds", str(workspace["thresholds"]), "--limit", "2",
        "--quiet", "--set", "llm_backend=none", *extra, timeout=3000,
    )
    report_dir = workspace["out"] / out
    assert (report_dir / "report.json").is_file(), done.stderr[-3000:]
    report = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    markdown = (report_dir / "report.md").read_text(encoding="utf-8")
    return done, report, markdown


@pytest.fixture(scope="module")
def full_run(workspace: dict[str, Path]) -> tuple[Any, dict[str, Any], str]:
    return evals_run(workspace, "all")


def test_every_suite_reported(full_run) -> None:  # noqa: ANN001
    done, report, markdown = full_run
    suites = {path.stem for path in (Path(__file__).resolve().parents[1] / "evals" / "suites").glob("[a-z]*.py")}
    assert set(report["suites"]) == suites
    for name in suites:
        assert f"## {name}" in markdown
    for name in OWN_SUITES:
        assert report["suites"][name]["status"] == "passed", report["suites"][name].get("error")
        assert report["suites"][name]["metrics"], name
        assert report["suites"][name]["datasets"], name
    assert done.returncode == (0 if report["passed"] else 1), done.stderr[-2000:]


def test_run_metadata_complete(full_run) -> None:  # noqa: ANN001
    _, report, _ = full_run
    assert report["limit"] == 2
    assert report["overrides"] == {"llm_backend": "none"}
    assert report["settings"]["llm_backend"] == "none"
    assert report["git"]["commit"]
    assert report["machine"]["cores"] >= 1
    assert report["machine"]["ram_gib"] > 0
    assert report["models"][0]["name"] == "embeddinggemma-300m"
    assert len(report["models"][0]["sha256"]) == 64
    assert set(report["suite_seconds"]) == set(report["suites"])
    assert "sha256" in report["suites"]["retrieval"]["datasets"]["legal questions"]


def test_metrics_in_range(full_run) -> None:  # noqa: ANN001
    _, report, _ = full_run
    assert report["metrics"]
    for name, value in report["metrics"].items():
        assert math.isfinite(value), name
        assert value >= 0, name
        if name.endswith(SHARE_SUFFIXES):
            assert value <= 1, name
    assert report["metrics"]["gate.marked.indexed"] == 0
    assert report["metrics"]["answers.unanswerable.refused"] == 1.0


def test_thresholds_met(full_run) -> None:  # noqa: ANN001
    _, report, markdown = full_run
    outcomes = {o["metric"]: o["status"] for o in report["thresholds"]}
    assert outcomes == {
        "answers.answerable.answered_correct": "passed",
        "answers.unanswerable.refused": "passed",
        "gate.marked.indexed": "passed",
        "pii.vietnamese.redactor.recall": "passed",
        "retrieval.hybrid.recall@10": "passed",
    }
    assert "<= 0 (passed)" in markdown


def test_plots_are_png(full_run, workspace: dict[str, Path]) -> None:  # noqa: ANN001
    _, report, markdown = full_run
    expected = {"retrieval_recall_at_k.png", "pii_english_per_entity.png", "pii_vietnamese_per_entity.png",
                "latency_search.png", "latency_chat_total.png", "latency_redaction.png"}
    plots = {plot for suite in report["suites"].values() for plot in suite["plots"]}
    assert expected <= plots
    for plot in plots:
        path = workspace["out"] / "all" / plot
        assert path.read_bytes()[:8] == PNG_SIGNATURE, plot
        assert f"]({plot})" in markdown


def test_broken_setting_fails_threshold(full_run, workspace: dict[str, Path]) -> None:  # noqa: ANN001
    previous = workspace["out"] / "all" / "report.json"
    done, report, markdown = evals_run(workspace, "broken", "--suite", "answers", "--set", "min_dense_score=1.0",
                                       "--previous", str(previous))
    assert done.returncode == 1, done.stderr[-2000:]
    assert report["passed"] is False
    assert report["metrics"]["answers.answerable.answered_correct"] == 0.0
    missed = [o["metric"] for o in report["thresholds"] if o["status"] == "missed"]
    assert missed == ["answers.answerable.answered_correct"]
    skipped = {o["metric"] for o in report["thresholds"] if o["status"] == "skipped"}
    assert "gate.marked.indexed" in skipped
    assert "| answers.answerable.answered_correct | >= 0.5 | 0 |" in markdown
    assert "answers.answerable.answered_correct" in done.stdout
    changes = {c["metric"]: c for c in report["previous"]["comparison"]["changed"]}
    assert changes["answers.answerable.answered_correct"]["delta"] < 0
    assert "Change since the previous report" in markdown


def test_invalid_setting_is_rejected(workspace: dict[str, Path]) -> None:
    done = run_cli("-m", "evals", "run", "--data", str(workspace["data"]), "--out", str(workspace["out"] / "bad"),
                   "--set", "min_dense_scor=0.5", "--suite", "gate", timeout=600)
    assert done.returncode == 2
    assert "min_dense_scor" in done.stderr
