"""Errors through FastAPI's TestClient: invalid text, unexpected failures and request ids."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from assistant.access import Caller, FixedAuthenticator
from assistant.api import create_app
from assistant.service import Assistant
from assistant.settings import Settings

PERSONAL_TEXT = "Nguyễn Văn An 0912345678"
STAFF = Caller("staff:nv-1@so-tu-phap", "so-tu-phap", frozenset({"chat", "search"}), kind="token")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201 - FastAPI
    settings = Settings(data_dir=tmp_path_factory.mktemp("errors-data"), llm_backend="none")
    built = create_app(Assistant(settings, use_configured_llm=False), FixedAuthenticator(STAFF))

    @built.get("/test-failure")
    def fail() -> None:
        raise RuntimeError(PERSONAL_TEXT)

    return built


@pytest.mark.parametrize("content", ["\ud800 khai sinh", "khai sinh \udfff", "\udc00"])
def test_chat_rejects_lone_surrogate(app, content: str) -> None:  # noqa: ANN001
    # json.dumps escapes the surrogate as \\udXXX, as a client's JSON encoder would.
    body = json.dumps({"messages": [{"role": "user", "content": content}]})
    response = TestClient(app).post("/v1/chat", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "lone UTF-16 surrogate" in response.json()["detail"]


def test_unexpected_error_is_problem_without_text(app, caplog: pytest.LogCaptureFixture) -> None:  # noqa: ANN001
    caplog.set_level(logging.INFO)
    response = TestClient(app, raise_server_exceptions=False).get("/test-failure", headers={"X-Request-ID": "t-500"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "t-500" in response.json()["detail"]
    assert "Nguyễn" not in response.text
    assert "unexpected RuntimeError on GET /test-failure" in caplog.text
    assert "Nguyễn" not in caplog.text
    assert "0912345678" not in caplog.text


# request id sent -> request id used (None: the server makes one)
REQUEST_IDS = [("kiem-tra-42", "kiem-tra-42"), ("route.audit_1", "route.audit_1"), ("Nguyễn-An", None),
               ("a" * 65, None), ("có dấu cách", None), ("", None)]


@pytest.mark.parametrize(("sent", "used"), REQUEST_IDS)
def test_request_id_kept_only_when_plain(app, sent: str, used: str | None) -> None:  # noqa: ANN001
    headers = {"X-Request-ID": sent.encode()} if sent else {}
    response = TestClient(app).get("/v1/documents", headers=headers)
    assert response.status_code == 200
    if used is None:
        assert len(response.headers["x-request-id"]) == 32
    else:
        assert response.headers["x-request-id"] == used
