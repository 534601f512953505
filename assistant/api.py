"""The HTTP API: search, chat, document upload and a page to try them."""

from __future__ import annotations

import logging
import re
import tempfile
import time
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from fastapi import Depends, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.access import AuthenticationError, Authenticator, Caller, PermissionDeniedError, require
from assistant.auth import build_authenticator, build_token_signer
from assistant.auth.middleware import REQUEST_ID, install_protections
from assistant.conversations import ConversationRecorder, ConversationStore
from assistant.errors import (
    DocumentNotFoundError,
    GateRejection,
    InputError,
    LLMError,
    ModelNotFoundError,
)
from assistant.language import detect_language
from assistant.routes import auth, conversations, drafts, feedback, minutes, routing, schema_examples
from assistant.routes.citations import CITATION_EXAMPLE, CitationModel
from assistant.service import Assistant
from assistant.sse import stream_events
from guardrails import GateReadError
from retrieval.access import PUBLIC, parse_access
from retrieval.loaders import load_file

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
# File systems limit a name to 255 bytes; Vietnamese letters take 2 to 3 bytes each.
MAX_NAME_CHARS = 80
_UNSAFE_NAME = re.compile(r"[^\w.\-]+", re.UNICODE)
UPLOAD_FILE_DOC = ("The file with its name: .pdf, .docx, .html, .md, .txt or .jsonl, at most "
                   "ASSISTANT_MAX_UPLOAD_BYTES (64 MiB unless the server sets it).")


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
    model_config = ConfigDict(json_schema_extra={"examples": [{"hits": [{
        "chunk_id": 412,
        "document_id": "so-tu-phap/huong-dan-dang-ky-khai-sinh.docx",
        "title": "Hướng dẫn đăng ký khai sinh",
        "locator": "Điều 5",
        "page": 2,
        "text": "Điều 5. Hồ sơ đăng ký khai sinh\nNgười yêu cầu nộp tờ khai theo mẫu và giấy chứng sinh; "
                "trường hợp không có giấy chứng sinh thì nộp văn bản của người làm chứng.",
        "score": 0.913,
    }]}]})
    hits: list[SearchHit]


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["user", "assistant"]
    content: str

    @field_validator("content")
    @classmethod
    def _encodable(cls, value: str) -> str:
        """Reject a lone UTF-16 surrogate (a JSON escape such as \\ud800), which no model can read."""
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("the message contains a lone UTF-16 surrogate (an escape such as \\ud800 "
                             "without its pair); send valid Unicode text") from None
        return value


class ChatRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"messages": [{"role": "user", "content": "Đăng ký khai sinh cần giấy tờ gì?"}]}]},
    )
    messages: list[ChatMessage] = Field(min_length=1, max_length=50)
    stream: bool = False
    conversation_id: str | None = Field(
        None, max_length=64, description="Continue this conversation of yours; leave out to start a new one."
    )


class ChatResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "answer": "Theo Hướng dẫn đăng ký khai sinh, Điều 5 [1]: «Người yêu cầu nộp tờ khai theo mẫu và giấy "
                  "chứng sinh.»",
        "citations": [CITATION_EXAMPLE],
        "answered": True,
        "mode": "extractive",
        "language": "vi",
        "reasons": [],
        "timings_ms": {"retrieval": 184.6},
        "conversation_id": "3f9c2a71d04e4b6a9e5d8c1b27a6f0e4",
    }]})
    answer: str
    citations: list[CitationModel]
    answered: bool
    mode: Literal["generated", "extractive"]
    language: str
    reasons: list[str]
    timings_ms: dict[str, float]
    conversation_id: str


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
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "text": "Ông <PERSON>, điện thoại <PHONE_NUMBER>",
        "language": "vi",
        "entities": [
            {"type": "PERSON", "start": 4, "end": 17, "score": 0.85, "recognizer": "VnPersonNameRecognizer"},
            {"type": "PHONE_NUMBER", "start": 30, "end": 42, "score": 0.95, "recognizer": "VnPhoneRecognizer"},
        ],
    }]})
    text: str
    language: str
    entities: list[EntityModel]


class ClassifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"text": "TỐI MẬT\n\nKế hoạch"}]})
    text: str = Field(min_length=1, max_length=2_000_000)


class ClassifyResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"level": "TOI_MAT", "allowed": False, "reasons": ['secrecy mark "TỐI MẬT" in body (line 1)']},
        {"level": None, "allowed": True, "reasons": []},
    ]})
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
    model_config = ConfigDict(json_schema_extra={"examples": [{"results": [{
        "path": "quy-trinh-chung-thuc-ban-sao.docx",
        "document_id": "uploads/so-tu-phap/quy-trinh-chung-thuc-ban-sao.docx",
        "status": "indexed",
        "reason": "",
        "chunks": 14,
    }]}]})
    results: list[IngestResultModel]


class HealthResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"status": "ok", "llm_backend": "llamacpp", "embedding_model": "embeddinggemma-300m"},
    ]})
    status: Literal["ok"]
    llm_backend: str
    embedding_model: str = Field(description="Folder name of the embedding model.")


class DocumentModel(BaseModel):
    document_id: str
    title: str
    source: str
    media_type: str
    chunk_count: int
    access: list[str] = Field(description='"public", or the ids of the departments that may read the document.')
    indexed_at: float = Field(description="When the document was indexed, in seconds since 1970-01-01 UTC.")


class DocumentListResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "documents": [{
            "document_id": "so-tu-phap/huong-dan-dang-ky-khai-sinh.docx",
            "title": "Hướng dẫn đăng ký khai sinh",
            "source": "corpus/so-tu-phap/huong-dan-dang-ky-khai-sinh.docx",
            "media_type": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "chunk_count": 18,
            "access": ["public"],
            "indexed_at": 1764745230.52,
        }],
        "total": 37,
        "limit": 1,
        "offset": 0,
        "next_offset": 1,
    }]})
    documents: list[DocumentModel]
    total: int = Field(description="Number of documents the caller may see.")
    limit: int
    offset: int
    next_offset: int | None = Field(description="Offset of the next page, or null on the last page.")


class RemoveDocumentResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"document_id": "uploads/so-tu-phap/quy-trinh-chung-thuc-ban-sao.docx", "removed_chunks": 14},
    ]})
    document_id: str
    removed_chunks: int = Field(description="Number of passages removed with the document.")


# The schema of the JSON response comes from response_model, and this documents the event-stream variant.
CHAT_STREAM_DOC = {200: {
    "description": (
        'The answer as JSON; with "stream": true, server-sent events instead: `progress` with '
        '{"stage": "retrieving"} or {"stage": "generating"}; `token` with {"text": one word of the answer '
        'and its trailing space}, sent only after the whole answer passed its checks; `done` with the '
        'ChatResponse object; `error` with {"detail": message} when answering fails after the stream started.'
    ),
    "content": {"text/event-stream": {
        "schema": {"type": "string"},
        "example": 'event: progress\ndata: {"stage": "retrieving"}\n\nevent: token\ndata: {"text": "Theo "}\n\n'
                   'event: done\ndata: {"answer": "Theo …", "citations": [], "answered": true, "mode": "extractive", '
                   '"language": "vi", "reasons": [], "timings_ms": {"retrieval": 184.6}, '
                   '"conversation_id": "3f9c2a71d04e4b6a9e5d8c1b27a6f0e4"}\n\n',
    }},
}}


def problem(status: int, title: str, detail: str) -> JSONResponse:
    """Return an RFC 9457 problem document."""
    return JSONResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status_code=status,
        media_type="application/problem+json",
    )


def create_app(assistant: Assistant, authenticator: Authenticator | None = None) -> FastAPI:
    """Build the API; without an authenticator, API keys and staff tokens of the data folder are required."""
    app = FastAPI(title="Hà Nội administrative assistant", version="1.0")
    app.state.assistant = assistant
    app.state.token_signer = build_token_signer(assistant.settings)
    app.state.authenticator = authenticator or build_authenticator(assistant, app.state.token_signer)
    app.state.conversations = ConversationStore(assistant.database)
    _install_error_handlers(app)
    install_protections(app, assistant.settings)
    schema_examples.keep_example_nulls(app)
    for group in (auth, conversations, drafts, minutes, routing, feedback):
        app.include_router(group.router)

    @app.middleware("http")
    async def request_log(request: Request, call_next):  # noqa: ANN001, ANN202 - Starlette's signature
        """Give every response an X-Request-ID and log one line per request: no bodies, no text."""
        request_id = _safe_request_id(request.headers.get("x-request-id", "")) or uuid.uuid4().hex
        request.state.request_id = request_id
        context = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        try:
            response = await call_next(request)
            response.headers["X-Request-ID"] = request_id
            log.info("request %s %s %s -> %d in %.0f ms", request_id, request.method, request.url.path,
                     response.status_code, (time.perf_counter() - started) * 1000)
        finally:
            REQUEST_ID.reset(context)
        return response

    @app.get("/healthz", response_model=HealthResponse)
    def healthz() -> dict:
        # Open to all, so no document counts: they would reveal restricted documents.
        return {"status": "ok", "llm_backend": assistant.settings.llm_backend,
                "embedding_model": assistant.settings.embedding_model_path.name}

    @app.get("/", include_in_schema=False)
    def home() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.post("/v1/search", response_model=SearchResponse)
    def search(request: SearchRequest, caller: Caller = Depends(require("search"))) -> dict:
        hits = assistant.index.search(request.query, request.k, request.mode, reader=caller)
        return {"hits": [hit.to_dict() for hit in hits]}

    @app.post("/v1/chat", response_model=ChatResponse, responses=CHAT_STREAM_DOC)
    def chat(body: ChatRequest, request: Request, caller: Caller = Depends(require("chat"))):  # noqa: ANN202
        """Answer from the documents the caller may see; the turn is stored, redacted, in a conversation."""
        messages = [m.model_dump() for m in body.messages]
        recorder = _recorder(app, caller, body, messages, request.state.request_id)
        if body.conversation_id is not None and len(messages) == 1:
            messages = app.state.conversations.history(caller, body.conversation_id) + messages
        service = assistant.chat
        if not body.stream:
            return recorder.record(service.answer(messages, request.state.request_id, reader=caller))
        events = service.events(messages, request.state.request_id, reader=caller)
        return StreamingResponse(_sse(recorder.events(events)), media_type="text/event-stream")

    @app.post("/v1/redact", response_model=RedactResponse)
    def redact(request: RedactRequest, _: Caller = Depends(require("chat"))) -> dict:
        language = request.language or detect_language(request.text)
        result = assistant.redactor.redact(request.text, language)
        entities = [
            {"type": e.type, "start": e.start, "end": e.end, "score": round(e.score, 3), "recognizer": e.recognizer}
            for e in result.entities
        ]
        return {"text": result.text, "language": language, "entities": entities}

    @app.post("/v1/classify", response_model=ClassifyResponse)
    def classify(request: ClassifyRequest, _: Caller = Depends(require("ingest"))) -> dict:
        return _decision(assistant.gate.check_text(request.text, location="body"))

    @app.post("/v1/classify/file", response_model=ClassifyResponse)
    def classify_file(file: UploadFile = File(..., description=UPLOAD_FILE_DOC),
                      _: Caller = Depends(require("ingest"))) -> dict:
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

    @app.get("/v1/documents", response_model=DocumentListResponse)
    def list_documents(limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0),
                       caller: Caller = Depends(require("search"))) -> dict:
        """List the documents the caller may see; `total` counts only those."""
        total, documents = assistant.index.visible_documents(caller, limit, offset)
        following = offset + len(documents)
        return {"documents": documents, "total": total, "limit": limit, "offset": offset,
                "next_offset": following if following < total else None}

    @app.post("/v1/documents", response_model=IngestResponse)
    def upload(file: UploadFile = File(..., description=UPLOAD_FILE_DOC), access: str = Form(PUBLIC, description=(
                   '"public", or department ids separated by commas; without the admin scope only "public" '
                   "or your own department")),
               caller: Caller = Depends(require("ingest"))) -> dict:
        scope = _upload_access(caller, access)
        return {"results": [r.to_dict() for r in _ingest_upload(assistant, file, caller, scope)]}

    @app.delete("/v1/documents/{document_id:path}", response_model=RemoveDocumentResponse)
    def remove(document_id: str, _: Caller = Depends(require("admin"))) -> dict:
        removed = assistant.index.remove(document_id)
        return {"document_id": document_id, "removed_chunks": removed}

    return app


def _safe_request_id(value: str) -> str:
    """Return a caller's request id if it is 1 to 64 ASCII letters, digits, dots, dashes or underscores, else "".

    NOTE: request ids go into logs and the append-only audit log as sent. A name or
    number that a client puts in one stays there, so clients must send opaque ids."""
    return value if re.fullmatch(r"[A-Za-z0-9._\-]{1,64}", value) else ""


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


def _recorder(app: FastAPI, caller: Caller, body: ChatRequest, messages: list[dict],
              request_id: str) -> ConversationRecorder:
    """Return the recorder of this chat turn, after checking that the conversation is the caller's."""
    store: ConversationStore = app.state.conversations
    if body.conversation_id is not None:
        store.check_owner(caller, body.conversation_id)
    assistant: Assistant = app.state.assistant

    def redact(text: str, language: str) -> str:
        return assistant.redactor.redact(text, language).text

    return ConversationRecorder(store, redact, caller, body.conversation_id, messages[-1]["content"], request_id)


def _upload_access(caller: Caller, access: str) -> tuple[str, ...]:
    """Return the upload's access scope; without admin, only public or the caller's own department."""
    scope = parse_access(access)
    if not caller.can("admin") and scope not in ((PUBLIC,), (caller.department,)):
        raise PermissionDeniedError(
            f"this credential may give uploads the access \"public\" or \"{caller.department}\" only; "
            "ask an administrator to upload documents for other departments"
        )
    return scope


def upload_folder(caller: Caller, access: tuple[str, ...]) -> str:
    """Return the department folder an upload is stored in.

    Uploads by a department's callers go to that department's folder. An
    administrator's upload restricted to other departments goes to the folder of
    the first of them. So each department can read every document in its own
    folder, and a name clash never reveals a document hidden from the caller.
    """
    if PUBLIC in access or caller.department in access:
        return caller.department
    return access[0]


def _ingest_upload(assistant: Assistant, upload: UploadFile, caller: Caller, access: tuple[str, ...]):  # noqa: ANN202
    """Ingest an upload; results name the uploaded file, not the server's temporary folder."""
    from guardrails.redaction.names import safe_document_name  # noqa: PLC0415 - loads Presidio

    with _saved_upload(assistant, upload) as saved:
        # File names carry personal data into ids, logs, audit records and citations; the safe name keeps marks.
        path = saved.rename(saved.with_name(safe_document_name(saved.name, assistant.redactor)))
        document_id = f"uploads/{upload_folder(caller, access)}/{path.name}"
        existing = assistant.index.store.access_of(document_id)
        # A department can read every upload in its folder. A document ingested from disk under
        # such an id may be hidden from it, so the upload is rejected rather than replacing it.
        if existing is not None and not caller.may_read(existing):
            raise PermissionDeniedError(f"{document_id} cannot be replaced with this credential; "
                                        "rename the file and upload it again")
        results = assistant.ingest_upload(path, document_id, access)
        folder = str(path.parent) + "/"
        for result in results:
            result.path = result.path.replace(folder, "")
            result.reason = result.reason.replace(folder, "")
        return results


def _sse(events: Iterator[tuple[str, object]]) -> Iterator[str]:
    """Format chat events as server-sent events. The answer goes out in word pieces
    after it passed its checks, so no unchecked text reaches the reader."""
    return stream_events(events, _render_chat_event, "chat",
                         "the assistant failed while answering; try again or contact the administrator")


def _render_chat_event(event: str, data: object) -> Iterator[tuple[str, dict]]:
    if event == "progress":
        yield "progress", {"stage": data}
        return
    result = data.to_dict()  # type: ignore[attr-defined]
    for piece in re.findall(r"\S+\s*", result["answer"]):
        yield "token", {"text": piece}
    yield "done", result


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(Exception)
    def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # The message of an unexpected error may quote the request, so only its type and frames are logged.
        frames = "".join(traceback.format_tb(exc.__traceback__)[-3:])
        log.error("unexpected %s on %s %s; last frames:\n%s", type(exc).__name__, request.method, request.url.path,
                  frames)
        return problem(500, "Internal error", "the assistant failed on this request; try again, and if it "
                       f"fails again give the administrator the request id {getattr(request.state, 'request_id', '-')}")

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
