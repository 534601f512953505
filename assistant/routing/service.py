"""Route one request with the guardrails around it: gate, pseudonymisation, audit.

The text is checked by the classification gate, its personal data is
replaced by placeholders before it is embedded, and the audit log records the
decision (department, urgency, confidence) and the counts of replaced
entities, never the text.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections import Counter
from collections.abc import Sequence

from assistant.errors import GateRejection
from assistant.language import detect_language
from assistant.routing.router import Router, RoutingResult

log = logging.getLogger(__name__)

ACTOR = "router"


class RoutingService:
    """Gate, pseudonymise, route and audit requests."""

    def __init__(self, router: Router, gate=None, redactor=None, audit=None) -> None:  # noqa: ANN001
        """gate: guardrails.ClassificationGate; redactor: guardrails.Redactor; audit: guardrails.AuditLog."""
        self.router = router
        self.gate = gate
        self.redactor = redactor
        self.audit = audit

    def route(self, text: str, channel: str | None = None, location: str | None = None,
              request_id: str = "-") -> RoutingResult:
        """Route text; location, when given, is added to the text that is routed.

        Raises GateRejection when the text or the location carries a secrecy mark.
        """
        self._check_gate([value for value in (text, location) if value], request_id)
        combined = f"{text}\n{location}" if location else text
        mapping: dict[str, str] = {}
        routed_text = self._pseudonymize(combined, mapping)
        result = self.router.route(routed_text)
        self._record_decision(result, channel, mapping, request_id)
        log.info("routed request %s to %s: urgency %s, confidence %.2f, review %s",
                 request_id, result.department, result.urgency, result.confidence, result.needs_review)
        return result

    def _check_gate(self, texts: Sequence[str], request_id: str) -> None:
        if self.gate is None:
            return
        from guardrails.audit import gate_record  # noqa: PLC0415

        for text in texts:
            decision = self.gate.check_text(text, location="body")
            if not decision.allowed:
                self._append(gate_record(ACTOR, request_id, decision, action="route_gate"), request_id)
                log.warning("gate rejected routing request %s: level %s", request_id, decision.level)
                raise GateRejection(list(decision.reasons))
        self._append(gate_record(ACTOR, request_id, decision, action="route_gate"), request_id)

    def _pseudonymize(self, text: str, mapping: dict[str, str]) -> str:
        if self.redactor is None:
            return text
        return self.redactor.pseudonymize(text, detect_language(text), mapping)

    def _record_decision(self, result: RoutingResult, channel: str | None, mapping: dict[str, str],
                         request_id: str) -> None:
        from guardrails.audit import AuditRecord  # noqa: PLC0415

        counts = dict(Counter(re.sub(r"_\d+>$", ">", key).strip("<>") for key in mapping))
        reasons = [f"urgency {result.urgency}", f"confidence {result.confidence:.2f}",
                   f"mode {self.router.mode}", f"channel {channel or 'unknown'}"]
        if result.needs_review:
            reasons.append("needs review")
        self._append(AuditRecord(
            time=datetime.datetime.now(datetime.UTC), actor=ACTOR, action="route",
            subject_id=request_id, decision=result.department, reasons=tuple(reasons), entity_counts=counts,
        ), request_id)

    def _append(self, record, request_id: str) -> None:  # noqa: ANN001 - guardrails.AuditRecord
        if self.audit is not None:
            self.audit.append(record, request_id=request_id)


def pseudonymize_all(redactor, texts: Sequence[str]) -> list[str]:  # noqa: ANN001 - guardrails.Redactor
    """Return texts with their personal data replaced by placeholders, as the router receives requests."""
    return [redactor.pseudonymize(text, detect_language(text), {}) for text in texts]
