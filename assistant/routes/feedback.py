"""HTTP endpoints of the staff chat widget: its script, a demo page, answer
ratings and the cited passages.

GET /widget.js and GET /demo are open, because a page must load the widget
before anyone signs in. POST /v1/feedback needs the "chat" scope and stores a
rating without the question or the answer. GET /v1/passages/{chunk_id} needs
"chat" or "search" and shows only passages of documents the caller may read.
"""

from __future__ import annotations

import datetime
import html
import logging
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParameter
from fastapi.responses import FileResponse, HTMLResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, text

from assistant.access import Caller, require
from assistant.db import Migration
from assistant.errors import DocumentNotFoundError, GateRejection
from assistant.language import detect_language

log = logging.getLogger(__name__)

router = APIRouter()

STATIC = Path(__file__).resolve().parents[1] / "static"
COMPONENT = "feedback"
MAX_COMMENT_CHARS = 2000
# The widget changes with releases: browsers keep it five minutes, then
# revalidate it with its ETag. The demo page is always revalidated.
WIDGET_CACHE_CONTROL = "public, max-age=300"
DEMO_CACHE_CONTROL = "no-cache"


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "conversation_id": "c-5f2a9d", "message_index": 1, "rating": "down",
            "comment": "Thiếu thời hạn giải quyết", "answer_mode": "extractive",
        }]},
    )
    conversation_id: str | None = Field(None, pattern=r"^[\w.\-]{1,64}$")
    message_index: int = Field(ge=0, le=1000, description="Position of the rated answer in the conversation.")
    rating: Literal["up", "down"]
    comment: str | None = Field(None, max_length=MAX_COMMENT_CHARS)
    answer_mode: Literal["generated", "extractive"] | None = None


class FeedbackResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"id": 318, "stored": True}]})
    id: int
    stored: bool


class PassageResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "chunk_id": 412,
        "document_id": "so-tu-phap/huong-dan-dang-ky-khai-sinh.docx",
        "title": "Hướng dẫn đăng ký khai sinh",
        "locator": "Điều 5",
        "page": 2,
        "text": "Điều 5. Hồ sơ đăng ký khai sinh\nNgười yêu cầu nộp tờ khai theo mẫu và giấy chứng sinh; "
                "trường hợp không có giấy chứng sinh thì nộp văn bản của người làm chứng.",
    }]})
    chunk_id: int
    document_id: str
    title: str
    locator: str
    page: int | None
    text: str


@router.get("/widget.js", include_in_schema=False)
def widget_script() -> FileResponse:
    headers = {
        "Cache-Control": WIDGET_CACHE_CONTROL,
        "X-Content-Type-Options": "nosniff",
        # Pages that require Cross-Origin-Resource-Policy may still embed the widget.
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
    return FileResponse(STATIC / "widget.js", media_type="text/javascript; charset=utf-8", headers=headers)


@router.get("/demo", include_in_schema=False)
def demo_page() -> HTMLResponse:
    """Return the demo host page, its department list filled from assistant/auth/departments.toml."""
    from assistant.auth.departments import departments  # noqa: PLC0415 - only this page needs the list

    options = "\n".join(
        f'<option value="{html.escape(d.id)}">{html.escape(d.vi)}</option>' for d in departments().values()
    )
    page = (STATIC / "demo.html").read_text(encoding="utf-8").replace("<!--DEPARTMENT_OPTIONS-->", options)
    headers = {"Cache-Control": DEMO_CACHE_CONTROL, "X-Content-Type-Options": "nosniff"}
    return HTMLResponse(page, headers=headers)


@router.post("/v1/feedback", response_model=FeedbackResponse, status_code=201)
def post_feedback(body: FeedbackRequest, request: Request, caller: Caller = Depends(require("chat"))) -> dict:
    """Store a rating of one answer; the comment passes the gate and loses its personal data first."""
    assistant = request.app.state.assistant
    request_id = request.state.request_id
    comment = _checked_comment(assistant, body.comment, request_id)
    database = assistant.database
    # Idempotent and cheap: one query once the table exists.
    database.migrate(COMPONENT, MIGRATIONS)
    with database.transaction() as conn:
        result = conn.execute(
            text(
                "INSERT INTO feedback_ratings (created_at, principal, department, request_id, conversation_id,"
                " message_index, rating, comment, answer_mode)"
                " VALUES (:created_at, :principal, :department, :request_id, :conversation_id,"
                " :message_index, :rating, :comment, :answer_mode)"
            ),
            {
                "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "principal": caller.principal,
                "department": caller.department,
                "request_id": request_id,
                "conversation_id": body.conversation_id,
                "message_index": body.message_index,
                "rating": body.rating,
                "comment": comment,
                "answer_mode": body.answer_mode,
            },
        )
        feedback_id = int(result.lastrowid)
    log.info("feedback %d stored for request %s: rating %s, comment %s", feedback_id, request_id, body.rating,
             "given" if comment else "none")
    return {"id": feedback_id, "stored": True}


@router.get("/v1/passages/{chunk_id}", response_model=PassageResponse)
def get_passage(request: Request, chunk_id: int = PathParameter(ge=1),
                caller: Caller = Depends(require("chat", "search"))) -> dict:
    """Return one stored passage with its source, as cited by a chat answer."""
    assistant = request.app.state.assistant
    chunk = assistant.index.store.chunks_by_id([chunk_id]).get(chunk_id)
    # A passage of a document the caller may not read is reported as missing,
    # so that its existence is not revealed either.
    if chunk is None or not _visible(assistant, caller, chunk.document_id):
        raise DocumentNotFoundError(
            f"no passage {chunk_id} is available to you; use the chunk_id of a citation from /v1/chat "
            "or of a hit from /v1/search"
        )
    return {
        "chunk_id": chunk.chunk_id,
        "document_id": chunk.document_id,
        "title": chunk.title,
        "locator": chunk.locator,
        "page": chunk.page,
        "text": chunk.text,
    }


def _visible(assistant, caller: Caller, document_id: str) -> bool:  # noqa: ANN001 - assistant.service.Assistant
    """Return True when the caller may read the document, by the access scope stored with it."""
    scope = assistant.index.store.access_of(document_id)
    return scope is not None and caller.may_read(scope)


def _checked_comment(assistant, comment: str | None, request_id: str) -> str | None:  # noqa: ANN001
    """Return the comment with personal data replaced by entity labels, or None when it is blank.

    Raise GateRejection when the comment carries a secrecy mark; the audit log
    records the decision and the redaction counts, never the text."""
    from guardrails.audit import gate_record, redaction_record  # noqa: PLC0415 - guardrails load Presidio

    if comment is None or not comment.strip():
        return None
    decision = assistant.gate.check_text(comment, location="body")
    assistant.audit.append(gate_record("feedback", request_id, decision, action="feedback_gate"),
                           request_id=request_id)
    if not decision.allowed:
        log.warning("gate rejected feedback comment of request %s: level %s", request_id, decision.level)
        raise GateRejection(list(decision.reasons))
    redaction = assistant.redactor.redact(comment.strip(), detect_language(comment))
    if redaction.entities:
        assistant.audit.append(redaction_record("feedback", request_id, redaction.entities,
                                                action="feedback_redaction"), request_id=request_id)
    return redaction.text


def _create_ratings(conn: Connection) -> None:
    conn.execute(text(
        "CREATE TABLE feedback_ratings ("
        " id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " created_at TEXT NOT NULL,"
        " principal TEXT NOT NULL,"
        " department TEXT NOT NULL,"
        " request_id TEXT NOT NULL,"
        " conversation_id TEXT,"
        " message_index INTEGER NOT NULL,"
        " rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),"
        " comment TEXT,"
        " answer_mode TEXT)"
    ))
    conn.execute(text("CREATE INDEX feedback_ratings_by_time ON feedback_ratings(created_at)"))


MIGRATIONS = [Migration(1, "create feedback_ratings", _create_ratings)]
