"""Guardrails of the assistant: classification gate, redaction, quarantine and audit log.

The gate and the two SQLite stores import only light dependencies. The
redaction names (Redactor and its types) are imported on first use, because
they load Presidio and spaCy.
"""

from __future__ import annotations

from typing import Any

from guardrails.audit import AuditRecord
from guardrails.audit_store import AuditLog
from guardrails.classification import ClassificationGate, GateDecision
from guardrails.errors import GateReadError, GuardrailsError, UnsupportedLanguageError
from guardrails.marks import LEVELS, LOCATIONS, MarkFinding
from guardrails.policy import Policy, default_policy, load_policy
from guardrails.quarantine import Quarantine, QuarantineEntry

_REDACTION_NAMES = frozenset({"Redactor", "RedactionResult", "Entity"})

__all__ = [
    "LEVELS",
    "LOCATIONS",
    "AuditLog",
    "AuditRecord",
    "ClassificationGate",
    "Entity",
    "GateDecision",
    "GateReadError",
    "GuardrailsError",
    "MarkFinding",
    "Policy",
    "Quarantine",
    "QuarantineEntry",
    "RedactionResult",
    "Redactor",
    "UnsupportedLanguageError",
    "default_policy",
    "load_policy",
]


def __getattr__(name: str) -> Any:
    if name in _REDACTION_NAMES:
        from guardrails.redaction import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'guardrails' has no attribute {name!r}")
