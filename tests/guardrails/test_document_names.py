"""Tests of safe_document_name: personal data in file names and document ids."""

from __future__ import annotations

import re

import pytest

from guardrails import ClassificationGate
from guardrails.marks import scan_filename
from guardrails.redaction.names import safe_document_name
from tests.conftest import REPO

GATE = ClassificationGate()
HASH = r"-[0-9a-f]{6}"

# (name, file name, pattern that the safe name must match in full)
CHANGED_NAMES = [
    (
        "name and phone",
        "uploads/don-khieu-nai-Nguyen-Van-An-0912345678.pdf",
        rf"uploads/don-khieu-nai-PERSON-PHONE_NUMBER{HASH}\.pdf",
    ),
    ("lower-case name", "don_khieu_nai_nguyen_van_an.docx", rf"don_khieu_nai_PERSON{HASH}\.docx"),
    ("all-caps name", "HO_SO_TRAN_THI_BINH.pdf", rf"HO_SO_PERSON{HASH}\.pdf"),
    ("name with diacritics", "Đơn khiếu nại Nguyễn Văn An.pdf", rf"Đơn khiếu nại PERSON{HASH}\.pdf"),
    ("two middle names", "hop-dong-Pham-Thi-Thu-Ha.docx", rf"hop-dong-PERSON{HASH}\.docx"),
    ("citizen id", "ho-so-001203012345.pdf", rf"ho-so-VN_CCCD{HASH}\.pdf"),
    ("old id card", "scan_cmnd_012345678.jpg", rf"scan_cmnd_VN_CMND{HASH}\.jpg"),
    ("dotted phone", "lien-he-0912.345.678.txt", rf"lien-he-PHONE_NUMBER{HASH}\.txt"),
    ("e-mail address", "an.nguyen@example.com.txt", rf"EMAIL_ADDRESS{HASH}\.txt"),
    ("long number without context", "ho-so-so-123456789012345.pdf", rf"ho-so-so-ID_NUMBER{HASH}\.pdf"),
    ("name in a folder", "docs/NGUYEN_VAN_AN/don.txt", rf"docs/PERSON{HASH}/don\.txt"),
    ("mark kept before name", "BC_TOI_MAT_Tran_Thi_Binh.docx", rf"BC_TOI_MAT_PERSON{HASH}\.docx"),
    ("mark kept after name", "Le_Van_Hung_MAT.pdf", rf"PERSON_MAT{HASH}\.pdf"),
    ("name after quy dinh", "quy-dinh-Tran-Thi-Binh.pdf", rf"quy-dinh-PERSON{HASH}\.pdf"),
    ("name after xu ly", "xu-ly-Le-Van-Hung.md", rf"xu-ly-PERSON{HASH}\.md"),
    ("family name after quan ly", "quan-ly-Ly-Van-Hung.md", rf"quan-ly-PERSON{HASH}\.md"),
    ("name after bao cao", "bao-cao-Ly-Van-Hung.md", rf"bao-cao-PERSON{HASH}\.md"),
]

# (name, file name) that stay as they are
UNCHANGED_NAMES = [
    ("plain report", "bao-cao-quy-3-2024.pdf"),
    ("urban planning", "quy-hoach-do-thi-ha-noi.pdf"),
    ("college project", "du-an-cao-dang-nghe.pdf"),
    ("document number", "QD-1234-2024-UBND.docx"),
    ("date", "lich-truc-20240315.md"),
    ("festival", "Le-Hoi-Mua-Xuan.html"),
    ("working delegation", "phuong-an-bo-tri-doan-cong-tac-mat.md"),
    ("task team", "quyet-dinh-thanh-lap-to-cong-tac.docx"),
    ("imperial citadel", "hoang-thanh-thang-long.pdf"),
    ("bracketed mark", "[MẬT] Kế hoạch.pdf"),
    ("phan anh kien nghi", "quy-trinh-xu-ly-phan-anh-kien-nghi.md"),
    ("quy dinh bao ve", "quy-dinh-bao-ve-bi-mat-nha-nuoc.txt"),
    ("che do bao cao", "quy-dinh-che-do-bao-cao.md"),
    ("quan ly van ban", "thong-bao-bao-tri-he-thong-quan-ly-van-ban.md"),
    ("ho so", "tiep-nhan-ho-so-thang-10.md"),
    ("household", "danh-sach-ho-gia-dinh-ngheo.xlsx"),
    ("youth union", "ke-hoach-doan-thanh-nien.docx"),
    ("nhiem vu", "nhiem-vu-trong-tam-nam-2026.docx"),
    ("no extension", "README"),
]


@pytest.mark.parametrize(
    ("name", "pattern"),
    [pytest.param(name, pattern, id=case) for case, name, pattern in CHANGED_NAMES],
)
def test_personal_data_replaced(name: str, pattern: str) -> None:
    safe = safe_document_name(name)
    assert re.fullmatch(pattern, safe), safe


@pytest.mark.parametrize("name", [pytest.param(name, id=case) for case, name in UNCHANGED_NAMES])
def test_name_without_personal_data_unchanged(name: str) -> None:
    assert safe_document_name(name) == name


@pytest.mark.parametrize("name", [case[1] for case in CHANGED_NAMES + UNCHANGED_NAMES])
def test_safe_name_keeps_marks(name: str) -> None:
    file_name = name.rsplit("/", 1)[-1]
    safe_file_name = safe_document_name(name).rsplit("/", 1)[-1]
    expected = {finding.level for finding in scan_filename(file_name).findings}
    assert {finding.level for finding in scan_filename(safe_file_name).findings} == expected


def test_safe_name_stable_and_distinct() -> None:
    first = safe_document_name("don-Nguyen-Van-An.pdf")
    assert safe_document_name("don-Nguyen-Van-An.pdf") == first
    assert safe_document_name("don-Tran-Van-Binh.pdf") != first


def test_marked_safe_name_still_blocked(tmp_path) -> None:  # noqa: ANN001 - pytest's tmp_path
    path = tmp_path / safe_document_name("BC_TOI_MAT_Tran_Thi_Binh.txt")
    path.write_text("Báo cáo tiến độ.", encoding="utf-8")
    decision = GATE.check_file(path)
    assert decision.level == "TOI_MAT"
    assert "Binh" not in path.name


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "pattern"),
    [
        ("Đơn của ông Hoàng Quý Nhân.pdf", rf"Đơn của ông PERSON{HASH}\.pdf"),
        ("uploads/don-khieu-nai-Nguyen-Van-An-0912345678.pdf", rf"uploads/don-khieu-nai-PERSON-PHONE_NUMBER{HASH}\.pdf"),
        ("bao-cao-quy-3-2024.pdf", r"bao-cao-quy-3-2024\.pdf"),
    ],
)
def test_redactor_detections_added(redactor, name: str, pattern: str) -> None:  # noqa: ANN001 - lazily typed
    safe = safe_document_name(name, redactor)
    assert re.fullmatch(pattern, safe), safe


@pytest.mark.slow
def test_upload_id_and_log_without_personal_data(bundled_server) -> None:  # noqa: ANN001 - tests.conftest.Server
    client = bundled_server.client
    name = "don-khieu-nai-Nguyen-Van-An-0912345678.txt"
    body = "Đơn đề nghị sửa chữa đèn chiếu sáng ngõ 12 phố Hàng Bông, gửi Ủy ban nhân dân phường."
    response = client.post("/v1/documents", files={"file": (name, body.encode(), "text/plain")})
    assert response.status_code == 200
    [result] = response.json()["results"]
    assert result["status"] == "indexed", result
    assert re.fullmatch(rf"uploads/van-phong-ubnd/don-khieu-nai-PERSON-PHONE_NUMBER{HASH}\.txt", result["document_id"])
    hits = client.post("/v1/search", json={"query": "sửa chữa đèn chiếu sáng ngõ 12 Hàng Bông", "k": 3}).json()["hits"]
    assert hits[0]["document_id"] == result["document_id"]
    assert "Nguyen" not in hits[0]["title"]
    log_text = bundled_server.log_path.read_text(encoding="utf-8")
    assert "0912345678" not in log_text
    assert "Nguyen-Van-An" not in log_text
    client.delete(f"/v1/documents/{result['document_id']}")


@pytest.mark.parametrize("path", sorted(p for p in (REPO / "corpora" / "bundled").rglob("*") if p.is_file()),
                         ids=lambda p: p.name)
def test_bundled_file_names_unchanged(path) -> None:  # noqa: ANN001 - a Path
    assert safe_document_name(path.name) == path.name
