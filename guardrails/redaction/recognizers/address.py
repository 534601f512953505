"""Private addresses: house number, lane, street, ward and district, as in
"số 12, ngõ 34, phố Hàng Bạc, phường Hàng Đào, quận Hoàn Kiếm".

An address is recognized when it starts with a house-level part (house
number, lane, alley, apartment) or follows a residence phrase ("trú tại",
"địa chỉ:"). A ward or district named alone is a public place, not a
private address, and is left alone.
"""

from __future__ import annotations

import re

from presidio_analyzer import AnalysisExplanation, RecognizerResult

from guardrails.redaction.recognizers.base import OneEntityRecognizer
from guardrails.redaction.recognizers.vietnamese import CAPITALISED_SYLLABLE

_NUMBER = r"\d+[A-Za-z]?(?:[/\-]\d+[A-Za-z]?)*"
_NAME = rf"(?:{_NUMBER}|{CAPITALISED_SYLLABLE}(?:\s+{CAPITALISED_SYLLABLE}){{0,4}})"
_KEYWORD = (
    r"(?i:ngõ|ngách|hẻm|kiệt|tòa nhà|tòa|chung cư|khu đô thị|KĐT|khu phố|khu|tổ dân phố|tổ|"
    r"thôn|xóm|ấp|phố|đường|phường|xã|thị trấn|quận|huyện|thị xã|thành phố|tỉnh)"
)

# House-level parts, which make an address private: a house or apartment
# number, a lane or alley, or a number with a slash ("12/34") before a street.
_HOUSE = re.compile(
    rf"(?i:số nhà|nhà số|căn hộ(?: số)?|số|SN)\s+{_NUMBER}"
    rf"|(?i:ngõ|ngách|hẻm|kiệt)\s+{_NUMBER}"
    rf"|\d+[A-Za-z]?[/\-]\d+[A-Za-z]?(?:[/\-]\d+[A-Za-z]?)*(?=\s+(?i:phố|đường|ngõ|ngách)\s)"
)
# Labels of other data that often follow an address on the same line.
_NOT_ADDRESS = r"(?i:SĐT|SDT|ĐT|điện thoại|di động|email|CCCD|CMND|MST|STK|mã số)\b"
# Parts that continue an address: a keyword with a name ("phường Hàng Đào"),
# an abbreviation ("Q. Đống Đa"), a number, or a bare capitalised name.
_PART = re.compile(
    rf"(?!{_NOT_ADDRESS})"
    rf"(?:{_KEYWORD}\s+{_NAME}"
    rf"|(?:TP|Tp|Q|P|TX|TT)\.\s?{_NAME}"
    rf"|{_NUMBER}"
    rf"|{CAPITALISED_SYLLABLE}(?:\s+{CAPITALISED_SYLLABLE}){{0,4}})"
)
# A part that names a level of the address by keyword, as opposed to a bare name.
_KEYWORD_PART = re.compile(rf"{_KEYWORD}\s|(?:TP|Tp|Q|P|TX|TT)\.")
# Phrases after which whatever address follows is a person's residence.
_RESIDENCE = re.compile(
    r"(?i:địa chỉ|trú tại|thường trú(?: tại)?|tạm trú(?: tại)?|nơi ở(?: hiện nay)?|chỗ ở|cư trú tại|"
    r"sống tại|ở tại|nơi cư trú|address)\s*:?\s*"
)
_SEPARATOR = re.compile(r"\s*[,\-–]\s*|\s+")
_MIN_PARTS = 2


class VnAddressRecognizer(OneEntityRecognizer):
    """Recognize Vietnamese street addresses that can point to a person's home."""

    ENTITY = "ADDRESS"
    HOUSE_SCORE = 0.75
    RESIDENCE_SCORE = 0.85

    def find(self, text: str) -> list[RecognizerResult]:
        """Return each address that starts at a house-level part or after a residence phrase."""
        results = []
        for match in _RESIDENCE.finditer(text):
            span = _extend_address(text, match.end(), residence=True)
            if span is not None:
                results.append(self._result(span, self.RESIDENCE_SCORE, "after a residence phrase"))
        for match in _HOUSE.finditer(text):
            if not _starts_word(text, match.start()):
                continue
            span = _extend_address(text, match.start(), residence=False)
            if span is not None:
                results.append(self._result(span, self.HOUSE_SCORE, "starts with a house-level part"))
        return results

    def _result(self, span: tuple[int, int], score: float, reason: str) -> RecognizerResult:
        explanation = AnalysisExplanation(recognizer=self.name, original_score=score, textual_explanation=reason)
        return RecognizerResult(self.ENTITY, span[0], span[1], score, analysis_explanation=explanation)


def _starts_word(text: str, position: int) -> bool:
    return position == 0 or not text[position - 1].isalnum()


def _extend_address(text: str, start: int, residence: bool) -> tuple[int, int] | None:
    """Match a first part at start, then as many further parts as follow on the line.

    Returns the span of the address, or None when it has fewer than two
    parts. Outside a residence phrase at least one part must name its level
    by keyword ("phố", "phường"), so "văn bản số 15 Quy định" is not an address.
    """
    match = _HOUSE.match(text, start) or (_PART.match(text, start) if residence else None)
    if match is None:
        return None
    end = match.end()
    parts = [match.group(0)]
    while True:
        separator = _SEPARATOR.match(text, end)
        position = separator.end() if separator else end
        if "\n" in text[end:position]:
            break
        part = _PART.match(text, position)
        if part is None or part.end() == position:
            break
        end = part.end()
        parts.append(part.group(0))
    if len(parts) < _MIN_PARTS:
        return None
    if not residence and not any(_KEYWORD_PART.match(part) for part in parts):
        return None
    return start, end
