"""The drafting fact check: figures, dates, legal references and names must come from the evidence."""

from __future__ import annotations

import datetime

import pytest

from assistant.drafting.factcheck import Evidence, canonical_number, capitalised_names, check_texts

FACTS = [
    "Tiếp nhận 1.240 hồ sơ trực tuyến, giải quyết đúng hạn 98,5%.",
    "Kinh phí 1,2 tỷ đồng; hội nghị ngày 15/12/2026 do ông Trần Minh Khoa chủ trì.",
    "Thực hiện theo Nghị định 30/2020/NĐ-CP, Điều 12 Luật Cư trú năm 2020 và Luật Ban hành văn bản 2015.",
]
EVIDENCE = Evidence.from_texts(FACTS, dates=[datetime.date(2026, 12, 4)])


def violations(text: str, person_finder=None) -> list[tuple[str, str]]:  # noqa: ANN001
    report = check_texts([("body", text)], EVIDENCE, person_finder)
    return [(v.kind, v.value) for v in report.violations]


@pytest.mark.parametrize(
    "text",
    [
        "Đã tiếp nhận 1.240 hồ sơ.",
        "Đã tiếp nhận 1240 hồ sơ.",
        "Tỷ lệ đúng hạn đạt 98,5%.",
        "Kinh phí là 1,2 tỷ đồng.",
        "Hội nghị ngày 15 tháng 12 năm 2026.",
        "Hội nghị ngày 2026-12-15.",
        "Văn bản ký ngày 04/12/2026.",
        "Theo Nghị định 30/2020/NĐ-CP.",
        "Theo Nghị định số 30/2020/ND-CP.",
        "Theo Điều 12 Luật Cư trú 2020.",
        "Căn cứ Luật Ban hành văn bản năm 2015.",
        "Ông Trần Minh Khoa chủ trì hội nghị [1].",
        "TRẦN MINH KHOA",
        "Tình hình chung ổn định, không có số liệu.",
    ],
)
def test_traceable_text_passes(text: str) -> None:
    assert violations(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đã tiếp nhận 1.250 hồ sơ.", [("number", "1.250")]),
        ("Có 37 đơn vị tham gia.", [("number", "37")]),
        ("Hội nghị ngày 30/02/2026.", [("invalid_date", "30/02/2026")]),
        ("Hạn chót ngày 31 tháng 4 năm 2026.", [("invalid_date", "ngày 31 tháng 4 năm 2026")]),
        ("Hội nghị ngày 16/12/2026.", [("date", "16/12/2026")]),
        ("Theo Điều 99 của Luật Cư trú.", [("legal_reference", "Điều 99")]),
        ("Theo Nghị định 45/2021/NĐ-CP.", [("legal_reference", "45/2021/NĐ-CP")]),
        ("Căn cứ Luật Đất đai 2013.", [("legal_reference", "Luật Đất đai 2013")]),
        ("Kinh phí 1,2 triệu đồng.", [("amount", "1,2 triệu đồng")]),
        ("Tỷ lệ đúng hạn đạt 99%.", [("amount", "99%")]),
        ("Bà Phạm Thu Hà phụ trách.", [("person", "Phạm Thu Hà")]),
        ("Giao đồng chí Hùng theo dõi.", [("person", "Hùng")]),
        ("Người phụ trách: Nguyễn Văn Bình.", [("person", "Nguyễn Văn Bình")]),
    ],
)
def test_untraceable_value_is_reported(text: str, expected: list[tuple[str, str]]) -> None:
    assert violations(text) == expected


def test_violation_names_its_place() -> None:
    report = check_texts([("sections[0].paragraphs[1]", "Có 37 đơn vị.")], EVIDENCE)
    assert report.passed is False
    assert report.violations[0].where == "sections[0].paragraphs[1]"


def test_person_finder_adds_names() -> None:
    assert violations("Chị Mai phụ trách.", person_finder=lambda text: ["Mai"]) == [("person", "Mai")]


@pytest.mark.slow
def test_redactor_person_detection(redactor) -> None:  # noqa: ANN001
    def find(text: str) -> list[str]:
        return [text[e.start:e.end] for e in redactor.analyze(text, "vi") if e.type == "PERSON"]

    assert violations("Ông Trần Minh Khoa chủ trì.", find) == []
    assert ("person", "Đỗ Quang Vinh") in violations("Ông Đỗ Quang Vinh chủ trì.", find)


@pytest.mark.parametrize(
    ("token", "canonical"),
    [("1.240", "1240"), ("1,240", "1240"), ("1.240.500", "1240500"), ("98,5", "98.5"), ("07", "7"), ("2026", "2026")],
)
def test_canonical_number(token: str, canonical: str) -> None:
    assert canonical_number(token) == canonical


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Ông Lê Văn Tám và NGUYỄN THỊ HOA dự họp.", ["Lê Văn Tám", "NGUYỄN THỊ HOA"]),
        ("Mr. Smith attended.", ["Smith"]),
        ("Sở Tư pháp Hà Nội và tiếng Anh.", []),
        ("Nguyễn là họ phổ biến.", []),
    ],
)
def test_capitalised_name_rule(text: str, names: list[str]) -> None:
    assert capitalised_names(text) == names
