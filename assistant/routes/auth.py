"""HTTP endpoints: staff tokens for the chat widget, the demo sign-in and the department list."""

from __future__ import annotations

import datetime
import ipaddress
import logging
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from assistant.access import Caller, PermissionDeniedError, require
from assistant.auth.departments import departments
from assistant.auth.identity import DemoIdentityProvider
from assistant.auth.tokens import MAX_TTL_SECONDS, TokenSigner
from assistant.errors import DocumentNotFoundError

log = logging.getLogger(__name__)

router = APIRouter(tags=["auth"])
DEMO_TTL_SECONDS = 3600
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


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
    session: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]{16,64}$", description=(
        "A random string the page keeps for its session, so that renewed tokens keep one subject."))


# The example tokens were signed with a throwaway secret, so their payloads are real but no server accepts them.
_TOKEN_EXAMPLE = {
    "token": "hnt_eyJzdWIiOiJudi0wMTIzNCIsImRlcCI6InNvLXR1LXBoYXAiLCJzY3AiOlsiY2hhdCJdLCJleHAiOjE3OTY0NDAwMjB9"
             ".SFhzZ_S0NYPgAKYyzWiJnDnzpIO-xCkwyLGlpLFfkDI",
    "expires_at": "2026-12-05T03:07:00Z",
    "scopes": ["chat"],
}
_DEMO_TOKEN_EXAMPLE = {
    "token": "hnt_eyJzdWIiOiJkZW1vLTQ5MDFmNjY5MGY2NjM4MjgiLCJkZXAiOiJzby10dS1waGFwIiwic2NwIjpbImNoYXQiXSwiZXhwIjox"
             "Nzk2NDQwMDIwLCJkZW1vIjp0cnVlfQ.z23Ypv-5LTpmwnaaDnA0ekYic5F2zWC0Cc6yKG7sjzo",
    "expires_at": "2026-12-05T03:07:00Z",
    "scopes": ["chat"],
    "name": "Lan",
    "department": "so-tu-phap",
}


class TokenResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_TOKEN_EXAMPLE]})
    token: str = Field(description="Send it as 'Authorization: Bearer <token>'.")
    expires_at: str = Field(description="UTC time, ISO 8601.")
    scopes: list[str]


class DemoLoginResponse(TokenResponse):
    model_config = ConfigDict(json_schema_extra={"examples": [_DEMO_TOKEN_EXAMPLE]})
    name: str
    department: str


class DepartmentModel(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": "so-tu-phap", "vi": "Sở Tư pháp", "en": "Department of Justice"},
    ]})
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
    """Sign anyone in by name for the demo page, when ASSISTANT_DEMO_LOGIN is on.

    The token can only chat, and reads public documents only, because any name and
    department are believed."""
    if not request.app.state.assistant.settings.demo_login:
        raise DocumentNotFoundError("the demo sign-in is off on this server; ask for a staff token from your "
                                    "page's server, or start the demo with 'make run'")
    _check_local(request)
    limiter = getattr(request.app.state.authenticator, "limiter", None)
    if limiter is not None:
        limiter.check(f"demo-login:{request.client.host}")  # type: ignore[union-attr] - checked by _check_local
    identity = DemoIdentityProvider().identify(body.model_dump())
    token, expires = _signer(request).issue(identity.subject, identity.department, ["chat"], DEMO_TTL_SECONDS,
                                            demo=True)
    log.info("demo sign-in for %s", identity.department)
    return {"token": token, "expires_at": _expiry(expires), "scopes": ["chat"], "name": identity.display_name,
            "department": identity.department}


def _check_local(request: Request) -> None:
    """Reject a demo sign-in unless it comes from this machine and names a loopback host.

    The Host check stops a web page elsewhere from reaching the demo sign-in by
    pointing its own domain name at 127.0.0.1 (DNS rebinding)."""
    client = request.client.host if request.client else ""
    host = urlsplit(f"//{request.headers.get('host', '')}").hostname or ""
    if not (_is_loopback(client) and host in LOOPBACK_HOSTS):
        log.warning("demo sign-in rejected: not a loopback request")
        raise PermissionDeniedError("the demo sign-in accepts requests on this machine only; open the demo page "
                                    "at http://127.0.0.1:PORT/demo or http://localhost:PORT/demo")


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


@router.get("/v1/auth/departments", response_model=list[DepartmentModel])
def list_departments() -> list[dict]:
    """List the department ids used by keys, tokens and document access scopes."""
    return [vars(department) for department in departments().values()]
