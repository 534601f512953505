"""Thresholds: the values a metric must reach for the assistant to ship.

The TOML file maps a metric's full name (``<suite>.<metric>``) to a table with
``min``, ``max`` or both, for example ``"retrieval.hybrid.recall@5" = {min = 0.95}``.
A named metric that its suite did not produce counts as missed, unless that
suite was not selected for the run.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.errors import InputError

BOUNDS = ("min", "max")


@dataclass(frozen=True)
class Threshold:
    metric: str
    min: float | None = None
    max: float | None = None

    @property
    def suite(self) -> str:
        return self.metric.split(".", 1)[0]

    def describe(self) -> str:
        parts = []
        if self.min is not None:
            parts.append(f">= {self.min:g}")
        if self.max is not None:
            parts.append(f"<= {self.max:g}")
        return " and ".join(parts)


@dataclass(frozen=True)
class Outcome:
    """One threshold checked: status is "passed", "missed" or "skipped"."""

    metric: str
    rule: str
    value: float | None
    status: str
    reason: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def load_thresholds(path: Path) -> list[Threshold]:
    """Read and validate a thresholds file; raise InputError naming the bad entry."""
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"thresholds file {path} not found; pass an existing file with --thresholds") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"thresholds file {path} is not valid TOML: {exc}") from None
    return [_parse_entry(path, name, bounds) for name, bounds in _flatten(table)]


def _flatten(table: Mapping[str, object], prefix: str = "") -> list[tuple[str, object]]:
    """Return (dotted name, bounds) pairs; a bare dotted key in TOML becomes nested tables."""
    entries: list[tuple[str, object]] = []
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and not set(value) & set(BOUNDS):
            entries.extend(_flatten(value, name))
        else:
            entries.append((name, value))
    return entries


def _parse_entry(path: Path, name: str, bounds: object) -> Threshold:
    if "." not in name:
        raise InputError(f"{path}: threshold {name!r} does not name a suite; write it as '<suite>.<metric>'")
    if not isinstance(bounds, dict) or not bounds or set(bounds) - set(BOUNDS):
        raise InputError(f"{path}: threshold {name!r} must be a table with min, max or both, such as {{min = 0.9}}")
    for key, value in bounds.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(f"{path}: {name}.{key} is {value!r}; give a number")
    return Threshold(name, _float(bounds.get("min")), _float(bounds.get("max")))


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def check_thresholds(
    thresholds: list[Threshold], metrics: Mapping[str, float], selected_suites: Collection[str]
) -> list[Outcome]:
    """Check every threshold against the run's metrics, keyed by full name."""
    return [_check(threshold, metrics, selected_suites) for threshold in thresholds]


def _check(threshold: Threshold, metrics: Mapping[str, float], selected_suites: Collection[str]) -> Outcome:
    rule = threshold.describe()
    if threshold.suite not in selected_suites:
        return Outcome(threshold.metric, rule, None, "skipped", f"suite {threshold.suite} was not selected")
    value = metrics.get(threshold.metric)
    if value is None or not isinstance(value, int | float) or math.isnan(value):
        return Outcome(threshold.metric, rule, None, "missed", "the suite did not produce this metric")
    if threshold.min is not None and value < threshold.min:
        return Outcome(threshold.metric, rule, value, "missed", f"{value:g} is below the minimum {threshold.min:g}")
    if threshold.max is not None and value > threshold.max:
        return Outcome(threshold.metric, rule, value, "missed", f"{value:g} is above the maximum {threshold.max:g}")
    return Outcome(threshold.metric, rule, value, "passed")
