"""API keys for departments' systems, stored hashed in the assistant database.

A key reads ``hna_<id>_<secret>``. The id finds the row; the SHA-256 of the
whole key is compared with the stored hash in constant time. The key itself
is shown once, when it is created, and never stored or logged.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import secrets
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Connection, text

from assistant.access import SCOPES, AuthenticationError, Caller
from assistant.auth.departments import check_department
from assistant.db import Database, Migration
from assistant.errors import InputError

log = logging.getLogger(__name__)

KEY_PREFIX = "hna_"
COMPONENT = "auth"
# Writing last_used on every request would make each read a database write.
LAST_USED_RESOLUTION_SECONDS = 60.0
HOW_TO_GET_A_KEY = (
    "send 'Authorization: Bearer KEY' with a key from an administrator "
    "('python -m assistant keys create') or a staff token from your page's server"
)


@dataclass(frozen=True)
class KeyRecord:
    """A stored key without its secret."""

    id: str
    name: str
    department: str
    scopes: tuple[str, ...]
    created_at: str
    last_used_at: str | None
    revoked_at: str | None

    def to_dict(self) -> dict:
        return {
            "id": self.id, "name": self.name, "department": self.department, "scopes": list(self.scopes),
            "created_at": self.created_at, "last_used_at": self.last_used_at, "revoked_at": self.revoked_at,
        }


def _create_keys_table(conn: Connection) -> None:
    conn.execute(text(
        "CREATE TABLE auth_keys ("
        " id TEXT PRIMARY KEY, name TEXT NOT NULL, department TEXT NOT NULL, scopes TEXT NOT NULL,"
        " key_hash TEXT NOT NULL, created_at TEXT NOT NULL, last_used_at TEXT, revoked_at TEXT)"
    ))


MIGRATIONS = [Migration(1, "create auth_keys", _create_keys_table)]


def check_scopes(scopes: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Return the scopes sorted and without repeats, or raise InputError naming an unknown one."""
    if not scopes:
        raise InputError(f"give at least one scope; known scopes: {', '.join(SCOPES)}")
    for scope in scopes:
        if scope not in SCOPES:
            raise InputError(f"unknown scope {scope!r}; known scopes: {', '.join(SCOPES)}")
    return tuple(sorted(set(scopes)))


class KeyStore:
    """Create, list, revoke and check API keys in the component "auth" of a Database."""

    def __init__(self, database: Database) -> None:
        self.database = database
        database.migrate(COMPONENT, MIGRATIONS)
        self._last_written: dict[str, float] = {}
        self._lock = threading.Lock()

    def create(self, department: str, scopes: list[str], name: str = "") -> tuple[KeyRecord, str]:
        """Store a new key and return its record and the key, which is not kept anywhere."""
        check_department(department)
        scopes_checked = check_scopes(scopes)
        key_id = secrets.token_hex(6)
        key = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        created = _now()
        with self.database.transaction() as conn:
            conn.execute(
                text("INSERT INTO auth_keys (id, name, department, scopes, key_hash, created_at)"
                     " VALUES (:id, :name, :department, :scopes, :hash, :created)"),
                {"id": key_id, "name": name or key_id, "department": department, "scopes": " ".join(scopes_checked),
                 "hash": _digest(key), "created": created},
            )
        log.info("created API key %s for %s with scopes %s", key_id, department, ",".join(scopes_checked))
        return KeyRecord(key_id, name or key_id, department, scopes_checked, created, None, None), key

    def list(self) -> list[KeyRecord]:
        with self.database.transaction() as conn:
            rows = conn.execute(text(
                "SELECT id, name, department, scopes, created_at, last_used_at, revoked_at"
                " FROM auth_keys ORDER BY created_at, id"
            )).all()
        return [_record(row) for row in rows]

    def count_active(self) -> int:
        with self.database.transaction() as conn:
            return int(conn.execute(text("SELECT COUNT(*) FROM auth_keys WHERE revoked_at IS NULL")).scalar_one())

    def revoke(self, key_id: str) -> KeyRecord:
        """Mark a key revoked; requests with it fail from then on, in every process."""
        with self.database.transaction() as conn:
            updated = conn.execute(
                text("UPDATE auth_keys SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL"),
                {"now": _now(), "id": key_id},
            ).rowcount
            row = conn.execute(text(
                "SELECT id, name, department, scopes, created_at, last_used_at, revoked_at FROM auth_keys"
                " WHERE id = :id"), {"id": key_id}).first()
        if row is None:
            raise InputError(f"no API key has the id {key_id!r}; list them with 'python -m assistant keys list'")
        if updated:
            log.info("revoked API key %s", key_id)
        return _record(row)

    def authenticate(self, key: str) -> Caller:
        """Return the caller of a key, or raise AuthenticationError when it is unknown or revoked."""
        key_id = _key_id(key)
        with self.database.transaction() as conn:
            row = conn.execute(
                text("SELECT department, scopes, key_hash, revoked_at FROM auth_keys WHERE id = :id"), {"id": key_id}
            ).first()
        # A missing row is compared against a dummy hash too, so both cases take the same path.
        stored = row.key_hash if row is not None else "0" * 64
        if not hmac.compare_digest(_digest(key), stored) or row is None:
            raise AuthenticationError(f"the API key is not valid; {HOW_TO_GET_A_KEY}")
        if row.revoked_at is not None:
            raise AuthenticationError(f"the API key {key_id} was revoked; {HOW_TO_GET_A_KEY}")
        self._touch(key_id)
        return Caller(f"key:{key_id}", row.department, frozenset(row.scopes.split()), kind="key")

    def _touch(self, key_id: str) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._last_written.get(key_id, -LAST_USED_RESOLUTION_SECONDS) < LAST_USED_RESOLUTION_SECONDS:
                return
            self._last_written[key_id] = now
        with self.database.transaction() as conn:
            conn.execute(text("UPDATE auth_keys SET last_used_at = :now WHERE id = :id"), {"now": _now(), "id": key_id})


def _key_id(key: str) -> str:
    parts = key.split("_", 2)
    if len(parts) != 3 or f"{parts[0]}_" != KEY_PREFIX or not parts[1] or not parts[2]:
        raise AuthenticationError(f"the API key is malformed; {HOW_TO_GET_A_KEY}")
    return parts[1]


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _record(row) -> KeyRecord:  # noqa: ANN001 - a SQLAlchemy Row
    return KeyRecord(row.id, row.name, row.department, tuple(row.scopes.split()), row.created_at,
                     row.last_used_at, row.revoked_at)


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
