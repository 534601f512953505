"""Stored drafts and their versions, in the assistant's database (component "drafts")."""

from __future__ import annotations

import datetime
import json
import uuid

from sqlalchemy import Connection, text

from assistant.db import Database, Migration
from assistant.errors import DocumentNotFoundError
from assistant.drafting.models import Draft, DraftSummary, StoredDraft

COMPONENT = "drafts"


def _create_tables(conn: Connection) -> None:
    conn.execute(text(
        "CREATE TABLE drafts ("
        " id TEXT PRIMARY KEY, department TEXT NOT NULL, latest_version INTEGER NOT NULL,"
        " doc_type TEXT NOT NULL, subject TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)"
    ))
    conn.execute(text("CREATE INDEX drafts_by_department ON drafts(department, updated_at)"))
    conn.execute(text(
        "CREATE TABLE drafts_versions ("
        " draft_id TEXT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE, version INTEGER NOT NULL,"
        " created_at TEXT NOT NULL, created_by TEXT NOT NULL, request TEXT NOT NULL, draft TEXT NOT NULL,"
        " PRIMARY KEY (draft_id, version))"
    ))


MIGRATIONS = [Migration(1, "create drafts and drafts_versions", _create_tables)]


class DraftStore:
    """Drafts of all departments; every read is filtered by the caller's department."""

    def __init__(self, database: Database) -> None:
        self.database = database
        database.migrate(COMPONENT, MIGRATIONS)

    def add(self, department: str, principal: str, request: dict, draft: Draft) -> StoredDraft:
        """Store version 1 of a new draft."""
        draft_id = uuid.uuid4().hex
        now = _now()
        with self.database.transaction() as conn:
            conn.execute(
                text("INSERT INTO drafts VALUES (:id, :dep, 1, :type, :subject, :now, :now)"),
                {"id": draft_id, "dep": department, "type": draft.doc_type["key"], "subject": request["subject"],
                 "now": now},
            )
            self._insert_version(conn, draft_id, 1, now, principal, request, draft)
        return StoredDraft(id=draft_id, department=department, version=1, created_at=now, created_by=principal,
                           request=request, draft=draft)

    def add_version(self, department: str, draft_id: str, principal: str, request: dict, draft: Draft) -> StoredDraft:
        """Store the next version of a draft of this department."""
        now = _now()
        with self.database.transaction() as conn:
            # The UPDATE takes SQLite's write lock first, so two writers cannot pick the same version.
            updated = conn.execute(
                text("UPDATE drafts SET latest_version = latest_version + 1, updated_at = :now,"
                     " doc_type = :type, subject = :subject WHERE id = :id AND department = :dep"),
                {"now": now, "type": draft.doc_type["key"], "subject": request["subject"], "id": draft_id,
                 "dep": department},
            )
            if updated.rowcount == 0:
                raise _not_found(draft_id)
            version = conn.execute(text("SELECT latest_version FROM drafts WHERE id = :id"), {"id": draft_id}).scalar_one()
            self._insert_version(conn, draft_id, version, now, principal, request, draft)
        return StoredDraft(id=draft_id, department=department, version=version, created_at=now,
                           created_by=principal, request=request, draft=draft)

    def get(self, department: str, draft_id: str, version: int | None = None) -> StoredDraft:
        """Return a version (default: the latest) of a draft of this department, or raise DocumentNotFoundError."""
        with self.database.transaction() as conn:
            row = conn.execute(
                text("SELECT v.version, v.created_at, v.created_by, v.request, v.draft FROM drafts d"
                     " JOIN drafts_versions v ON v.draft_id = d.id"
                     " WHERE d.id = :id AND d.department = :dep AND v.version = COALESCE(:version, d.latest_version)"),
                {"id": draft_id, "dep": department, "version": version},
            ).first()
        if row is None:
            raise _not_found(draft_id, version)
        return StoredDraft(id=draft_id, department=department, version=row[0], created_at=row[1], created_by=row[2],
                           request=json.loads(row[3]), draft=Draft.model_validate_json(row[4]))

    def list(self, department: str, limit: int, offset: int) -> tuple[list[DraftSummary], int]:
        """Return one page of this department's drafts, most recently changed first, and their total."""
        with self.database.transaction() as conn:
            rows = conn.execute(
                text("SELECT id, latest_version, updated_at, doc_type, subject FROM drafts WHERE department = :dep"
                     " ORDER BY updated_at DESC, id LIMIT :limit OFFSET :offset"),
                {"dep": department, "limit": limit, "offset": offset},
            ).all()
            total = conn.execute(text("SELECT COUNT(*) FROM drafts WHERE department = :dep"),
                                 {"dep": department}).scalar_one()
        summaries = [DraftSummary(id=r[0], version=r[1], created_at=r[2], doc_type=r[3], subject=r[4]) for r in rows]
        return summaries, int(total)

    @staticmethod
    def _insert_version(conn: Connection, draft_id: str, version: int, now: str, principal: str, request: dict,
                        draft: Draft) -> None:
        conn.execute(
            text("INSERT INTO drafts_versions VALUES (:id, :version, :now, :by, :request, :draft)"),
            {"id": draft_id, "version": version, "now": now, "by": principal,
             "request": json.dumps(request, ensure_ascii=False), "draft": draft.model_dump_json()},
        )


def _now() -> str:
    # Microseconds keep the newest-first order of drafts created within one second.
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="microseconds")


def _not_found(draft_id: str, version: int | None = None) -> DocumentNotFoundError:
    which = f"version {version} of draft" if version is not None else "draft"
    return DocumentNotFoundError(
        f"{which} {draft_id!r} not found among your department's drafts; list them with GET /v1/drafts"
    )
