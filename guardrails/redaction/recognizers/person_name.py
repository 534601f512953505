"""Vietnamese person names: family name first, then middle and given names.

There is no Vietnamese NER model here, so names are found by three rules:

- after a title ("ông", "bà", "chị", "đồng chí", "đ/c"), any capitalised
  name or initials ("bà N.T.H."), and a lower-case name that starts with a
  common family name;
- after a form label ("Họ và tên:", "tôi là"), a name in any letter case;
- anywhere, three or four capitalised syllables (or capitals, as on forms)
  starting with a common family name, and a lower-case "nguyễn văn an"
  whose middle name is "văn" or "thị".

Streets, schools and places named after historical people ("phố Trần Hưng
Đạo") are left alone when a place word precedes them or the name is in
PUBLIC_NAMES.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from presidio_analyzer import AnalysisExplanation, RecognizerResult

from guardrails.redaction.recognizers.base import OneEntityRecognizer
from guardrails.redaction.recognizers.vietnamese import FAMILY_NAMES, SYLLABLE, UPPER

_TITLE = re.compile(
    r"(?<![\w/])(?i:ông/bà|ông|bà|anh|chị|em|cô|chú|bác|cụ|cháu|thầy|đồng chí|đ/c|bệnh nhân|"
    r"người bệnh|bị can|bị cáo|nạn nhân)\s+(?:là\s+)?"
)
_LABEL = re.compile(
    r"(?<!\w)(?i:họ và tên(?: khai sinh)?|họ tên|họ, tên|người khai|người đề nghị|người yêu cầu|"
    r"người nộp(?: hồ sơ)?|người đại diện|chủ hộ|chủ sở hữu|người khiếu nại|người tố cáo|"
    r"người phản ánh|full name|tôi tên là|tên tôi là|tôi là|tên là|em là|cháu là)\s*:?\s*"
)
_INITIALS = re.compile(rf"(?:[{re.escape(UPPER)}]\.){{1,4}}[{re.escape(UPPER)}]?(?!\w)")
_SYLLABLE = re.compile(SYLLABLE)
# Only plain spaces join the syllables of one name.
_NAME_GAP = re.compile(r"[ \u00a0]")
_MAX_SYLLABLES = 4

# Words that end a name: what usually follows a name on a form or in a
# sentence, sentence particles ("ạ", "nhé"), and office words that follow a
# name in title case.
_STOP_WORDS = frozenset(
    """
    SINH NGÀY NĂM GIỚI TÍNH ĐỊA CHỈ SỐ SĐT ĐT ĐIỆN THOẠI QUÊ QUÁN TRÚ THƯỜNG TẠM CCCD CMND CHỨC VỤ
    ĐƠN VỊ LÀ VÀ CỦA TẠI ĐÃ CÓ ĐƯỢC CÙNG VỚI NAY MST EMAIL NỮ DÂN TỘC TỊCH NGHỀ NGHIỆP CHỦ PHÓ
    GIÁM TRƯỞNG BÍ THƯ ỦY SỞ PHÒNG BAN CỤC TỔNG VIỆN BỘ HỘI ĐẢNG UBND HĐND GỬI ĐỀ NGHỊ XIN THEO
    Ạ À NHÉ NHA NHỈ ƠI ĐÂY ĐÓ NÀY THÌ MÀ ĐANG SẼ BỊ CHO MUỐN HỎI CẦN Ở VỀ NHỜ RẤT CŨNG KHÔNG
    """.split()
)
# Words before a name that make it the name of a place or institution.
_PLACE_WORDS = frozenset(
    """
    phố đường phường quận huyện xã tỉnh tp trường thpt thcs học viện cầu ngõ ngách lăng tượng
    đền chùa khu tòa cư giải quỹ ty lộ tâm trấn sông chợ bến ga cảng núi đảo tuyến hẻm
    """.split()
)
# Historical people whose names streets, schools and places carry, and
# phrases that look like names. Compared in lower case.
PUBLIC_NAMES = frozenset(
    {
        "hồ chí minh",
        "trần hưng đạo",
        "lý thường kiệt",
        "nguyễn trãi",
        "lê thánh tông",
        "lê thái tổ",
        "lý thái tổ",
        "đinh tiên hoàng",
        "trần nhân tông",
        "phan bội châu",
        "phan chu trinh",
        "phan đình phùng",
        "hoàng hoa thám",
        "nguyễn thái học",
        "lê hồng phong",
        "hoàng quốc việt",
        "trần khát chân",
        "chu văn an",
        "nguyễn lương bằng",
        "trần quốc toản",
        "nguyễn văn trỗi",
        "võ thị sáu",
        "lê quý đôn",
        "nguyễn đình chiểu",
        "võ nguyên giáp",
        "phạm văn đồng",
        "tôn đức thắng",
        "nguyễn văn cừ",
        "nguyễn văn linh",
        "lê văn lương",
        "trần duy hưng",
        "nguyễn chí thanh",
        "nguyễn thị minh khai",
        "lương thế vinh",
        "mai hắc đế",
        "đoàn thanh niên",
        "hai bà trưng",
    }
)
# Title and name together that are places or historical figures ("Bà Rịa", "Bác Hồ").
_TITLED_PLACES = ("bà rịa", "bà triệu", "bà đen", "ông ích khiêm", "bà huyện thanh quan", "bà chúa kho", "bác hồ")
# Second syllables that turn a family name into an ordinary word or a
# place: "Hồ sơ", "Lý do", "Lý lịch", "Đào tạo", "Cao đẳng", "Đoàn kiểm tra", "Hà Nội".
_NOT_NAME_AFTER_FAMILY = frozenset(
    "sơ do lịch tạo đẳng kiểm nội tĩnh giang bằng tây gươm hoàn nghiệp điểm tốc su cấp".split()
)
_MIDDLE_NAMES_LOWER_CASE = frozenset({"văn", "thị"})


@dataclass(frozen=True)
class _Name:
    start: int
    end: int
    syllables: tuple[str, ...]


class VnPersonNameRecognizer(OneEntityRecognizer):
    """Recognize Vietnamese person names by title, form label or family name."""

    ENTITY = "PERSON"
    TITLE_SCORE = 0.85
    LABEL_SCORE = 0.9
    FAMILY_SCORE = 0.7
    LOWER_CASE_SCORE = 0.55
    TITLED_LOWER_CASE_SCORE = 0.65

    def find(self, text: str) -> list[RecognizerResult]:
        """Return the names found by the title, label and family-name rules."""
        results = list(self._after_titles(text))
        results.extend(self._after_labels(text))
        results.extend(self._by_family_name(text))
        return results

    def _after_titles(self, text: str) -> Iterator[RecognizerResult]:
        for match in _TITLE.finditer(text):
            if _after_place_word(text, match.start()) or _is_titled_place(text, match.start()):
                continue
            initials = _INITIALS.match(text, match.end())
            if initials is not None:
                yield self._result(initials.start(), initials.end(), self.TITLE_SCORE, "initials after a title")
                continue
            name = _read_name(text, match.end())
            if name is None or _is_public(name):
                continue
            if _is_lower(name.syllables[0]):
                if _starts_with_family_name(name) and len(name.syllables) >= 2:
                    yield self._result(
                        name.start, name.end, self.TITLED_LOWER_CASE_SCORE, "lower-case name after a title"
                    )
                continue
            yield self._result(name.start, name.end, self.TITLE_SCORE, "capitalised name after a title")

    def _after_labels(self, text: str) -> Iterator[RecognizerResult]:
        for match in _LABEL.finditer(text):
            name = _read_name(text, match.end())
            if name is None or _is_public(name):
                continue
            if _is_lower(name.syllables[0]) and not (_starts_with_family_name(name) and len(name.syllables) >= 2):
                continue
            yield self._result(name.start, name.end, self.LABEL_SCORE, "name after a form label")

    def _by_family_name(self, text: str) -> Iterator[RecognizerResult]:
        for match in _SYLLABLE.finditer(text):
            if match.group(0).lower() not in FAMILY_NAMES or _after_place_word(text, match.start()):
                continue
            if match.start() > 0 and (text[match.start() - 1].isalnum() or text[match.start() - 1] == "/"):
                continue
            name = _read_name(text, match.start())
            if name is None or not 3 <= len(name.syllables) <= _MAX_SYLLABLES or _is_public(name):
                continue
            if name.syllables[1].lower() in _NOT_NAME_AFTER_FAMILY:
                continue
            if not _is_lower(name.syllables[0]):
                yield self._result(
                    name.start, name.end, self.FAMILY_SCORE, "capitalised name starting with a family name"
                )
            elif name.syllables[1] in _MIDDLE_NAMES_LOWER_CASE:
                yield self._result(
                    name.start, name.end, self.LOWER_CASE_SCORE, "lower-case name with middle name văn or thị"
                )

    def _result(self, start: int, end: int, score: float, reason: str) -> RecognizerResult:
        explanation = AnalysisExplanation(recognizer=self.name, original_score=score, textual_explanation=reason)
        return RecognizerResult(self.ENTITY, start, end, score, analysis_explanation=explanation)


def _read_name(text: str, start: int) -> _Name | None:
    """Read up to four syllables of one letter case style starting at start.

    The style of the first syllable (capitals, title case or lower case)
    must hold for the rest, and a stop word ends the name.
    """
    syllables: list[str] = []
    end = start
    position = start
    style = None
    while len(syllables) < _MAX_SYLLABLES:
        match = _SYLLABLE.match(text, position)
        if match is None:
            break
        word = match.group(0)
        word_style = _style(word)
        if word.upper() in _STOP_WORDS or (style is not None and word_style != style and not _fits(word, style)):
            break
        style = style or word_style
        syllables.append(word)
        end = match.end()
        if not _NAME_GAP.match(text, end) or not text[end + 1 : end + 2].isalpha():
            break
        position = end + 1
    if not syllables:
        return None
    return _Name(start, end, tuple(syllables))


def _style(word: str) -> str:
    if word.isupper() and len(word) > 1:
        return "upper"
    if word[0].isupper():
        return "title"
    return "lower"


def _fits(word: str, style: str) -> bool:
    # A one-letter syllable ("A" in "NGUYỄN VĂN A") fits both capitals and title case.
    return len(word) == 1 and word.isupper() and style in ("upper", "title")


def _is_lower(word: str) -> bool:
    return word[0].islower()


def _starts_with_family_name(name: _Name) -> bool:
    return name.syllables[0].lower() in FAMILY_NAMES


def _is_public(name: _Name) -> bool:
    return " ".join(name.syllables).lower() in PUBLIC_NAMES


def _previous_word(text: str, position: int) -> str:
    words = _SYLLABLE.findall(text[max(0, position - 30) : position])
    return words[-1].lower() if words else ""


def _after_place_word(text: str, position: int) -> bool:
    return _previous_word(text, position) in _PLACE_WORDS


def _is_titled_place(text: str, position: int) -> bool:
    following = text[position : position + 30].lower()
    if following.startswith("bà trưng") and _previous_word(text, position) == "hai":
        return True
    return following.startswith(_TITLED_PLACES)
