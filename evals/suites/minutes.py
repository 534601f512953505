"""Minutes: summary quality on QMSum, grounding of every claim, items on Vietnamese cases.

QMSum (meetings_qmsum/ in the data folder): ROUGE-1/2/L F1 of the summary
against each meeting's reference answer to "Summarize the whole meeting.",
with the lead baseline (the first sentences up to the same word budget)
scored in the same run; the share of summary sentences and of items whose
cited turns support them (the grounding check of assistant/grounding.py);
and the number of duplicate items left after merging the parts.

Vietnamese cases (evals/cases/minutes_vi/): precision and recall of the
decisions, owners and deadlines against the expected items of each case.
"""

from __future__ import annotations

import json
import logging
import re
import time
from pathlib import Path

from assistant.grounding import check_answer
from assistant.minutes import MinutesInput, MinutesService, parse_transcript, turns_from_records
from assistant.minutes.extract import normalize
from assistant.minutes.service import Minutes
from assistant.minutes.summary import lead_summary
from assistant.minutes.transcript import Turn
from evals.suites import CASES_DIR, SuiteContext, SuiteResult

log = logging.getLogger(__name__)

NAME = "minutes"
QMSUM = "meetings_qmsum"
VI_CASES = CASES_DIR / "minutes_vi"
GENERAL_QUERY = "summarize the whole meeting."
# Transcription marks of QMSum such as "{vocalsound}" and "{disfmarker}".
_QMSUM_MARK = re.compile(r"\{[a-z_]+\}")


def load_qmsum(path: Path) -> tuple[list[Turn], str]:
    """Return the turns of a QMSum meeting and its reference summary of the whole meeting."""
    data = json.loads(path.read_text(encoding="utf-8"))
    records = [{"speaker": t["speaker"], "text": _QMSUM_MARK.sub(" ", t["content"])} for t in data["meeting_transcripts"]]
    reference = next(q["answer"] for q in data["general_query_list"] if q["query"].strip().lower() == GENERAL_QUERY)
    return turns_from_records(records), reference


def supported(text: str, turns: list[int], by_id: dict[int, Turn]) -> bool:
    """Return True when the cited turns support text by the grounding check's rule."""
    passage = "\n".join(by_id[t].text for t in turns if t in by_id)
    return bool(passage) and check_answer(f"{text} [1]", [passage], "").ok


def run(ctx: SuiteContext) -> SuiteResult:
    started = time.perf_counter()
    result = SuiteResult(NAME)
    service = _service(ctx)
    _run_qmsum(ctx, service, result)
    _run_vietnamese(service, result)
    result.plots.extend(_plot(ctx, result))
    result.seconds = round(time.perf_counter() - started, 1)
    return result


def _service(ctx: SuiteContext) -> MinutesService:
    assistant = ctx.assistant
    if assistant is None:
        return MinutesService()
    llm = assistant.llm
    return MinutesService(llm, gate=assistant.gate, redactor=assistant.redactor if llm is not None else None)


def _run_qmsum(ctx: SuiteContext, service: MinutesService, result: SuiteResult) -> None:
    from rouge_score import rouge_scorer  # noqa: PLC0415

    files = sorted((ctx.data_dir / QMSUM).glob("*/*.json"))
    if ctx.limit:
        files = files[: ctx.limit]
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    totals: dict[str, list[float]] = {}
    for path in files:
        turns, reference = load_qmsum(path)
        minutes = service.build(MinutesInput(turns, language="en"), f"eval-{path.stem}")
        lead = lead_summary(turns)
        for label, sentences in (("system", [s.text for s in minutes.summary]), ("lead", [s.text for s in lead])):
            scores = scorer.score(reference, "\n".join(sentences))
            for kind, score in scores.items():
                totals.setdefault(f"{label}.{kind}", []).append(score.fmeasure)
        _grounding(minutes, turns, path.stem, totals, result)
        log.info("minutes eval %s: %d turns, %d parts", path.stem, len(turns), minutes.parts)
    for key, values in totals.items():
        mean = round(sum(values) / len(values), 4)
        target = result.baselines if key.startswith("lead.") else result.metrics
        name = key.removeprefix("system.")
        target[f"qmsum.{name}_f1" if "rouge" in name else f"qmsum.{name}"] = mean
    result.datasets[QMSUM] = f"{len(files)} meetings, general query reference summaries"
    result.notes.append("ROUGE uses rouge-score 0.1.2 with its English tokenizer and Porter stemmer; the lead "
                        "baseline takes the first transcript sentences up to the same word budget.")


def _grounding(minutes: Minutes, turns: list[Turn], meeting: str, totals: dict[str, list[float]],
               result: SuiteResult) -> None:
    by_id = {t.id: t for t in turns}
    summary_ok = [supported(s.text, s.turns, by_id) for s in minutes.summary]
    items = minutes.decisions + minutes.action_items + minutes.open_questions
    items_ok = [supported(i.text, i.turns, by_id) for i in items]
    duplicates = 0
    for kind in (minutes.decisions, minutes.action_items, minutes.open_questions):
        keys = [(normalize(i.text), i.owner) for i in kind]
        duplicates += len(keys) - len(set(keys))
    totals.setdefault("system.summary_supported", []).append(sum(summary_ok) / max(len(summary_ok), 1))
    totals.setdefault("system.items_supported", []).append(sum(items_ok) / max(len(items_ok), 1))
    totals.setdefault("system.duplicate_items", []).append(duplicates)
    totals.setdefault("system.parts", []).append(minutes.parts)
    for sentence, ok in zip(minutes.summary, summary_ok):
        if not ok and len(result.failures) < 10:
            result.failures.append({"meeting": meeting, "kind": "unsupported summary sentence", "turns": sentence.turns})


def _run_vietnamese(service: MinutesService, result: SuiteResult) -> None:
    counts = {name: [0, 0, 0] for name in ("decisions", "owners", "deadlines")}  # found-correct, found, expected
    cases = [json.loads(line) for line in (VI_CASES / "expected.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]
    for case in cases:
        text = (VI_CASES / case["file"]).read_text(encoding="utf-8")
        minutes = service.build(MinutesInput(parse_transcript(text), source_text=text, use_llm=False))
        _score_case(case, minutes, counts, result)
    for name, (correct, found, expected) in counts.items():
        result.metrics[f"vi.{name}.precision"] = round(correct / found, 4) if found else 0.0
        result.metrics[f"vi.{name}.recall"] = round(min(correct, expected) / expected, 4) if expected else 0.0
    result.datasets["minutes_vi"] = f"{len(cases)} Vietnamese transcripts written for the project"


def _score_case(case: dict, minutes: Minutes, counts: dict[str, list[int]], result: SuiteResult) -> None:
    decisions = [d.text for d in minutes.decisions]
    matched = sum(1 for d in decisions if any(e.lower() in d.lower() for e in case["decisions"]))
    _add(counts["decisions"], matched, len(decisions), len(case["decisions"]))
    actions = minutes.action_items
    owners = sum(1 for a in actions if any(_same_action(a, e) and a.owner == e["owner"] for e in case["actions"]))
    _add(counts["owners"], owners, len(actions), len(case["actions"]))
    dated = [a for a in actions if a.due]
    expected_dues = [e for e in case["actions"] if e["due"]]
    dues = sum(1 for a in dated if any(_same_action(a, e) and a.due == e["due"] for e in expected_dues))
    _add(counts["deadlines"], dues, len(dated), len(expected_dues))
    for action in actions:
        if not any(_same_action(action, e) and action.owner == e["owner"] for e in case["actions"]):
            result.failures.append({"case": case["file"], "kind": "unexpected action", "owner": action.owner,
                                    "turns": action.turns})


def _same_action(action, expected: dict) -> bool:  # noqa: ANN001 - assistant.minutes.extract.Item
    return expected["task"].lower() in (action.task or "").lower()


def _add(bucket: list[int], correct: int, found: int, expected: int) -> None:
    bucket[0] += correct
    bucket[1] += found
    bucket[2] += expected


def _plot(ctx: SuiteContext, result: SuiteResult) -> list[str]:
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    kinds = ["rouge1", "rouge2", "rougeL"]
    system = [result.metrics.get(f"qmsum.{k}_f1", 0.0) for k in kinds]
    lead = [result.baselines.get(f"qmsum.lead.{k}_f1", 0.0) for k in kinds]
    figure, axes = plt.subplots(figsize=(6, 3.5))
    positions = range(len(kinds))
    axes.bar([p - 0.2 for p in positions], system, width=0.4, label="minutes summary")
    axes.bar([p + 0.2 for p in positions], lead, width=0.4, label="lead baseline")
    axes.set_xticks(list(positions), kinds)
    axes.set_ylabel("F1 against the QMSum reference")
    axes.legend(fontsize=8)
    figure.tight_layout()
    ctx.out_dir.mkdir(parents=True, exist_ok=True)
    name = "minutes_rouge.png"
    figure.savefig(ctx.out_dir / name, dpi=120)
    plt.close(figure)
    return [name]
