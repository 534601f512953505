"""HTTP endpoints: the caller's own chat conversations."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from assistant.access import Caller, require
from assistant.conversations import ConversationStore
from assistant.routes.citations import CITATION_EXAMPLE, CitationModel

router = APIRouter(tags=["conversations"])

_CONVERSATION_ID = "3f9c2a71d04e4b6a9e5d8c1b27a6f0e4"


class ConversationSummary(BaseModel):
    id: str
    created_at: str = Field(description="UTC time, ISO 8601.")
    updated_at: str = Field(description="UTC time of the latest turn, ISO 8601.")
    turn_count: int


class ConversationList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "conversations": [{
            "id": _CONVERSATION_ID,
            "created_at": "2026-11-18T02:14:07.512034Z",
            "updated_at": "2026-11-18T02:16:41.090215Z",
            "turn_count": 2,
        }],
        "total": 7,
        "limit": 1,
        "offset": 0,
        "next_offset": 1,
    }]})
    conversations: list[ConversationSummary]
    total: int = Field(description="Number of the caller's conversations.")
    limit: int
    offset: int
    next_offset: int | None = Field(description="Offset of the next page, or null on the last page.")


class Turn(BaseModel):
    position: int = Field(description="1 for the first turn of the conversation.")
    question: str = Field(description="The question with personal data replaced by entity labels.")
    answer: str = Field(description="The answer with personal data replaced by entity labels.")
    citations: list[CitationModel]
    answered: bool
    mode: Literal["generated", "extractive"]
    language: str
    created_at: str


class ConversationDetail(ConversationSummary):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": _CONVERSATION_ID,
        "created_at": "2026-11-18T02:14:07.512034Z",
        "updated_at": "2026-11-18T02:14:07.512034Z",
        "turn_count": 1,
        "turns": [{
            "position": 1,
            "question": "Tôi là <PERSON>, đăng ký khai sinh cho con cần giấy tờ gì?",
            "answer": "Theo Hướng dẫn đăng ký khai sinh, Điều 5 [1]: «Người yêu cầu nộp tờ khai theo mẫu và "
                      "giấy chứng sinh.»",
            "citations": [CITATION_EXAMPLE],
            "answered": True,
            "mode": "extractive",
            "language": "vi",
            "created_at": "2026-11-18T02:14:07.512034Z",
        }],
    }]})
    turns: list[Turn]


def _store(request: Request) -> ConversationStore:
    return request.app.state.conversations


@router.get("/v1/conversations", response_model=ConversationList)
def list_conversations(request: Request, limit: int = Query(20, ge=1, le=100), offset: int = Query(0, ge=0),
                       caller: Caller = Depends(require("chat"))) -> dict:
    """List the caller's conversations, latest first; `total` counts them all."""
    total, items = _store(request).list(caller, limit, offset)
    following = offset + len(items)
    return {"conversations": items, "total": total, "limit": limit, "offset": offset,
            "next_offset": following if following < total else None}


@router.get("/v1/conversations/{conversation_id}", response_model=ConversationDetail)
def get_conversation(conversation_id: str, request: Request, caller: Caller = Depends(require("chat"))) -> dict:
    """Return one of the caller's conversations with its turns (questions stored redacted)."""
    return _store(request).get(caller, conversation_id)
