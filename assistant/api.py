"""The HTTP API: search, chat, document upload and a page to try them."""

from __future__ import annotations

import json
import logging
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from fastapi import FastAPI, File, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from assistant.errors import (
    AssistantError,
    DocumentNotFoundError,
    GateRejection,
    InputError,
    LLMError,
    ModelNotFoundError,
)
from assistant.service import Assistant

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
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


def create_app(assistant: Assistant) -> FastAPI:
    app = FastAPI(title="Hà Nội administrative assistant", version="1.0")
    app.state.assistant = assistant
    _install_error_handlers(app)

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
    def chat(request: ChatRequest):  # noqa: ANN202 - JSON or a stream
        messages = [m.model_dump() for m in request.messages]
        service = assistant.chat
        if not request.stream:
            return service.answer(messages).to_dict()
        events = service.events(messages)
        return StreamingResponse(_sse(events), media_type="text/event-stream")

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


def _ingest_upload(assistant: Assistant, upload: UploadFile):  # noqa: ANN202
    name = _UNSAFE_NAME.sub("_", Path(upload.filename or "").name).strip("._")
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
        return assistant.ingest_upload(path, f"uploads/{name}")


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
        details = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        return problem(422, "Invalid request", details)
