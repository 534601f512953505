"""The quarantine: documents kept out of the index, and their reviewed releases.

A document lands here when the classification gate blocks it or cannot
read it. An administrator may release an entry with a written
justification. A release covers one document id with one content hash, so
a re-ingest of the same file passes (is_released) while a changed file,
which has a new hash, is quarantined again as a new entry.

The store keeps ids, the source, the reason and the release details, never
document text. Reasons longer than MAX_REASON_LENGTH characters are
rejected, because a reason names a mark or a read error and a long one is
most likely text copied from the document.
"""

from __future__ import annotations

import builtins
import datetime
import logging
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

MAX_REASON_LENGTH = 2000
MIN_JUSTIFICATION_LENGTH = 10
LIST_COMMAND = "python -m guardrails quarantine list --all"

# An empty string is stored for "no content hash", because SQLite treats NULLs
# as distinct in a UNIQUE constraint and would let duplicates in.
_NO_HASH = ""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS quarantine (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    source TEXT NOT NULL,
    reason TEXT NOT NULL,
    first_quarantined_at TEXT NOT NULL,
    last_quarantined_at TEXT NOT NULL,
    times_quarantined INTEGER NOT NULL DEFAULT 1,
    released_at TEXT,
    released_by TEXT,
    justification TEXT,
    UNIQUE (document_id, content_hash)
);
"""

_COLUMNS = (
    "id",
    "document_id",
    "content_hash",
    "source",
    "reason",
    "first_quarantined_at",
    "last_quarantined_at",
    "times_quarantined",
    "released_at",
    "released_by",
    "justification",
)


@dataclass(frozen=True)
class QuarantineEntry:
    """One quarantined document: its ids, why it was kept out, and its release if any.

    Times are ISO 8601 strings in UTC. content_hash is None when the caller
    gave none. released_at, released_by and justification are None until
    the entry is released.
    """

    id: int
    document_id: str
    content_hash: str | None
    source: str
    reason: str
    first_quarantined_at: str
    last_quarantined_at: str
    times_quarantined: int
    released_at: str | None
    released_by: str | None
    justification: str | None

    @property
    def released(self) -> bool:
        """Whether an administrator has released the entry."""
        return self.released_at is not None


class Quarantine:
    """Quarantined documents in one SQLite file, safe to share between threads."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._connection.row_factory = sqlite3.Row
        with self._lock:
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.executescript(_SCHEMA)

    def add(self, document_id: str, source: str, reason: str, content_hash: str | None = None) -> QuarantineEntry:
        """Quarantine a document and return its entry.

        Adding the same document_id with the same content_hash again
        updates that entry (source, reason, last time and count) and keeps
        its release, because the released content has not changed. Pass
        content_hash so that a release can let the same file back in:
        is_released never matches an entry added without one.
        """
        _require_text("document_id", document_id)
        _require_text("source", source)
        _require_text("reason", reason)
        if len(reason) > MAX_REASON_LENGTH:
            raise ValueError(
                f"quarantine reason is {len(reason)} characters long, above the maximum of {MAX_REASON_LENGTH}; "
                "name the mark or the read error, never copy document text into the reason"
            )
        if content_hash is not None:
            _require_text("content_hash", content_hash)
        now = _now()
        with self._lock:
            row = self._connection.execute(
                "INSERT INTO quarantine (document_id, content_hash, source, reason,"
                " first_quarantined_at, last_quarantined_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (document_id, content_hash) DO UPDATE SET"
                " source = excluded.source, reason = excluded.reason,"
                " last_quarantined_at = excluded.last_quarantined_at,"
                " times_quarantined = times_quarantined + 1"
                f" RETURNING {', '.join(_COLUMNS)}",
                (document_id, content_hash or _NO_HASH, source, reason, now, now),
            ).fetchone()
        entry = _row_to_entry(row)
        logger.info(
            "quarantined document %s as entry %d (%d times)", document_id, entry.id, entry.times_quarantined
        )
        return entry

    def list(self, include_released: bool = False) -> builtins.list[QuarantineEntry]:
        """Return the entries in the order they were first added, without released ones unless asked."""
        query = f"SELECT {', '.join(_COLUMNS)} FROM quarantine"
        if not include_released:
            query += " WHERE released_at IS NULL"
        with self._lock:
            rows = self._connection.execute(query + " ORDER BY id").fetchall()
        return [_row_to_entry(row) for row in rows]

    def get(self, entry_id: int) -> QuarantineEntry:
        """Return one entry, raising KeyError when no entry has that id."""
        with self._lock:
            row = self._select(entry_id)
        if row is None:
            raise _unknown_entry(entry_id)
        return _row_to_entry(row)

    def release(self, entry_id: int, actor: str, justification: str) -> QuarantineEntry:
        """Release an entry, recording the time, the actor and the justification.

        Raises ValueError when actor is empty, the justification is shorter
        than MIN_JUSTIFICATION_LENGTH characters or the entry was already
        released, and KeyError when no entry has that id.
        """
        _require_text("actor", actor)
        if not isinstance(justification, str) or len(justification.strip()) < MIN_JUSTIFICATION_LENGTH:
            raise ValueError(
                f"justification {justification!r} is too short; write at least {MIN_JUSTIFICATION_LENGTH} "
                "characters saying who checked the document and why it may be indexed"
            )
        with self._lock:
            row = self._select(entry_id)
            if row is None:
                raise _unknown_entry(entry_id)
            if row["released_at"] is not None:
                raise ValueError(
                    f"quarantine entry {entry_id} was already released at {row['released_at']} "
                    f"by {row['released_by']}; a release cannot be changed"
                )
            row = self._connection.execute(
                "UPDATE quarantine SET released_at = ?, released_by = ?, justification = ?"
                f" WHERE id = ? RETURNING {', '.join(_COLUMNS)}",
                (_now(), actor, justification.strip(), entry_id),
            ).fetchone()
        entry = _row_to_entry(row)
        logger.info("quarantine entry %d (document %s) released by %s", entry.id, entry.document_id, actor)
        return entry

    def is_released(self, document_id: str, content_hash: str) -> bool:
        """Return whether this document with exactly this content hash has been released."""
        if not content_hash:
            return False
        with self._lock:
            row = self._connection.execute(
                "SELECT released_at FROM quarantine WHERE document_id = ? AND content_hash = ?",
                (document_id, content_hash),
            ).fetchone()
        return row is not None and row["released_at"] is not None

    def close(self) -> None:
        """Close the connection. The store cannot be used afterwards."""
        with self._lock:
            self._connection.close()

    def __enter__(self) -> Quarantine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _select(self, entry_id: int) -> sqlite3.Row | None:
        return self._connection.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM quarantine WHERE id = ?", (entry_id,)
        ).fetchone()


def _require_text(name: str, value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"quarantine {name} {value!r} is empty or not a string; give it a non-empty value")


def _unknown_entry(entry_id: int) -> KeyError:
    return KeyError(f"no quarantine entry with id {entry_id}; list the ids with `{LIST_COMMAND}`")


def _row_to_entry(row: sqlite3.Row) -> QuarantineEntry:
    values = {name: row[name] for name in _COLUMNS}
    values["content_hash"] = values["content_hash"] or None
    return QuarantineEntry(**values)


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat()
