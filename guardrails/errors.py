"""Exceptions raised by the guardrails package."""

from __future__ import annotations

from pathlib import Path


class GuardrailsError(Exception):
    """Base class of the errors that the guardrails package raises on purpose."""


class GateReadError(GuardrailsError):
    """A part of a file could not be read completely, so the gate cannot clear it.

    The caller should quarantine the file (fail closed) rather than index it.
    """

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(
            f"cannot read {self.path} completely: {reason}; "
            "quarantine the file, or convert it to a readable format and check it again"
        )


class UnsupportedLanguageError(GuardrailsError, ValueError):
    """Redaction was requested for a language that has no recognizers."""

    def __init__(self, language: str, supported: tuple[str, ...]) -> None:
        self.language = language
        self.supported = supported
        super().__init__(
            f"unsupported language {language!r} for redaction; supported languages: {', '.join(supported)}"
        )
