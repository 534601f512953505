"""HTTP endpoints: routing of requests to the department that handles them."""

from __future__ import annotations

import logging
import threading
from typing import Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from assistant.access import Caller, require
from assistant.routing.router import Router
from assistant.routing.service import RoutingService

log = logging.getLogger(__name__)

router = APIRouter()
_build_lock = threading.Lock()


class RouteRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "text": "Đèn đường trong ngõ 12 phố Trần Cung hỏng cả tháng nay.",
            "channel": "app",
            "location": "phường Nghĩa Đô",
        }]},
    )
    text: str = Field(min_length=1, max_length=10_000, description="The request, in Vietnamese or English.")
    channel: str | None = Field(
        None, pattern=r"^[\w\-. ]{1,40}$", description="How the request arrived, e.g. app, hotline, email; audited."
    )
    location: str | None = Field(None, min_length=1, max_length=300, description="Place the request concerns.")


class Alternative(BaseModel):
    department: str
    score: float


class RouteResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "department": "so-xay-dung",
        "department_name": "Sở Xây dựng",
        "urgency": "normal",
        "confidence": 0.975,
        "alternatives": [
            {"department": "so-xay-dung", "score": 0.975},
            {"department": "so-van-hoa-the-thao", "score": 0.009},
            {"department": "other", "score": 0.006},
        ],
        "needs_review": False,
        "reasons": [
            "the request is closest to the remit of Sở Xây dựng (similarity 0.37 to its description; score 0.98)",
            'keywords of Sở Xây dựng: "đường", "đèn đường"',
            "normal: no sign of urgency or of several departments",
        ],
    }]})
    department: str
    department_name: str
    urgency: Literal["urgent", "complex", "normal"]
    confidence: float
    alternatives: list[Alternative]
    needs_review: bool
    reasons: list[str]


@router.post("/v1/route", response_model=RouteResponse, tags=["routing"])
def route(body: RouteRequest, request: Request, caller: Caller = Depends(require("route"))) -> dict:
    """Choose the department for a request, its urgency, and whether a person must check the choice."""
    service = _service(request)
    request_id = getattr(request.state, "request_id", "-")
    result = service.route(body.text, body.channel, body.location, request_id)
    return result.to_dict()


def _service(request: Request) -> RoutingService:
    """Return the app's routing service, built on first use: the embedding model loads then."""
    state = request.app.state
    with _build_lock:
        service = getattr(state, "routing_service", None)
        if service is None:
            assistant = state.assistant
            built = Router.from_settings(assistant.settings, assistant.index.embedder)
            service = RoutingService(built, gate=assistant.gate, redactor=assistant.redactor, audit=assistant.audit)
            state.routing_service = service
            log.info("router ready: taxonomy %s, %s", built.taxonomy.name, built.mode)
    return service
