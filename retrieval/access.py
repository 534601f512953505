"""Document access scopes: who may read an indexed document.

A document's scope is "public" (every authenticated caller) or one or more
department ids from assistant/auth/departments.toml. It is stored as a
comma-separated string in the chunk store. Search, citation and listing check
it through a ``Reader``: ``assistant.access.Caller`` is one, and
``UNRESTRICTED`` is the reader for offline tools run by the owner of the data
folder (the command line, evaluations, benchmarks).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from assistant.errors import InputError

PUBLIC = "public"


class Reader(Protocol):
    def may_read(self, document_scope: tuple[str, ...] | list[str] | None) -> bool: ...


class _Unrestricted:
    """A reader that may read every document."""

    def may_read(self, document_scope: tuple[str, ...] | list[str] | None) -> bool:
        return True

    def __repr__(self) -> str:
        return "UNRESTRICTED"


UNRESTRICTED: Reader = _Unrestricted()


def parse_access(value: str | Sequence[str]) -> tuple[str, ...]:
    """Return a validated access scope from "public", "so-tu-phap,so-xay-dung" or a list of ids."""
    from assistant.auth.departments import departments  # noqa: PLC0415 - assistant imports retrieval

    parts = value.split(",") if isinstance(value, str) else list(value)
    scope = tuple(sorted({part.strip() for part in parts if part.strip()}))
    if not scope:
        raise InputError('the access scope is empty; give "public" or department ids separated by commas')
    if PUBLIC in scope:
        if len(scope) > 1:
            raise InputError('"public" cannot be combined with department ids; give one or the other')
        return scope
    unknown = [part for part in scope if part not in departments()]
    if unknown:
        raise InputError(f"unknown department {unknown[0]!r} in the access scope; use \"public\" or "
                         f"department ids: {', '.join(departments())}")
    return scope


def format_access(scope: Sequence[str]) -> str:
    return ",".join(scope)


def stored_access(value: str) -> tuple[str, ...]:
    """Return the scope of a stored access string without validating it again."""
    return tuple(part for part in value.split(",") if part) or (PUBLIC,)
