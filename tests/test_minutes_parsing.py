"""Transcript parsing and rule-based extraction of minutes items, as tables of cases."""

from __future__ import annotations

import codecs
import datetime
import io

import pytest

from assistant.errors import InputError
from assistant.minutes import decode_transcript, parse_transcript, read_transcript_file
from assistant.minutes.dates import find_due
from assistant.minutes.extract import find_actions, is_decision

MEETING = datetime.date(2025, 9, 3)

SHAPES = [
    (
        "name_lines",
        "Bà Trang: Chào các anh chị.\nÔng Nguyễn Văn Hùng (Sở Tài chính): Tôi xin báo cáo.\nBà Trang: Cảm ơn anh.",
        ["Bà Trang", "Ông Nguyễn Văn Hùng (Sở Tài chính)", "Bà Trang"],
        ["Chào các anh chị.", "Tôi xin báo cáo.", "Cảm ơn anh."],
    ),
    (
        "webvtt_voice",
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Bà Lan>Bắt đầu họp.\n\n"
        "00:00:04.000 --> 00:00:06.000\n<v Bà Lan>Mời anh Tú.\n\n00:00:06.000 --> 00:00:09.500\n<v Anh Tú>Vâng ạ.\n",
        ["Bà Lan", "Anh Tú"],
        ["Bắt đầu họp. Mời anh Tú.", "Vâng ạ."],
    ),
    (
        "srt_name_prefix",
        "1\n00:00:01,000 --> 00:00:03,000\nOng Binh: Xin chao.\n\n2\n00:00:03,000 --> 00:00:05,000\nKết luận: họp xong.\n",
        ["Ong Binh", None],
        ["Xin chao.", "Kết luận: họp xong."],
    ),
    (
        "label_own_line",
        "Chủ tọa:\nĐoạn một của chủ tọa.\n\nĐoạn hai của chủ tọa.\n\nBà Mai:\nÝ kiến của bà Mai.",
        ["Chủ tọa", "Chủ tọa", "Bà Mai"],
        ["Đoạn một của chủ tọa.", "Đoạn hai của chủ tọa.", "Ý kiến của bà Mai."],
    ),
    (
        "plain_paragraphs",
        "Cuộc họp bắt đầu lúc 9 giờ.\nCác đại biểu có mặt đầy đủ.\n\nLưu ý: tài liệu gửi trước.",
        [None, None],
        ["Cuộc họp bắt đầu lúc 9 giờ. Các đại biểu có mặt đầy đủ.", "Lưu ý: tài liệu gửi trước."],
    ),
    (
        "english_with_stamps",
        "[00:01:05] Project Manager: Let us start.\n[00:02:10] Marketing: Sure.\nACTION: send the notes",
        ["Project Manager", "Marketing", "Marketing"],
        ["Let us start.", "Sure. ACTION: send the notes"],
    ),
]


@pytest.mark.parametrize(("name", "text", "speakers", "texts"), SHAPES, ids=[s[0] for s in SHAPES])
def test_parse_shapes(name: str, text: str, speakers: list, texts: list) -> None:
    turns = parse_transcript(text)
    assert [t.speaker for t in turns][: len(texts)] == speakers[: len(texts)]
    assert [t.text for t in turns] == texts
    assert [t.id for t in turns] == list(range(1, len(texts) + 1))


def test_vtt_timestamps_and_lines() -> None:
    turns = parse_transcript(SHAPES[1][1])
    assert (turns[0].start, turns[0].end) == (1.0, 6.0)
    assert turns[1].start == 6.0
    assert turns[0].line == 4


def test_name_lines_record_line_numbers() -> None:
    turns = parse_transcript("\n\nBà Trang: Một.\n\nÔng Hải: Hai.")
    assert [t.line for t in turns] == [3, 5]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_decode_accepted_encodings(encoding: str) -> None:
    assert decode_transcript("Bà Trang: Đồng ý.".encode(encoding)) == "Bà Trang: Đồng ý."


def test_decode_rejects_undecodable_bytes() -> None:
    with pytest.raises(InputError, match="not valid UTF-8"):
        decode_transcript("Bà Trang".encode("cp1258") + b"\xff\xfe\xfa")


@pytest.mark.parametrize(("filename", "message"), [("notes.pdf", "unsupported file type"), ("notes", "unsupported")])
def test_read_rejects_file_types(filename: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_transcript_file(b"text", filename)


def test_read_rejects_oversized_file() -> None:
    with pytest.raises(InputError, match="limit"):
        read_transcript_file(b"a" * (2 * 1024 * 1024 + 1), "big.txt")


def test_read_docx_paragraphs() -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Bà Trang: Cuộc họp thống nhất phương án hai.")
    document.add_paragraph("Ông Hải: Tôi sẽ gửi dự thảo trước ngày 10/9.")
    buffer = io.BytesIO()
    document.save(buffer)
    turns = parse_transcript(read_transcript_file(buffer.getvalue(), "hop.docx"))
    assert [t.speaker for t in turns] == ["Bà Trang", "Ông Hải"]


def test_read_utf16_file_with_bom() -> None:
    data = codecs.BOM_UTF16_LE + "Bà Trang: Xin chào.".encode("utf-16-le")
    assert read_transcript_file(data, "a.txt") == "Bà Trang: Xin chào."


@pytest.mark.parametrize("text", ["", "   \n\n  ", "WEBVTT\n\n"])
def test_parse_rejects_empty(text: str) -> None:
    with pytest.raises(InputError, match="no text"):
        parse_transcript(text)


ACTIONS = [
    ("Bà Trang gửi văn bản trước ngày 15/9.", "Bà Trang", "gửi văn bản trước ngày 15/9", "2025-09-15"),
    ("Sở Xây dựng chủ trì, phối hợp với Sở Tài chính rà soát danh mục trong tháng 10.", "Sở Xây dựng",
     "chủ trì, phối hợp với Sở Tài chính rà soát danh mục trong tháng 10", "trong tháng 10"),
    ("Giao Văn phòng UBND Thành phố dự thảo thông báo trước 20/9/2025.", "Văn phòng UBND Thành phố",
     "dự thảo thông báo trước 20/9/2025", "2025-09-20"),
    ("Ông Lê Văn Đạt có trách nhiệm tổng hợp ý kiến.", "Ông Lê Văn Đạt", "tổng hợp ý kiến", None),
    ("Tôi sẽ gửi lại bảng số liệu trong tuần này.", "Bà Hạnh", "gửi lại bảng số liệu trong tuần này",
     "trong tuần này"),
    ("Hạn nộp là ngày 5 tháng 1; Phòng Kế hoạch nộp báo cáo chậm nhất ngày 5 tháng 1.", "Phòng Kế hoạch",
     "nộp báo cáo chậm nhất ngày 5 tháng 1", "2026-01-05"),
    ("Trang will send the draft by Friday.", "Trang", "send the draft by Friday", "by Friday"),
    ("ACTION: Minh to book the room by 15 September.", "Minh", "book the room by 15 September", "2025-09-15"),
    ("I'll circulate the budget before 2025-10-01.", "Bà Hạnh", "circulate the budget before 2025-10-01",
     "2025-10-01"),
]


@pytest.mark.parametrize(("sentence", "owner", "task", "due"), ACTIONS, ids=[a[1] for a in ACTIONS])
def test_action_owner_task_due(sentence: str, owner: str, task: str, due: str | None) -> None:
    clause = sentence.split("; ")[-1]
    items = find_actions(clause, "Bà Hạnh", MEETING)
    assert len(items) == 1
    assert items[0].owner == owner
    assert items[0].task == task
    assert items[0].due == due
    assert items[0].owner_missing is False


def test_action_without_owner_is_marked() -> None:
    items = find_actions("ACTION: update the budget table", None, MEETING)
    assert [(i.owner, i.owner_missing, i.task) for i in items] == [(None, True, "update the budget table")]


def test_two_owners_in_one_sentence() -> None:
    items = find_actions("Ông Hùng tổng hợp ý kiến và bà Lê Thị Mai chuẩn bị tờ trình trước 30/9.", None, MEETING)
    assert [(i.owner, i.due) for i in items] == [("Ông Hùng", None), ("bà Lê Thị Mai", "2025-09-30")]


NO_ACTIONS = [
    "Bà Trang cho biết năm ngoái đã gửi văn bản.",
    "Bà Trang gửi văn bản trước ngày nào?",
    "Hạn gửi văn bản là ngày nào?",
    "Sở Y tế cho biết đã gửi báo cáo.",
    "Nếu Sở Tài chính bố trí kinh phí thì dự án sẽ kịp tiến độ.",
    "Trang sent the letter last year.",
    "The report will be ready next week.",
    "I call this meeting to order.",
    "Welcome to the 12th meeting of the committee.",
    "I will say that the answer is wrong.",
    "Tôi sẽ gửi văn bản.",  # the speaker is unknown, so there is no owner to name
]


@pytest.mark.parametrize("sentence", NO_ACTIONS)
def test_no_action_item(sentence: str) -> None:
    speaker = None if sentence.startswith("Tôi") else "Ông Hải"
    assert find_actions(sentence, speaker, MEETING) == []


DECISIONS = [
    ("Cuộc họp thống nhất ưu tiên tuyến phố Hàng Lụa.", True),
    ("Kết luận: không điều chỉnh thiết kế đã duyệt.", True),
    ("The team agreed on a budget of 25 euros.", True),
    ("We will go with the rubber case.", True),
    ("Hình thức lấy ý kiến chưa thống nhất, để lại kỳ sau.", False),
    ("Các bên không đồng ý với phương án điều chỉnh.", False),
    ("Anh có đồng ý với phương án này không?", False),
    ("Tôi đồng ý.", False),
    ("Giao Văn phòng dự thảo thông báo kết luận cuộc họp.", False),
    ("Theo Quyết định số 15/QĐ-UBND, dự án đã được duyệt.", False),
]


@pytest.mark.parametrize(("sentence", "expected"), DECISIONS)
def test_decision_cues(sentence: str, expected: bool) -> None:
    assert is_decision(sentence) is expected


DUES = [
    ("gửi trước ngày 15/9", "2025-09-15"),
    ("nộp chậm nhất ngày 2/1", "2026-01-02"),
    ("xong trước 31/2", "31/2"),
    ("hoàn thành trong quý IV", "trong quý IV"),
    ("finish by the end of the month", "by the end of the month"),
    ("send by March 3, 2026", "2026-03-03"),
    ("báo cáo tình hình tuần trước", None),
    ("ngày 15/9 đã gửi", None),
]


@pytest.mark.parametrize(("text", "due"), DUES)
def test_due_from_words(text: str, due: str | None) -> None:
    assert find_due(text, MEETING) == due
