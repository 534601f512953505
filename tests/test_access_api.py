"""Access control through the API (FastAPI's TestClient, real embedding model and
Presidio): the permission matrix, document scopes, staff tokens, rate limits,
CORS, body limits, conversations and persistence across restarts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.access import EVAL_SCOPES, SCOPES
from assistant.api import create_app
from assistant.auth.keys import KeyStore
from assistant.components import build_ingestor
from assistant.service import Assistant
from assistant.settings import Settings
from retrieval.access import UNRESTRICTED

pytestmark = pytest.mark.slow

PUBLIC_DOC = """# Lịch tiếp công dân

Bộ phận một cửa tiếp công dân từ thứ Hai đến thứ Sáu, buổi sáng từ 8 giờ đến 11 giờ 30.
Công dân mang theo căn cước khi đến nộp hồ sơ đăng ký khai sinh.
"""
JUSTICE_DOC = """# Kế hoạch kiểm tra tổ chức hành nghề công chứng

Sở Tư pháp kiểm tra đột xuất mười hai văn phòng công chứng trong quý ba.
Đoàn kiểm tra đối chiếu sổ công chứng, lưu trữ hồ sơ và phí công chứng đã thu.
"""
CONSTRUCTION_DOC = """# Kế hoạch rà soát giấy phép xây dựng

Sở Xây dựng rà soát giấy phép xây dựng nhà ở riêng lẻ cấp trong quý ba.
Các công trình sai phép được lập biên bản và báo cáo Ủy ban nhân dân phường.
"""
DOCUMENTS = {
    "public/lich-tiep-cong-dan.md": (PUBLIC_DOC, ("public",)),
    "tu-phap/kiem-tra-cong-chung.md": (JUSTICE_DOC, ("so-tu-phap",)),
    "xay-dung/ra-soat-giay-phep.md": (CONSTRUCTION_DOC, ("so-xay-dung",)),
}
JUSTICE_QUESTION = "Sở Tư pháp kiểm tra đột xuất bao nhiêu văn phòng công chứng trong quý ba?"


def _ingest(assistant: Assistant, folder: Path, names: list[str]) -> None:
    for name in names:
        text, access = DOCUMENTS[name]
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        ingestor = build_ingestor(assistant.settings, assistant.index, redactor=assistant.redactor, access=access)
        [result] = ingestor.ingest_file(path, name)
        assert result.status == "indexed", result


@pytest.fixture(scope="module")
def shared_models(real_embedder, redactor) -> Iterator[None]:
    """Give every Assistant of this module the session's embedding model and Presidio."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("assistant.components.build_embedder", lambda settings: real_embedder)
        patch.setattr("assistant.service.build_redactor", lambda settings: redactor)
        yield


def build_assistant(data_dir: Path, **overrides: object) -> Assistant:
    settings = Settings(data_dir=data_dir, llm_backend="none", min_dense_score=0.2, min_term_coverage=0.3,
                        **overrides)
    return Assistant(settings)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory, shared_models) -> Path:
    folder = tmp_path_factory.mktemp("access-data")
    _ingest(build_assistant(folder), tmp_path_factory.mktemp("access-sources"), list(DOCUMENTS))
    return folder


@pytest.fixture(scope="module")
def app_client(data_dir: Path) -> TestClient:
    return TestClient(create_app(build_assistant(data_dir, rate_limit_burst=100_000)))


@pytest.fixture(scope="module")
def keys(data_dir: Path) -> KeyStore:
    return KeyStore(Assistant(Settings(data_dir=data_dir)).database)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


# (method, path, required scope, request keyword arguments)
MATRIX = [
    ("POST", "/v1/search", "search", {"json": {"query": "lịch tiếp công dân", "k": 3}}),
    ("POST", "/v1/chat", "chat", {"json": {"messages": [{"role": "user", "content": "Giờ tiếp công dân?"}]}}),
    ("GET", "/v1/documents", "search", {}),
    ("POST", "/v1/documents", "ingest", {"files": {"file": ("ghi-chu.txt", "Ghi chú họp giao ban tuần.".encode())}}),
    ("DELETE", "/v1/documents/uploads/khong-co.txt", "admin", {}),
    ("POST", "/v1/redact", "chat", {"json": {"text": "Gọi 0912 345 678", "language": "vi"}}),
    ("POST", "/v1/classify", "ingest", {"json": {"text": "Thông báo lịch họp"}}),
    ("POST", "/v1/classify/file", "ingest", {"files": {"file": ("tb.txt", "Thông báo lịch họp".encode())}}),
    ("GET", "/v1/conversations", "chat", {}),
    ("POST", "/v1/auth/token", "admin",
     {"json": {"subject": "nv-7", "department": "so-y-te", "scopes": ["chat"], "ttl_seconds": 60}}),
]


@pytest.fixture(scope="module")
def scope_keys(keys: KeyStore) -> dict[str, str]:
    """One key per scope, each with exactly that scope, for the department of justice."""
    return {scope: keys.create("so-tu-phap", [scope], f"only {scope}")[1] for scope in SCOPES}


@pytest.mark.parametrize(("method", "path", "scope", "request_args"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX])
def test_permission_matrix(app_client: TestClient, keys: KeyStore, scope_keys: dict[str, str], method: str,
                           path: str, scope: str, request_args: dict) -> None:
    allowed = app_client.request(method, path, headers=bearer(scope_keys[scope]), **request_args)
    assert allowed.status_code not in (401, 403), (scope, allowed.text)
    # The admin-only delete of a missing document returns 404.
    assert allowed.status_code == (404 if method == "DELETE" else 200), allowed.text
    evaluator = app_client.request(method, path, headers=bearer(scope_keys["eval"]), **request_args)
    assert (evaluator.status_code != 403) is (scope in EVAL_SCOPES), ("eval", evaluator.text)
    for other in SCOPES:
        if other in (scope, "admin", "eval"):
            continue
        denied = app_client.request(method, path, headers=bearer(scope_keys[other]), **request_args)
        assert denied.status_code == 403, (other, denied.text)
        assert denied.headers["content-type"] == "application/problem+json"
        assert repr(scope) in denied.json()["detail"]
    admin = app_client.request(method, path, headers=bearer(scope_keys["admin"]), **request_args)
    assert admin.status_code not in (401, 403)

    missing = app_client.request(method, path, **request_args)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    assert "python -m assistant keys create" in missing.json()["detail"]
    record, revoked = keys.create("so-tu-phap", [scope], "revoked")
    keys.revoke(record.id)
    refused = app_client.request(method, path, headers=bearer(revoked), **request_args)
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Basic dXNlcjpwYXNz", "Bearer hna_zz_wrong", "Bearer hnt_e30.AAAA", "Bearer something-else"],
)
def test_bad_credentials_get_401(app_client: TestClient, header: str) -> None:
    response = app_client.post("/v1/search", json={"query": "lịch"}, headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("path", ["/healthz", "/", "/docs", "/openapi.json", "/v1/auth/departments"])
def test_open_endpoints_need_no_key(app_client: TestClient, path: str) -> None:
    assert app_client.get(path).status_code == 200


def test_healthz_reveals_no_counts(app_client: TestClient) -> None:
    assert set(app_client.get("/healthz").json()) == {"status", "llm_backend", "embedding_model"}


# caller department and scopes -> the documents it may see
VISIBILITY = [
    ("so-tu-phap", ["search", "chat"], {"public/lich-tiep-cong-dan.md", "tu-phap/kiem-tra-cong-chung.md"}),
    ("so-xay-dung", ["search", "chat"], {"public/lich-tiep-cong-dan.md", "xay-dung/ra-soat-giay-phep.md"}),
    ("so-y-te", ["search", "chat"], {"public/lich-tiep-cong-dan.md"}),
    ("van-phong-ubnd", ["admin"], set(DOCUMENTS)),
]


@pytest.mark.parametrize(("department", "scopes", "visible"), VISIBILITY, ids=[v[0] for v in VISIBILITY])
def test_document_scopes_hide_documents(app_client: TestClient, keys: KeyStore, department: str, scopes: list,
                                        visible: set) -> None:
    headers = bearer(keys.create(department, scopes)[1])
    listed = app_client.get("/v1/documents", headers=headers).json()
    assert {d["document_id"] for d in listed["documents"]} >= visible - {"uploads/so-tu-phap/ghi-chu.txt"}
    assert not {d["document_id"] for d in listed["documents"]} & (set(DOCUMENTS) - visible)
    assert listed["total"] == len(listed["documents"])

    hits = app_client.post("/v1/search", json={"query": JUSTICE_QUESTION, "k": 50}, headers=headers).json()["hits"]
    assert {h["document_id"] for h in hits} <= visible | {"uploads/so-tu-phap/ghi-chu.txt"}
    assert ("tu-phap/kiem-tra-cong-chung.md" in {h["document_id"] for h in hits}) == (
        "tu-phap/kiem-tra-cong-chung.md" in visible)

    answer = app_client.post("/v1/chat", json={"messages": [{"role": "user", "content": JUSTICE_QUESTION}]},
                             headers=headers).json()
    cited = {c["document_id"] for c in answer["citations"]}
    assert cited <= visible | {"uploads/so-tu-phap/ghi-chu.txt"}
    if "tu-phap/kiem-tra-cong-chung.md" in visible:
        assert answer["answered"] is True
        assert "tu-phap/kiem-tra-cong-chung.md" in cited
    else:
        assert "mười hai" not in answer["answer"]


def test_hidden_documents_leave_scores_unchanged(tmp_path: Path, shared_models) -> None:
    """A construction caller gets the same hits and scores as from an index without the justice document."""
    from assistant.access import Caller

    reader = Caller("t", "so-xay-dung", frozenset({"search"}))
    without = build_assistant(tmp_path / "without")
    _ingest(without, tmp_path / "sources", ["public/lich-tiep-cong-dan.md", "xay-dung/ra-soat-giay-phep.md"])
    full = build_assistant(tmp_path / "full")
    _ingest(full, tmp_path / "sources", list(DOCUMENTS))
    for query in (JUSTICE_QUESTION, "giấy phép xây dựng quý ba", "công chứng"):
        for mode in ("hybrid", "dense", "bm25"):
            expected = without.index.search(query, 10, mode, reader=UNRESTRICTED)
            found = full.index.search(query, 10, mode, reader=reader)
            assert [h.document_id for h in found] == [h.document_id for h in expected], (query, mode)
            assert [h.score for h in found] == pytest.approx([h.score for h in expected], abs=1e-5), (query, mode)
        assert full.index.term_weight("công_chứng", reader=reader) == without.index.term_weight(
            "công_chứng", reader=UNRESTRICTED)


# caller department, scopes, access field -> status, and the folder the upload lands in
UPLOAD_ACCESS = [
    ("so-tu-phap", ["ingest"], "public", 200, "so-tu-phap"),
    ("so-tu-phap", ["ingest"], "so-tu-phap", 200, "so-tu-phap"),
    ("so-tu-phap", ["ingest"], "so-xay-dung", 403, None),
    ("so-tu-phap", ["ingest"], "so-tu-phap,so-xay-dung", 403, None),
    ("so-tu-phap", ["ingest"], "phong-khong-co", 400, None),
    ("so-tu-phap", ["ingest"], "public,so-tu-phap", 400, None),
    ("van-phong-ubnd", ["admin"], "so-xay-dung,so-y-te", 200, "so-xay-dung"),
    ("van-phong-ubnd", ["admin"], "so-y-te,van-phong-ubnd", 200, "van-phong-ubnd"),
    ("van-phong-ubnd", ["admin"], "public", 200, "van-phong-ubnd"),
]


@pytest.mark.parametrize(("department", "scopes", "access", "status", "folder"), UPLOAD_ACCESS)
def test_upload_access_field(app_client: TestClient, keys: KeyStore, department: str, scopes: list, access: str,
                             status: int, folder: str | None) -> None:
    name = f"bien-ban-{department}-{access.replace(',', '-')}.txt"
    response = app_client.post("/v1/documents", headers=bearer(keys.create(department, scopes)[1]),
                               files={"file": (name, "Biên bản họp giao ban tuần thứ hai.".encode())},
                               data={"access": access})
    assert response.status_code == status, response.text
    if status == 200:
        [result] = response.json()["results"]
        assert result["status"] in ("indexed", "unchanged")
        assert result["document_id"] == f"uploads/{folder}/{name}"
        stored = build_assistant(app_client.app.state.assistant.settings.data_dir).index.store
        assert stored.access_of(result["document_id"]) == tuple(sorted(access.split(",")))


def test_upload_source_names_the_file(app_client: TestClient, keys: KeyStore) -> None:
    admin = bearer(keys.create("van-phong-ubnd", ["admin"])[1])
    record = json.dumps({"id": "thong-bao-7", "title": "Thông báo lịch trực", "text": "Phòng trực ban trực ngày thứ Bảy."})
    uploads = {"so-tay-can-bo.md": "# Sổ tay cán bộ\n\nNội quy ra vào cơ quan.", "thong-bao.jsonl": record}
    for name, text in uploads.items():
        response = app_client.post("/v1/documents", headers=admin, files={"file": (name, text.encode())})
        assert response.json()["results"][0]["status"] == "indexed", response.text

    listed = app_client.get("/v1/documents", headers=admin, params={"limit": 1000}).json()["documents"]
    sources = {d["document_id"]: d["source"] for d in listed}
    assert sources["uploads/van-phong-ubnd/so-tay-can-bo.md"] == "upload so-tay-can-bo.md"
    assert sources["uploads/van-phong-ubnd/thong-bao-7"] == "upload thong-bao.jsonl#thong-bao-7"
    assert not [source for document_id, source in sources.items()
                if document_id.startswith("uploads/") and ("/tmp" in source or "upload-" in source)]


def test_upload_jsonl_records_stay_in_own_folder(app_client: TestClient, keys: KeyStore) -> None:
    """A record named like another department's document lands in the uploader's folder instead."""
    construction = bearer(keys.create("so-xay-dung", ["ingest", "search"])[1])
    record = json.dumps({"id": "tu-phap/kiem-tra-cong-chung.md", "title": "Thay thế",
                         "text": "Nội dung thay thế về kiểm tra công trình xây dựng."})
    response = app_client.post("/v1/documents", headers=construction, data={"access": "public"},
                               files={"file": ("thay-the.jsonl", record.encode())})
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["document_id"] == "uploads/so-xay-dung/tu-phap/kiem-tra-cong-chung.md"

    stored = build_assistant(app_client.app.state.assistant.settings.data_dir).index.store
    assert stored.access_of("tu-phap/kiem-tra-cong-chung.md") == ("so-tu-phap",)
    justice = bearer(keys.create("so-tu-phap", ["search"])[1])
    hits = app_client.post("/v1/search", headers=justice, json={"query": JUSTICE_QUESTION, "k": 3}).json()["hits"]
    original = [h for h in hits if h["document_id"] == "tu-phap/kiem-tra-cong-chung.md"]
    assert original
    assert "mười hai văn phòng công chứng" in original[0]["text"]


def test_upload_same_name_keeps_hidden_document(app_client: TestClient, keys: KeyStore) -> None:
    admin = bearer(keys.create("van-phong-ubnd", ["admin"])[1])
    hidden = app_client.post("/v1/documents", headers=admin, data={"access": "so-y-te"},
                             files={"file": ("so-tay.txt", "Sổ tay nội quy của Sở Y tế.".encode())})
    assert hidden.json()["results"][0]["document_id"] == "uploads/so-y-te/so-tay.txt"

    justice = bearer(keys.create("so-tu-phap", ["ingest", "search"])[1])
    mine = app_client.post("/v1/documents", headers=justice, data={"access": "public"},
                           files={"file": ("so-tay.txt", "Sổ tay nội quy của Sở Tư pháp.".encode())})
    assert mine.status_code == 200, mine.text
    assert mine.json()["results"][0]["document_id"] == "uploads/so-tu-phap/so-tay.txt"
    assert "so-y-te" not in mine.text

    stored = build_assistant(app_client.app.state.assistant.settings.data_dir).index.store
    assert stored.access_of("uploads/so-y-te/so-tay.txt") == ("so-y-te",)
    health = bearer(keys.create("so-y-te", ["search"])[1])
    hits = app_client.post("/v1/search", headers=health, json={"query": "sổ tay nội quy Sở Y tế", "k": 5}).json()
    assert "uploads/so-y-te/so-tay.txt" in {h["document_id"] for h in hits["hits"]}
    listed = app_client.get("/v1/documents", headers=justice, params={"limit": 200}).json()["documents"]
    assert "uploads/so-y-te/so-tay.txt" not in {d["document_id"] for d in listed}


def test_upload_rejects_hidden_disk_document(app_client: TestClient, keys: KeyStore, tmp_path: Path) -> None:
    assistant = build_assistant(app_client.app.state.assistant.settings.data_dir)
    source = tmp_path / "lich-kiem-tra.txt"
    source.write_text("Lịch kiểm tra công trình của Sở Xây dựng.", encoding="utf-8")
    ingestor = build_ingestor(assistant.settings, assistant.index, redactor=assistant.redactor,
                              access=("so-xay-dung",))
    [result] = ingestor.ingest_file(source, "uploads/so-tu-phap/lich-kiem-tra.txt")
    assert result.status == "indexed", result

    justice = bearer(keys.create("so-tu-phap", ["ingest"])[1])
    rejected = app_client.post("/v1/documents", headers=justice,
                              files={"file": ("lich-kiem-tra.txt", "Lịch của Sở Tư pháp.".encode())})
    assert rejected.status_code == 403, rejected.text
    assert "rename the file" in rejected.json()["detail"]
    stored = build_assistant(assistant.settings.data_dir).index.store
    assert stored.access_of("uploads/so-tu-phap/lich-kiem-tra.txt") == ("so-xay-dung",)


# caller department, caller scopes, access scope -> upload folder
UPLOAD_FOLDERS = [
    ("so-tu-phap", {"ingest"}, ("public",), "so-tu-phap"),
    ("so-tu-phap", {"ingest"}, ("so-tu-phap",), "so-tu-phap"),
    ("van-phong-ubnd", {"admin"}, ("public",), "van-phong-ubnd"),
    ("van-phong-ubnd", {"admin"}, ("so-xay-dung", "so-y-te"), "so-xay-dung"),
    ("van-phong-ubnd", {"admin"}, ("so-y-te", "van-phong-ubnd"), "van-phong-ubnd"),
]


@pytest.mark.parametrize(("department", "scopes", "access", "folder"), UPLOAD_FOLDERS)
def test_upload_folder_readable_by_department(department: str, scopes: set, access: tuple, folder: str) -> None:
    from assistant.access import Caller
    from assistant.api import upload_folder

    assert upload_folder(Caller("k", department, frozenset(scopes)), access) == folder
    assert Caller("reader", folder, frozenset({"search"})).may_read(access)


def test_staff_token_flow(app_client: TestClient, keys: KeyStore) -> None:
    admin = bearer(keys.create("van-phong-ubnd", ["admin"])[1])
    issued = app_client.post("/v1/auth/token", headers=admin, json={
        "subject": "nv-0815", "department": "so-xay-dung", "scopes": ["chat", "search"], "ttl_seconds": 120})
    assert issued.status_code == 200, issued.text
    token = issued.json()["token"]
    assert issued.json()["expires_at"].endswith("Z")
    staff = bearer(token)
    hits = app_client.post("/v1/search", json={"query": "giấy phép xây dựng", "k": 5}, headers=staff).json()["hits"]
    assert "xay-dung/ra-soat-giay-phep.md" in {h["document_id"] for h in hits}
    assert app_client.post("/v1/classify", json={"text": "a"}, headers=staff).status_code == 403

    signer = app_client.app.state.token_signer
    real_clock = signer.clock
    try:
        signer.clock = lambda: real_clock() + 121
        expired = app_client.post("/v1/search", json={"query": "giấy phép"}, headers=staff)
    finally:
        signer.clock = real_clock
    assert expired.status_code == 401
    assert expired.json()["detail"] == "token expired; ask the page for a new one"

    body, signature = token.split(".")
    forged = app_client.post("/v1/search", json={"query": "giấy phép"}, headers=bearer(f"{body}x.{signature}"))
    assert forged.status_code == 401


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"subject": "nv-1", "department": "so-y-te", "scopes": ["ingest"], "ttl_seconds": 60}, 400),
        ({"subject": "nv-1", "department": "so-y-te", "scopes": ["chat"], "ttl_seconds": 7200}, 422),
        ({"subject": "nv-1", "department": "bo-y-te", "scopes": ["chat"], "ttl_seconds": 60}, 400),
    ],
)
def test_token_request_checks(app_client: TestClient, keys: KeyStore, payload: dict, status: int) -> None:
    admin = bearer(keys.create("van-phong-ubnd", ["admin"])[1])
    assert app_client.post("/v1/auth/token", headers=admin, json=payload).status_code == status


def test_demo_login_off_by_default(app_client: TestClient) -> None:
    response = app_client.post("/v1/auth/demo-login", json={"name": "Lan", "department": "so-y-te"})
    assert response.status_code == 404
    assert "demo sign-in is off" in response.json()["detail"]


def demo_client(data_dir: Path, **overrides: object) -> TestClient:
    """Return a client of a server with the demo sign-in, calling from and to 127.0.0.1."""
    app = create_app(build_assistant(data_dir, demo_login=True, **overrides))
    return TestClient(app, base_url="http://127.0.0.1:8000", client=("127.0.0.1", 50000))


def test_demo_login_reads_public_documents_only(data_dir: Path) -> None:
    client = demo_client(data_dir)
    signed = client.post("/v1/auth/demo-login", json={"name": "Trần Thu Hà", "department": "so-tu-phap"})
    assert signed.status_code == 200, signed.text
    assert signed.json()["scopes"] == ["chat"]
    staff = bearer(signed.json()["token"])

    chat = client.post("/v1/chat", json={"messages": [{"role": "user", "content": JUSTICE_QUESTION}]}, headers=staff)
    assert chat.status_code == 200
    assert "tu-phap/kiem-tra-cong-chung.md" not in {c["document_id"] for c in chat.json()["citations"]}
    assert "mười hai" not in chat.json()["answer"]
    public = client.post("/v1/chat", json={"messages": [{"role": "user", "content": "Giờ tiếp công dân buổi sáng?"}]},
                         headers=staff)
    assert "public/lich-tiep-cong-dan.md" in {c["document_id"] for c in public.json()["citations"]}
    assert client.post("/v1/search", json={"query": "lịch"}, headers=staff).status_code == 403
    assert client.post("/v1/auth/demo-login", json={"name": "Hà", "department": "x"}).status_code == 400


# client address, Host header -> status of a demo sign-in
DEMO_ORIGINS = [
    ("127.0.0.1", "127.0.0.1:8000", 200),
    ("127.0.0.1", "localhost:8000", 200),
    ("::1", "[::1]:8000", 200),
    ("127.0.0.1", "assistant.evil.example:8000", 403),
    ("127.0.0.1", "127.0.0.1@evil.example", 403),
    ("10.1.2.3", "127.0.0.1:8000", 403),
    ("testclient", "127.0.0.1:8000", 403),
]


@pytest.mark.parametrize(("address", "host", "status"), DEMO_ORIGINS)
def test_demo_login_only_from_loopback(data_dir: Path, address: str, host: str, status: int) -> None:
    client = TestClient(create_app(build_assistant(data_dir, demo_login=True)), client=(address, 50000))
    response = client.post("/v1/auth/demo-login", json={"name": "Lan", "department": "so-y-te"},
                           headers={"Host": host})
    assert response.status_code == status, response.text
    if status == 403:
        assert "this machine only" in response.json()["detail"]


def test_demo_login_session_keeps_conversations_apart(data_dir: Path) -> None:
    client = demo_client(data_dir)
    session = "a1b2c3d4e5f6a7b8c9d0"

    def sign_in(chosen: str | None) -> dict[str, str]:
        body = {"name": "Lan", "department": "so-y-te", **({"session": chosen} if chosen else {})}
        return bearer(client.post("/v1/auth/demo-login", json=body).json()["token"])

    first = sign_in(session)
    started = client.post("/v1/chat", json={"messages": [{"role": "user", "content": "Giờ tiếp công dân?"}]},
                          headers=first).json()["conversation_id"]
    renewed = client.get("/v1/conversations", headers=sign_in(session)).json()
    assert [c["id"] for c in renewed["conversations"]] == [started]
    for other in (sign_in("f0e1d2c3b4a5968778695a4b"), sign_in(None)):
        assert client.get("/v1/conversations", headers=other).json()["total"] == 0
        assert client.get(f"/v1/conversations/{started}", headers=other).status_code == 404


def test_demo_login_rate_limited(data_dir: Path) -> None:
    client = demo_client(data_dir, rate_limit_per_minute=1, rate_limit_burst=2)
    statuses = [client.post("/v1/auth/demo-login", json={"name": f"Lan {n}", "department": "so-y-te"}).status_code
                for n in range(3)]
    assert statuses == [200, 200, 429]


def test_rate_limit_per_credential(data_dir: Path, keys: KeyStore) -> None:
    client = TestClient(create_app(build_assistant(data_dir, rate_limit_per_minute=1, rate_limit_burst=3)))
    first, second = bearer(keys.create("so-y-te", ["search"])[1]), bearer(keys.create("so-y-te", ["search"])[1])
    statuses = [client.get("/v1/documents", headers=first).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/v1/documents", headers=first)
    assert limited.status_code == 429
    assert limited.headers["content-type"] == "application/problem+json"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.headers["x-request-id"]
    assert client.get("/v1/documents", headers=second).status_code == 200


# rate limit store -> statuses of 6 requests, sent in turn to two servers on one data folder
SHARED_LIMITS = [
    ("database", [200, 200, 200, 429, 429, 429]),
    ("memory", [200, 200, 200, 200, 200, 200]),
]


@pytest.mark.parametrize(("store", "expected"), SHARED_LIMITS)
def test_rate_limit_shared_by_servers(data_dir: Path, keys: KeyStore, store: str, expected: list) -> None:
    servers = [TestClient(create_app(build_assistant(data_dir, rate_limit_per_minute=1, rate_limit_burst=3,
                                                     rate_limit_store=store))) for _ in range(2)]
    headers = bearer(keys.create("so-y-te", ["search"])[1])
    statuses = [servers[n % 2].get("/v1/documents", headers=headers).status_code for n in range(6)]
    assert statuses == expected


def test_cors_allows_listed_origin_only(data_dir: Path, keys: KeyStore) -> None:
    client = TestClient(create_app(build_assistant(data_dir, cors_origins="https://intranet.hanoi.example")))
    headers = bearer(keys.create("so-y-te", ["search"])[1])
    allowed = client.get("/v1/documents", headers={**headers, "Origin": "https://intranet.hanoi.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://intranet.hanoi.example"
    assert "access-control-allow-credentials" not in allowed.headers
    other = client.get("/v1/documents", headers={**headers, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = client.options("/v1/chat", headers={"Origin": "https://intranet.hanoi.example",
                                                    "Access-Control-Request-Method": "POST",
                                                    "Access-Control-Request-Headers": "authorization,content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://intranet.hanoi.example"


def test_cors_off_by_default(app_client: TestClient, scope_keys: dict[str, str]) -> None:
    response = app_client.get("/v1/documents", headers={**bearer(scope_keys["search"]), "Origin": "https://a.example"})
    assert "access-control-allow-origin" not in response.headers


def test_json_body_limit(data_dir: Path, keys: KeyStore) -> None:
    client = TestClient(create_app(build_assistant(data_dir, max_json_bytes=2048)))
    headers = bearer(keys.create("so-y-te", ["ingest"])[1])
    big = client.post("/v1/classify", json={"text": "Thông báo " * 400}, headers=headers)
    assert big.status_code == 413
    assert big.headers["content-type"] == "application/problem+json"
    assert "ASSISTANT_MAX_JSON_BYTES" in big.json()["detail"]
    assert big.headers["x-request-id"]

    def chunks():
        yield b'{"text": "'
        yield b"a" * 4000
        yield b'"}'

    streamed = client.post("/v1/classify", content=chunks(), headers={**headers, "Content-Type": "application/json"})
    assert streamed.status_code == 413
    assert client.post("/v1/classify", json={"text": "Thông báo"}, headers=headers).status_code == 200


def test_openapi_lists_security_and_problems(app_client: TestClient) -> None:
    schema = app_client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    for path, method in [("/v1/search", "post"), ("/v1/chat", "post"), ("/v1/documents", "get"),
                         ("/v1/documents", "post"), ("/v1/documents/{document_id}", "delete"),
                         ("/v1/redact", "post"), ("/v1/classify", "post"), ("/v1/classify/file", "post"),
                         ("/v1/auth/token", "post"), ("/v1/conversations", "get")]:
        operation = schema["paths"][path][method]
        assert operation["security"] == [{"HTTPBearer": []}], path
        assert {"401", "403", "429"} <= set(operation["responses"]), path
    assert "security" not in schema["paths"]["/healthz"]["get"]


PERSONAL_QUESTION = "Tôi là Đỗ Minh Khoa, điện thoại 0912 345 678. Bộ phận một cửa tiếp công dân giờ nào?"


def test_conversations_store_redacted_turns(app_client: TestClient, keys: KeyStore) -> None:
    owner = bearer(keys.create("so-tu-phap", ["chat"])[1])
    first = app_client.post("/v1/chat", headers=owner,
                            json={"messages": [{"role": "user", "content": PERSONAL_QUESTION}]})
    assert first.status_code == 200, first.text
    conversation_id = first.json()["conversation_id"]
    follow = app_client.post("/v1/chat", headers=owner, json={
        "conversation_id": conversation_id, "messages": [{"role": "user", "content": "Có cần mang căn cước không?"}]})
    assert follow.json()["conversation_id"] == conversation_id

    stored = app_client.get(f"/v1/conversations/{conversation_id}", headers=owner).json()
    assert [t["position"] for t in stored["turns"]] == [1, 2]
    assert "Đỗ Minh Khoa" not in str(stored)
    assert "0912 345 678" not in str(stored)
    assert "Bộ phận một cửa tiếp công dân" in stored["turns"][0]["question"]
    assert stored["turns"][0]["citations"] == first.json()["citations"]
    assert stored["turns"][1]["answered"] is follow.json()["answered"]

    listed = app_client.get("/v1/conversations?limit=1", headers=owner).json()
    assert (listed["total"], len(listed["conversations"])) == (1, 1)
    assert listed["conversations"][0]["turn_count"] == 2

    stranger = bearer(keys.create("so-tu-phap", ["chat"])[1])
    assert app_client.get(f"/v1/conversations/{conversation_id}", headers=stranger).status_code == 404
    assert app_client.get("/v1/conversations", headers=stranger).json()["total"] == 0
    hijack = app_client.post("/v1/chat", headers=stranger, json={
        "conversation_id": conversation_id, "messages": [{"role": "user", "content": "Giờ tiếp công dân?"}]})
    assert hijack.status_code == 404


def test_stream_reports_conversation_id(app_client: TestClient, keys: KeyStore) -> None:
    owner = bearer(keys.create("so-y-te", ["chat"])[1])
    body = {"messages": [{"role": "user", "content": "Bộ phận một cửa tiếp công dân giờ nào?"}], "stream": True}
    with app_client.stream("POST", "/v1/chat", json=body, headers=owner) as response:
        raw = response.read().decode()
    assert response.status_code == 200
    assert raw.strip().split("\n\n")[-1].startswith("event: done")
    assert '"conversation_id"' in raw.strip().split("\n\n")[-1]
    assert app_client.get("/v1/conversations", headers=owner).json()["total"] == 1


def test_keys_and_conversations_survive_restart(data_dir: Path, keys: KeyStore) -> None:
    _, key = keys.create("so-du-lich", ["chat"])
    first = TestClient(create_app(build_assistant(data_dir)))
    answer = first.post("/v1/chat", headers=bearer(key),
                        json={"messages": [{"role": "user", "content": "Bộ phận một cửa tiếp công dân giờ nào?"}]})
    conversation_id = answer.json()["conversation_id"]
    restarted = TestClient(create_app(build_assistant(data_dir)))
    stored = restarted.get(f"/v1/conversations/{conversation_id}", headers=bearer(key))
    assert stored.status_code == 200
    assert stored.json()["turns"][0]["answer"] == answer.json()["answer"]
