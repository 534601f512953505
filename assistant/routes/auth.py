"""HTTP endpoints: staff tokens for the chat widget, the demo sign-in and the department list."""

from __future__ import annotations

import datetime
import logging

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from assistant.access import Caller, require
from assistant.auth.departments import departments
from assistant.auth.identity import DemoIdentityProvider
from assistant.auth.tokens import MAX_TTL_SECONDS, TokenSigner
from assistant.errors import DocumentNotFoundError

log = logging.getLogger(__name__)

router = APIRouter(tags=["auth"])
DEMO_TTL_SECONDS = 3600


class TokenRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"subject": "nv-01234", "department": "so-tu-phap",
                                         "scopes": ["chat"], "ttl_seconds": 900}]},
    )
    subject: str = Field(min_length=1, max_length=128, description="The staff member's account id.")
    department: str
    scopes: list[str] = Field(default_factory=lambda: ["chat"], min_length=1, description="chat and/or search.")
    ttl_seconds: int = Field(900, ge=1, le=MAX_TTL_SECONDS)


class DemoLoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"name": "Lan",
                                                                               "department": "so-tu-phap"}]})
    name: str = Field(min_length=1, max_length=80)
    department: str


class TokenResponse(BaseModel):
    token: str
    expires_at: str
    scopes: list[str]


class DemoLoginResponse(TokenResponse):
    name: str
    department: str


class DepartmentModel(BaseModel):
    id: str
    vi: str
    en: str


def _signer(request: Request) -> TokenSigner:
    return request.app.state.token_signer


def _expiry(expires: int) -> str:
    return datetime.datetime.fromtimestamp(expires, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@router.post("/v1/auth/token", response_model=TokenResponse)
def issue_token(body: TokenRequest, request: Request, caller: Caller = Depends(require("admin"))) -> dict:
    """Issue a short-lived staff token.

    The host page's server calls this with an admin key after it signed its user in,
    then hands the token to the page."""
    token, expires = _signer(request).issue(body.subject, body.department, body.scopes, body.ttl_seconds)
    log.info("%s issued a staff token for %s, valid %d s", caller.principal, body.department, body.ttl_seconds)
    return {"token": token, "expires_at": _expiry(expires), "scopes": sorted(set(body.scopes))}


@router.post("/v1/auth/demo-login", response_model=DemoLoginResponse)
def demo_login(body: DemoLoginRequest, request: Request) -> dict:
    """Sign anyone in by name for the demo page, when ASSISTANT_DEMO_LOGIN is on; the token can only chat."""
    if not request.app.state.assistant.settings.demo_login:
        raise DocumentNotFoundError("the demo sign-in is off on this server; ask for a staff token from your "
                                    "page's server, or start the demo with 'make run'")
    identity = DemoIdentityProvider().identify(body.model_dump())
    token, expires = _signer(request).issue(identity.subject, identity.department, ["chat"], DEMO_TTL_SECONDS)
    log.info("demo sign-in for %s", identity.department)
    return {"token": token, "expires_at": _expiry(expires), "scopes": ["chat"], "name": identity.display_name,
            "department": identity.department}


@router.get("/v1/auth/departments", response_model=list[DepartmentModel])
def list_departments() -> list[dict]:
    """List the department ids used by keys, tokens and document access scopes."""
    return [vars(department) for department in departments().values()]
