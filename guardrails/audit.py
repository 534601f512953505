"""Audit records of guardrail decisions, ready for an append-only store.

A record stores who did what to which subject, the decision and its
reasons, and how many entities of each type were redacted. The helpers
here never put document text or redacted values in it. Storage belongs to
the caller: to_row() returns JSON-ready built-in types to append.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from guardrails.classification import GateDecision
    from guardrails.redaction.engine import Entity


@dataclass(frozen=True)
class AuditRecord:
    """One guardrail decision about one subject (a file, message or request).

    time must be timezone-aware. decision is a short word such as
    "allowed", "blocked", "quarantined" or "redacted". entity_counts maps an
    entity type to the number of entities of that type.
    """

    time: datetime.datetime
    actor: str
    action: str
    subject_id: str
    decision: str
    reasons: tuple[str, ...] = ()
    entity_counts: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.time.tzinfo is None:
            raise ValueError(
                f"audit time {self.time.isoformat()} has no time zone; pass an aware datetime, e.g. in UTC"
            )
        for name in ("actor", "action", "subject_id", "decision"):
            if not getattr(self, name):
                raise ValueError(f"audit record field {name} is empty; give it a value")
        object.__setattr__(self, "reasons", tuple(self.reasons))
        object.__setattr__(self, "entity_counts", dict(self.entity_counts))

    def to_row(self) -> dict[str, Any]:
        """Return the record as a flat dict of JSON-ready values, time in ISO 8601 UTC."""
        return {
            "time": self.time.astimezone(datetime.UTC).isoformat(),
            "actor": self.actor,
            "action": self.action,
            "subject_id": self.subject_id,
            "decision": self.decision,
            "reasons": list(self.reasons),
            "entity_counts": dict(sorted(self.entity_counts.items())),
        }


def gate_record(
    actor: str,
    subject_id: str,
    decision: GateDecision,
    action: str = "classification_check",
    time: datetime.datetime | None = None,
) -> AuditRecord:
    """Build the record of a classification gate decision."""
    return AuditRecord(
        time=time or _now(),
        actor=actor,
        action=action,
        subject_id=subject_id,
        decision="allowed" if decision.allowed else "blocked",
        reasons=decision.reasons,
    )


def redaction_record(
    actor: str,
    subject_id: str,
    entities: Iterable[Entity],
    action: str = "redaction",
    time: datetime.datetime | None = None,
) -> AuditRecord:
    """Build the record of a redaction from its entities, counting them by type."""
    counts = Counter(entity.type for entity in entities)
    decision = "redacted" if counts else "unchanged"
    reasons = tuple(f"{count} {kind} replaced" for kind, count in sorted(counts.items()))
    return AuditRecord(
        time=time or _now(),
        actor=actor,
        action=action,
        subject_id=subject_id,
        decision=decision,
        reasons=reasons,
        entity_counts=dict(counts),
    )


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)
