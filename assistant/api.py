"""The HTTP API: search, chat, document upload and a page to try them."""

from __future__ import annotations

import json
import logging
import re
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from fastapi import FastAPI, File, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.access import AuthenticationError, Authenticator, PermissionDeniedError
from assistant.errors import (
    AssistantError,
    DocumentNotFoundError,
    GateRejection,
    InputError,
    LLMError,
    ModelNotFoundError,
)
from assistant.language import detect_language
from assistant.routes import auth, drafts, feedback, minutes, routing
from assistant.service import Assistant
from guardrails import GateReadError
from retrieval.loaders import load_file

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
# File systems limit a name to 255 bytes; Vietnamese letters take 2 to 3 bytes each.
MAX_NAME_CHARS = 80
_UNSAFE_NAME = re.compile(r"[^\w.\-]+", re.UNICODE)


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"query": "thủ tục đăng ký khai sinh", "k": 5}]})
    query: str = Field(min_length=1, max_length=4000)
    k: int = Field(5, ge=1, le=50)
    mode: Literal["hybrid", "dense", "bm25"] = "hybrid"


class SearchHit(BaseModel):
    chunk_id: int
    document_id: str
    title: str
    locator: str
    page: int | None
    text: str
    score: float


class SearchResponse(BaseModel):
    hits: list[SearchHit]


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["user", "assistant"]
    content: str


class ChatRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"messages": [{"role": "user", "content": "Đăng ký khai sinh cần giấy tờ gì?"}]}]},
    )
    messages: list[ChatMessage] = Field(min_length=1, max_length=50)
    stream: bool = False


class CitationModel(BaseModel):
    n: int
    document_id: str
    title: str
    locator: str
    quote: str
    chunk_id: int
    page: int | None = None


class ChatResponse(BaseModel):
    answer: str
    citations: list[CitationModel]
    answered: bool
    mode: Literal["generated", "extractive"]
    language: str
    reasons: list[str]
    timings_ms: dict[str, float]


class RedactRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"text": "Ông Nguyễn Văn An, điện thoại 0912 345 678", "language": "vi"}]},
    )
    text: str = Field(min_length=1, max_length=100_000)
    language: Literal["vi", "en"] | None = None


class EntityModel(BaseModel):
    type: str
    start: int
    end: int
    score: float
    recognizer: str


class RedactResponse(BaseModel):
    text: str
    language: str
    entities: list[EntityModel]


class ClassifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"text": "TỐI MẬT\n\nKế hoạch"}]})
    text: str = Field(min_length=1, max_length=2_000_000)


class ClassifyResponse(BaseModel):
    level: str | None
    allowed: bool
    reasons: list[str]


class IngestResultModel(BaseModel):
    path: str
    document_id: str | None
    status: Literal["indexed", "unchanged", "blocked", "quarantined", "failed", "skipped"]
    reason: str
    chunks: int


class IngestResponse(BaseModel):
    results: list[IngestResultModel]


def problem(status: int, title: str, detail: str) -> JSONResponse:
    """Return an RFC 9457 problem document."""
    return JSONResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status_code=status,
        media_type="application/problem+json",
    )


def create_app(assistant: Assistant, authenticator: Authenticator | None = None) -> FastAPI:
    app = FastAPI(title="Hà Nội administrative assistant", version="1.0")
    app.state.assistant = assistant
    app.state.authenticator = authenticator
    _install_error_handlers(app)
    for group in (auth, drafts, minutes, routing, feedback):
        app.include_router(group.router)

    @app.middleware("http")
    async def request_log(request: Request, call_next):  # noqa: ANN001, ANN202 - Starlette's signature
        """Give every response an X-Request-ID and log one line per request: no bodies, no text."""
        request_id = _safe_request_id(request.headers.get("x-request-id", "")) or uuid.uuid4().hex
        request.state.request_id = request_id
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["X-Request-ID"] = request_id
        log.info("request %s %s %s -> %d in %.0f ms", request_id, request.method, request.url.path,
                 response.status_code, (time.perf_counter() - started) * 1000)
        return response

    @app.get("/healthz")
    def healthz() -> dict:
        return {"status": "ok", **assistant.describe()}

    @app.get("/", include_in_schema=False)
    def home() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.post("/v1/search", response_model=SearchResponse)
    def search(request: SearchRequest) -> dict:
        hits = assistant.index.search(request.query, request.k, request.mode)
        return {"hits": [hit.to_dict() for hit in hits]}

    @app.post("/v1/chat", response_model=ChatResponse, responses={200: {"content": {"text/event-stream": {}}}})
    def chat(body: ChatRequest, request: Request):  # noqa: ANN202 - JSON or a stream
        messages = [m.model_dump() for m in body.messages]
        service = assistant.chat
        if not body.stream:
            return service.answer(messages, request.state.request_id).to_dict()
        events = service.events(messages, request.state.request_id)
        return StreamingResponse(_sse(events), media_type="text/event-stream")

    @app.post("/v1/redact", response_model=RedactResponse)
    def redact(request: RedactRequest) -> dict:
        language = request.language or detect_language(request.text)
        result = assistant.redactor.redact(request.text, language)
        entities = [
            {"type": e.type, "start": e.start, "end": e.end, "score": round(e.score, 3), "recognizer": e.recognizer}
            for e in result.entities
        ]
        return {"text": result.text, "language": language, "entities": entities}

    @app.post("/v1/classify", response_model=ClassifyResponse)
    def classify(request: ClassifyRequest) -> dict:
        return _decision(assistant.gate.check_text(request.text, location="body"))

    @app.post("/v1/classify/file", response_model=ClassifyResponse)
    def classify_file(file: UploadFile = File(...)) -> dict:
        with _saved_upload(assistant, file) as path:
            try:
                # The loaders detect UTF-16 and Windows-1258 text; the gate reads the rest.
                body = load_file(path, path.name, require_all_pages=False).text
            except InputError:
                body = None
            try:
                return _decision(assistant.gate.check_file(path, body_text=body))
            except GateReadError as exc:
                reason = str(exc).replace(str(path.parent) + "/", "")
                return {"level": None, "allowed": False, "reasons": [f"cannot be read completely: {reason}"]}

    @app.get("/v1/documents")
    def list_documents() -> dict:
        return {"documents": assistant.index.store.documents()}

    @app.post("/v1/documents", response_model=IngestResponse)
    def upload(file: UploadFile = File(...)) -> dict:
        return {"results": [r.to_dict() for r in _ingest_upload(assistant, file)]}

    @app.delete("/v1/documents/{document_id:path}")
    def remove(document_id: str) -> dict:
        removed = assistant.index.remove(document_id)
        return {"document_id": document_id, "removed_chunks": removed}

    return app


def _safe_request_id(value: str) -> str:
    """Return a caller's request id if it is short and plain, else an empty string."""
    return value if re.fullmatch(r"[\w.\-]{1,64}", value) else ""


def _decision(decision) -> dict:  # noqa: ANN001 - guardrails.GateDecision
    return {"level": decision.level, "allowed": decision.allowed, "reasons": list(decision.reasons)}


@contextmanager
def _saved_upload(assistant: Assistant, upload: UploadFile) -> Iterator[Path]:
    """Save an upload under its sanitised name in a temporary folder, within the size limit."""
    name = _UNSAFE_NAME.sub("_", Path(upload.filename or "").name).strip("._")
    if len(name) > MAX_NAME_CHARS:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: MAX_NAME_CHARS - len(suffix) - 1] + dot + suffix) if dot else name[:MAX_NAME_CHARS]
    if not name:
        raise InputError("the upload has no file name; send it as multipart field 'file' with a name")
    limit = assistant.settings.max_upload_bytes
    with tempfile.TemporaryDirectory(prefix="upload-") as folder:
        path = Path(folder) / name
        written = 0
        with path.open("wb") as sink:
            while block := upload.file.read(1 << 20):
                written += len(block)
                if written > limit:
                    raise InputError(f"{name} is larger than the upload limit of {limit:,} bytes; split it")
                sink.write(block)
        yield path


def _ingest_upload(assistant: Assistant, upload: UploadFile):  # noqa: ANN202
    """Ingest an upload; results name the uploaded file, not the server's temporary folder."""
    with _saved_upload(assistant, upload) as path:
        results = assistant.ingest_upload(path, f"uploads/{path.name}")
        folder = str(path.parent) + "/"
        for result in results:
            result.path = result.path.replace(folder, "")
            result.reason = result.reason.replace(folder, "")
        return results


def _sse(events: Iterator[tuple[str, object]]) -> Iterator[str]:
    """Format chat events as server-sent events; the answer goes out in word pieces
    after it passed its checks, so no unchecked text reaches the reader."""
    try:
        for event, data in events:
            if event == "progress":
                yield _event("progress", {"stage": data})
                continue
            result = data.to_dict()  # type: ignore[attr-defined]
            for piece in re.findall(r"\S+\s*", result["answer"]):
                yield _event("token", {"text": piece})
            yield _event("done", result)
    except AssistantError as exc:
        yield _event("error", {"detail": str(exc)})
    except Exception:
        log.exception("chat stream failed")
        yield _event("error", {"detail": "the assistant failed while answering; try again or contact the administrator"})


def _event(name: str, payload: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(InputError)
    def _input(_: Request, exc: InputError) -> JSONResponse:
        status = 413 if "limit" in str(exc) else 400
        return problem(status, "Invalid input", str(exc))

    @app.exception_handler(AuthenticationError)
    def _unauthenticated(_: Request, exc: AuthenticationError) -> JSONResponse:
        response = problem(401, "Authentication required", str(exc))
        response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(PermissionDeniedError)
    def _forbidden(_: Request, exc: PermissionDeniedError) -> JSONResponse:
        return problem(403, "Permission denied", str(exc))

    @app.exception_handler(GateRejection)
    def _gate(_: Request, exc: GateRejection) -> JSONResponse:
        return problem(422, "Rejected by the classification gate", str(exc))

    @app.exception_handler(DocumentNotFoundError)
    def _missing(_: Request, exc: DocumentNotFoundError) -> JSONResponse:
        return problem(404, "Not found", str(exc))

    @app.exception_handler(ModelNotFoundError)
    def _model(_: Request, exc: ModelNotFoundError) -> JSONResponse:
        return problem(503, "Model not available", str(exc))

    @app.exception_handler(LLMError)
    def _llm(_: Request, exc: LLMError) -> JSONResponse:
        return problem(503, "Language model failed", str(exc))

    @app.exception_handler(RequestValidationError)
    def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(error.get("type") == "json_invalid" for error in errors):
            return problem(422, "Invalid request", "the request body is not valid JSON; send a JSON object "
                           "with Content-Type: application/json, as the examples at /docs show")
        details = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in errors
        )
        return problem(422, "Invalid request", details + "; see /docs for the expected request")

    @app.exception_handler(StarletteHTTPException)
    def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        hints = {404: "no such endpoint or resource; see /docs for the API", 405: "method not allowed here; see /docs"}
        return problem(exc.status_code, str(exc.detail), hints.get(exc.status_code, str(exc.detail)))
