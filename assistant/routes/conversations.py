"""HTTP endpoints: the caller's own chat conversations."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from assistant.access import Caller, require
from assistant.conversations import ConversationStore

router = APIRouter(tags=["conversations"])


def _store(request: Request) -> ConversationStore:
    return request.app.state.conversations


@router.get("/v1/conversations")
def list_conversations(request: Request, limit: int = Query(20, ge=1, le=100), offset: int = Query(0, ge=0),
                       caller: Caller = Depends(require("chat"))) -> dict:
    """List the caller's conversations, latest first; `total` counts them all."""
    total, items = _store(request).list(caller, limit, offset)
    following = offset + len(items)
    return {"conversations": items, "total": total, "limit": limit, "offset": offset,
            "next_offset": following if following < total else None}


@router.get("/v1/conversations/{conversation_id}")
def get_conversation(conversation_id: str, request: Request, caller: Caller = Depends(require("chat"))) -> dict:
    """Return one of the caller's conversations with its turns (questions stored redacted)."""
    return _store(request).get(caller, conversation_id)
