"""HTTP endpoints: drafts of administrative documents for a department's systems."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, Response
from pydantic import ValidationError

from assistant.access import Caller, require
from assistant.drafting import DraftRequest, DraftService
from assistant.drafting.models import DraftList, StoredDraft, VersionRequest
from assistant.drafting.render import DOCX_MEDIA_TYPE, to_docx, to_markdown

router = APIRouter(prefix="/v1/drafts", tags=["drafts"])

_DRAFT = Depends(require("draft"))
_DOCX_DOC = {200: {"description": "The draft as a Word document in the national layout.",
                   "content": {DOCX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}}}
_MARKDOWN_DOC = {200: {"description": "The draft as Markdown, for a quick read or a diff."}}


class MarkdownResponse(PlainTextResponse):
    media_type = "text/markdown"


def _service(request: Request) -> DraftService:
    return DraftService(request.app.state.assistant)


@router.post("", response_model=StoredDraft)
def create_draft(body: DraftRequest, request: Request, caller: Caller = _DRAFT) -> StoredDraft:
    """Compose, check and store version 1 of a draft for the caller's department."""
    return _service(request).create(body, caller, request.state.request_id)


@router.post("/{draft_id}/versions", response_model=StoredDraft)
def create_version(draft_id: str, body: VersionRequest, request: Request, caller: Caller = _DRAFT) -> StoredDraft:
    """Store the next version of a draft, with the fields in `changes` replaced."""
    try:
        return _service(request).new_version(draft_id, body.changes, caller, request.state.request_id)
    except ValidationError as exc:
        # The merged request is validated here, not by FastAPI, so report its errors the same way.
        raise RequestValidationError([{**e, "loc": ("body", "changes", *e["loc"])} for e in exc.errors()]) from exc


@router.get("", response_model=DraftList)
def list_drafts(request: Request, caller: Caller = _DRAFT, limit: int = Query(20, ge=1, le=100),
                offset: int = Query(0, ge=0)) -> DraftList:
    """List the caller's department's drafts, most recently changed first."""
    drafts, total = _service(request).list(caller, limit, offset)
    following = offset + len(drafts)
    return DraftList(drafts=drafts, limit=limit, offset=offset, total=total,
                     next_offset=following if following < total else None)


@router.get("/{draft_id}.docx", response_class=Response, responses=_DOCX_DOC)
def draft_docx(draft_id: str, request: Request, caller: Caller = _DRAFT,
               version: int | None = Query(None, ge=1)) -> Response:
    stored = _service(request).get(draft_id, caller, version)
    name = f"draft-{draft_id}-v{stored.version}.docx"
    return Response(to_docx(stored.draft), media_type=DOCX_MEDIA_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/{draft_id}.md", response_class=MarkdownResponse, responses=_MARKDOWN_DOC)
def draft_markdown(draft_id: str, request: Request, caller: Caller = _DRAFT,
                   version: int | None = Query(None, ge=1)) -> MarkdownResponse:
    stored = _service(request).get(draft_id, caller, version)
    return MarkdownResponse(to_markdown(stored.draft))


@router.get("/{draft_id}", response_model=StoredDraft)
def get_draft(draft_id: str, request: Request, caller: Caller = _DRAFT,
              version: int | None = Query(None, ge=1)) -> StoredDraft:
    return _service(request).get(draft_id, caller, version)
