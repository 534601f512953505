"""The OpenAPI document: every endpoint under /v1 with a named request and
response model, every model with an example that validates against it, the
event-stream variants described, and list endpoints that paginate.

The examples are also compared with real responses of the endpoints that run
without the embedding model, so an example cannot drift from the JSON the
server sends.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import BaseModel

from assistant.access import Caller, FixedAuthenticator
from assistant.api import (
    ChatRequest,
    ChatResponse,
    ClassifyRequest,
    ClassifyResponse,
    DocumentListResponse,
    HealthResponse,
    IngestResponse,
    RedactRequest,
    RedactResponse,
    RemoveDocumentResponse,
    SearchRequest,
    SearchResponse,
    create_app,
)
from assistant.chat import ChatResult, Citation
from assistant.drafting.models import DraftList, DraftRequest, StoredDraft, VersionRequest
from assistant.routes.auth import DemoLoginRequest, DemoLoginResponse, DepartmentModel, TokenRequest, TokenResponse
from assistant.routes.conversations import ConversationDetail, ConversationList
from assistant.routes.feedback import FeedbackRequest, FeedbackResponse, PassageResponse
from assistant.routes.minutes import MinutesDraftRequest, MinutesRequest, MinutesResponse
from assistant.routes.routing import RouteRequest, RouteResponse
from assistant.service import Assistant
from assistant.settings import Settings
from retrieval.documents import Block, Chunk, ParsedDocument
from retrieval.store import PendingDocument
from tests.conftest import served_in_thread

ALL_SCOPES = frozenset({"chat", "search", "draft", "minutes", "route", "ingest", "admin", "eval"})
CALLER = Caller("key:4f1a9c02d7e3", "so-tu-phap", ALL_SCOPES)
JSON = "application/json"
EVENTS = "text/event-stream"
MULTIPART = "multipart/form-data"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Paths outside /v1: the health check, the home page, the widget and its demo page,
# and FastAPI's documentation pages.
UNVERSIONED = {"/healthz", "/", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json", "/widget.js", "/demo"}

# (method, path): (request body, {media type of the 2xx response: its schema}).
# A body is a JSON model, MULTIPART or None. A schema is a model, [model] for an
# array of that model, or str for text and files.
ENDPOINTS: dict[tuple[str, str], tuple[type[BaseModel] | str | None, dict[str, object]]] = {
    ("get", "/healthz"): (None, {JSON: HealthResponse}),
    ("post", "/v1/auth/token"): (TokenRequest, {JSON: TokenResponse}),
    ("post", "/v1/auth/demo-login"): (DemoLoginRequest, {JSON: DemoLoginResponse}),
    ("get", "/v1/auth/departments"): (None, {JSON: [DepartmentModel]}),
    ("get", "/v1/conversations"): (None, {JSON: ConversationList}),
    ("get", "/v1/conversations/{conversation_id}"): (None, {JSON: ConversationDetail}),
    ("post", "/v1/drafts"): (DraftRequest, {JSON: StoredDraft}),
    ("get", "/v1/drafts"): (None, {JSON: DraftList}),
    ("post", "/v1/drafts/{draft_id}/versions"): (VersionRequest, {JSON: StoredDraft}),
    ("get", "/v1/drafts/{draft_id}"): (None, {JSON: StoredDraft}),
    ("get", "/v1/drafts/{draft_id}.md"): (None, {"text/markdown": str}),
    ("get", "/v1/drafts/{draft_id}.docx"): (None, {DOCX: str}),
    ("post", "/v1/minutes"): (MinutesRequest, {JSON: MinutesResponse, EVENTS: str}),
    ("post", "/v1/minutes/file"): (MULTIPART, {JSON: MinutesResponse, EVENTS: str}),
    ("post", "/v1/minutes/draft"): (MinutesDraftRequest, {JSON: StoredDraft}),
    ("post", "/v1/route"): (RouteRequest, {JSON: RouteResponse}),
    ("post", "/v1/feedback"): (FeedbackRequest, {JSON: FeedbackResponse}),
    ("get", "/v1/passages/{chunk_id}"): (None, {JSON: PassageResponse}),
    ("post", "/v1/search"): (SearchRequest, {JSON: SearchResponse}),
    ("post", "/v1/chat"): (ChatRequest, {JSON: ChatResponse, EVENTS: str}),
    ("post", "/v1/redact"): (RedactRequest, {JSON: RedactResponse}),
    ("post", "/v1/classify"): (ClassifyRequest, {JSON: ClassifyResponse}),
    ("post", "/v1/classify/file"): (MULTIPART, {JSON: ClassifyResponse}),
    ("get", "/v1/documents"): (None, {JSON: DocumentListResponse}),
    ("post", "/v1/documents"): (MULTIPART, {JSON: IngestResponse}),
    ("delete", "/v1/documents/{document_id}"): (None, {JSON: RemoveDocumentResponse}),
}

# The events each streaming endpoint sends. Its 200 description must name each one as `name`.
STREAM_EVENTS = {
    ("post", "/v1/chat"): ["progress", "token", "done", "error"],
    ("post", "/v1/minutes"): ["progress", "done", "error"],
    ("post", "/v1/minutes/file"): ["progress", "done", "error"],
}

# A document stored for the test of DELETE /v1/documents/{document_id}.
REMOVABLE = "so-tu-phap/lich-tiep-cong-dan-cu.md"

# NOTE: GET /v1/auth/departments returns the whole fixed list of departments, without pages.
LIST_ENDPOINTS = {
    "/v1/documents": (DocumentListResponse, "documents"),
    "/v1/conversations": (ConversationList, "conversations"),
    "/v1/drafts": (DraftList, "drafts"),
}


def _models() -> list[type[BaseModel]]:
    """Return every JSON request and response model of the table, each once."""
    found: list[type[BaseModel]] = []
    for body, responses in ENDPOINTS.values():
        schemas = [body, *responses.values()]
        for schema in schemas:
            model = schema[0] if isinstance(schema, list) else schema
            if isinstance(model, type) and issubclass(model, BaseModel) and model not in found:
                found.append(model)
    return found


def _examples(model: type[BaseModel]) -> list[dict]:
    """Return the examples as the model declares them, keys in the order written."""
    extra = model.model_config.get("json_schema_extra")
    return list(extra.get("examples", [])) if isinstance(extra, dict) else []


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory, redactor) -> Assistant:  # noqa: ANN001
    """An assistant without a language model. Nothing in this module loads the embedding model.

    Drafts, feedback and /v1/redact need Presidio, so the session's redactor is reused."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("openapi-data"), llm_backend="none")
    built = Assistant(settings, use_configured_llm=False)
    built._redactor = redactor
    return built


@pytest.fixture(scope="module")
def app(assistant: Assistant) -> FastAPI:
    return create_app(assistant, FixedAuthenticator(CALLER))


@pytest.fixture(scope="module")
def spec(app: FastAPI) -> dict:
    return app.openapi()


@pytest.fixture(scope="module")
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


def _operation(spec: dict, method: str, path: str) -> dict:
    return spec["paths"][path][method]


def _success(operation: dict) -> dict:
    """Return the operation's one 2xx response."""
    found = [response for code, response in operation["responses"].items() if code.startswith("2")]
    assert len(found) == 1, f"expected one 2xx response, found {len(found)}"
    return found[0]


def _ref_name(schema: dict) -> str | None:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None


def _resolve(spec: dict, schema: dict) -> dict:
    name = _ref_name(schema)
    return spec["components"]["schemas"][name] if name else schema


def test_table_lists_every_operation(spec: dict) -> None:
    documented = {(method, path) for path, operations in spec["paths"].items() for method in operations}
    assert documented - set(ENDPOINTS) == set(), "operations missing from ENDPOINTS"
    assert set(ENDPOINTS) - documented == set(), "ENDPOINTS lists operations the API does not have"


def test_paths_versioned_under_v1(app: FastAPI) -> None:
    # NOTE: iter_route_contexts flattens included routers in FastAPI 0.165, and app.routes lists them unexpanded.
    paths = {context.path for context in iter_route_contexts(app.routes)}
    outside = {path for path in paths if not path.startswith("/v1/")}
    assert outside <= UNVERSIONED
    assert "/healthz" in outside


@pytest.mark.parametrize(("method", "path"), list(ENDPOINTS), ids=[f"{m} {p}" for m, p in ENDPOINTS])
def test_response_is_named_model(spec: dict, method: str, path: str) -> None:
    content = _success(_operation(spec, method, path)).get("content", {})
    expected = ENDPOINTS[method, path][1]
    assert sorted(content) == sorted(expected)
    for media_type, schema in expected.items():
        documented = content[media_type]["schema"]
        if schema is str:
            assert documented.get("type") == "string", media_type
        elif isinstance(schema, list):
            assert documented.get("type") == "array", media_type
            assert _ref_name(documented["items"]) == schema[0].__name__
        else:
            assert _ref_name(documented) == schema.__name__, media_type


@pytest.mark.parametrize(("method", "path"), list(ENDPOINTS), ids=[f"{m} {p}" for m, p in ENDPOINTS])
def test_request_body_is_documented(spec: dict, method: str, path: str) -> None:
    body = ENDPOINTS[method, path][0]
    operation = _operation(spec, method, path)
    if body is None:
        assert "requestBody" not in operation
        return
    content = operation["requestBody"]["content"]
    if body == MULTIPART:
        assert list(content) == [MULTIPART]
        form = _resolve(spec, content[MULTIPART]["schema"])
        undocumented = [name for name, field in form["properties"].items() if not field.get("description")]
        assert undocumented == [], "form fields without a description"
        assert "file" in form["required"]
        return
    assert list(content) == [JSON]
    assert _ref_name(content[JSON]["schema"]) == body.__name__


@pytest.mark.parametrize("model", _models(), ids=lambda model: model.__name__)
def test_model_has_example_in_document(spec: dict, model: type[BaseModel]) -> None:
    documented = spec["components"]["schemas"][model.__name__]
    assert documented.get("examples"), f"{model.__name__} has no example"
    assert documented["examples"] == _examples(model)


@pytest.mark.parametrize("model", _models(), ids=lambda model: model.__name__)
def test_examples_validate_against_model(model: type[BaseModel]) -> None:
    for example in _examples(model):
        parsed = model.model_validate(example)
        # The dump drops keys the model does not have, so a misspelt key shows up as a difference.
        assert parsed.model_dump(mode="json", exclude_unset=True) == example


@pytest.mark.parametrize(("method", "path"), list(STREAM_EVENTS), ids=[f"{m} {p}" for m, p in STREAM_EVENTS])
def test_stream_events_described(spec: dict, method: str, path: str) -> None:
    response = _success(_operation(spec, method, path))
    missing = [event for event in STREAM_EVENTS[method, path] if f"`{event}`" not in response["description"]]
    assert missing == []
    assert response["content"][EVENTS].get("example", "").startswith("event: progress\n")


@pytest.mark.parametrize("path", list(LIST_ENDPOINTS))
def test_list_endpoint_documents_paging(spec: dict, path: str) -> None:
    parameters = {p["name"] for p in _operation(spec, "get", path)["parameters"] if p["in"] == "query"}
    assert {"limit", "offset"} <= parameters
    fields = set(LIST_ENDPOINTS[path][0].model_fields)
    assert {"limit", "offset", "total", "next_offset"} <= fields


def _store_document(assistant: Assistant, document_id: str) -> None:
    text = "Lịch tiếp công dân của Sở Tư pháp vào sáng thứ Năm hằng tuần."
    parsed = ParsedDocument(document_id, "Lịch tiếp công dân", [Block(text)], source=document_id,
                            content_hash=document_id, media_type="text/markdown", metadata={"access": "public"})
    chunk = Chunk(document_id, 0, text, "Lịch tiếp công dân", locator="Mục 1", page=None)
    assistant.index.store.write([PendingDocument(parsed, [chunk], [text.lower().split()],
                                                 np.zeros((1, 4), dtype=np.float32))])


@pytest.fixture(scope="module")
def two_of_each(assistant: Assistant, app: FastAPI, client: TestClient) -> None:
    """Store two documents, two conversations and two drafts, so each list has two pages of one,
    and one more document for the test of DELETE."""
    _store_document(assistant, REMOVABLE)
    for n in (1, 2):
        _store_document(assistant, f"so-tu-phap/lich-tiep-cong-dan-{n}.md")
        result = ChatResult("Theo Lịch tiếp công dân, Mục 1 [1]: «Sáng thứ Năm.»",
                            [Citation(1, "so-tu-phap/lich-tiep-cong-dan-1.md", "Lịch tiếp công dân", "Mục 1",
                                      "Sáng thứ Năm.", 1)], True, "extractive", "vi")
        app.state.conversations.append(CALLER, None, "Sở tiếp công dân ngày nào?", result)
        created = client.post("/v1/drafts", json=_examples(DraftRequest)[0])
        assert created.status_code == 200, created.text


@pytest.mark.parametrize("path", list(LIST_ENDPOINTS))
def test_list_endpoint_pages(client: TestClient, two_of_each: None, path: str) -> None:
    items = LIST_ENDPOINTS[path][1]
    seen: list[dict] = []
    offset: int | None = 0
    for _ in range(20):
        page = client.get(path, params={"limit": 1, "offset": offset}).json()
        assert page["offset"] == offset
        assert len(page[items]) == 1
        seen.append(page[items][0])
        offset = page["next_offset"]
        if offset is None:
            break
        assert offset == len(seen)
    assert offset is None, "next_offset never became null"
    assert page["total"] >= 2
    assert len(seen) == page["total"]
    assert len({str(item) for item in seen}) == len(seen)


def _keys(value: object) -> object:
    """Return the nested key order of a JSON value; a list counts by its first item."""
    if isinstance(value, dict):
        return [(key, _keys(item)) for key, item in value.items()]
    if isinstance(value, list) and value:
        return [_keys(value[0])]
    return None


def _same_keys(real: object, example: object) -> bool:
    """Compare two JSON values key by key, skipping lists that are empty in either one."""
    if isinstance(real, dict) and isinstance(example, dict):
        return list(real) == list(example) and all(_same_keys(real[key], example[key]) for key in real)
    if isinstance(real, list) and isinstance(example, list):
        return not real or not example or _same_keys(real[0], example[0])
    return True


# (method, path, request body, response model) of the endpoints that run without the embedding model.
REAL_RESPONSES = [
    ("get", "/healthz", None, HealthResponse),
    ("get", "/v1/documents", None, DocumentListResponse),
    ("delete", f"/v1/documents/{REMOVABLE}", None, RemoveDocumentResponse),
    ("get", "/v1/conversations", None, ConversationList),
    ("get", "/v1/drafts", None, DraftList),
    ("post", "/v1/drafts", _examples(DraftRequest)[0], StoredDraft),
    ("post", "/v1/minutes", _examples(MinutesRequest)[0], MinutesResponse),
    ("post", "/v1/minutes/draft", _examples(MinutesDraftRequest)[0], StoredDraft),
    ("post", "/v1/classify", _examples(ClassifyRequest)[0], ClassifyResponse),
    ("post", "/v1/auth/token", _examples(TokenRequest)[0], TokenResponse),
]


@pytest.mark.parametrize(("method", "path", "body", "model"), REAL_RESPONSES,
                         ids=[f"{m} {p}" for m, p, _, _ in REAL_RESPONSES])
def test_example_matches_real_response(client: TestClient, two_of_each: None, method: str, path: str,
                                       body: dict | None, model: type[BaseModel]) -> None:
    response = client.request(method, path, json=body)
    assert response.status_code == 200, response.text
    example = _examples(model)[0]
    assert _same_keys(response.json(), example), f"real {_keys(response.json())}\nexample {_keys(example)}"


def test_departments_example_matches_real(client: TestClient) -> None:
    listed = client.get("/v1/auth/departments").json()
    assert _examples(DepartmentModel)[0] in listed


def test_redact_and_feedback_examples_match_real(client: TestClient) -> None:
    redacted = client.post("/v1/redact", json=_examples(RedactRequest)[0])
    assert redacted.status_code == 200, redacted.text
    assert redacted.json() == _examples(RedactResponse)[0]
    rated = client.post("/v1/feedback", json=_examples(FeedbackRequest)[0])
    assert rated.status_code == 201, rated.text
    assert _same_keys(rated.json(), _examples(FeedbackResponse)[0])


def test_document_and_docs_served_over_http(app: FastAPI, spec: dict) -> None:
    with served_in_thread(app) as url:
        document = httpx.get(f"{url}/openapi.json", timeout=30)
        docs = httpx.get(f"{url}/docs", timeout=30)
    assert document.status_code == 200
    assert document.json()["paths"].keys() == spec["paths"].keys()
    assert document.json()["components"]["schemas"]["StoredDraft"]["examples"] == _examples(StoredDraft)
    assert docs.status_code == 200
    assert "/openapi.json" in docs.text
