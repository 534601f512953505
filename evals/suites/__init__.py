"""The evaluation suites run by ``python -m evals run``.

Each suite is a module in this package with a ``NAME`` string and a function
``run(ctx: SuiteContext) -> SuiteResult``. A suite reads real data from
``ctx.data_dir`` and the project's own cases from ``evals/cases/``, honours
``ctx.limit`` (a small sample for smoke runs), and evaluates the in-process
assistant (``ctx.assistant``) or, when ``ctx.server`` is set, a running
deployment through its HTTP API with ``ctx.api_key``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CASES_DIR = Path(__file__).resolve().parent.parent / "cases"


@dataclass
class SuiteContext:
    data_dir: Path
    out_dir: Path
    limit: int | None = None
    server: str | None = None
    api_key: str | None = None
    assistant: Any = None  # assistant.service.Assistant, built by the runner when no server is given
    progress: bool = True


@dataclass
class SuiteResult:
    """What one suite measured.

    metrics: name -> number, the values thresholds are checked against,
      for example {"hybrid.recall@5": 0.98}.
    baselines: name -> number for the simple baselines measured in the same run.
    datasets: data set name -> short description (file, rows used, version or hash).
    failures: a few examples of what went wrong, each a small dict with no personal data.
    plots: PNG files written under ctx.out_dir, relative to it.
    notes: sentences for the report (what was measured, caveats).
    """

    name: str
    metrics: dict[str, float] = field(default_factory=dict)
    baselines: dict[str, float] = field(default_factory=dict)
    datasets: dict[str, str] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)
    plots: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
