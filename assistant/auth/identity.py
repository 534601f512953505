"""Where a staff member's identity comes from before the server signs a token.

The host page's server requests ``POST /v1/auth/token`` with an admin key
after it signed its user in, and the assistant trusts that server. A deployment
that signs staff in itself (the city's single sign-on over OpenID Connect, or
the national digital identity VNeID) implements ``IdentityProvider``: it
checks the sign-in proof (an ID token, an authorization code) and returns a
``StaffIdentity``, which ``TokenSigner.issue`` turns into a staff token. The
demo sign-in below is the one implementation shipped: it believes any name.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Protocol

from assistant.auth.departments import check_department
from assistant.errors import InputError


@dataclass(frozen=True)
class StaffIdentity:
    """A signed-in staff member: a stable account id, a department and a display name."""

    subject: str
    department: str
    display_name: str


class IdentityProvider(Protocol):
    def identify(self, proof: dict) -> StaffIdentity:
        """Check a sign-in proof and return who signed in; raise AuthenticationError if it fails."""
        ...


class DemoIdentityProvider:
    """Sign anyone in by name and department; only for the demo page on 127.0.0.1.

    The subject is a digest of the name, the department and the page's session
    string, so the token renewals of one page keep one subject, and someone who
    types the same name elsewhere gets another one (and not its conversations).
    Without a session string each sign-in gets a subject of its own.
    """

    def identify(self, proof: dict) -> StaffIdentity:
        name = str(proof.get("name", "")).strip()
        if not 1 <= len(name) <= 80:
            raise InputError("name must have 1 to 80 characters")
        department = check_department(str(proof.get("department", "")))
        session = str(proof.get("session") or secrets.token_urlsafe(24))
        # The display name is personal data, so the subject is a digest of it.
        digest = hashlib.sha256(f"{department}:{name}:{session}".encode()).hexdigest()[:16]
        return StaffIdentity(f"demo-{digest}", department, name)
