"""An append-only audit log of guardrail decisions in a SQLite file.

The database itself rejects changes to stored rows: triggers abort every
UPDATE and DELETE on the audit table, and every INSERT that reuses an
existing id (which INSERT OR REPLACE would otherwise turn into a delete).
The log stores the fields of an AuditRecord (ids, decisions, reasons and
entity counts) and never document text. A reason longer than
MAX_REASON_LENGTH characters is rejected, both here and by a trigger,
because reasons name marks and places and a long one is most likely text
copied from a document.

NOTE: the triggers stop changes made through SQL. Anyone who can write the
file can still drop the table or delete the file, so protect it with file
permissions and backups.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, RowMapping, text

from assistant.db import Database, Migration
from guardrails.audit import AuditRecord

logger = logging.getLogger(__name__)

MAX_REASON_LENGTH = 300

# Version 1 of the audit table; each statement runs on its own. The IF NOT
# EXISTS clauses let it adopt a file written before migrations were recorded.
_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    decision TEXT NOT NULL,
    reasons TEXT NOT NULL CHECK (json_valid(reasons) AND json_type(reasons) = 'array'),
    entity_counts TEXT NOT NULL CHECK (json_valid(entity_counts) AND json_type(entity_counts) = 'object'),
    request_id TEXT
)""",
    "CREATE INDEX IF NOT EXISTS audit_action ON audit (action, id)",
    """CREATE TRIGGER IF NOT EXISTS audit_reject_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only: UPDATE is not allowed');
END""",
    """CREATE TRIGGER IF NOT EXISTS audit_reject_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only: DELETE is not allowed');
END""",
    """CREATE TRIGGER IF NOT EXISTS audit_reject_reused_id BEFORE INSERT ON audit
WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only: an INSERT may not reuse an existing id');
END""",
    f"""CREATE TRIGGER IF NOT EXISTS audit_reject_long_reason BEFORE INSERT ON audit
WHEN EXISTS (SELECT 1 FROM json_each(NEW.reasons) WHERE length(value) > {MAX_REASON_LENGTH})
BEGIN
    SELECT RAISE(ABORT, 'audit reason longer than {MAX_REASON_LENGTH} characters: reasons may not hold document text');
END""",
)


def _create_audit_table(connection: Connection) -> None:
    for statement in _SCHEMA:
        connection.execute(text(statement))


_COLUMNS = ("id", "time", "actor", "action", "subject_id", "decision", "reasons", "entity_counts", "request_id")


class AuditLog:
    """Append-only audit table in one SQLite file, reached through SQLAlchemy.

    The schema is applied as a recorded migration (assistant.db), so later
    versions can change it in place. The file uses WAL journaling, so
    other processes can read the log while this one appends.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._database = Database(self.path.parent, self.path.name)
        self._database.migrate("audit", [Migration(1, "create the append-only audit table", _create_audit_table)])
        self._closed = False
        logger.info("audit log opened at %s", self.path)

    def append(self, record: AuditRecord, request_id: str | None = None) -> int:
        """Append one record and return its id.

        Raises ValueError when a reason is longer than MAX_REASON_LENGTH
        characters or request_id is an empty string.
        """
        row = record.to_row()
        _check_reasons(row["reasons"])
        if request_id is not None and not request_id:
            raise ValueError("request_id is an empty string; pass None when the record belongs to no request")
        values = {
            "time": row["time"],
            "actor": row["actor"],
            "action": row["action"],
            "subject_id": row["subject_id"],
            "decision": row["decision"],
            "reasons": json.dumps(row["reasons"], ensure_ascii=False),
            "entity_counts": json.dumps(row["entity_counts"], ensure_ascii=False),
            "request_id": request_id,
        }
        with self._open().transaction() as connection:
            cursor = connection.execute(
                text("INSERT INTO audit (time, actor, action, subject_id, decision, reasons, entity_counts, request_id)"
                     " VALUES (:time, :actor, :action, :subject_id, :decision, :reasons, :entity_counts, :request_id)"),
                values,
            )
        record_id = cursor.lastrowid
        assert record_id is not None
        logger.debug("audit record %d appended: action=%s decision=%s", record_id, row["action"], row["decision"])
        return record_id

    def records(self, limit: int = 100, offset: int = 0, action: str | None = None) -> list[dict[str, Any]]:
        """Return up to limit records, newest first, skipping the newest offset ones.

        action, when given, keeps only the records of that action. Each
        record is a dict with the table's columns, reasons as a list and
        entity_counts as a dict.
        """
        if limit < 1:
            raise ValueError(f"limit {limit} is invalid; pass a positive number of records")
        if offset < 0:
            raise ValueError(f"offset {offset} is invalid; pass 0 or a positive number of records to skip")
        query = f"SELECT {', '.join(_COLUMNS)} FROM audit"
        parameters: dict[str, Any] = {"limit": limit, "offset": offset}
        if action is not None:
            query += " WHERE action = :action"
            parameters["action"] = action
        query += " ORDER BY id DESC LIMIT :limit OFFSET :offset"
        with self._open().transaction() as connection:
            rows = connection.execute(text(query), parameters).mappings().all()
        return [_row_to_dict(row) for row in rows]

    def close(self) -> None:
        """Close the connections. The log cannot be used afterwards."""
        self._closed = True
        self._database.close()

    def _open(self) -> Database:
        if self._closed:
            raise ValueError(f"the audit log {self.path.name} is closed; open a new AuditLog to use it")
        return self._database

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _check_reasons(reasons: list[str]) -> None:
    for index, reason in enumerate(reasons):
        if len(reason) > MAX_REASON_LENGTH:
            # The reason itself stays out of the message, because it may hold document text.
            raise ValueError(
                f"audit reason {index} is {len(reason)} characters long, above the maximum of "
                f"{MAX_REASON_LENGTH}; a reason names a mark, a place or a count, never document text, "
                "so shorten it"
            )


def _row_to_dict(row: RowMapping) -> dict[str, Any]:
    record = {name: row[name] for name in _COLUMNS}
    record["reasons"] = json.loads(record["reasons"])
    record["entity_counts"] = json.loads(record["entity_counts"])
    return record
