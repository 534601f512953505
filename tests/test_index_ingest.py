"""Ingestion and the index with a model-free embedder: results per file, no-op
re-ingestion, replacement, removal, persistence and recovery, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import faiss
import pytest

from guardrails import ClassificationGate
from retrieval.access import UNRESTRICTED
from retrieval.embeddings import HashingEmbedder
from retrieval.index import DocumentIndex
from retrieval.ingest import IngestLimits, Ingestor, summarize
from tests.test_loaders import encode_cp1258, minimal_pdf

PROCEDURE = "Thủ tục đăng ký khai sinh\n\nĐiều 1. Hồ sơ\n1. Tờ khai đăng ký khai sinh.\n2. Giấy chứng sinh."
FEES = "Lệ phí\n\nĐăng ký kết hôn giữa công dân Việt Nam cư trú trong nước được miễn lệ phí."


def make_index(data_dir: Path) -> DocumentIndex:
    return DocumentIndex(data_dir, HashingEmbedder)


def make_ingestor(index: DocumentIndex, **limits: int) -> Ingestor:
    return Ingestor(index, ClassificationGate(), IngestLimits(**limits), max_tokens=256)


def by_name(results) -> dict[str, object]:
    return {Path(r.path).name: r for r in results}


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "khai-sinh.md").write_text(PROCEDURE, encoding="utf-8")
    (folder / "sub" / "le-phi.txt").write_text(FEES, encoding="utf-8")
    return folder


def test_ingest_folder_then_search(tmp_path: Path, corpus: Path) -> None:
    index = make_index(tmp_path / "data")
    results = make_ingestor(index).ingest([corpus])
    assert summarize(results)["indexed"] == 2
    assert {r.document_id for r in results} == {"docs/khai-sinh.md", "docs/sub/le-phi.txt"}
    hit = index.search("giấy chứng sinh", k=1, reader=UNRESTRICTED)[0]
    assert hit.document_id == "docs/khai-sinh.md"
    assert hit.locator == "Điều 1"
    assert hit.title == "Thủ tục đăng ký khai sinh"


def test_reingest_unchanged_is_noop(tmp_path: Path, corpus: Path) -> None:
    index = make_index(tmp_path / "data")
    make_ingestor(index).ingest([corpus])
    generation = index.store.generation()
    again = make_ingestor(index).ingest([corpus])
    assert [r.status for r in again] == ["unchanged", "unchanged"]
    assert index.store.generation() == generation


def test_changed_file_replaces_its_chunks(tmp_path: Path, corpus: Path) -> None:
    index = make_index(tmp_path / "data")
    make_ingestor(index).ingest([corpus])
    (corpus / "khai-sinh.md").write_text("Thủ tục mới\n\nNộp trực tuyến qua cổng dịch vụ công.", encoding="utf-8")
    results = by_name(make_ingestor(index).ingest([corpus]))
    assert results["khai-sinh.md"].status == "indexed"
    assert results["le-phi.txt"].status == "unchanged"
    texts = [h.text for h in index.search("giấy chứng sinh tờ khai", k=10, reader=UNRESTRICTED)]
    assert not any("Giấy chứng sinh" in t for t in texts)
    assert index.stats()["documents"] == 2


def test_remove_deletes_everywhere(tmp_path: Path, corpus: Path) -> None:
    index = make_index(tmp_path / "data")
    make_ingestor(index).ingest([corpus])
    index.remove("docs/khai-sinh.md")
    assert {h.document_id for h in index.search("khai sinh chứng sinh", k=10, reader=UNRESTRICTED)} == {"docs/sub/le-phi.txt"}
    assert index.stats() == {"documents": 1, "chunks": 1, "generation": index.store.generation()}
    reopened = make_index(tmp_path / "data")
    assert {h.document_id for h in reopened.search("khai sinh", k=10, mode="dense", reader=UNRESTRICTED)} == {"docs/sub/le-phi.txt"}


def test_remove_unknown_document_names_it(tmp_path: Path) -> None:
    index = make_index(tmp_path / "data")
    with pytest.raises(KeyError, match="no indexed document has the id 'nope'"):
        index.remove("nope")


def test_index_persists_without_pickle(tmp_path: Path, corpus: Path) -> None:
    data_dir = tmp_path / "data"
    make_ingestor(make_index(data_dir)).ingest([corpus])
    assert sorted(p.name for p in data_dir.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [
        "chunks.sqlite3", "vectors.faiss", "vectors.faiss.json"
    ]
    assert faiss.read_index(str(data_dir / "vectors.faiss")).ntotal == 3
    assert json.loads((data_dir / "vectors.faiss.json").read_text())["count"] == 3


@pytest.mark.parametrize("damage", ["delete", "truncate", "stale generation"])
def test_damaged_vector_file_is_rebuilt(tmp_path: Path, corpus: Path, damage: str) -> None:
    data_dir = tmp_path / "data"
    make_ingestor(make_index(data_dir)).ingest([corpus])
    vector_file, meta_file = data_dir / "vectors.faiss", data_dir / "vectors.faiss.json"
    if damage == "delete":
        vector_file.unlink()
    elif damage == "truncate":
        vector_file.write_bytes(vector_file.read_bytes()[:40])
    else:
        meta = json.loads(meta_file.read_text())
        meta["generation"] -= 1
        meta_file.write_text(json.dumps(meta))
    reopened = make_index(data_dir)
    assert reopened.search("giấy chứng sinh", k=1, mode="dense", reader=UNRESTRICTED)[0].document_id == "docs/khai-sinh.md"
    assert faiss.read_index(str(vector_file)).ntotal == 3


def test_second_process_sees_new_documents(tmp_path: Path, corpus: Path) -> None:
    data_dir = tmp_path / "data"
    reader = make_index(data_dir)
    assert reader.search("khai sinh", k=3, reader=UNRESTRICTED) == []
    make_ingestor(make_index(data_dir)).ingest([corpus])
    assert reader.search("giấy chứng sinh", k=1, reader=UNRESTRICTED)[0].document_id == "docs/khai-sinh.md"


def test_bad_files_each_get_a_result(tmp_path: Path, corpus: Path) -> None:
    index = make_index(tmp_path / "data")
    make_ingestor(index).ingest([corpus])
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "corrupt.pdf").write_bytes(b"%PDF-1.4 garbage \x00\xff")
    (bad / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (bad / "huge.txt").write_bytes(b"a" * (3 * 1024 * 1024))
    (bad / "legacy.txt").write_bytes(encode_cp1258("Thông báo lịch tiếp công dân thứ Năm."))
    (bad / "utf16.txt").write_bytes("Hướng dẫn nộp hồ sơ trực tuyến.".encode("utf-16"))
    (bad / "REPORT.PDF").write_bytes(minimal_pdf("Annual report on public services"))
    (bad / "sheet.xlsx").write_bytes(b"PK")
    results = by_name(make_ingestor(index, max_file_bytes=2 * 1024 * 1024).ingest([bad]))
    expected = {
        "empty.txt": ("failed", "empty"),
        "corrupt.pdf": ("failed", "PDF"),
        "image.txt": ("failed", "binary"),
        "huge.txt": ("failed", "above the limit"),
        "legacy.txt": ("indexed", ""),
        "utf16.txt": ("indexed", ""),
        "REPORT.PDF": ("indexed", ""),
        "sheet.xlsx": ("skipped", "unsupported extension"),
    }
    for name, (status, reason) in expected.items():
        assert results[name].status == status, (name, results[name].reason)
        assert reason in results[name].reason, (name, results[name].reason)
    assert index.stats()["documents"] == 5
    assert index.search("lịch tiếp công dân", k=1, reader=UNRESTRICTED)[0].document_id == "bad/legacy.txt"
    assert index.search("giấy chứng sinh", k=1, reader=UNRESTRICTED)[0].document_id == "docs/khai-sinh.md"


def test_document_text_limit(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("chữ " * 3000, encoding="utf-8")
    [result] = make_ingestor(make_index(tmp_path / "data"), max_document_chars=5000).ingest([path])
    assert result.status == "failed"
    assert "above the limit of 5,000" in result.reason


def test_jsonl_records_become_documents(tmp_path: Path) -> None:
    path = tmp_path / "laws.JSONL"
    records = [
        {"doc_id": "Luật A@1", "law_id": "Luật A", "article_id": "1", "text": "Phạm vi\n\nLuật này quy định về A."},
        {"doc_id": "Luật A@2", "law_id": "Luật A", "article_id": "2", "text": "Đối tượng\n\nÁp dụng cho mọi người."},
        {"text": "no id"},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\nnot json\n", encoding="utf-8")
    index = make_index(tmp_path / "data")
    results = make_ingestor(index).ingest([path])
    assert [(r.document_id, r.status) for r in results] == [
        ("Luật A@1", "indexed"), ("Luật A@2", "indexed"), (None, "failed"), (None, "failed")
    ]
    assert "has no id" in results[2].reason
    assert "not valid JSON" in results[3].reason
    hit = index.search("đối tượng áp dụng", k=1, reader=UNRESTRICTED)[0]
    assert (hit.document_id, hit.title, hit.locator) == ("Luật A@2", "Luật A", "Điều 2")
    assert hit.text.startswith("Điều 2. Đối tượng")
    assert [r.status for r in make_ingestor(index).ingest([path])][:2] == ["unchanged", "unchanged"]


def test_confidential_file_is_blocked_and_never_stored(tmp_path: Path, corpus: Path) -> None:
    (corpus / "phuong-an.txt").write_text("MẬT\n\nPHƯƠNG ÁN BẢO VỆ\n\nNội dung phương án.", encoding="utf-8")
    index = make_index(tmp_path / "data")
    results = by_name(make_ingestor(index).ingest([corpus]))
    assert results["phuong-an.txt"].status == "blocked"
    assert "MẬT" in results["phuong-an.txt"].reason
    assert "docs/phuong-an.txt" not in {d["document_id"] for d in index.store.documents()}
    assert all("PHƯƠNG ÁN BẢO VỆ" not in h.text for h in index.search("phương án bảo vệ", k=10, reader=UNRESTRICTED))


def test_missing_path_fails(tmp_path: Path) -> None:
    [result] = make_ingestor(make_index(tmp_path / "data")).ingest([tmp_path / "nowhere"])
    assert result.status == "failed"
    assert "does not exist" in result.reason


PERSONAL = (
    "Biên bản tiếp nhận\n\nÔng Nguyễn Văn Hùng, số điện thoại 0912 345 678, nộp hồ sơ xin cấp phép xây dựng."
)


@pytest.mark.parametrize(("redact", "visible"), [(True, False), (False, True)])
def test_personal_data_redacted_or_flagged(tmp_path: Path, redactor, redact: bool, visible: bool) -> None:
    path = tmp_path / "bien-ban.txt"
    path.write_text(PERSONAL, encoding="utf-8")
    index = make_index(tmp_path / "data")
    ingestor = Ingestor(index, ClassificationGate(), IngestLimits(), max_tokens=256,
                        redactor_factory=lambda: redactor, redact=redact)
    [result] = ingestor.ingest([path])
    assert result.status == "indexed"
    stored = index.store._db.execute("SELECT text, personal_data FROM chunks").fetchall()
    text = "\n".join(row[0] for row in stored)
    flags = [json.loads(row[1]) for row in stored]
    assert ("0912 345 678" in text) is visible
    assert ("Nguyễn Văn Hùng" in text) is visible
    assert "cấp phép xây dựng" in text
    assert any(flag.get("PHONE_NUMBER") == 1 for flag in flags), flags


def encrypted_pdf(path: Path, text: str) -> None:
    """Write a PDF that opens without a password but is encrypted, which the gate cannot vouch for."""
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(minimal_pdf(text))) as source:
        source.save(path, encryption=pikepdf.Encryption(owner="owner-password", user="", R=4))


def test_unreadable_file_quarantined_until_released(tmp_path: Path) -> None:
    from guardrails import AuditLog, Quarantine

    folder = tmp_path / "in"
    folder.mkdir()
    encrypted_pdf(folder / "report.pdf", "Encrypted service report for the city")
    index = make_index(tmp_path / "data")
    quarantine = Quarantine(tmp_path / "data" / "quarantine.sqlite3")
    audit = AuditLog(tmp_path / "data" / "audit.sqlite3")

    def ingest() -> object:
        ingestor = Ingestor(index, ClassificationGate(), IngestLimits(), max_tokens=256, audit=audit,
                            quarantine=quarantine)
        return ingestor.ingest([folder])[0]

    first = ingest()
    assert first.status == "quarantined"
    assert "encrypted" in first.reason
    [entry] = quarantine.list()
    assert entry.document_id == "in/report.pdf"
    assert index.stats()["documents"] == 0
    assert ingest().status == "quarantined"
    assert len(quarantine.list()) == 1

    quarantine.release(entry.id, actor="admin", justification="Checked the paper original: no secrecy mark.")
    assert ingest().status == "indexed"
    assert index.search("encrypted service report", k=1, reader=UNRESTRICTED)[0].document_id == "in/report.pdf"

    decisions = [(r["action"], r["decision"]) for r in audit.records(limit=10)]
    assert decisions.count(("ingest_gate", "quarantined")) == 2
    assert ("ingest_gate", "allowed") in decisions
    assert all("Encrypted service report" not in str(r) for r in audit.records(limit=10))


def test_gate_decisions_are_audited(tmp_path: Path, corpus: Path) -> None:
    from guardrails import AuditLog

    (corpus / "mat.txt").write_text("MẬT\n\nNội dung.", encoding="utf-8")
    audit = AuditLog(tmp_path / "audit.sqlite3")
    Ingestor(make_index(tmp_path / "data"), ClassificationGate(), IngestLimits(), max_tokens=256,
             audit=audit).ingest([corpus])
    rows = {r["subject_id"]: r for r in audit.records(limit=10)}
    assert rows["docs/mat.txt"]["decision"] == "blocked"
    assert "MẬT" in rows["docs/mat.txt"]["reasons"][0]
    assert rows["docs/khai-sinh.md"]["decision"] == "allowed"


def pdf_with_blank_second_page(text: str) -> bytes:
    """Return a two-page PDF whose second page has no text layer, like a scanned page."""
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(minimal_pdf(text))) as pdf:
        pdf.add_blank_page(page_size=(612, 792))
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def test_pdf_page_without_text_is_quarantined_until_released(tmp_path: Path) -> None:
    from guardrails import Quarantine

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "scan.pdf").write_bytes(pdf_with_blank_second_page("Report with a scanned annex"))
    index = make_index(tmp_path / "data")
    quarantine = Quarantine(tmp_path / "quarantine.sqlite3")

    def ingest() -> object:
        return Ingestor(index, ClassificationGate(), IngestLimits(), max_tokens=256,
                        quarantine=quarantine).ingest([folder])[0]

    first = ingest()
    assert first.status == "quarantined"
    assert "page(s) 2 of 2 have no text layer" in first.reason
    [entry] = quarantine.list()
    quarantine.release(entry.id, actor="admin", justification="The annex is a public map, checked by eye.")
    assert ingest().status == "indexed"
    assert index.search("scanned annex", k=1, reader=UNRESTRICTED)[0].document_id == "in/scan.pdf"


def test_ingest_redaction_keeps_public_wording(tmp_path: Path, redactor) -> None:
    path = tmp_path / "quy-che.txt"
    path.write_text(
        "Quy chế\n\nHệ thống quản lý văn bản và điều hành dùng để xử lý văn bản công việc. "
        "Two Vietnamese citizens residing in Vietnam may register. Liên hệ ông Nguyễn Văn Hùng, 0912 345 678.",
        encoding="utf-8",
    )
    index = make_index(tmp_path / "data")
    Ingestor(index, ClassificationGate(), IngestLimits(), max_tokens=256,
             redactor_factory=lambda: redactor).ingest([path])
    text = "\n".join(row[0] for row in index.store._db.execute("SELECT text FROM chunks"))
    assert "quản lý văn bản và điều hành" in text
    assert "xử lý văn bản công việc" in text
    assert "Vietnamese citizens residing in Vietnam" in text
    assert "Nguyễn Văn Hùng" not in text
    assert "0912 345 678" not in text


def test_langchain_retriever_returns_documents(tmp_path: Path, corpus: Path) -> None:
    from retrieval.langchain_store import IndexVectorStore

    index = make_index(tmp_path / "data")
    make_ingestor(index).ingest([corpus])
    store = IndexVectorStore(index, reader=UNRESTRICTED)
    [document] = store.as_retriever(search_kwargs={"k": 1}).invoke("giấy chứng sinh")
    assert document.metadata["document_id"] == "docs/khai-sinh.md"
    assert document.metadata["locator"] == "Điều 1"
    assert "Giấy chứng sinh" in document.page_content
    with pytest.raises(NotImplementedError, match="ingestion"):
        store.add_texts(["MẬT"])


def test_changed_chunking_settings_rechunk(tmp_path: Path, corpus: Path) -> None:
    index = make_index(tmp_path / "data")
    make_ingestor(index).ingest([corpus])
    index.store.set_meta("chunking", "0:512")
    results = make_ingestor(index).ingest([corpus])
    assert [r.status for r in results] == ["indexed", "indexed"]
    assert [r.status for r in make_ingestor(index).ingest([corpus])] == ["unchanged", "unchanged"]


@pytest.mark.parametrize(("redact", "visible"), [(True, False), (False, True)])
def test_title_and_source_lose_personal_data(tmp_path: Path, redactor, redact: bool, visible: bool) -> None:
    """Titles and source names show in citations and the document list, so they are redacted with the chunks."""
    folder = tmp_path / "don-Tran-Thi-Mai-0987654321"
    folder.mkdir()
    path = folder / "don.txt"
    path.write_text("Đơn đề nghị của bà Trần Thị Mai\n\nĐề nghị cấp lại giấy phép kinh doanh cho hộ gia đình.",
                    encoding="utf-8")
    index = make_index(tmp_path / "data")
    ingestor = Ingestor(index, ClassificationGate(), IngestLimits(), max_tokens=256,
                        redactor_factory=lambda: redactor, redact=redact)
    [result] = ingestor.ingest([path])
    assert result.status == "indexed"
    [document] = index.store.documents()
    chunk_titles = [row[0] for row in index.store._db.execute("SELECT title FROM chunks")]
    shown = " ".join([document["title"], document["source"], *chunk_titles])
    assert ("Trần Thị Mai" in shown) is visible
    assert ("0987654321" in shown) is visible
    assert "Đơn đề nghị" in document["title"]


def test_unchanged_document_regated(tmp_path: Path) -> None:
    """A document indexed under a policy that let MẬT through is removed once the policy blocks it."""
    from guardrails import Policy

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "ke-hoach.txt").write_text("MẬT\n\nKế hoạch kiểm tra kho lưu trữ quý ba.", encoding="utf-8")
    (folder / "lich.txt").write_text("Lịch tiếp công dân buổi sáng thứ Hai.", encoding="utf-8")
    record = {"id": "kiem-ke", "title": "MẬT", "text": "Báo cáo kiểm kê thiết bị phòng họp trực tuyến."}
    (folder / "ban-ghi.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    index = make_index(tmp_path / "data")
    lenient = ClassificationGate(policy=Policy(frozenset({"TOI_MAT", "TUYET_MAT"}), "test"))
    first = by_name(Ingestor(index, lenient, IngestLimits(), max_tokens=256).ingest([folder]))
    assert {name: r.status for name, r in first.items()} == {
        "ke-hoach.txt": "indexed", "lich.txt": "indexed", "ban-ghi.jsonl": "indexed"}

    again = by_name(make_ingestor(index).ingest([folder]))
    assert {name: r.status for name, r in again.items()} == {
        "ke-hoach.txt": "blocked", "lich.txt": "unchanged", "ban-ghi.jsonl": "blocked"}
    assert "MẬT" in again["ke-hoach.txt"].reason
    assert index.store.content_hash("docs/ke-hoach.txt") is None
    assert index.store.content_hash("kiem-ke") is None
    assert {h.document_id for h in index.search("kế hoạch kiểm tra kho lưu trữ", k=5, reader=UNRESTRICTED)} == {
        "docs/lich.txt"}
