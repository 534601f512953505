"""Small helpers shared by the suites: sample sizes, progress bars and statistics."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from tqdm import tqdm

T = TypeVar("T")


def cap(items: Sequence[T], default: int | None, limit: int | None) -> list[T]:
    """Return the first items: default of them (all when None), fewer when the run's limit is smaller."""
    sizes = [size for size in (default, limit) if size is not None]
    return list(items[: min(sizes)]) if sizes else list(items)


def progress(items: Iterable[T], ctx: Any, description: str, total: int | None = None) -> Iterable[T]:
    """Wrap items in a tqdm bar on stderr when ctx.progress is true."""
    if not ctx.progress:
        return items
    return tqdm(items, desc=description, total=total, unit="item", leave=False)


def share(count: float, total: float) -> float | None:
    """Return count / total rounded to 4 places, or None when total is 0."""
    return round(count / total, 4) if total else None


def percentile(values: Sequence[float], q: float) -> float:
    """Return the q-th percentile (0 to 100) with linear interpolation between ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def numeric(metrics: dict[str, float | None]) -> dict[str, float]:
    """Drop the metrics whose value is None, so that a threshold on them counts as missed."""
    return {name: value for name, value in metrics.items() if value is not None}
