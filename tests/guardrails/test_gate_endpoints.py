"""The hardened gate where documents and requests come in: ingestion, the classify,
chat and minutes endpoints (FastAPI's TestClient) and one real server on 127.0.0.1."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.access import Caller, FixedAuthenticator
from assistant.api import create_app
from assistant.errors import IncompleteDocumentError, InputError
from assistant.minutes.transcript import read_transcript_file
from assistant.service import Assistant
from assistant.settings import Settings
from evals.cases.gate.make_binary_cases import pdf_with_text
from guardrails import ClassificationGate
from retrieval.loaders import load_file
from tests.conftest import served_in_thread

TURN_TEXT = "Cuộc họp thống nhất phương án hai cho tuyến phố."
TRANSCRIPT = "Bà Lan: Cuộc họp thống nhất phương án hai cho tuyến phố.\nÔng Minh: Tôi gửi dự toán trước ngày 15/9."


def _bomb_bytes(tmp_path: Path) -> bytes:
    """Return a DOCX of a few kilobytes whose document.xml expands to about 4 MB."""
    document = docx.Document()
    document.add_paragraph("Bà Lan: Nội dung cuộc họp.")
    path = tmp_path / "co-so.docx"
    document.save(path)
    with zipfile.ZipFile(path) as source:
        entries = {info.filename: source.read(info) for info in source.infolist()}
    filler = b"<w:p><w:r><w:t>" + b"A" * 1000 + b"</w:t></w:r></w:p>"
    entries["word/document.xml"] = entries["word/document.xml"].replace(b"</w:body>", filler * 4000 + b"</w:body>")
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in entries.items():
            target.writestr(name, data)
    return bomb.read_bytes()


# --- ingestion --------------------------------------------------------------------------


@pytest.fixture()
def ingestor(tmp_path: Path):  # noqa: ANN201 - retrieval.ingest.Ingestor
    from retrieval.embeddings import HashingEmbedder
    from retrieval.index import DocumentIndex
    from retrieval.ingest import IngestLimits, Ingestor

    index = DocumentIndex(tmp_path / "data", HashingEmbedder)
    return Ingestor(index, ClassificationGate(), IngestLimits(), max_tokens=256, redact=False)


def _jsonl(path: Path, *records: dict) -> Path:
    path.write_text("\n".join(json.dumps(record, ensure_ascii=False) for record in records) + "\n", encoding="utf-8")
    return path


def test_ingest_zip_bomb_quarantined(ingestor, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / "files" / "phu-luc.docx"
    path.parent.mkdir()
    path.write_bytes(_bomb_bytes(tmp_path))
    [result] = ingestor.ingest([path])
    assert result.status == "quarantined"
    assert "above the limit of 100 times" in result.reason


def test_loader_refuses_zip_bomb(tmp_path: Path) -> None:
    path = tmp_path / "phu-luc.docx"
    path.write_bytes(_bomb_bytes(tmp_path))
    with pytest.raises(IncompleteDocumentError, match="not opened"):
        load_file(path, "phu-luc.docx")


# (name, record, status)
JSONL_RECORDS = [
    ("marked title", {"id": "r1", "title": "TỐI MẬT", "text": TURN_TEXT}, "blocked"),
    ("title with hidden characters", {"id": "r2", "title": "M\ufe0fẬ\ufe0fT", "text": TURN_TEXT}, "blocked"),
    ("ordinary title", {"id": "r3", "title": "Hướng dẫn đổi mật khẩu", "text": TURN_TEXT}, "indexed"),
]


@pytest.mark.parametrize(("record", "status"), [pytest.param(*case[1:], id=case[0]) for case in JSONL_RECORDS])
def test_ingest_jsonl_title(ingestor, tmp_path: Path, record: dict, status: str) -> None:  # noqa: ANN001
    [result] = ingestor.ingest([_jsonl(tmp_path / "ban-ghi.jsonl", record)])
    assert result.status == status


def test_ingest_pdf_mark_before_title(ingestor, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / "bao-cao.pdf"
    pdf_with_text(["TOI MAT - Bao cao tinh hinh tiep nhan ho so cua bo phan mot cua"]).save(path)
    [result] = ingestor.ingest([path])
    assert result.status == "blocked"
    assert "TỐI MẬT" in result.reason


def test_transcript_zip_bomb_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="was not opened.*above the limit"):
        read_transcript_file(_bomb_bytes(tmp_path), "hop.docx")


# --- HTTP ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201 - a FastAPI app
    settings = Settings(data_dir=tmp_path_factory.mktemp("gate-endpoints"), llm_backend="none")
    assistant = Assistant(settings, use_configured_llm=False)
    caller = Caller("tester", "so-tu-phap", frozenset({"chat", "minutes", "ingest"}))
    return create_app(assistant, FixedAuthenticator(caller))


@pytest.fixture(scope="module")
def client(app) -> Iterator[TestClient]:  # noqa: ANN001
    with TestClient(app) as running:
        yield running


# (name, text, level or None)
CLASSIFIED_TEXTS = [
    ("label then title", "Độ mật: TỐI MẬT. Báo cáo tình hình tiếp nhận hồ sơ tháng 10", "TOI_MAT"),
    ("mark dash title", "TỐI MẬT - Báo cáo tình hình tiếp nhận hồ sơ của bộ phận một cửa", "TOI_MAT"),
    ("caps in sentence", "Văn bản này là TÀI LIỆU MẬT không được sao chụp", "MAT"),
    ("digit for letter", "C0NFIDENTIAL", "CONFIDENTIAL"),
    ("levels listed", "Các mức độ mật gồm tuyệt mật, tối mật và mật.", None),
    ("article heading", "Điều 8. Phân loại bí mật nhà nước", None),
    ("ordinary words", "Mật độ dân số tăng; hợp tác xã bán mật ong; đổi mật khẩu định kỳ.", None),
]


@pytest.mark.parametrize(("text", "level"), [pytest.param(*case[1:], id=case[0]) for case in CLASSIFIED_TEXTS])
def test_classify_endpoint(client: TestClient, text: str, level: str | None) -> None:
    response = client.post("/v1/classify", json={"text": text})
    assert response.status_code == 200
    assert response.json()["level"] == level
    assert response.json()["allowed"] is (level is None)


def test_classify_file_zip_bomb(client: TestClient, tmp_path: Path) -> None:
    response = client.post("/v1/classify/file", files={"file": ("phu-luc.docx", _bomb_bytes(tmp_path))})
    assert response.status_code == 200
    body = response.json()
    assert body["allowed"] is False
    assert "above the limit" in body["reasons"][0]


# Texts that chat rejects as a message; minutes must reject them as a turn too.
REJECTED_BY_CHAT = [
    pytest.param("KHÔNG PHỔ BIẾN\nKế hoạch bố trí lực lượng.", id="label opening a turn"),
    pytest.param("Độ mật: TỐI MẬT. Kế hoạch bố trí lực lượng bảo vệ hội nghị.", id="label then title"),
    pytest.param("T\ufe0fỐ\ufe0fI M\ufe0fẬ\ufe0fT\nKế hoạch bố trí lực lượng.", id="variation selectors"),
]


@pytest.mark.parametrize("text", REJECTED_BY_CHAT)
def test_minutes_turn_rejected_like_chat(client: TestClient, text: str) -> None:
    chat = client.post("/v1/chat", json={"messages": [{"role": "user", "content": text}]})
    as_turn = client.post("/v1/minutes", json={"turns": [{"speaker": "Lan", "text": text}]})
    in_transcript = client.post("/v1/minutes", json={"transcript": "Bà Lan: " + text})
    assert chat.status_code == 422
    assert as_turn.status_code == 422
    assert in_transcript.status_code == 422
    assert "classification gate" in as_turn.json()["detail"]


# (name, extra request fields, status, words in the detail)
MINUTES_FIELDS = [
    ("marked title", {"title": "TỐI MẬT"}, 422, "(title, line 1)"),
    ("marked participant", {"participants": ["Bà Lan", "KHÔNG PHỔ BIẾN"]}, 422, "(participants, line 2)"),
    ("marked speaker", {"transcript": "TỐI MẬT: Nội dung cuộc họp.\nÔng Minh: Đồng ý."}, 422, "TỐI MẬT"),
    ("ordinary title and participants", {"title": "Giao ban mật độ dân cư", "participants": ["Bà Lan"]}, 200, None),
]


@pytest.mark.parametrize(
    ("fields", "status", "words"), [pytest.param(*case[1:], id=case[0]) for case in MINUTES_FIELDS]
)
def test_minutes_fields_gated(client: TestClient, fields: dict, status: int, words: str | None) -> None:
    response = client.post("/v1/minutes", json={"transcript": TRANSCRIPT, **fields})
    assert response.status_code == status, response.text
    if words is not None:
        assert words in response.json()["detail"]


def test_minutes_file_fields_gated(client: TestClient) -> None:
    files = {"file": ("hop.txt", TRANSCRIPT.encode("utf-8"))}
    marked = client.post("/v1/minutes/file", files=files, data={"title": "Mật", "participants": "Bà Lan"})
    ordinary = client.post("/v1/minutes/file", files=files, data={"title": "Giao ban", "participants": "Bà Lan"})
    assert marked.status_code == 422
    assert ordinary.status_code == 200
    assert ordinary.json()["title"] == "Giao ban"


def test_minutes_file_zip_bomb(client: TestClient, tmp_path: Path) -> None:
    response = client.post("/v1/minutes/file", files={"file": ("hop.docx", _bomb_bytes(tmp_path))})
    # The error handler returns 413 for an input error about a size limit.
    assert response.status_code == 413
    assert "above the limit" in response.json()["detail"]


def test_real_http_gate(app) -> None:  # noqa: ANN001
    with served_in_thread(app) as url, httpx.Client(base_url=url, timeout=60) as http:
        classified = http.post("/v1/classify", json={"text": CLASSIFIED_TEXTS[0][1]})
        minutes = http.post("/v1/minutes", json={"turns": [{"speaker": "Lan", "text": "KHÔNG PHỔ BIẾN\nKế hoạch."}]})
        titled = http.post("/v1/minutes", json={"transcript": TRANSCRIPT, "title": "TỐI MẬT"})
    assert classified.status_code == 200
    assert classified.json()["level"] == "TOI_MAT"
    assert minutes.status_code == 422
    assert minutes.headers["content-type"] == "application/problem+json"
    assert titled.status_code == 422
