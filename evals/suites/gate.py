"""The classification gate at ingestion, over the project's marked and clean documents.

Every file of evals/cases/gate/cases.jsonl goes through the real ingestion
path into a temporary index (an upload to the server, removed afterwards,
when a server is given). A marked document that ends up indexed is a leak
and must never happen. A clean document that is blocked or quarantined is
wrongly blocked.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from evals.common import cap, progress, share
from evals.environment import describe_file
from evals.suites import CASES_DIR, SuiteContext, SuiteResult
from evals.target import target_for

NAME = "gate"
GATE_DIR = CASES_DIR / "gate"
CASES_FILE = GATE_DIR / "cases.jsonl"
INDEXED = ("indexed", "unchanged")


def load_cases() -> list[dict[str, Any]]:
    lines = CASES_FILE.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def run(ctx: SuiteContext) -> SuiteResult:
    result = SuiteResult(NAME)
    cases = _sample(load_cases(), ctx.limit)
    marked_by_type: Counter[str] = Counter()
    leaked_by_type: Counter[str] = Counter()
    leaked = wrongly_blocked = clean = missing = 0

    with target_for(ctx).scratch() as scratch:
        for case in progress(cases, ctx, "gate documents"):
            path = GATE_DIR / case["file"]
            if not path.is_file():
                missing += 1
                result.failures.append({"check": "case file exists", "file": case["file"]})
                continue
            status = _ingest_status(scratch, path)
            if case["expected_allowed"]:
                clean += 1
                if status not in INDEXED:
                    wrongly_blocked += 1
                    result.failures.append({"check": "clean document indexed", "file": case["file"], "status": status})
                continue
            mark = case.get("expected_level") or "unknown"
            marked_by_type[mark] += 1
            if status in INDEXED:
                leaked += 1
                leaked_by_type[mark] += 1
                result.failures.append({"check": "marked document kept out", "file": case["file"], "status": status})

    marked = sum(marked_by_type.values())
    result.metrics["marked.indexed"] = float(leaked)
    result.metrics["marked.kept_out"] = share(marked - leaked, marked) if marked else None
    result.metrics["clean.wrongly_blocked"] = float(wrongly_blocked)
    result.metrics["clean.indexed"] = share(clean - wrongly_blocked, clean) if clean else None
    for mark, count in sorted(marked_by_type.items()):
        result.metrics[f"marked.{mark}.kept_out"] = share(count - leaked_by_type[mark], count)
    result.metrics = {name: value for name, value in result.metrics.items() if value is not None}

    result.datasets["gate cases"] = describe_file(CASES_FILE, len(cases))
    result.notes.append(
        f"{marked} marked and {clean} clean documents went through ingestion into a temporary index"
        + (f"; {missing} case files were missing" if missing else "")
        + ". Kept out means not indexed: blocked by the gate, quarantined as unreadable, or failed."
    )
    return result


def _sample(cases: list[dict[str, Any]], limit: int | None) -> list[dict[str, Any]]:
    """Return all cases, or with a limit that many marked and that many clean ones."""
    if limit is None:
        return cases
    marked = [case for case in cases if not case["expected_allowed"]]
    clean = [case for case in cases if case["expected_allowed"]]
    return cap(marked, None, limit) + cap(clean, None, limit)


def _ingest_status(scratch: Any, path: Path) -> str:
    """Return "indexed" when any part of the file reached the index, else the first other status."""
    statuses = [result["status"] for result in scratch.ingest([path])]
    if any(status in INDEXED for status in statuses):
        return "indexed"
    return statuses[0] if statuses else "failed"
