"""Grounded question answering over the document index.

A question is answered only from retrieved passages. A generated answer is
returned only when it passes the grounding check; otherwise the answer quotes
the best passage verbatim. Each result records which path produced it.
"""

from __future__ import annotations

import datetime
import logging
import re
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

from assistant.errors import GateRejection, InputError, LLMError
from assistant.extractive import NOT_ANSWERED, best_sentences, extractive_answer
from assistant.grounding import MARKER, check_answer
from assistant.language import detect_language
from assistant.llm.base import LLM, Message
from assistant.prompts import NO_ANSWER, build_messages
from assistant.settings import Settings
from retrieval.access import Reader
from retrieval.index import DocumentIndex, Hit
from retrieval.tokens import content_terms

log = logging.getLogger(__name__)

Mode = Literal["generated", "extractive"]
ROLES = ("user", "assistant")
# Entity types that stay in the search query: places and groups, not people or numbers.
_KEPT_FOR_SEARCH = frozenset({"LOCATION", "NRP"})
# A pseudonymisation placeholder such as "<PERSON_1>"; the checks ignore it.
_PLACEHOLDER = re.compile(r"<[A-Z_]+_\d+>")


@dataclass(frozen=True)
class Citation:
    """A cited passage: [n] in the answer refers to it."""

    n: int
    document_id: str
    title: str
    locator: str
    quote: str
    chunk_id: int
    page: int | None = None


@dataclass
class ChatResult:
    """An answer with its citations and how it was produced."""

    answer: str
    citations: list[Citation]
    answered: bool
    mode: Mode
    language: str
    reasons: list[str] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Evidence:
    """The passages retrieved for a question and whether they can answer it."""

    hits: list[Hit]
    answerable: bool
    best_dense: float
    coverage: float


def validate_messages(messages: Sequence[Message], max_chars: int) -> tuple[str, list[Message]]:
    """Return the last user question and the earlier turns, or raise InputError."""
    if not messages:
        raise InputError("messages is empty; send at least one {'role': 'user', 'content': ...} message")
    for position, message in enumerate(messages):
        role, content = message.get("role"), message.get("content")
        if role not in ROLES:
            raise InputError(f"messages[{position}].role is {role!r}; use one of {ROLES}")
        if not isinstance(content, str):
            raise InputError(f"messages[{position}].content must be a string")
        if len(content) > max_chars:
            raise InputError(
                f"messages[{position}].content has {len(content)} characters, above the limit of {max_chars}; shorten it"
            )
    question = messages[-1]["content"].strip()
    if messages[-1]["role"] != "user":
        raise InputError("the last message must come from the user")
    if not question:
        raise InputError("the question is empty; type a question")
    return question, list(messages[:-1])


class ChatService:
    """Answer questions from the index, with or without a language model."""

    def __init__(self, index: DocumentIndex, llm: LLM | None, settings: Settings, gate=None, redactor=None,
                 audit=None) -> None:
        """gate (a guardrails.ClassificationGate) rejects marked messages and answers;
        redactor (a guardrails.Redactor) pseudonymises all text sent to the model;
        audit (a guardrails.AuditLog) records both decisions, without any text."""
        self.index = index
        self.llm = llm
        self.settings = settings
        self.gate = gate
        self.redactor = redactor
        self.audit = audit
        self.request_id = "-"

    def answer(self, messages: Sequence[Message], request_id: str = "-", *, reader: Reader) -> ChatResult:
        """Answer from the documents reader may see (a Caller, or retrieval.access.UNRESTRICTED)."""
        result: ChatResult | None = None
        for event, data in self.events(messages, request_id, reader=reader):
            if event == "done":
                result = data
        assert result is not None
        return result

    def events(self, messages: Sequence[Message], request_id: str = "-", *,
               reader: Reader) -> Iterator[tuple[str, object]]:
        """Yield ("progress", stage) events, then ("done", ChatResult); only documents
        reader may see are searched and cited."""
        self.request_id = request_id
        question, history = validate_messages(messages, self.settings.max_question_chars)
        self._check_gate([question, *(m["content"] for m in history)])
        language = detect_language(question)
        timings: dict[str, float] = {}
        yield "progress", "retrieving"
        started = time.perf_counter()
        evidence = self.retrieve(self._without_personal_data(question, language), history, reader=reader)
        timings["retrieval"] = _ms_since(started)
        if not evidence.answerable:
            reason = f"best passage below the bars (similarity {evidence.best_dense:.2f}, terms {evidence.coverage:.2f})"
            yield "done", ChatResult(NOT_ANSWERED[language], [], False, "extractive", language, [reason], timings)
            return
        passages = [(_source_label(hit), hit.text[: self.settings.passage_max_chars]) for hit in evidence.hits]
        reasons: list[str] = []
        if self.llm is not None:
            yield "progress", "generating"
            started = time.perf_counter()
            generated, reasons = self._generate(language, question, history, passages)
            timings["generation"] = _ms_since(started)
            if generated is not None:
                text, cited = generated
                yield "done", self._result(text, cited, evidence.hits, question, "generated", language, reasons, timings)
                return
        text, cited = extractive_answer(language, question, passages)
        yield "done", self._result(text, cited, evidence.hits, question, "extractive", language, reasons, timings)

    def _without_personal_data(self, text: str, language: str) -> str:
        """Return text without the people, numbers and accounts in it, so that a caller's
        name or phone number does not count as a question term the documents lack.
        Places stay, because "in Hanoi" is part of what is asked."""
        if self.redactor is None:
            return text
        kept, cursor = [], 0
        for entity in self.redactor.analyze(text, language):
            if entity.type in _KEPT_FOR_SEARCH:
                continue
            kept.append(text[cursor : entity.start])
            cursor = entity.end
        kept.append(text[cursor:])
        return " ".join(" ".join(kept).split())

    def _check_gate(self, texts: Sequence[str]) -> None:
        """Raise GateRejection when a text carries a secrecy mark; the text is not kept."""
        if self.gate is None:
            return
        from guardrails.audit import gate_record  # noqa: PLC0415

        for text in texts:
            decision = self.gate.check_text(text, location="message")
            if not decision.allowed:
                self._record(gate_record("chat", self.request_id, decision, action="chat_gate"))
                log.warning("gate rejected chat request %s: level %s", self.request_id, decision.level)
                raise GateRejection(list(decision.reasons))
        self._record(gate_record("chat", self.request_id, decision, action="chat_gate"))

    def _record(self, record) -> None:  # noqa: ANN001 - guardrails.AuditRecord
        if self.audit is not None:
            self.audit.append(record, request_id=self.request_id)

    def retrieve(self, question: str, history: Sequence[Message], *, reader: Reader) -> Evidence:
        """Return the passages for a question that reader may see; a follow-up also
        searches with the previous question."""
        k = self.settings.chat_passages
        hits = self.index.search(question, k=max(k, 5), reader=reader)
        previous = next((m["content"] for m in reversed(history) if m["role"] == "user"), None)
        if previous:
            # A follow-up such as "Có mất lệ phí không?" names its topic only in the
            # earlier turn, so the combined query leads.
            followup = self.index.search(f"{previous}\n{question}", k=max(k, 5), reader=reader)
            hits = _interleave(followup, hits)
        hits = hits[:k]
        if not hits:
            return Evidence([], False, 0.0, 0.0)
        dense = self.index.dense_score(question if not previous else f"{previous}\n{question}",
                                       [h.chunk_id for h in hits], reader=reader)
        best_dense = max(dense.values(), default=0.0)
        # A follow-up's terms include the earlier question's ("How much does it cost?").
        coverage = self._coverage(f"{previous}\n{question}" if previous else question, hits, reader)
        answerable = best_dense >= self.settings.min_dense_score and coverage >= self.settings.min_term_coverage
        log.info("retrieved %d passages: best similarity %.3f, coverage %.2f, answerable %s",
                 len(hits), best_dense, coverage, answerable)
        return Evidence(hits, answerable, best_dense, coverage)

    def _coverage(self, question: str, hits: Sequence[Hit], reader: Reader) -> float:
        """Return the share of the question's terms found in the passages, each term
        weighted by its rarity in the index, so that "Hà Nội" counts for little."""
        terms = content_terms(question)
        if not terms:
            return 0.0
        found = content_terms(" ".join(f"{h.title} {h.text}" for h in hits))
        weights = {term: self.index.term_weight(term, reader=reader) for term in terms}
        return sum(weights[t] for t in terms & found) / sum(weights.values())

    def _generate(self, language: str, question: str, history: Sequence[Message],
                  passages: list[tuple[str, str]]) -> tuple[tuple[str, list[int]] | None, list[str]]:
        """Return ((answer, cited markers), reasons), or (None, reasons) when the answer fails its checks.

        The model receives only pseudonymised text; placeholders in its answer are
        restored for this caller after the checks.
        """
        assert self.llm is not None
        mapping: dict[str, str] = {}
        hide = self._pseudonymizer(mapping)
        question_sent = hide(question)
        passages_sent = [(hide(heading), hide(text)) for heading, text in passages]
        history_sent: list[Message] = [{"role": m["role"], "content": hide(m["content"])} for m in _recent(history)]
        messages = build_messages(language, question_sent, passages_sent, history_sent)
        self._record_pseudonymization(mapping)
        try:
            text = self.llm.generate(messages, self.settings.llm_max_new_tokens).strip()
        except LLMError as exc:
            log.warning("language model failed (%s); answering by quotation", type(exc).__name__)
            return None, [f"language model failed: {exc}"]
        if not text or NO_ANSWER in text:
            return None, ["the language model declined although the passages match"]
        if detect_language(MARKER.sub("", text)) != language:
            return None, ["the generated answer is not in the language of the question"]
        report = check_answer(
            _PLACEHOLDER.sub("", text),
            [p[1] for p in passages_sent],
            question_sent,
            self.settings.support_threshold,
            similarity=self._similarity,
        )
        if not report.ok:
            log.info("generated answer failed the grounding check: %d problems", len(report.problems))
            return None, list(dict.fromkeys(report.problems))
        if self.redactor is not None:
            text = self.redactor.restore(text, mapping)
        if self.gate is not None:
            from guardrails.audit import gate_record  # noqa: PLC0415

            decision = self.gate.check_text(text, location="message")
            self._record(gate_record("chat", self.request_id, decision, action="answer_gate"))
            if not decision.allowed:
                log.warning("generated answer of request %s withheld: level %s", self.request_id, decision.level)
                return None, ["the generated answer carries a secrecy mark"]
        return (text, report.cited), []

    def _record_pseudonymization(self, mapping: dict[str, str]) -> None:
        from guardrails.audit import AuditRecord  # noqa: PLC0415

        counts = dict(Counter(re.sub(r"_\d+>$", ">", key).strip("<>") for key in mapping))
        self._record(AuditRecord(
            time=datetime.datetime.now(datetime.UTC), actor="chat", action="chat_pseudonymization",
            subject_id=self.request_id, decision="pseudonymized" if counts else "unchanged", entity_counts=counts,
        ))

    def _pseudonymizer(self, mapping: dict[str, str]):  # noqa: ANN202 - str -> str
        if self.redactor is None:
            return lambda text: text
        return lambda text: self.redactor.pseudonymize(text, detect_language(text), mapping)

    def _similarity(self, sentence: str, passage: str) -> float:
        embedder = self.index.embedder
        vectors = embedder.encode_inputs([embedder.query_input(sentence), embedder.passage_inputs([""], [passage])[0]])
        return float(vectors[0] @ vectors[1])

    def _result(self, text: str, cited: list[int], hits: list[Hit], question: str, mode: Mode, language: str,
                reasons: list[str], timings: dict[str, float]) -> ChatResult:
        citations = [
            Citation(
                n=n,
                document_id=hits[n - 1].document_id,
                title=hits[n - 1].title,
                locator=hits[n - 1].locator,
                quote=best_sentences(question, hits[n - 1].text),
                chunk_id=hits[n - 1].chunk_id,
                page=hits[n - 1].page,
            )
            for n in sorted(set(cited))
        ]
        return ChatResult(text, citations, True, mode, language, reasons, timings)


def _source_label(hit: Hit) -> str:
    return f"{hit.title}, {hit.locator}" if hit.locator else hit.title


def _interleave(first: list[Hit], second: list[Hit]) -> list[Hit]:
    seen: set[int] = set()
    merged: list[Hit] = []
    for pair in zip(first, second):
        for hit in pair:
            if hit.chunk_id not in seen:
                seen.add(hit.chunk_id)
                merged.append(hit)
    for hit in first[len(second):] + second[len(first):]:
        if hit.chunk_id not in seen:
            seen.add(hit.chunk_id)
            merged.append(hit)
    return merged


def _recent(history: Sequence[Message], turns: int = 4, max_chars: int = 600) -> list[Message]:
    """Return the last few turns, shortened, so a follow-up keeps its context."""
    return [{"role": m["role"], "content": m["content"][:max_chars]} for m in history[-turns:]]


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
