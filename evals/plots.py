"""PNG plots for the evaluation report, drawn with matplotlib's Agg backend (no display)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402 - the backend must be chosen first

DPI = 100


def recall_curves(path: Path, curves: Mapping[str, Mapping[int, float]], title: str) -> Path:
    """Plot recall@k against k, one line per search method."""
    figure, axes = plt.subplots(figsize=(6, 4))
    for method, points in curves.items():
        ks = sorted(points)
        axes.plot(ks, [points[k] for k in ks], marker="o", label=method)
    axes.set_xlabel("k (documents returned)")
    axes.set_ylabel("recall@k")
    axes.set_ylim(0, 1.02)
    axes.set_title(title)
    axes.grid(alpha=0.3)
    axes.legend()
    return _save(figure, path)


def grouped_bars(path: Path, groups: Sequence[str], series: Mapping[str, Sequence[float | None]], title: str,
                 ylabel: str) -> Path:
    """Plot one bar per series in each group; a None value draws no bar."""
    figure, axes = plt.subplots(figsize=(max(6, len(groups) * 0.9), 4))
    width = 0.8 / max(len(series), 1)
    for offset, (name, values) in enumerate(series.items()):
        positions = [i + offset * width for i in range(len(groups))]
        heights = [0.0 if value is None else value for value in values]
        axes.bar(positions, heights, width, label=name)
    axes.set_xticks([i + width * (len(series) - 1) / 2 for i in range(len(groups))])
    axes.set_xticklabels(groups, rotation=45, ha="right", fontsize=8)
    axes.set_ylim(0, 1.05)
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    figure.tight_layout()
    return _save(figure, path)


def histogram(path: Path, samples_ms: Sequence[float], title: str, marks: Mapping[str, float] | None = None) -> Path:
    """Plot a histogram of durations in milliseconds, with vertical lines at marks such as p50 and p95."""
    figure, axes = plt.subplots(figsize=(6, 4))
    axes.hist(samples_ms, bins=min(30, max(5, len(samples_ms) // 2)), color="tab:blue", alpha=0.8)
    for label, value in (marks or {}).items():
        axes.axvline(value, linestyle="--", color="tab:red")
        axes.text(value, axes.get_ylim()[1] * 0.9, f" {label} {value:.0f} ms", fontsize=8)
    axes.set_xlabel("milliseconds")
    axes.set_ylabel("requests")
    axes.set_title(title)
    return _save(figure, path)


def _save(figure: plt.Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=DPI, format="png")
    plt.close(figure)
    return path
