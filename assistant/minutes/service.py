"""Minutes of a meeting from its transcript, in parts, with progress events.

A long transcript is cut into parts of about PART_WORDS words that overlap by
OVERLAP_TURNS turns. Each part owns the turns from its start to the next
part's start and reads the overlap only as context, so every item is found
once; items said again later in the meeting merge by normalised text or close
wording, keeping the union of their turns.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from assistant.errors import GateRejection, InputError, LLMError
from assistant.language import detect_language
from assistant.llm.base import LLM, Message
from assistant.minutes.dates import find_meeting_date
from assistant.minutes.extract import Extraction, Item, extract
from assistant.minutes.summary import (
    Sentence,
    SummarySentence,
    candidate_sentences,
    extractive_summary,
    generated_summary,
    select_salient,
)
from assistant.minutes.transcript import Turn
from retrieval.tokens import content_terms

log = logging.getLogger(__name__)

PART_WORDS = 2500
OVERLAP_TURNS = 3
# Items whose content terms overlap this much (Jaccard) are the same item said twice.
SAME_ITEM_SIMILARITY = 0.8
CANDIDATES_PER_PART = 12
SUMMARY_MAX_TOKENS = 300
DEFAULT_TITLE = {"vi": "Biên bản cuộc họp", "en": "Meeting minutes"}

SUMMARY_PROMPT = {
    "vi": ("Bạn viết phần tóm tắt của biên bản cuộc họp. Chỉ dùng các câu được đánh số dưới đây. "
           "Viết 3 đến 5 câu tiếng Việt ngắn gọn; cuối mỗi câu ghi số của câu nguồn trong ngoặc vuông, "
           "ví dụ [2]. Không thêm thông tin, tên người hay con số không có trong các câu nguồn."),
    "en": ("You write the summary section of meeting minutes. Use only the numbered sentences below. "
           "Write 3 to 5 short English sentences; end each with the number of its source sentence in "
           "square brackets, for example [2]. Add no fact, name or number that the sources lack."),
}


@dataclass
class Part:
    """A run of turns; items come only from the owned turns, the rest is context."""

    number: int
    turns: list[Turn]
    owned: set[int]


@dataclass
class Minutes:
    title: str
    date: str | None
    participants: list[str]
    summary: list[SummarySentence]
    decisions: list[Item]
    action_items: list[Item]
    open_questions: list[Item]
    language: str
    summary_mode: str = "extractive"
    parts: int = 1
    turn_count: int = 0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "title": self.title,
            "date": self.date,
            "participants": self.participants,
            "summary": [s.to_dict() for s in self.summary],
            "decisions": [{"text": i.text, "turns": i.turns} for i in self.decisions],
            "action_items": [_action_dict(i) for i in self.action_items],
            "open_questions": [{"text": i.text, "turns": i.turns} for i in self.open_questions],
            "language": self.language,
            "summary_mode": self.summary_mode,
            "parts": self.parts,
            "turn_count": self.turn_count,
            "notes": self.notes,
        }


def _action_dict(item: Item) -> dict:
    entry = {"owner": item.owner, "task": item.task, "due": item.due, "turns": item.turns, "text": item.text}
    if item.owner is None:
        entry["owner_missing"] = True
    return entry


@dataclass
class MinutesInput:
    """A validated request: the turns and what the caller said about the meeting."""

    turns: list[Turn]
    title: str | None = None
    date: datetime.date | None = None
    participants: list[str] | None = None
    language: str | None = None
    use_llm: bool = True
    source_text: str = ""


def split_parts(turns: Sequence[Turn], part_words: int = PART_WORDS, overlap: int = OVERLAP_TURNS) -> list[Part]:
    """Cut turns into parts of about part_words words, each extended by overlap turns on both sides."""
    bounds: list[tuple[int, int]] = []
    start, words = 0, 0
    for index, turn in enumerate(turns):
        words += len(turn.text.split())
        if words >= part_words and index + 1 < len(turns):
            bounds.append((start, index + 1))
            start, words = index + 1, 0
    if start < len(turns):
        bounds.append((start, len(turns)))
    parts = []
    for number, (first, last) in enumerate(bounds, start=1):
        context = list(turns[max(0, first - overlap) : min(len(turns), last + overlap)])
        parts.append(Part(number, context, {t.id for t in turns[first:last]}))
    return parts


def merge_items(items: Sequence[Item]) -> list[Item]:
    """Merge items with the same normalised text or close wording; the first keeps its
    place and takes the union of turns, and an owner or deadline it lacks."""
    merged: list[Item] = []
    terms: list[set[str]] = []
    for item in items:
        item_terms = content_terms(item.text)
        same = next((k for k, kept in enumerate(merged) if _same_item(kept, item, terms[k], item_terms)), None)
        if same is None:
            merged.append(Item(item.text, sorted(set(item.turns)), item.owner, item.task, item.due, item.owner_missing))
            terms.append(item_terms)
            continue
        kept = merged[same]
        kept.turns = sorted(set(kept.turns) | set(item.turns))
        if kept.owner is None and item.owner is not None:
            kept.owner, kept.owner_missing, kept.task = item.owner, False, item.task
        kept.due = kept.due or item.due
    return merged


def _same_item(kept: Item, item: Item, kept_terms: set[str], item_terms: set[str]) -> bool:
    if kept.owner != item.owner and kept.owner is not None and item.owner is not None:
        return False
    if kept.key() == item.key() or (kept.task is not None and kept.task == item.task and kept.owner == item.owner):
        return True
    union = kept_terms | item_terms
    return bool(union) and len(kept_terms & item_terms) / len(union) >= SAME_ITEM_SIMILARITY


class MinutesService:
    """Build minutes; gate, redactor and audit are the assistant's guardrails (each may be None)."""

    def __init__(self, llm: LLM | None = None, gate=None, redactor=None, audit=None,  # noqa: ANN001
                 part_words: int = PART_WORDS, support_threshold: float = 0.5) -> None:
        self.llm = llm
        self.gate = gate
        self.redactor = redactor
        self.audit = audit
        self.part_words = part_words
        self.support_threshold = support_threshold
        self.request_id = "-"

    def check_gate(self, text: str, request_id: str = "-", decision=None,  # noqa: ANN001
                   request: MinutesInput | None = None) -> None:
        """Raise GateRejection when the transcript, or a turn, speaker, the title or a participant
        of request, carries a secrecy mark; record the decision.

        Each turn is checked on its own, as chat checks each message, because in the transcript
        a speaker's name comes before the turn ("Bà Lan: KHÔNG PHỔ BIẾN") and the label no
        longer opens a line."""
        self.request_id = request_id
        if self.gate is None and decision is None:
            return
        from guardrails.audit import gate_record  # noqa: PLC0415

        decision = decision or self.gate.check_text(text, location="body")
        if decision.allowed and request is not None and self.gate is not None:
            decision = self.gate.check_fields(_gated_fields(request))
        self._record(gate_record("minutes", request_id, decision, action="minutes_gate"))
        if not decision.allowed:
            log.warning("gate rejected minutes request %s: level %s", request_id, decision.level)
            raise GateRejection(list(decision.reasons))

    def build(self, request: MinutesInput, request_id: str = "-") -> Minutes:
        result = None
        for event, data in self.events(request, request_id):
            if event == "done":
                result = data
        assert isinstance(result, Minutes)
        return result

    def events(self, request: MinutesInput, request_id: str = "-") -> Iterator[tuple[str, object]]:
        """Yield ("progress", {...}) per part and for the summary, then ("done", Minutes)."""
        self.request_id = request_id
        turns = request.turns
        if not turns:
            raise InputError("the transcript contains no turns; send the spoken text")
        language = request.language or detect_language(" ".join(t.text for t in turns[:200])[:20000])
        meeting_date = request.date or find_meeting_date(request.source_text)
        parts = split_parts(turns, self.part_words)
        found = Extraction()
        candidates: list[Sentence] = []
        for part in parts:
            yield "progress", {"stage": "extracting", "part": part.number, "parts": len(parts)}
            self._extract_part(part, meeting_date, found, candidates)
        yield "progress", {"stage": "summarising", "part": len(parts), "parts": len(parts)}
        summary, mode, notes = self._summary(candidates, language, request.use_llm)
        minutes = Minutes(
            title=request.title or DEFAULT_TITLE[language],
            date=meeting_date.isoformat() if meeting_date else None,
            participants=request.participants or _speakers(turns),
            summary=summary,
            decisions=merge_items(found.decisions),
            action_items=merge_items(found.action_items),
            open_questions=merge_items(found.open_questions),
            language=language,
            summary_mode=mode,
            parts=len(parts),
            turn_count=len(turns),
            notes=notes,
        )
        self._record_result(minutes)
        log.info("minutes %s: %d turns in %d parts, %d decisions, %d actions, %d open questions, summary %s",
                 request_id, len(turns), len(parts), len(minutes.decisions), len(minutes.action_items),
                 len(minutes.open_questions), mode)
        yield "done", minutes

    def _extract_part(self, part: Part, meeting_date: datetime.date | None, found: Extraction,
                      candidates: list[Sentence]) -> None:
        items = extract(part.turns, part.owned, meeting_date)
        found.decisions.extend(items.decisions)
        found.action_items.extend(items.action_items)
        found.open_questions.extend(items.open_questions)
        owned = [t for t in part.turns if t.id in part.owned]
        sentences = candidate_sentences(owned)
        # Orders stay global so that the final pick can be put back in transcript order.
        for sentence in select_salient(sentences, count=CANDIDATES_PER_PART):
            candidates.append(Sentence(sentence.text, sentence.turn, sentence.turn * 1000 + sentence.order))

    def _summary(self, candidates: list[Sentence], language: str,
                 use_llm: bool) -> tuple[list[SummarySentence], str, list[str]]:
        extractive = extractive_summary(candidates)
        if self.llm is None or not use_llm or not extractive:
            return extractive, "extractive", []
        mapping: dict[str, str] = {}
        try:
            summary = generated_summary(
                extractive, lambda passages: self._generate(language, passages), self._hider(language, mapping),
                self._restorer(mapping), self.support_threshold,
            )
        except LLMError as exc:
            log.warning("language model failed for minutes %s (%s); extractive summary", self.request_id,
                        type(exc).__name__)
            return extractive, "extractive", [f"language model failed: {exc}"]
        finally:
            self._record_pseudonymization(mapping)
        replaced = sum(1 for s in summary if not s.generated)
        notes = [f"{replaced} generated sentences failed the support check and were replaced by "
                 "transcript sentences"] if replaced else []
        return summary, _summary_mode(replaced, len(summary)), notes

    def _generate(self, language: str, passages: list[str]) -> str:
        assert self.llm is not None
        numbered = "\n".join(f"[{n}] {text}" for n, text in enumerate(passages, start=1))
        messages: list[Message] = [
            {"role": "system", "content": SUMMARY_PROMPT[language]},
            {"role": "user", "content": numbered},
        ]
        return self.llm.generate(messages, SUMMARY_MAX_TOKENS).strip()

    def _hider(self, language: str, mapping: dict[str, str]):  # noqa: ANN202 - str -> str
        if self.redactor is None:
            return lambda text: text
        return lambda text: self.redactor.pseudonymize(text, language, mapping)

    def _restorer(self, mapping: dict[str, str]):  # noqa: ANN202 - str -> str
        if self.redactor is None:
            return lambda text: text
        return lambda text: self.redactor.restore(text, mapping)

    def _record(self, record) -> None:  # noqa: ANN001 - guardrails.AuditRecord
        if self.audit is not None:
            self.audit.append(record, request_id=self.request_id)

    def _record_pseudonymization(self, mapping: dict[str, str]) -> None:
        from guardrails.audit import AuditRecord  # noqa: PLC0415

        counts = dict(Counter(re.sub(r"_\d+>$", ">", key).strip("<>") for key in mapping))
        self._record(AuditRecord(
            time=datetime.datetime.now(datetime.UTC), actor="minutes", action="minutes_pseudonymization",
            subject_id=self.request_id, decision="pseudonymized" if counts else "unchanged", entity_counts=counts,
        ))

    def _record_result(self, minutes: Minutes) -> None:
        from guardrails.audit import AuditRecord  # noqa: PLC0415

        self._record(AuditRecord(
            time=datetime.datetime.now(datetime.UTC), actor="minutes", action="minutes_built",
            subject_id=self.request_id, decision=minutes.summary_mode,
            reasons=(f"{minutes.turn_count} turns in {minutes.parts} parts",),
            entity_counts={"decisions": len(minutes.decisions), "action_items": len(minutes.action_items),
                           "open_questions": len(minutes.open_questions)},
        ))


def _gated_fields(request: MinutesInput) -> dict[str, str]:
    """Return the texts of a request that the gate checks besides the whole transcript."""
    fields = {f"turn {turn.id}": turn.text for turn in request.turns}
    fields["speakers"] = "\n".join(_speakers(request.turns))
    if request.title:
        fields["title"] = request.title
    if request.participants:
        fields["participants"] = "\n".join(request.participants)
    return fields


def _speakers(turns: Sequence[Turn]) -> list[str]:
    seen: dict[str, None] = {}
    for turn in turns:
        if turn.speaker:
            seen.setdefault(turn.speaker, None)
    return list(seen)


def _summary_mode(replaced: int, sentences: int) -> str:
    """Name how a summary was made from how many generated sentences were replaced."""
    if replaced == 0:
        return "generated"
    if replaced < sentences:
        return "mixed"
    return "extractive"
