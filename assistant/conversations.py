"""Chat conversations kept in the assistant database, per caller.

Each turn stores the question and the answer after redaction, so no personal
data a staff member typed is kept, together with the citations. A
conversation belongs to the principal that started it (an API key or a staff
member); another principal gets "not found", so ids reveal nothing.
"""

from __future__ import annotations

import datetime
import json
import logging
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Connection, text

from assistant.access import Caller
from assistant.chat import ChatResult
from assistant.db import Database, Migration
from assistant.errors import DocumentNotFoundError
from assistant.language import detect_language

log = logging.getLogger(__name__)

COMPONENT = "conversations"
# Stored turns given as history when a request names a conversation and sends one message.
HISTORY_TURNS = 4


class ConversationNotFoundError(DocumentNotFoundError):
    """No conversation of this caller has the given id (HTTP 404)."""


def _create_tables(conn: Connection) -> None:
    conn.execute(text(
        "CREATE TABLE conversations_conversations ("
        " id TEXT PRIMARY KEY, principal TEXT NOT NULL, department TEXT NOT NULL,"
        " created_at TEXT NOT NULL, updated_at TEXT NOT NULL, turn_count INTEGER NOT NULL DEFAULT 0)"
    ))
    conn.execute(text("CREATE INDEX conversations_by_principal ON conversations_conversations (principal, updated_at)"))
    conn.execute(text(
        "CREATE TABLE conversations_turns ("
        " conversation_id TEXT NOT NULL REFERENCES conversations_conversations(id) ON DELETE CASCADE,"
        " position INTEGER NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL, citations TEXT NOT NULL,"
        " answered INTEGER NOT NULL, mode TEXT NOT NULL, language TEXT NOT NULL, request_id TEXT NOT NULL,"
        " created_at TEXT NOT NULL, PRIMARY KEY (conversation_id, position))"
    ))


MIGRATIONS = [Migration(1, "create conversations and turns", _create_tables)]


class ConversationStore:
    """Start, extend, list and read conversations in the component "conversations" of a Database."""

    def __init__(self, database: Database) -> None:
        self.database = database
        database.migrate(COMPONENT, MIGRATIONS)

    def check_owner(self, caller: Caller, conversation_id: str) -> None:
        """Raise ConversationNotFoundError unless caller started this conversation."""
        with self.database.transaction() as conn:
            found = conn.execute(
                text("SELECT 1 FROM conversations_conversations WHERE id = :id AND principal = :p"),
                {"id": conversation_id, "p": caller.principal},
            ).first()
        if found is None:
            raise ConversationNotFoundError(
                f"no conversation of yours has the id {conversation_id!r}; list yours with GET /v1/conversations "
                "or leave conversation_id out to start a new one"
            )

    def append(self, caller: Caller, conversation_id: str | None, question: str, result: ChatResult,
               request_id: str = "-") -> str:
        """Store one turn (already redacted text) and return the conversation id, starting one if needed."""
        now = _now()
        with self.database.transaction() as conn:
            if conversation_id is None:
                conversation_id = uuid.uuid4().hex
                conn.execute(text(
                    "INSERT INTO conversations_conversations (id, principal, department, created_at, updated_at)"
                    " VALUES (:id, :p, :d, :now, :now)"),
                    {"id": conversation_id, "p": caller.principal, "d": caller.department, "now": now})
            position = conn.execute(text(
                "UPDATE conversations_conversations SET turn_count = turn_count + 1, updated_at = :now"
                " WHERE id = :id AND principal = :p RETURNING turn_count"),
                {"now": now, "id": conversation_id, "p": caller.principal}).scalar_one()
            conn.execute(text(
                "INSERT INTO conversations_turns (conversation_id, position, question, answer, citations, answered,"
                " mode, language, request_id, created_at) VALUES (:id, :pos, :q, :a, :c, :ok, :mode, :lang, :rid, :now)"),
                {"id": conversation_id, "pos": position, "q": question, "a": result.answer,
                 "c": json.dumps([vars(c) for c in result.citations], ensure_ascii=False), "ok": int(result.answered),
                 "mode": result.mode, "lang": result.language, "rid": request_id, "now": now})
        log.info("conversation %s: stored turn %d", conversation_id, position)
        return conversation_id

    def list(self, caller: Caller, limit: int, offset: int) -> tuple[int, list[dict]]:
        """Return (number of the caller's conversations, one page of them, latest first)."""
        with self.database.transaction() as conn:
            total = conn.execute(text("SELECT COUNT(*) FROM conversations_conversations WHERE principal = :p"),
                                 {"p": caller.principal}).scalar_one()
            rows = conn.execute(text(
                "SELECT id, created_at, updated_at, turn_count FROM conversations_conversations"
                " WHERE principal = :p ORDER BY updated_at DESC, id LIMIT :limit OFFSET :offset"),
                {"p": caller.principal, "limit": limit, "offset": offset}).all()
        return int(total), [dict(row._mapping) for row in rows]

    def get(self, caller: Caller, conversation_id: str) -> dict:
        """Return a conversation of caller with its turns, or raise ConversationNotFoundError."""
        self.check_owner(caller, conversation_id)
        with self.database.transaction() as conn:
            head = conn.execute(text(
                "SELECT id, created_at, updated_at, turn_count FROM conversations_conversations WHERE id = :id"),
                {"id": conversation_id}).one()
            rows = conn.execute(text(
                "SELECT position, question, answer, citations, answered, mode, language, created_at"
                " FROM conversations_turns WHERE conversation_id = :id ORDER BY position"),
                {"id": conversation_id}).all()
        turns = [{**row._mapping, "citations": json.loads(row.citations), "answered": bool(row.answered)}
                 for row in rows]
        return {**head._mapping, "turns": turns}

    def history(self, caller: Caller, conversation_id: str) -> list[dict[str, str]]:
        """Return the last stored turns of a conversation as chat messages."""
        turns = self.get(caller, conversation_id)["turns"][-HISTORY_TURNS:]
        messages: list[dict[str, str]] = []
        for turn in turns:
            messages += [{"role": "user", "content": turn["question"]}, {"role": "assistant", "content": turn["answer"]}]
        return messages


class ConversationRecorder:
    """Redact a finished turn and store it, for both JSON and streamed chat responses."""

    def __init__(self, store: ConversationStore, redact: Callable[[str, str], str], caller: Caller,
                 conversation_id: str | None, question: str, request_id: str) -> None:
        """redact(text, language) returns text without personal data."""
        self.store = store
        self.redact = redact
        self.caller = caller
        self.conversation_id = conversation_id
        self.question = question
        self.request_id = request_id

    def record(self, result: ChatResult) -> dict[str, Any]:
        """Store the turn and return the result as JSON with its conversation id."""
        question = self.redact(self.question, detect_language(self.question))
        stored = ChatResult(**{**vars(result), "answer": self.redact(result.answer, result.language)})
        self.conversation_id = self.store.append(self.caller, self.conversation_id, question, stored,
                                                 self.request_id)
        return {**result.to_dict(), "conversation_id": self.conversation_id}

    def events(self, events: Iterator[tuple[str, object]]) -> Iterator[tuple[str, object]]:
        """Pass chat events through, storing the turn when the "done" event arrives."""
        for event, data in events:
            if event == "done":
                data = _Recorded(self.record(data))  # type: ignore[arg-type]
            yield event, data


class _Recorded:
    """A finished result as JSON, shaped like ChatResult for the event-stream formatter."""

    def __init__(self, payload: dict[str, Any]) -> None:
        self.payload = payload

    def to_dict(self) -> dict[str, Any]:
        return self.payload


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
