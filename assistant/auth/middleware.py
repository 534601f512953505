"""HTTP protections around the API: body size limit, CORS, rate-limit responses,
request ids in log lines, and the security scheme in the OpenAPI document."""

from __future__ import annotations

import contextvars
import json
import logging

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.auth.ratelimit import RateLimitError
from assistant.settings import Settings

log = logging.getLogger(__name__)

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
PROBLEM_RESPONSES = {
    "401": "No credential, or an unknown, revoked or expired one (WWW-Authenticate: Bearer).",
    "403": "The credential lacks the scope this endpoint needs.",
    "429": "Too many requests from this credential; the Retry-After header gives the seconds to wait.",
}


class RequestIdFilter(logging.Filter):
    """Add the current request's id to every log record as ``request_id`` ("-" outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class BodySizeLimit:
    """Return 413 for a request body above max_bytes; multipart uploads have their own limit."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _is_multipart(scope):
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_bytes:
                await self._reject(scope, receive, send)
                return
        await self.app(scope, _replay(body, receive), send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = (f"the request body is larger than the limit of {self.max_bytes:,} bytes "
                  "(ASSISTANT_MAX_JSON_BYTES); send less text per request")
        body = json.dumps({"type": "about:blank", "title": "Request body too large", "status": 413,
                           "detail": detail}).encode()
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode()),
        ]})
        await send({"type": "http.response.body", "body": body})


def install_protections(app: FastAPI, settings: Settings) -> None:
    """Add the body limit, CORS and the 429 handler.

    Call it before adding the request-log middleware, so that the log middleware wraps
    these and every response gets its X-Request-ID."""
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_json_bytes)
    if settings.cors_origins:
        # Staff tokens travel in the Authorization header, so no cookies are needed.
        app.add_middleware(
            CORSMiddleware, allow_origins=list(settings.cors_origins), allow_credentials=False,
            allow_methods=["GET", "POST", "DELETE"], allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
        )

    @app.exception_handler(RateLimitError)
    def _too_many(_: Request, exc: RateLimitError) -> JSONResponse:
        log.warning("rate limit reached; retry after %d s", exc.retry_after)
        response = JSONResponse(
            {"type": "about:blank", "title": "Too many requests", "status": 429, "detail": str(exc)},
            status_code=429, media_type="application/problem+json",
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    app.openapi = lambda: _openapi_with_problems(app)  # type: ignore[method-assign]


def _openapi_with_problems(app: FastAPI) -> dict:
    """Return the OpenAPI document in which every secured operation lists 401, 403 and 429."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or not operation.get("security"):
                continue
            responses = operation.setdefault("responses", {})
            for status, description in PROBLEM_RESPONSES.items():
                responses.setdefault(status, {
                    "description": description,
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
                })
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = {
        "type": "object", "title": "Problem", "description": "An RFC 9457 problem document.",
        "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                       "detail": {"type": "string"}},
    }
    app.openapi_schema = schema
    return schema


def _is_multipart(scope: Scope) -> bool:
    return _header(scope, b"content-type").lower().startswith("multipart/form-data")


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


def _replay(body: bytes, receive: Receive) -> Receive:
    """Return a receive that yields the buffered body once, then waits on the client as before,
    so a streaming response still learns when the client disconnects."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
