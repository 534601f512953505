"""The caller of a request: its identity, scopes and department.

Every endpoint that reads or changes data depends on ``require(scope)``. The
app's authenticator (``app.state.authenticator``) turns a request into a
``Caller`` or raises ``AuthenticationError``, and ``require`` then checks the scope.
Real deployments use API keys and short-lived staff tokens; tests and a
single-user command line may use ``FixedAuthenticator``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

from fastapi import Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from assistant.errors import AssistantError

log = logging.getLogger(__name__)

SCOPES = ("chat", "search", "draft", "minutes", "route", "ingest", "admin", "eval")
PUBLIC = "public"
# Scopes an "eval" key includes: every read an evaluation run makes, but no ingestion or administration.
EVAL_SCOPES = frozenset({"search", "chat", "route", "minutes", "draft"})
# Declares the scheme in the OpenAPI document; the authenticator reads the header itself.
BEARER = HTTPBearer(auto_error=False, description="An API key (hna_...) or a staff token (hnt_...).")


class AuthenticationError(AssistantError):
    """The request carries no credential, or one that is wrong or expired (HTTP 401)."""


class PermissionDeniedError(AssistantError):
    """The caller is known but lacks the scope or department the request needs (HTTP 403)."""


# The kind of a caller signed in through the demo page.
DEMO = "demo"


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: a department's system (kind "key"), a staff member ("token"),
    or someone signed in through the demo page ("demo")."""

    principal: str
    department: str
    scopes: frozenset[str] = field(default_factory=frozenset)
    kind: str = "key"

    def can(self, scope: str) -> bool:
        if scope in self.scopes or "admin" in self.scopes:
            return True
        return "eval" in self.scopes and scope in EVAL_SCOPES

    def may_read(self, document_scope: tuple[str, ...] | list[str] | None) -> bool:
        """Return True when a document with this access scope is visible to the caller.

        An empty or missing scope, or one containing "public", is visible to all staff.
        A demo sign-in proves no one's department, so it reads public documents only."""
        if not document_scope or PUBLIC in document_scope:
            return True
        if self.kind == DEMO:
            return False
        return "admin" in self.scopes or self.department in document_scope


class Authenticator(Protocol):
    def authenticate(self, request: Request) -> Caller: ...


class FixedAuthenticator:
    """Treat every request as coming from one caller; for tests and local single-user use."""

    def __init__(self, caller: Caller) -> None:
        self.caller = caller

    def authenticate(self, request: Request) -> Caller:
        return self.caller


def require(*scopes: str):  # noqa: ANN201 - a FastAPI dependency
    """Return a dependency that yields the caller when it has any of `scopes`."""
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if not scopes or unknown:
        raise ValueError(f"unknown scope {unknown or scopes!r}; known scopes: {', '.join(SCOPES)}")
    wanted = " or ".join(repr(scope) for scope in scopes)

    def dependency(request: Request, _: HTTPAuthorizationCredentials | None = Security(BEARER)) -> Caller:
        authenticator: Authenticator | None = getattr(request.app.state, "authenticator", None)
        if authenticator is None:
            raise AuthenticationError("the server has no authenticator configured; it refuses every request")
        caller = authenticator.authenticate(request)
        if not any(caller.can(scope) for scope in scopes):
            raise PermissionDeniedError(
                f"this credential lacks the {wanted} scope; ask an administrator for a key or token "
                f"with that scope (it has: {', '.join(sorted(caller.scopes)) or 'none'})"
            )
        request.state.caller = caller
        return caller

    dependency.__name__ = "require_" + "_or_".join(scopes)
    return dependency
