"""The evaluation report: report.json with every number, report.md for people.

report.md reads alone: the verdict, the thresholds missed with examples, then
per suite what was measured on which data, its numbers beside their
threshold, baseline and previous value, and the machine and model files.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

EXAMPLES_PER_SUITE = 5
# Relative change below which two runs count as equal in the change summary.
EQUAL_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Change:
    """One metric compared with the previous report."""

    metric: str
    previous: float | None
    current: float | None

    @property
    def delta(self) -> float | None:
        if self.previous is None or self.current is None:
            return None
        return round(self.current - self.previous, 6)

    def to_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "previous": self.previous, "current": self.current, "delta": self.delta}


@dataclass
class Comparison:
    """The metrics of this run against a previous report.json."""

    source: str | None
    changed: list[Change] = field(default_factory=list)
    unchanged: int = 0
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "changed": [c.to_dict() for c in self.changed], "unchanged": self.unchanged,
                "added": self.added, "removed": self.removed}


def compare_metrics(previous: Mapping[str, float], current: Mapping[str, float], source: str | None) -> Comparison:
    """Compare two flat metric tables; metrics present in only one are listed as added or removed."""
    comparison = Comparison(source)
    for name in sorted(set(previous) | set(current)):
        if name not in previous:
            comparison.added.append(name)
        elif name not in current:
            comparison.removed.append(name)
        elif abs(current[name] - previous[name]) > EQUAL_TOLERANCE:
            comparison.changed.append(Change(name, previous[name], current[name]))
        else:
            comparison.unchanged += 1
    return comparison


def find_previous(out_dir: Path) -> Path | None:
    """Return the newest report.json in a sibling folder of out_dir, or None."""
    parent = out_dir.resolve().parent
    candidates = [
        path for path in parent.glob("*/report.json") if path.parent.resolve() != out_dir.resolve()
    ]
    return max(candidates, key=lambda path: path.stat().st_mtime, default=None)


def load_previous_metrics(path: Path | None) -> tuple[dict[str, float], str | None]:
    """Read the metrics of a previous report.json; an unreadable file gives no metrics and a warning."""
    if path is None:
        return {}, None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {k: float(v) for k, v in data.get("metrics", {}).items()}, str(path)
    except (OSError, ValueError, AttributeError) as exc:
        log.warning("previous report %s cannot be read (%s); the report shows no changes", path, exc)
        return {}, None


def write_json(path: Path, report: Mapping[str, Any]) -> None:
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def render_markdown(report: Mapping[str, Any]) -> str:
    """Return report.md for a report built by the runner."""
    lines = _header(report)
    lines += _missed_section(report)
    for name, suite in report["suites"].items():
        lines += _suite_section(report, name, suite)
    lines += _changes_section(report)
    lines += _environment_section(report)
    return "\n".join(lines) + "\n"


def _header(report: Mapping[str, Any]) -> list[str]:
    verdict = "PASSED" if report["passed"] else "FAILED"
    missed = [o for o in report["thresholds"] if o["status"] == "missed"]
    failed = [name for name, suite in report["suites"].items() if suite["status"] == "failed"]
    git = report["git"]
    lines = [
        "# Evaluation report",
        "",
        f"**{verdict}**: {len(missed)} thresholds missed, {len(failed)} suites failed"
        + (f" ({', '.join(failed)})" if failed else "") + ".",
        "",
    ]
    if report.get("pending_suites"):
        lines += [f"**INCOMPLETE**: the run stopped or is still running before {', '.join(report['pending_suites'])}.",
                  ""]
    lines += [
        f"- Started {report['started']}, took {report['duration_seconds']:.0f} s.",
        f"- Target: {report['target']['kind']}" + (f" at {report['target']['server']}" if report["target"].get("server")
                                                   else "") + ".",
        f"- Commit: {git.get('commit') or 'unknown'}" + (" with uncommitted changes" if git.get("dirty") else "") + ".",
        f"- Suites: {', '.join(report['suites'])}. Item limit per suite: {report['limit'] or 'none (full run)'}.",
        f"- Data folder: {report['data_dir']}. Thresholds: {report['thresholds_file']}.",
    ]
    if report.get("overrides"):
        settings = ", ".join(f"{k}={v}" for k, v in report["overrides"].items())
        lines.append(f"- Settings changed for this run: {settings}.")
    return lines + [""]


def _missed_section(report: Mapping[str, Any]) -> list[str]:
    missed = [o for o in report["thresholds"] if o["status"] == "missed"]
    failed = {name: suite for name, suite in report["suites"].items() if suite["status"] == "failed"}
    if not missed and not failed:
        return ["All thresholds were met and every suite ran.", ""]
    lines = ["## What failed", ""]
    for name, suite in failed.items():
        lines.append(f"- Suite **{name}** raised an error: `{suite['error']}`")
    if missed:
        lines += ["", "| metric | required | measured | why |", "|---|---|---|---|"]
        for outcome in missed:
            lines.append(f"| {outcome['metric']} | {outcome['rule']} | {_number(outcome['value'])} | "
                         f"{outcome['reason']} |")
        for suite_name in dict.fromkeys(o["metric"].split(".", 1)[0] for o in missed):
            examples = report["suites"].get(suite_name, {}).get("failures", [])[:EXAMPLES_PER_SUITE]
            if examples:
                lines += ["", f"Examples from {suite_name}:", ""]
                lines += [f"- `{json.dumps(example, ensure_ascii=False)}`" for example in examples]
    return lines + [""]


def _suite_section(report: Mapping[str, Any], name: str, suite: Mapping[str, Any]) -> list[str]:
    lines = [f"## {name}", "", f"Status: {suite['status']}, {suite['seconds']:.1f} s."]
    if suite.get("doc"):
        lines += ["", suite["doc"]]
    if suite["status"] == "failed":
        return lines + ["", f"Error: `{suite['error']}`", ""]
    lines += [""] + [f"- {note}" for note in suite["notes"]]
    if suite["datasets"]:
        lines += ["", "Data:", ""] + [f"- {label}: {text}" for label, text in suite["datasets"].items()]
    lines += ["", *_metric_table(report, name, suite["metrics"], "metric")]
    if suite["baselines"]:
        lines += ["", "Baselines measured in the same run:", "", *_metric_table(report, name, suite["baselines"],
                                                                               "baseline")]
    for plot in suite["plots"]:
        lines += ["", f"![{plot}]({plot})"]
    if suite["failures"]:
        lines += ["", f"Examples of failed checks ({len(suite['failures'])} in all):", ""]
        lines += [f"- `{json.dumps(f, ensure_ascii=False)}`" for f in suite["failures"][:EXAMPLES_PER_SUITE]]
    return lines + [""]


def _metric_table(report: Mapping[str, Any], suite: str, metrics: Mapping[str, float], label: str) -> list[str]:
    rules = {o["metric"]: o for o in report["thresholds"]}
    previous = report["previous"]["metrics"] if report.get("previous") else {}
    lines = [f"| {label} | value | threshold | previous |", "|---|---|---|---|"]
    for metric, value in metrics.items():
        full = f"{suite}.{metric}"
        outcome = rules.get(full)
        rule = f"{outcome['rule']} ({outcome['status']})" if outcome else ""
        lines.append(f"| {metric} | {_number(value)} | {rule} | {_number(previous.get(full))} |")
    return lines


def _changes_section(report: Mapping[str, Any]) -> list[str]:
    previous = report.get("previous")
    if not previous or previous["comparison"]["source"] is None:
        return ["## Change since the previous report", "", "No previous report was found.", ""]
    comparison = previous["comparison"]
    lines = ["## Change since the previous report", "", f"Compared with {comparison['source']}: "
             f"{len(comparison['changed'])} metrics changed, {comparison['unchanged']} unchanged."]
    if comparison["changed"]:
        lines += ["", "| metric | previous | now | change |", "|---|---|---|---|"]
        for change in comparison["changed"]:
            lines.append(f"| {change['metric']} | {_number(change['previous'])} | {_number(change['current'])} | "
                         f"{change['delta']:+.4g} |")
    if comparison["added"]:
        lines += ["", f"New metrics: {', '.join(comparison['added'])}."]
    if comparison["removed"]:
        lines += ["", f"Metrics no longer produced: {', '.join(comparison['removed'])}."]
    return lines + [""]


def _environment_section(report: Mapping[str, Any]) -> list[str]:
    machine = report["machine"]
    lines = ["## Environment", "",
             f"- Machine: {machine['cpu']}, {machine['cores']} cores, {machine['ram_gib']} GiB RAM, {machine['os']}, "
             f"Python {machine['python']}; load average {machine.get('load_average_1min')} at the end of the run."]
    for model in report["models"]:
        checked = "checked against the pinned sha256" if model["checked"] else "sha256 computed here"
        lines.append(f"- Model {model['name']}: sha256 {model['sha256']} ({checked}).")
    if report.get("settings"):
        lines += ["", "Settings:", "", "```", *_settings_lines(report["settings"]), "```"]
    return lines


def _settings_lines(settings: Mapping[str, Any]) -> Sequence[str]:
    return [f"{key} = {value}" for key, value in settings.items()]


def _number(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
