"""POST /v1/route: scope, gate, limits, pseudonymisation, audit, and a run over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.access import Caller, FixedAuthenticator
from assistant.api import create_app
from tests.conftest import served_in_thread

pytestmark = pytest.mark.slow

ROUTER = Caller("router-tester", "so-tu-phap", frozenset({"route"}))
CHAT_ONLY = Caller("chat-tester", "so-tu-phap", frozenset({"chat"}))
REQUEST = {
    "text": "Bà Trần Thị Hoa, số 0987 654 321, báo cống thoát nước ngõ 9 bị tắc, nước tràn ra đường",
    "channel": "app",
    "location": "phường Láng",
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory, redactor):  # noqa: ANN001, ANN201
    from assistant.service import Assistant
    from assistant.settings import Settings

    built = Assistant(Settings(data_dir=tmp_path_factory.mktemp("route-api"), llm_backend="none"),
                      use_configured_llm=False)
    built._redactor = redactor
    return built


@pytest.fixture(scope="module")
def client(assistant) -> TestClient:  # noqa: ANN001
    return TestClient(create_app(assistant, FixedAuthenticator(ROUTER)))


def test_route_returns_decision(client: TestClient):
    response = client.post("/v1/route", json=REQUEST)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["department"] == "so-xay-dung"
    assert body["department_name"] == "Sở Xây dựng"
    assert body["urgency"] in ("urgent", "complex", "normal")
    assert 0 < body["confidence"] <= 1
    assert [a["department"] for a in body["alternatives"]][0] == "so-xay-dung"
    assert isinstance(body["needs_review"], bool)
    assert "Hoa" not in " ".join(body["reasons"])


def test_route_audited_without_text(client: TestClient, assistant):  # noqa: ANN001
    response = client.post("/v1/route", json=REQUEST, headers={"X-Request-ID": "route-audit-1"})
    assert response.status_code == 200, response.text
    records = [r for r in assistant.audit.records(limit=50, action="route") if r["subject_id"] == "route-audit-1"]
    assert len(records) == 1
    record = records[0]
    assert record["decision"] == "so-xay-dung"
    assert any(reason.startswith("confidence ") for reason in record["reasons"])
    assert "channel app" in record["reasons"]
    assert record["entity_counts"].get("PERSON") == 1
    assert record["entity_counts"].get("PHONE_NUMBER") == 1
    stored = str(record)
    assert "Hoa" not in stored
    assert "0987" not in stored
    assert "cống" not in stored


INVALID = [
    ("empty text", {"text": ""}, 422),
    ("text too long", {"text": "đường hỏng " * 1000}, 422),
    ("unknown field", {"text": "Đèn đường hỏng", "priority": "high"}, 422),
    ("bad channel", {"text": "Đèn đường hỏng", "channel": "<script>"}, 422),
    ("secrecy mark", {"text": "TỐI MẬT\nKế hoạch sửa chữa đường ống"}, 422),
    ("secrecy mark in location", {"text": "Đèn đường hỏng", "location": "MẬT"}, 422),
]


@pytest.mark.parametrize("case, body, status", INVALID, ids=[c[0] for c in INVALID])
def test_invalid_request_rejected(client: TestClient, case: str, body: dict, status: int):
    response = client.post("/v1/route", json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_gate_rejection_named(client: TestClient):
    response = client.post("/v1/route", json={"text": "TỐI MẬT\nKế hoạch sửa chữa đường ống"})
    assert response.json()["title"] == "Rejected by the classification gate"


def test_route_needs_route_scope(assistant):  # noqa: ANN001
    denied = TestClient(create_app(assistant, FixedAuthenticator(CHAT_ONLY)))
    response = denied.post("/v1/route", json=REQUEST)
    assert response.status_code == 403
    assert "'route' scope" in response.json()["detail"]


@pytest.fixture(scope="module")
def http_server(assistant) -> Iterator[str]:  # noqa: ANN001
    """The app served by uvicorn on a free loopback port, in a thread of this process."""
    with served_in_thread(create_app(assistant, FixedAuthenticator(ROUTER))) as url:
        yield url


REAL_HTTP_CASES = [
    ("Cả tòa chung cư mất nước từ hôm qua, người già không có nước sinh hoạt", "urgent"),
    ("Xin hỏi thủ tục cấp phiếu lý lịch tư pháp cho người đang ở nước ngoài", "normal"),
]


@pytest.mark.parametrize("text, urgency", REAL_HTTP_CASES)
def test_route_over_real_http(http_server: str, text: str, urgency: str, tmp_path: Path):
    with httpx.Client(base_url=http_server, timeout=300) as http:
        response = http.post("/v1/route", json={"text": text, "channel": "hotline"})
    assert response.status_code == 200, response.text
    assert response.json()["urgency"] == urgency
    assert response.headers["x-request-id"]
