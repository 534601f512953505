"""The widget's endpoints through FastAPI's TestClient: the script and demo page,
feedback storage and the cited-passage lookup with document access scopes.

The browser tests in tests/browser/test_widget.py cover the same endpoints over real HTTP.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from sqlalchemy import text

from assistant.access import AuthenticationError, Caller, FixedAuthenticator
from assistant.api import create_app
from assistant.service import Assistant
from assistant.settings import Settings
from retrieval.documents import Block, Chunk, ParsedDocument
from retrieval.store import PendingDocument

PUBLIC_DOC = "bundled/vi/huong-dan-thu-nghiem.md"
HEALTH_DOC = "restricted/so-y-te/ke-hoach-noi-bo.md"
PUBLIC_TEXT = "Hồ sơ đăng ký được tiếp nhận tại bộ phận một cửa trong giờ hành chính."
HEALTH_TEXT = "Danh sách trạm y tế tham gia đợt kiểm tra nội bộ tháng 5."


class RejectingAuthenticator:
    """Reject every credential, to show which endpoints need none."""

    def authenticate(self, request: Request) -> Caller:
        raise AuthenticationError("no credential accepted in this test")


def staff(*scopes: str, department: str = "so-tu-phap") -> Caller:
    return Caller("staff:le.van.binh@" + department, department, frozenset(scopes), kind="token")


def _document(document_id: str, title: str, body: str, access: str) -> PendingDocument:
    parsed = ParsedDocument(document_id, title, [Block(body)], source=document_id, content_hash=document_id,
                            media_type="text/markdown", metadata={"access": access})
    chunk = Chunk(document_id, 0, body, title, locator="Mục 2", page=3)
    return PendingDocument(parsed, [chunk], [body.lower().split()], np.zeros((1, 4), dtype=np.float32))


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory, redactor) -> Assistant:
    """An assistant over two stored documents, one public and one for the health department only.

    Nothing here loads the embedding model: the passages are read from the chunk store."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("widget-data"), llm_backend="none")
    built = Assistant(settings, use_configured_llm=False)
    built._redactor = redactor  # reuse the session's Presidio instead of loading a second one
    store = built.index.store
    store.write([
        _document(PUBLIC_DOC, "Hướng dẫn thử nghiệm", PUBLIC_TEXT, "public"),
        _document(HEALTH_DOC, "Kế hoạch nội bộ Sở Y tế", HEALTH_TEXT, "so-y-te"),
    ])
    store.set_access(HEALTH_DOC, ("so-y-te",))
    return built


def client(assistant: Assistant, caller: Caller | None) -> TestClient:
    authenticator = FixedAuthenticator(caller) if caller else RejectingAuthenticator()
    return TestClient(create_app(assistant, authenticator))


def chunk_id_of(assistant: Assistant, document_id: str) -> int:
    return next(chunk_id for chunk_id, _, _, doc in assistant.index.store.all_chunks() if doc == document_id)


def feedback_rows(assistant: Assistant) -> list[dict]:
    from assistant.routes.feedback import COMPONENT, MIGRATIONS

    assistant.database.migrate(COMPONENT, MIGRATIONS)
    with assistant.database.transaction() as conn:
        return [dict(row._mapping) for row in conn.execute(text("SELECT * FROM feedback_ratings ORDER BY id"))]


# ---------- the script and the demo page ----------


def test_widget_script_needs_no_credential(assistant: Assistant) -> None:
    response = client(assistant, None).get("/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cross-origin-resource-policy"] == "cross-origin"
    assert "etag" in response.headers
    assert "attachShadow" in response.text


def test_demo_page_lists_departments(assistant: Assistant) -> None:
    response = client(assistant, None).get("/demo")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert '<script src="/widget.js"' in response.text
    assert '<option value="so-tu-phap">' in response.text
    assert "<!--DEPARTMENT_OPTIONS-->" not in response.text


# ---------- POST /v1/feedback ----------

VALID_FEEDBACK = [
    ({"message_index": 1, "rating": "up"}, None),
    ({"conversation_id": "c-7d1e", "message_index": 3, "rating": "down", "comment": "Thiếu thời hạn giải quyết",
      "answer_mode": "extractive"}, "Thiếu thời hạn giải quyết"),
    ({"message_index": 5, "rating": "down", "comment": "   "}, None),
]


@pytest.mark.parametrize(("body", "stored_comment"), VALID_FEEDBACK)
def test_feedback_stored(assistant: Assistant, body: dict, stored_comment: str | None) -> None:
    before = len(feedback_rows(assistant))
    response = client(assistant, staff("chat")).post("/v1/feedback", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["stored"] is True
    rows = feedback_rows(assistant)
    assert len(rows) == before + 1
    row = rows[-1]
    assert row["id"] == response.json()["id"]
    assert row["principal"] == "staff:le.van.binh@so-tu-phap"
    assert row["department"] == "so-tu-phap"
    assert row["request_id"] == response.headers["x-request-id"]
    assert row["rating"] == body["rating"]
    assert row["message_index"] == body["message_index"]
    assert row["conversation_id"] == body.get("conversation_id")
    assert row["answer_mode"] == body.get("answer_mode")
    assert row["comment"] == stored_comment
    assert row["created_at"].endswith("+00:00")


INVALID_FEEDBACK = [
    ({"message_index": 1, "rating": "meh"}, 422, "rating"),
    ({"message_index": -1, "rating": "up"}, 422, "message_index"),
    ({"rating": "up"}, 422, "message_index"),
    ({"conversation_id": "two words", "message_index": 1, "rating": "up"}, 422, "conversation_id"),
    ({"message_index": 1, "rating": "up", "comment": "x" * 2001}, 422, "comment"),
    ({"message_index": 1, "rating": "up", "answer_mode": "guessed"}, 422, "answer_mode"),
    ({"message_index": 1, "rating": "up", "question": "Thủ tục khai sinh?"}, 422, "question"),
    ({"message_index": 1, "rating": "down", "comment": "TỐI MẬT\n\nDanh sách cán bộ đi công tác"}, 422,
     "classification gate"),
    ({"message_index": 1, "rating": "down", "comment": "[CONFIDENTIAL] budget figures"}, 422, "classification gate"),
]


@pytest.mark.parametrize(("body", "status", "named"), INVALID_FEEDBACK)
def test_feedback_rejected(assistant: Assistant, body: dict, status: int, named: str) -> None:
    before = len(feedback_rows(assistant))
    response = client(assistant, staff("chat")).post("/v1/feedback", json=body)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert named in response.json()["detail"]
    assert len(feedback_rows(assistant)) == before


def test_feedback_comment_loses_personal_data(assistant: Assistant) -> None:
    comment = "Ông Nguyễn Văn Hùng, số điện thoại 0912 345 678, chưa nhận được hướng dẫn"
    response = client(assistant, staff("chat")).post(
        "/v1/feedback", json={"message_index": 1, "rating": "down", "comment": comment})
    assert response.status_code == 201
    stored = feedback_rows(assistant)[-1]["comment"]
    assert "0912 345 678" not in stored
    assert "Hùng" not in stored
    assert "chưa nhận được hướng dẫn" in stored


def test_feedback_audit_has_no_text(assistant: Assistant) -> None:
    response = client(assistant, staff("chat")).post(
        "/v1/feedback", json={"message_index": 2, "rating": "down", "comment": "Câu trả lời thiếu biểu mẫu"})
    assert response.status_code == 201
    request_id = response.headers["x-request-id"]
    records = [r for r in assistant.audit.records(limit=1000, action="feedback_gate") if r["subject_id"] == request_id]
    assert [r["decision"] for r in records] == ["allowed"]
    assert "biểu mẫu" not in repr(records)


@pytest.mark.parametrize(
    ("caller", "status"),
    [(staff("chat"), 201), (staff("admin"), 201), (staff("search"), 403), (staff("draft", "minutes"), 403)],
)
def test_feedback_needs_chat_scope(assistant: Assistant, caller: Caller, status: int) -> None:
    response = client(assistant, caller).post("/v1/feedback", json={"message_index": 1, "rating": "up"})
    assert response.status_code == status


def test_feedback_without_credential(assistant: Assistant) -> None:
    response = client(assistant, None).post("/v1/feedback", json={"message_index": 1, "rating": "up"})
    assert response.status_code == 401


def test_feedback_migration_runs_once(assistant: Assistant) -> None:
    from assistant.routes.feedback import COMPONENT, MIGRATIONS

    client(assistant, staff("chat")).post("/v1/feedback", json={"message_index": 1, "rating": "up"})
    assert assistant.database.schema_version(COMPONENT) == len(MIGRATIONS)
    assert assistant.database.migrate(COMPONENT, MIGRATIONS) == 0


# ---------- GET /v1/passages/{chunk_id} ----------

PASSAGE_CASES = [
    ("public, chat scope", staff("chat"), PUBLIC_DOC, 200),
    ("public, search scope", staff("search"), PUBLIC_DOC, 200),
    ("public, no chat or search", staff("draft"), PUBLIC_DOC, 403),
    ("restricted, other department", staff("chat"), HEALTH_DOC, 404),
    ("restricted, own department", staff("chat", department="so-y-te"), HEALTH_DOC, 200),
    ("restricted, admin", staff("admin"), HEALTH_DOC, 200),
]


@pytest.mark.parametrize(("case", "caller", "document_id", "status"), PASSAGE_CASES, ids=[c[0] for c in PASSAGE_CASES])
def test_passage_access(assistant: Assistant, case: str, caller: Caller, document_id: str, status: int) -> None:
    chunk_id = chunk_id_of(assistant, document_id)
    response = client(assistant, caller).get(f"/v1/passages/{chunk_id}")
    assert response.status_code == status, response.text
    if status == 200:
        body = response.json()
        assert body["chunk_id"] == chunk_id
        assert body["document_id"] == document_id
        assert body["locator"] == "Mục 2"
        assert body["page"] == 3
        assert body["text"] in (PUBLIC_TEXT, HEALTH_TEXT)
    if status == 404:
        assert HEALTH_TEXT not in response.text
        assert "Kế hoạch nội bộ" not in response.text


@pytest.mark.parametrize(("path", "status"), [("/v1/passages/999999", 404), ("/v1/passages/0", 422),
                                              ("/v1/passages/abc", 422)])
def test_passage_bad_ids(assistant: Assistant, path: str, status: int) -> None:
    response = client(assistant, staff("chat")).get(path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


def test_passage_without_credential(assistant: Assistant) -> None:
    response = client(assistant, None).get(f"/v1/passages/{chunk_id_of(assistant, PUBLIC_DOC)}")
    assert response.status_code == 401
