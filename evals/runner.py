"""Run the evaluation suites, check the thresholds and write the report.

Every module in evals/suites/ with a NAME and a run(ctx) function is a
suite. Without a server, the runner builds the in-process assistant over a
data folder holding the ALQAC 2023 legal articles and the bundled corpus.
The run fails (exit status 1) when a suite raises or a threshold is missed.
"""

from __future__ import annotations

import datetime
import importlib
import logging
import pkgutil
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import evals.suites
from assistant.errors import InputError
from evals import environment, report
from evals.suites import SuiteContext, SuiteResult
from evals.thresholds import check_thresholds, load_thresholds

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_THRESHOLDS = Path(__file__).resolve().parent / "thresholds.toml"
DEFAULT_OUT_PARENT = Path(__file__).resolve().parent / "out"
LEGAL_CORPUS = Path("legal_vi_alqac2023") / "corpus.jsonl"
BUNDLED_CORPUS = REPO / "corpora" / "bundled"


@dataclass
class RunOptions:
    """The options of one run, as parsed from the command line."""

    suites: list[str] = field(default_factory=list)
    data_dir: Path | None = None
    out_dir: Path | None = None
    server: str | None = None
    api_key: str | None = None
    thresholds: Path = DEFAULT_THRESHOLDS
    limit: int | None = None
    index_dir: Path | None = None
    overrides: dict[str, str] = field(default_factory=dict)
    previous: Path | None = None
    progress: bool = True


def discover_suites() -> dict[str, ModuleType | Exception]:
    """Import every module in evals/suites/; a module that fails to import maps to its error."""
    found: dict[str, ModuleType | Exception] = {}
    for module_info in pkgutil.iter_modules(evals.suites.__path__):
        if module_info.name.startswith("_"):
            continue
        try:
            module = importlib.import_module(f"evals.suites.{module_info.name}")
        except Exception as exc:  # a broken suite fails the run, it does not hide the others
            log.exception("suite module %s failed to import", module_info.name)
            found[module_info.name] = exc
            continue
        if hasattr(module, "NAME") and callable(getattr(module, "run", None)):
            found[module.NAME] = module
    return found


def select_suites(available: dict[str, Any], requested: list[str]) -> dict[str, Any]:
    unknown = [name for name in requested if name not in available]
    if unknown:
        raise InputError(f"unknown suite {', '.join(unknown)}; known suites: {', '.join(sorted(available))}")
    names = requested or sorted(available)
    return {name: available[name] for name in names}


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    """Parse KEY=VALUE pairs of --set into a dict."""
    overrides = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--set {pair!r} is not KEY=VALUE; write it like --set min_dense_score=0.99")
        overrides[key.strip()] = value.strip()
    return overrides


def build_settings(data_dir: Path, overrides: dict[str, str]) -> Any:
    """Return Settings for the in-process assistant with the run's overrides."""
    from pydantic import ValidationError

    from assistant.settings import Settings

    try:
        return Settings(data_dir=data_dir, **overrides)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InputError(f"invalid --set value: {problems}; see assistant/settings.py for the settings") from None


def build_assistant(options: RunOptions, data_dir: Path, out_dir: Path) -> Any:
    """Build the in-process assistant and index the legal and bundled corpora into its data folder."""
    from assistant.service import Assistant

    index_dir = (options.index_dir or out_dir / "index").resolve()
    settings = build_settings(index_dir, options.overrides)
    assistant = Assistant(settings)
    corpus = data_dir / LEGAL_CORPUS
    if not corpus.is_file():
        raise InputError(f"legal corpus not found at {corpus}; pass --data with the real data folder")
    started = time.perf_counter()
    results = assistant.ingest([corpus, BUNDLED_CORPUS], show_progress=options.progress)
    counts: dict[str, int] = {}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    log.info("index ready in %.0f s: %s", time.perf_counter() - started, counts)
    return assistant


def run_suite(module: ModuleType | Exception, ctx: SuiteContext) -> dict[str, Any]:
    """Run one suite and return its section of report.json; an exception fails only this suite."""
    started = time.perf_counter()
    if isinstance(module, Exception):
        return _failed_section(module, 0.0)
    try:
        result = module.run(ctx)
        if not isinstance(result, SuiteResult):
            raise TypeError(f"run() returned {type(result).__name__}, expected SuiteResult")
        _check_metrics(result)
    except Exception as exc:  # the report names the error and the run fails
        log.error("suite %s failed: %s", getattr(module, "NAME", module), "".join(traceback.format_exception(exc)))
        return _failed_section(exc, time.perf_counter() - started)
    result.seconds = round(time.perf_counter() - started, 1)
    section = asdict(result)
    section.pop("name")
    section.update(status="passed", error=None, doc=_summary(module))
    return section


def _check_metrics(result: SuiteResult) -> None:
    for name, value in {**result.metrics, **result.baselines}.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"metric {name!r} is {value!r}; a suite must give numbers only")


def _failed_section(error: Exception, seconds: float) -> dict[str, Any]:
    return {"status": "failed", "error": f"{type(error).__name__}: {error}", "seconds": round(seconds, 1),
            "metrics": {}, "baselines": {}, "datasets": {}, "failures": [], "plots": [], "notes": [], "doc": ""}


def _summary(module: ModuleType) -> str:
    """Return the first paragraph of a suite's docstring, for the report."""
    doc = (module.__doc__ or "").strip()
    return " ".join(doc.split("\n\n", 1)[0].split())


def default_out_dir() -> Path:
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return DEFAULT_OUT_PARENT / stamp


def run(options: RunOptions) -> tuple[int, Path]:
    """Run the selected suites and write the report; return the exit status and the report folder."""
    started_at = datetime.datetime.now(datetime.UTC)
    started = time.perf_counter()
    if options.server and options.overrides:
        raise InputError("--set changes the in-process pipeline only; a running server keeps its own settings")
    if options.data_dir is None:
        raise InputError("no data folder; pass --data DIR or set DATA_DIR to the real data folder")

    data_dir = options.data_dir.resolve()
    out_dir = (options.out_dir or default_out_dir()).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    thresholds = load_thresholds(options.thresholds)
    selected = select_suites(discover_suites(), options.suites)
    if not selected:
        raise InputError("no suites found in evals/suites/; each suite is a module with NAME and run(ctx)")
    document: dict[str, Any] = {}
    assistant = None if options.server else build_assistant(options, data_dir, out_dir)

    ctx = SuiteContext(data_dir=data_dir, out_dir=out_dir, limit=options.limit, server=options.server,
                       api_key=options.api_key, assistant=assistant, progress=options.progress)
    sections: dict[str, Any] = {}
    for name, module in selected.items():
        log.info("suite %s started", name)
        sections[name] = run_suite(module, ctx)
        log.info("suite %s %s in %.1f s", name, sections[name]["status"], sections[name]["seconds"])
        # The report is rewritten after each suite, so a run stopped early keeps what it measured.
        pending = [other for other in selected if other not in sections]
        document = assemble(options, data_dir, out_dir, sections, thresholds, assistant, started_at,
                            time.perf_counter() - started, pending)
        report.write_json(out_dir / "report.json", document)
        (out_dir / "report.md").write_text(report.render_markdown(document), encoding="utf-8")
    return (0 if document["passed"] else 1), out_dir


def assemble(options: RunOptions, data_dir: Path, out_dir: Path, sections: dict[str, Any], thresholds: list,
             assistant: Any, started_at: datetime.datetime, seconds: float, pending: list[str]) -> dict[str, Any]:
    """Return report.json's content: every number with what it was measured on.

    pending names the selected suites that have not run yet. Their thresholds
    are checked as missed, so a report of an interrupted run does not pass.
    """
    selected = [*sections, *pending]
    metrics = {f"{suite}.{name}": value for suite, section in sections.items()
               for name, value in section["metrics"].items()}
    outcomes = [o.to_dict() for o in check_thresholds(thresholds, metrics, selected)]
    previous_metrics, source = report.load_previous_metrics(options.previous or report.find_previous(out_dir))
    comparison = report.compare_metrics(previous_metrics, metrics, source) if source else None
    settings = assistant.settings if assistant is not None else None
    return {
        "started": started_at.isoformat(timespec="seconds"),
        "duration_seconds": round(seconds, 1),
        "passed": not pending and all(o["status"] != "missed" for o in outcomes)
        and all(s["status"] == "passed" for s in sections.values()),
        "pending_suites": pending,
        "target": {"kind": "server" if options.server else "in-process", "server": options.server},
        "limit": options.limit,
        "data_dir": str(data_dir),
        "out_dir": str(out_dir),
        "thresholds_file": str(options.thresholds),
        "overrides": options.overrides,
        "git": environment.git_commit(),
        "machine": environment.machine(),
        "models": environment.model_files(settings) if settings is not None else [],
        "settings": settings.model_dump(mode="json") if settings is not None else {},
        "suite_seconds": {name: section["seconds"] for name, section in sections.items()},
        "datasets": {f"{suite}: {label}": text for suite, section in sections.items()
                     for label, text in section["datasets"].items()},
        "metrics": metrics,
        "thresholds": outcomes,
        "previous": {"metrics": previous_metrics, "comparison": comparison.to_dict()} if comparison else None,
        "suites": sections,
    }
