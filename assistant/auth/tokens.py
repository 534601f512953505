"""Short-lived staff tokens, signed with HMAC-SHA256 by the server's secret.

A token reads ``hnt_<payload>.<signature>``, both parts base64url without
padding. The payload is JSON: subject, department, scopes and expiry (Unix
seconds). Staff tokens carry only the chat and search scopes and live at most
one hour, so a token copied out of a web page is of limited use.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from assistant.access import DEMO, AuthenticationError, Caller
from assistant.auth.departments import check_department, departments
from assistant.errors import InputError

log = logging.getLogger(__name__)

TOKEN_PREFIX = "hnt_"
STAFF_SCOPES = frozenset({"chat", "search"})
MAX_TTL_SECONDS = 3600
SECRET_FILE = "auth-secret"
_SUBJECT = re.compile(r"[\w.@:\-]{1,128}")
ASK_FOR_A_NEW_TOKEN = "ask the page for a new one"


def load_or_create_secret(data_dir: Path) -> bytes:
    """Return the signing secret kept in data_dir, creating it (mode 0600) on first use."""
    path = data_dir / SECRET_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_secret(path)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_hex(32))
    log.info("created the token signing secret %s", path)
    return _read_secret(path)


def _read_secret(path: Path) -> bytes:
    value = path.read_text().strip()
    if len(value) < 32:
        raise InputError(f"the token signing secret in {path} is shorter than 32 characters; delete the file "
                         "to create a new one (every issued token then stops working)")
    return value.encode()


class TokenSigner:
    """Issue and verify staff tokens; clock returns the current Unix time in seconds."""

    def __init__(self, secret: bytes, clock: Callable[[], float] = time.time) -> None:
        if len(secret) < 32:
            raise InputError("the token signing secret must have at least 32 characters")
        self._secret = secret
        self.clock = clock

    def issue(self, subject: str, department: str, scopes: list[str] | tuple[str, ...],
              ttl_seconds: int, demo: bool = False) -> tuple[str, int]:
        """Return (token, expiry in Unix seconds) for a staff member, after checking every field.

        A demo token reads public documents only, whatever its department."""
        if not _SUBJECT.fullmatch(subject):
            raise InputError("subject must be 1 to 128 letters, digits or . @ : _ -; use the staff member's "
                             "account id, not a display name")
        check_department(department)
        requested = set(scopes)
        if not requested or not requested <= STAFF_SCOPES:
            raise InputError(f"staff tokens take the scopes chat and search only; got {sorted(requested)}")
        if not 1 <= ttl_seconds <= MAX_TTL_SECONDS:
            raise InputError(f"ttl_seconds is {ttl_seconds}; give 1 to {MAX_TTL_SECONDS} seconds")
        expires = int(self.clock()) + ttl_seconds
        payload = {"sub": subject, "dep": department, "scp": sorted(requested), "exp": expires}
        if demo:
            payload["demo"] = True
        body = _encode(json.dumps(payload, separators=(",", ":")).encode())
        return f"{TOKEN_PREFIX}{body}.{self._sign(body)}", expires

    def verify(self, token: str) -> Caller:
        """Return the caller of a token, or raise AuthenticationError when it is forged or expired."""
        body, _, signature = token.removeprefix(TOKEN_PREFIX).partition(".")
        if not token.startswith(TOKEN_PREFIX) or not body or not signature:
            raise AuthenticationError("the token is malformed; " + ASK_FOR_A_NEW_TOKEN)
        if not hmac.compare_digest(self._sign(body), signature):
            raise AuthenticationError("the token signature is not valid; " + ASK_FOR_A_NEW_TOKEN)
        try:
            payload = json.loads(_decode(body))
            subject, department, scopes, expires = payload["sub"], payload["dep"], payload["scp"], payload["exp"]
        except (ValueError, KeyError, TypeError):
            raise AuthenticationError("the token payload is malformed; " + ASK_FOR_A_NEW_TOKEN) from None
        if self.clock() >= expires:
            raise AuthenticationError("token expired; " + ASK_FOR_A_NEW_TOKEN)
        # A token signed before a department was renamed or merged must not carry on.
        if department not in departments() or not set(scopes) <= STAFF_SCOPES:
            raise AuthenticationError("the token names an unknown department or scope; " + ASK_FOR_A_NEW_TOKEN)
        if payload.get("demo") is True:
            return Caller(f"demo:{subject}@{department}", department, frozenset(scopes), kind=DEMO)
        return Caller(f"staff:{subject}@{department}", department, frozenset(scopes), kind="token")

    def _sign(self, body: str) -> str:
        return _encode(hmac.new(self._secret, body.encode(), hashlib.sha256).digest())


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
