"""The minutes endpoints: TestClient for the cases, and one real server on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.access import Caller, FixedAuthenticator
from assistant.api import create_app
from assistant.service import Assistant
from assistant.settings import Settings
from tests.conftest import REPO, free_port

CASE = (REPO / "evals" / "cases" / "minutes_vi" / "m01_ha_tang_phuong.txt").read_text(encoding="utf-8")
VTT = (REPO / "evals" / "cases" / "minutes_vi" / "m02_chuyen_doi_so.vtt").read_bytes()


def _client(tmp_path: Path, scopes: frozenset[str] = frozenset({"minutes"})) -> TestClient:
    settings = Settings(data_dir=tmp_path, llm_backend="none")
    assistant = Assistant(settings, use_configured_llm=False)
    return TestClient(create_app(assistant, FixedAuthenticator(Caller("tester", "so-tu-phap", scopes))))


@pytest.fixture()
def client(tmp_path: Path) -> TestClient:
    return _client(tmp_path)


def test_json_transcript(client: TestClient) -> None:
    response = client.post("/v1/minutes", json={"transcript": CASE, "title": "Giao ban"})
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Giao ban"
    assert body["date"] == "2025-09-03"
    assert body["action_items"][1]["due"] == "2025-09-15"


def test_json_turns_and_given_fields(client: TestClient) -> None:
    turns = [{"speaker": "Ông Hải", "text": "Cuộc họp thống nhất chọn phương án hai cho dự án."},
             {"speaker": "Bà Yến", "text": "Tôi sẽ gửi dự toán trước ngày 10/10."}]
    response = client.post("/v1/minutes", json={"turns": turns, "date": "2025-10-01", "participants": ["A", "B"]})
    body = response.json()
    assert body["participants"] == ["A", "B"]
    assert body["action_items"] == [{"owner": "Bà Yến", "owner_missing": False, "task": "gửi dự toán trước ngày 10/10",
                                     "due": "2025-10-10", "turns": [2], "text": "Tôi sẽ gửi dự toán trước ngày 10/10."}]


ERRORS = [
    ({"transcript": "   "}, 400, "no text"),
    ({"transcript": "Bà Lan: A.", "turns": [{"text": "B"}]}, 400, "exactly one"),
    ({}, 400, "exactly one"),
    ({"transcript": "x" * (2 * 1024 * 1024 + 1)}, 413, "limit"),
    ({"transcript": "TỐI MẬT\n\nBà Lan: Nội dung."}, 422, "classification gate"),
    ({"transcript": "Bà Lan: A.", "colour": "red"}, 422, "colour"),
]


@pytest.mark.parametrize(("payload", "status", "detail"), ERRORS, ids=[str(e[1]) + e[2] for e in ERRORS])
def test_json_errors(client: TestClient, payload: dict, status: int, detail: str) -> None:
    response = client.post("/v1/minutes", json=payload)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert detail in response.json()["detail"]


def test_requires_minutes_scope(tmp_path: Path) -> None:
    response = _client(tmp_path, frozenset({"chat"})).post("/v1/minutes", json={"transcript": CASE})
    assert response.status_code == 403


SIGNER = {"name": "Lê Thu Hà", "title": "CHÁNH VĂN PHÒNG"}


def test_minutes_become_a_bien_ban_draft(tmp_path: Path) -> None:
    client = _client(tmp_path, frozenset({"minutes", "draft"}))
    minutes = client.post("/v1/minutes", json={"transcript": CASE, "title": "Giao ban hạ tầng"}).json()
    response = client.post("/v1/minutes/draft", json={
        "minutes": minutes, "issuing_body": "SỞ XÂY DỰNG", "issuing_symbol": "SXD", "signer": SIGNER,
        "recipients": ["Các phòng chuyên môn"]})
    assert response.status_code == 200, response.text
    stored = response.json()
    draft = stored["draft"]
    assert draft["doc_type"]["symbol"] == "BB"
    assert draft["header"]["number"] == "Số: …/BB-SXD"
    assert draft["check"]["passed"] is True, draft["check"]
    headings = [section["heading"] for section in draft["sections"] if section["heading"]]
    assert headings == ["Thành phần tham dự", "Nội dung cuộc họp", "Kết luận", "Phân công thực hiện",
                        "Các vấn đề chưa thống nhất"]
    owners = " ".join(draft["sections"][3]["paragraphs"])
    assert all(item["owner"] in owners for item in minutes["action_items"] if item["owner"])
    word = client.get(f"/v1/drafts/{stored['id']}.docx")
    assert word.status_code == 200
    assert word.content[:2] == b"PK"


def test_minutes_draft_needs_draft_scope(tmp_path: Path) -> None:
    client = _client(tmp_path)
    minutes = client.post("/v1/minutes", json={"transcript": CASE}).json()
    response = client.post("/v1/minutes/draft", json={
        "minutes": minutes, "issuing_body": "SỞ XÂY DỰNG", "issuing_symbol": "SXD", "signer": SIGNER})
    assert response.status_code == 403


FILE_ERRORS = [
    ("notes.pdf", b"%PDF-1.4", 400, "unsupported file type"),
    ("notes.txt", b"", 400, "empty"),
    ("notes.txt", b"Ba Lan: \xff\xfe\xfa", 400, "not valid UTF-8"),
    ("notes.docx", b"not a zip", 400, "not a readable .docx"),
    ("notes.txt", b"a" * (2 * 1024 * 1024 + 1), 413, "limit"),
]


@pytest.mark.parametrize(("name", "data", "status", "detail"), FILE_ERRORS, ids=[e[3] for e in FILE_ERRORS])
def test_file_errors(client: TestClient, name: str, data: bytes, status: int, detail: str) -> None:
    response = client.post("/v1/minutes/file", files={"file": (name, data)})
    assert response.status_code == status
    assert detail in response.json()["detail"]


def test_file_marked_in_docx_header(client: TestClient, tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "MẬT"
    document.add_paragraph("Bà Lan: Cuộc họp thống nhất phương án hai.")
    path = tmp_path / "hop.docx"
    document.save(path)
    response = client.post("/v1/minutes/file", files={"file": ("hop.docx", path.read_bytes())})
    assert response.status_code == 422


class MinutesServer:
    """The app with a fixed caller holding the minutes scope, in its own process on 127.0.0.1."""

    SCRIPT = (
        "import sys, uvicorn\n"
        "from pathlib import Path\n"
        "from assistant.access import Caller, FixedAuthenticator\n"
        "from assistant.api import create_app\n"
        "from assistant.service import Assistant\n"
        "from assistant.settings import Settings\n"
        "assistant = Assistant(Settings(data_dir=Path(sys.argv[1]), llm_backend='none'))\n"
        "caller = Caller('tester', 'so-tu-phap', frozenset({'minutes'}))\n"
        "uvicorn.run(create_app(assistant, FixedAuthenticator(caller)), host='127.0.0.1', port=int(sys.argv[2]),"
        " log_level='warning')\n"
    )

    def __init__(self, data_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen([sys.executable, "-c", self.SCRIPT, str(data_dir), str(self.port)], cwd=REPO)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "the minutes server exited"
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.3)
        raise RuntimeError("the minutes server did not start in 120 s")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MinutesServer]:
    running = MinutesServer(tmp_path_factory.mktemp("minutes-server"))
    yield running
    running.stop()


def test_http_json_and_file(server: MinutesServer) -> None:
    with httpx.Client(base_url=server.url, timeout=120) as http:
        from_json = http.post("/v1/minutes", json={"transcript": CASE})
        from_file = http.post("/v1/minutes/file", files={"file": ("hop.vtt", VTT)}, data={"participants": "A; B"})
        rejected = http.post("/v1/minutes/file", files={"file": ("hop.odt", b"x")})
    assert from_json.status_code == 200
    assert len(from_json.json()["action_items"]) == 5
    assert from_file.status_code == 200
    assert from_file.json()["participants"] == ["A", "B"]
    assert from_file.json()["action_items"][0]["due"] == "2025-11-20"
    assert rejected.status_code == 400


def test_http_stream_events(server: MinutesServer) -> None:
    events = []
    with httpx.Client(base_url=server.url, timeout=120) as http:
        with http.stream("POST", "/v1/minutes", json={"transcript": CASE, "stream": True}) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            name = None
            for line in response.iter_lines():
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    events.append((name, json.loads(line[6:])))
    assert [n for n, _ in events] == ["progress", "progress", "done"]
    assert events[0][1] == {"stage": "extracting", "part": 1, "parts": 1}
    assert events[-1][1]["date"] == "2025-09-03"


def test_http_stream_rejects_before_streaming(server: MinutesServer) -> None:
    response = httpx.post(f"{server.url}/v1/minutes", json={"transcript": "TỐI MẬT\n\nBà Lan: A.", "stream": True},
                          timeout=60)
    assert response.status_code == 422
