"""Drafting as one service: gate, sources, composition, optional rewrite, fact check, storage."""

from __future__ import annotations

import datetime
import logging
import re
from collections import Counter
from typing import Any

from assistant.drafting.compose import compose, draft_texts
from assistant.drafting.doctypes import resolve_doc_type
from assistant.drafting.factcheck import Evidence, check_texts
from assistant.drafting.layout import template_texts
from assistant.drafting.models import MAX_REQUEST_CHARS, Composition, Draft, DraftRequest, StoredDraft
from assistant.drafting.rewrite import rewrite_paragraphs
from assistant.drafting.sources import find_sources
from assistant.drafting.store import DraftStore
from assistant.errors import GateRejection, InputError

log = logging.getLogger(__name__)

ACTOR = "drafting"


class DraftService:
    """Create and version drafts for a caller's department.

    `assistant` is an assistant.service.Assistant: its index, gate, audit log,
    redactor, language model (None for composition only) and database are used.
    """

    def __init__(self, assistant) -> None:  # noqa: ANN001 - assistant.service.Assistant
        self.assistant = assistant
        self.store = DraftStore(assistant.database)

    def create(self, request: DraftRequest, caller, request_id: str = "-") -> StoredDraft:  # noqa: ANN001
        """Draft version 1 and store it under the caller's department."""
        draft = self.build(request, caller, request_id)
        stored = self.store.add(caller.department, caller.principal, request.model_dump(mode="json"), draft)
        log.info("draft %s v1 created for %s: %s, check %s", stored.id, caller.department, draft.doc_type["key"],
                 "passed" if draft.check.passed else "failed")
        return stored

    def new_version(self, draft_id: str, changes: dict[str, Any], caller, request_id: str = "-") -> StoredDraft:  # noqa: ANN001
        """Apply partial changes to the latest request of a draft and store the result as the next version."""
        current = self.store.get(caller.department, draft_id)
        request = merge_changes(current.request, changes)
        draft = self.build(request, caller, request_id)
        stored = self.store.add_version(caller.department, draft_id, caller.principal,
                                        request.model_dump(mode="json"), draft)
        log.info("draft %s v%d created for %s", draft_id, stored.version, caller.department)
        return stored

    def get(self, draft_id: str, caller, version: int | None = None) -> StoredDraft:  # noqa: ANN001
        return self.store.get(caller.department, draft_id, version)

    def list(self, caller, limit: int, offset: int):  # noqa: ANN001, ANN201 - (summaries, total)
        return self.store.list(caller.department, limit, offset)

    def build(self, request: DraftRequest, caller, request_id: str = "-") -> Draft:  # noqa: ANN001
        """Return the checked draft for a request, without storing it."""
        texts = request.texts()
        total = sum(len(t) for _, t in texts)
        if total > MAX_REQUEST_CHARS:
            raise InputError(f"the request contains {total:,} characters of text, above the limit of "
                             f"{MAX_REQUEST_CHARS:,}; split the document or shorten the brief and facts")
        doc_type = resolve_doc_type(request.doc_type)
        self._check_gate(texts, request_id)
        sources = find_sources(self.assistant.index, request, caller)
        draft = compose(request, doc_type, [s.citation for s in sources])
        evidence = Evidence.from_texts(
            [t for _, t in texts] + template_texts(request.language)
            + [text for s in sources for text in (s.text, s.citation.title, s.citation.locator)],
            dates=[request.date],
        )
        person_finder = self._person_finder(request.language)
        llm = self.assistant.llm
        if llm is not None:
            self._rewrite(draft, evidence, person_finder, request_id)
        draft.check = check_texts(draft_texts(draft), evidence, person_finder)
        self._record_check(draft, request_id)
        return draft

    def _check_gate(self, texts: list[tuple[str, str]], request_id: str) -> None:
        """Raise GateRejection naming the field when any text carries a secrecy mark; the text is not kept."""
        from guardrails.audit import gate_record  # noqa: PLC0415

        gate = self.assistant.gate
        decision = None
        for name, text in texts:
            decision = gate.check_text(text, location="body")
            if not decision.allowed:
                self._audit(gate_record(ACTOR, request_id, decision, action="draft_gate"), request_id)
                log.warning("gate rejected draft request %s in %s: level %s", request_id, name, decision.level)
                raise GateRejection([f"{name}: {reason}" for reason in decision.reasons])
        if decision is not None:
            self._audit(gate_record(ACTOR, request_id, decision, action="draft_gate"), request_id)

    def _person_finder(self, language: str):  # noqa: ANN202 - str -> list[str]
        redactor = self.assistant.redactor

        def find(text: str) -> list[str]:
            return [text[e.start:e.end] for e in redactor.analyze(text, language) if e.type == "PERSON"]

        return find

    def _rewrite(self, draft: Draft, evidence: Evidence, person_finder, request_id: str) -> None:  # noqa: ANN001
        """Replace the brief's paragraphs with the model's rewrite when it passes the checks."""
        prose = [s for s in draft.sections if s.origin == "brief"]
        if not prose:
            return
        redactor = self.assistant.redactor
        mapping: dict[str, str] = {}
        result = rewrite_paragraphs(
            self.assistant.llm,
            [p for s in prose for p in s.paragraphs],
            draft.language,
            evidence,
            hide=lambda text: redactor.pseudonymize(text, draft.language, mapping),
            restore=lambda text: redactor.restore(text, mapping),
            max_tokens=min(1024, max(self.assistant.settings.llm_max_new_tokens, 200)),
            person_finder=person_finder,
        )
        self._record_pseudonymization(mapping, request_id)
        if result.paragraphs is not None and not self.assistant.gate.check_text(
                "\n".join(result.paragraphs), location="body").allowed:
            result.paragraphs, result.reasons = None, ["language model text carries a secrecy mark"]
        if result.paragraphs == [p for s in prose for p in s.paragraphs]:
            result.paragraphs, result.reasons = None, ["language model returned the text unchanged"]
        if result.paragraphs is None:
            draft.composition = Composition(mode="composed", reasons=result.reasons)
            return
        rewritten = iter(result.paragraphs)
        for section in prose:
            section.paragraphs = [next(rewritten) for _ in section.paragraphs]
        draft.composition = Composition(mode="rewritten")

    def _record_pseudonymization(self, mapping: dict[str, str], request_id: str) -> None:
        from guardrails.audit import AuditRecord  # noqa: PLC0415

        counts = dict(Counter(re.sub(r"_\d+>$", ">", key).strip("<>") for key in mapping))
        self._audit(AuditRecord(
            time=datetime.datetime.now(datetime.UTC), actor=ACTOR, action="draft_pseudonymization",
            subject_id=request_id, decision="pseudonymized" if counts else "unchanged", entity_counts=counts,
        ), request_id)

    def _record_check(self, draft: Draft, request_id: str) -> None:
        """Record the fact check's outcome with violation counts by kind, never the values."""
        from guardrails.audit import AuditRecord  # noqa: PLC0415

        kinds = Counter(v.kind for v in draft.check.violations)
        self._audit(AuditRecord(
            time=datetime.datetime.now(datetime.UTC), actor=ACTOR, action="draft_fact_check", subject_id=request_id,
            decision="passed" if draft.check.passed else "failed",
            reasons=tuple(f"{count} untraceable {kind}" for kind, count in sorted(kinds.items())),
        ), request_id)

    def _audit(self, record, request_id: str) -> None:  # noqa: ANN001 - guardrails.AuditRecord
        if self.assistant.audit is not None:
            self.assistant.audit.append(record, request_id=request_id)


def merge_changes(previous: dict[str, Any], changes: dict[str, Any]) -> DraftRequest:
    """Return the previous request with changes applied; signer may change in part. Raises ValidationError."""
    unknown = sorted(set(changes) - set(DraftRequest.model_fields))
    if unknown:
        raise InputError(f"changes name unknown fields {unknown}; use fields of DraftRequest: "
                         f"{', '.join(DraftRequest.model_fields)}")
    merged = {**previous, **changes}
    if isinstance(changes.get("signer"), dict) and isinstance(previous.get("signer"), dict):
        merged["signer"] = {**previous["signer"], **changes["signer"]}
    return DraftRequest.model_validate(merged)

