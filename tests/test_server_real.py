"""The real server with the real models over the bundled corpus, through HTTP.

Slow: it loads EmbeddingGemma and the GGUF model, and every chat runs the
real language model on the CPU.
"""

from __future__ import annotations

import json

import httpx
import pytest

from tests.conftest import REPO, Server, run_cli
from tests.test_loaders import minimal_pdf

pytestmark = pytest.mark.slow

CONFIDENTIAL = {
    "bundled/confidential/bao-cao-kiem-ke-thiet-bi-phong-hop-toi-mat.txt": "TỐI MẬT",
    "bundled/confidential/en-briefing-note-partner-visit-confidential.md": "CONFIDENTIAL",
    "bundled/confidential/phuong-an-bo-tri-doan-cong-tac-mat.md": "MẬT",
}


def chat(server: Server, question: str, **extra) -> dict:
    response = server.client.post("/v1/chat", json={"messages": [{"role": "user", "content": question}], **extra})
    assert response.status_code == 200, response.text
    return response.json()


def test_bundled_corpus_ingest_results(bundled_index_dir) -> None:
    _, results = bundled_index_dir
    statuses = {r["document_id"]: r["status"] for r in results}
    for document_id, mark in CONFIDENTIAL.items():
        assert statuses[document_id] == "blocked", document_id
        reason = next(r["reason"] for r in results if r["document_id"] == document_id)
        assert mark in reason
    others = {d: s for d, s in statuses.items() if d not in CONFIDENTIAL}
    assert len(others) >= 30
    assert set(others.values()) == {"indexed"}, {d: s for d, s in others.items() if s != "indexed"}


def test_healthz_is_open_and_counts_nothing(bundled_server: Server, bundled_index_dir) -> None:
    _, results = bundled_index_dir
    response = httpx.get(f"{bundled_server.url}/healthz")  # no key: health checks stay open
    body = response.json()
    assert response.status_code == 200
    assert body == {"status": "ok", "llm_backend": "llamacpp", "embedding_model": "embeddinggemma-300m"}
    listed = bundled_server.client.get("/v1/documents").json()
    assert listed["total"] == sum(r["status"] == "indexed" for r in results)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("đăng ký khai sinh cho con trong bao nhiêu ngày", "bundled/vi/thu-tuc-dang-ky-khai-sinh.md"),
        ("cơ quan nào giải quyết đăng ký tạm trú cho sinh viên thuê nhà", "bundled/vi/thu-tuc-dang-ky-tam-tru.txt"),
        ("Which department took over transport?", "bundled/en/en-department-directory.md"),
        ("chứng thực bản sao từ bản chính", "bundled/vi/thu-tuc-chung-thuc-ban-sao.html"),
        ("cấp giấy phép xây dựng nhà ở riêng lẻ", "bundled/vi/thu-tuc-cap-giay-phep-xay-dung-nha-o-rieng-le.docx"),
    ],
)
def test_search_finds_expected_document(bundled_server: Server, query: str, expected: str) -> None:
    response = bundled_server.client.post("/v1/search", json={"query": query, "k": 3})
    assert response.status_code == 200
    hits = response.json()["hits"]
    assert expected in [h["document_id"] for h in hits], [h["document_id"] for h in hits]
    assert set(hits[0]) >= {"chunk_id", "document_id", "title", "locator", "text", "score"}


def test_search_never_returns_confidential_text(bundled_server: Server) -> None:
    hits = bundled_server.client.post("/v1/search", json={"query": "kiểm kê thiết bị phòng họp trực tuyến", "k": 20}).json()["hits"]
    assert not set(CONFIDENTIAL) & {h["document_id"] for h in hits}


def test_chat_answers_vietnamese_with_citation(bundled_server: Server) -> None:
    result = chat(bundled_server, "Đăng ký khai sinh đúng hạn có phải nộp lệ phí không?")
    assert result["answered"] is True
    assert result["language"] == "vi"
    assert result["mode"] in ("generated", "extractive")
    cited = {c["document_id"] for c in result["citations"]}
    assert cited & {"bundled/vi/thu-tuc-dang-ky-khai-sinh.md", "bundled/en/en-procedures-overview.md"}, result
    for citation in result["citations"]:
        assert f"[{citation['n']}]" in result["answer"]


def test_chat_answers_english_in_english(bundled_server: Server) -> None:
    result = chat(bundled_server, "Which department took over transport after the restructuring?")
    assert result["answered"] is True
    assert result["language"] == "en"
    assert "Construction" in result["answer"] or "Xây dựng" in result["answer"]
    assert result["citations"]


def test_chat_says_when_documents_do_not_answer(bundled_server: Server) -> None:
    result = chat(bundled_server, "Đội bóng nào vô địch giải bóng đá ngoại hạng Anh mùa trước?")
    assert result["answered"] is False
    assert result["citations"] == []
    assert "không có thông tin" in result["answer"]


def test_chat_stream_sends_progress_tokens_and_done(bundled_server: Server) -> None:
    body = {"messages": [{"role": "user", "content": "Thời hạn đăng ký khai sinh là bao nhiêu ngày?"}], "stream": True}
    with bundled_server.client.stream("POST", "/v1/chat", json=body) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        raw = response.read().decode()
    events = [
        (block.split("\n")[0].removeprefix("event: "), json.loads(block.split("\n")[1].removeprefix("data: ")))
        for block in raw.strip().split("\n\n")
    ]
    names = [name for name, _ in events]
    assert names[0] == "progress"
    assert names[-1] == "done"
    assert "token" in names
    done = events[-1][1]
    assert "".join(data["text"] for name, data in events if name == "token").strip() == done["answer"].strip()
    assert "60" in done["answer"]


def test_follow_up_question_uses_conversation(bundled_server: Server) -> None:
    messages = [
        {"role": "user", "content": "Thủ tục đăng ký kết hôn"},
        {"role": "assistant", "content": "Hai bên nộp tờ khai đăng ký kết hôn tại UBND cấp xã [1]."},
        {"role": "user", "content": "Có mất lệ phí không?"},
    ]
    result = bundled_server.client.post("/v1/chat", json={"messages": messages}).json()
    assert result["answered"] is True
    assert any("ket-hon" in c["document_id"] or "procedures" in c["document_id"] for c in result["citations"]), result


def test_upload_indexes_and_reports_bad_files(bundled_server: Server, tmp_path) -> None:
    client = bundled_server.client
    note = "# Lịch trực Tết\n\nPhòng Hành chính trực tổng đài vào ngày mùng 2 Tết, từ 8 giờ đến 17 giờ."
    response = client.post("/v1/documents", files={"file": ("lich-truc-tet.MD", note.encode(), "text/markdown")})
    assert response.status_code == 200
    [result] = response.json()["results"]
    assert (result["document_id"], result["status"]) == ("uploads/van-phong-ubnd/lich-truc-tet.MD", "indexed")
    hits = client.post("/v1/search", json={"query": "lịch trực tổng đài ngày Tết", "k": 3}).json()["hits"]
    assert hits[0]["document_id"] == "uploads/van-phong-ubnd/lich-truc-tet.MD"

    cases = {
        "hong.pdf": (b"%PDF-1.4 broken", "failed"),
        "rong.txt": (b"", "failed"),
        "anh.txt": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "failed"),
        "mat.txt": ("TỐI MẬT\n\nKế hoạch nội bộ.".encode(), "blocked"),
        "bao-cao.pdf": (minimal_pdf("Service report for the first quarter"), "indexed"),
        "nhat-ky-50mb.txt": (b"nhat ky he thong\n" * (50 * 1024 * 1024 // 17), "failed"),
        "utf16.txt": ("Hướng dẫn nộp hồ sơ trực tuyến qua cổng dịch vụ công.".encode("utf-16"), "indexed"),
        "SCAN.PDF": (minimal_pdf("Quarterly scan"), "indexed"),
    }
    for name, (data, status) in cases.items():
        [result] = client.post("/v1/documents", files={"file": (name, data)}).json()["results"]
        assert result["status"] == status, (name, result)
        assert result["path"] == name
        assert "/tmp" not in result["reason"]
        if status != "indexed":
            assert result["reason"]
    assert client.get("/healthz").json()["status"] == "ok"

    removed = client.delete("/v1/documents/uploads/van-phong-ubnd/lich-truc-tet.MD")
    assert removed.status_code == 200
    missing = client.delete("/v1/documents/uploads/van-phong-ubnd/lich-truc-tet.MD")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/v1/nowhere", 404), ("GET", "/v1/chat", 405), ("DELETE", "/healthz", 405)],
)
def test_unknown_routes_are_problem_documents(bundled_server: Server, method: str, path: str, status: int) -> None:
    response = bundled_server.client.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert "/docs" in response.json()["detail"]


def test_malformed_json_says_what_to_send(bundled_server: Server) -> None:
    response = bundled_server.client.post("/v1/chat", content=b'{"messages": [', headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert "not valid JSON" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"messages": []}, 422, "messages"),
        ({"messages": [{"role": "user", "content": "   "}]}, 400, "question is empty"),
        ({"messages": [{"role": "user", "content": "x" * 5000}]}, 413, "above the limit"),
        ({"messages": [{"role": "robot", "content": "hi"}]}, 422, "role"),
        ({"question": "hi"}, 422, "messages"),
    ],
)
def test_chat_rejects_bad_requests(bundled_server: Server, body: dict, status: int, detail: str) -> None:
    response = bundled_server.client.post("/v1/chat", json=body)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert detail in response.json()["detail"]


def test_oversized_upload_is_rejected(bundled_server: Server, bundled_index_dir, tmp_path) -> None:
    big = b"a" * (64 * 1024 * 1024 + 10)
    response = bundled_server.client.post("/v1/documents", files={"file": ("big.txt", big)})
    assert response.status_code == 413
    assert "upload limit" in response.json()["detail"]


def test_cli_ask_prints_answer_and_citation(bundled_index_dir) -> None:
    data_dir, _ = bundled_index_dir
    done = run_cli("-m", "assistant", "ask", "Đăng ký khai sinh đúng hạn có mất lệ phí không?",
                   "--data-dir", str(data_dir), "--json", env={"ASSISTANT_LLM_BACKEND": "none"})
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["answered"] is True
    assert result["mode"] == "extractive"
    assert result["citations"][0]["document_id"].startswith("bundled/")


def test_page_is_served(bundled_server: Server) -> None:
    response = bundled_server.client.get("/")
    assert response.status_code == 200
    assert "/v1/chat" in response.text
    assert (REPO / "assistant" / "static" / "index.html").is_file()


PERSONAL_QUESTION = (
    "Tôi là Trần Thị Mai Phương, số điện thoại 0987 654 321, CCCD 001302012345. "
    "Tôi cần giấy tờ gì để đăng ký tạm trú khi thuê nhà?"
)


@pytest.mark.parametrize(
    "message",
    ["TỐI MẬT\n\nKế hoạch bố trí lực lượng bảo vệ hội nghị.", "CONFIDENTIAL\n\nDraft budget for the partner visit."],
)
def test_chat_rejects_marked_message(bundled_server: Server, message: str) -> None:
    response = bundled_server.client.post("/v1/chat", json={"messages": [{"role": "user", "content": message}]})
    assert response.status_code == 422
    body = response.json()
    assert body["title"] == "Rejected by the classification gate"
    assert "secrecy mark" in body["detail"] or "label" in body["detail"]


def test_chat_with_personal_data_answers(bundled_server: Server) -> None:
    result = chat(bundled_server, PERSONAL_QUESTION)
    assert result["answered"] is True
    cited = [c["document_id"] for c in result["citations"]]
    assert any("tam-tru" in document_id for document_id in cited), cited


@pytest.mark.parametrize(
    ("text", "language", "types", "hidden"),
    [
        ("Bà Lê Thị Hoa, điện thoại 0977 111 222, nộp hồ sơ.", "vi", {"PERSON", "PHONE_NUMBER"}, ["Lê Thị Hoa", "0977 111 222"]),
        ("Contact John Carter at john.carter@example.org.", "en", {"PERSON", "EMAIL_ADDRESS"}, ["John Carter", "john.carter@"]),
        ("Theo Điều 32 Luật Cư trú, Số: 1234/QĐ-UBND.", "vi", set(), []),
    ],
)
def test_redact_endpoint(bundled_server: Server, text: str, language: str, types: set, hidden: list) -> None:
    response = bundled_server.client.post("/v1/redact", json={"text": text, "language": language})
    assert response.status_code == 200
    body = response.json()
    assert {e["type"] for e in body["entities"]} >= types
    for value in hidden:
        assert value not in body["text"]
    if not types:
        assert body["text"] == text


@pytest.mark.parametrize(
    ("text", "allowed", "level"),
    [
        ("TỐI MẬT\n\nKế hoạch", False, "TOI_MAT"),
        ("Mật khẩu hệ thống phải đổi 90 ngày một lần.", True, None),
        ("HỎA TỐC\n\nGiấy mời họp", True, None),
    ],
)
def test_classify_endpoint(bundled_server: Server, text: str, allowed: bool, level: str | None) -> None:
    body = bundled_server.client.post("/v1/classify", json={"text": text}).json()
    assert body["allowed"] is allowed
    assert body["level"] == level
    assert body["reasons"]


def test_classify_file_endpoint(bundled_server: Server) -> None:
    marked = (REPO / "corpora/bundled/confidential/phuong-an-bo-tri-doan-cong-tac-mat.md").read_bytes()
    body = bundled_server.client.post("/v1/classify/file", files={"file": ("phuong-an.md", marked)}).json()
    assert (body["allowed"], body["level"]) == (False, "MAT")
    broken = bundled_server.client.post("/v1/classify/file", files={"file": ("hong.docx", b"PK\x03\x04 broken")}).json()
    assert broken["allowed"] is False
    assert "cannot be read completely" in broken["reasons"][0]


def test_server_log_has_no_text_or_personal_data(bundled_server: Server) -> None:
    """Runs last in this module: the log of every request above contains ids and counts only."""
    log = bundled_server.log_path.read_text(encoding="utf-8")
    assert "serving on" in log
    forbidden = [
        "Trần Thị Mai Phương", "0987 654 321", "001302012345",  # personal data in a question
        "giấy tờ gì để đăng ký tạm trú",  # question text
        "Kế hoạch bố trí lực lượng",  # text of a rejected message
        "Phòng Hành chính trực tổng đài",  # text of an uploaded document
        "Trong thời hạn 60 ngày kể từ ngày trẻ được sinh ra",  # passage text
        "Lê Thị Hoa", "0977 111 222", "john.carter@example.org",  # text sent for redaction
    ]
    for text in forbidden:
        assert text not in log, text
