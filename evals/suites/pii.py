"""Personal-data redaction: precision, recall and F2 per entity type, beside plain Presidio.

Reuses evals/pii.py (its docstring gives the matching rule and the type
mapping): English on pii_presidio_synth, Vietnamese on the project's cases.
Plain Presidio with its default recognizers runs on the same texts in the
same run and is the baseline. Against a server, the server's /v1/redact
endpoint replaces the local Redactor.
"""

from __future__ import annotations

from typing import Any

from evals.common import numeric
from evals.environment import describe_file
from evals.pii import CASES_DIR as PII_CASES_DIR
from evals.pii import SYNTH_FILE, VIETNAMESE_CASE_FILES, Span, evaluate_pii
from evals.plots import grouped_bars
from evals.suites import SuiteContext, SuiteResult
from evals.target import target_for

NAME = "pii"
LANGUAGES = ("english", "vietnamese")
MEASURES = ("precision", "recall", "f2")


def run(ctx: SuiteContext) -> SuiteResult:
    result = SuiteResult(NAME)
    analyze = None
    if ctx.server:
        target = target_for(ctx)

        def analyze(text: str, language: str) -> list[Span]:
            return [Span(e["type"], e["start"], e["end"]) for e in target.redact(text, language)]

    results = evaluate_pii(ctx.data_dir, ctx.limit, redactor_analyze=analyze)
    for language in LANGUAGES:
        systems = results[language]["systems"]
        result.metrics.update(numeric(_flatten(language, "redactor", systems["redactor"])))
        result.baselines.update(numeric(_flatten(language, "presidio", systems["presidio"])))
        result.plots.append(_plot(ctx, language, results[language]).name)
        for kind, counts in systems["redactor"]["per_type"].items():
            if counts["gold"] and counts["found"] < counts["gold"]:
                result.failures.append({"check": f"{language} recall", "type": kind,
                                        "missed": counts["gold"] - counts["found"], "gold": counts["gold"]})
    english = results["english"]
    result.datasets["English PII"] = describe_file(ctx.data_dir / SYNTH_FILE, english["texts"])
    for name in VIETNAMESE_CASE_FILES:
        result.datasets[f"Vietnamese {name}"] = describe_file(PII_CASES_DIR / name)
    result.notes.append(
        "Span-level matching: a prediction counts when it overlaps a gold span of the same mapped type; "
        "F2 weighs recall higher. The baseline is plain Presidio with its default recognizers."
    )
    result.notes.append(results["vietnamese"]["note"])
    if english["not_scored_gold"]:
        skipped = ", ".join(f"{kind} {count}" for kind, count in english["not_scored_gold"].items())
        result.notes.append(f"English gold spans not scored: {skipped}.")
    return result


def _flatten(language: str, system: str, summary: dict[str, Any]) -> dict[str, float | None]:
    metrics: dict[str, float | None] = {}
    for measure in MEASURES:
        metrics[f"{language}.{system}.{measure}"] = summary["overall"][measure]
    for kind, values in summary["per_type"].items():
        if not values["gold"]:
            continue
        for measure in MEASURES:
            metrics[f"{language}.{system}.{kind}.{measure}"] = values[measure]
    return metrics


def _plot(ctx: SuiteContext, language: str, section: dict[str, Any]):  # noqa: ANN202 - Path
    systems = section["systems"]
    types = sorted(kind for kind, values in systems["redactor"]["per_type"].items() if values["gold"])
    series = {}
    for system, label in (("redactor", "ours"), ("presidio", "Presidio")):
        per_type = systems[system]["per_type"]
        for measure in ("precision", "recall"):
            series[f"{label} {measure}"] = [per_type.get(kind, {}).get(measure) for kind in types]
    title = f"{language.capitalize()}: {section['texts']} texts, per entity type"
    return grouped_bars(ctx.out_dir / f"pii_{language}_per_entity.png", types, series, title, "share")
