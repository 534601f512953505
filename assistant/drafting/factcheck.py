"""The fact check: every figure, date, legal reference and name in a draft must be traceable.

A value is traceable when it appears in the evidence: the caller's request fields
and facts, and the full text of the source passages the draft cites. Dates must
also exist on the calendar. Violations are reported, never removed.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from assistant.drafting.doctypes import fold
from assistant.drafting.models import CheckReport, Violation

_UPPER = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
_NUMBER = r"\d+(?:[.,]\d+)*"
_NUMBER_TOKEN = re.compile(rf"(?<![\w.,]){_NUMBER}(?!\w)")
_THOUSANDS = re.compile(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*")

_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_MONTH_NAMES = "|".join(_MONTHS)
# Each pattern yields named groups d, m (a number or an English month name) and y.
_DATE_PATTERNS = (
    re.compile(r"(?<![\d/])(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})(?![\d/])"),
    re.compile(r"(?<![\d\-])(?P<d>\d{1,2})-(?P<m>\d{1,2})-(?P<y>\d{4})(?![\d\-])"),
    re.compile(r"(?<![\d\-])(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?![\d\-])"),
    re.compile(r"ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>\d{4})", re.IGNORECASE),
    re.compile(rf"(?P<d>\d{{1,2}})\s+(?P<m>{_MONTH_NAMES}),?\s+(?P<y>\d{{4}})", re.IGNORECASE),
    re.compile(rf"(?P<m>{_MONTH_NAMES})\s+(?P<d>\d{{1,2}}),?\s+(?P<y>\d{{4}})", re.IGNORECASE),
)
# A citation marker such as "[2]" points at a cited passage; it is not a figure.
_CITATION_MARKER = re.compile(r"\[\d+\]")
_MONTH_YEAR = re.compile(r"tháng\s+(?P<m>\d{1,2})(?:/|\s+năm\s+)(?P<y>\d{4})", re.IGNORECASE)

_DOCUMENT_CODE = re.compile(rf"(?<![\w/])\d{{1,4}}/\d{{4}}/[{_UPPER}][{_UPPER}0-9]*(?:-[{_UPPER}0-9]+)*")
_ARTICLE = re.compile(r"\b(?:Điều|Article)\s+\d+[a-z]?\b", re.IGNORECASE)
_LAW = re.compile(
    rf"\b(?:Luật\s+[{_UPPER}][^\n,.;:()\[\]«»]{{0,80}}?|Law\s+on\s+[^\n,.;:()\[\]]{{1,80}}?)"
    r"\s+(?:năm\s+|of\s+)?\d{4}\b"
)
_AMOUNT = re.compile(
    rf"(?<![\w.,])(?P<n>{_NUMBER})\s*(?P<u>%|(?:(?:nghìn|ngàn|triệu|tỷ|tỉ|million|billion)\s+)?(?:đồng|VNĐ|VND|USD)\b)",
    re.IGNORECASE,
)

# Common family names only: rarer ones such as Hà or Cao are also place names and common words.
_FAMILY_NAMES = frozenset(fold(n) for n in (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
    "Dương", "Lý", "Đinh", "Trịnh", "Đào", "Lương", "Vương",
))
# Words written before a name; "chí" counts only in lower case, as the end of "đồng chí".
_TITLES = frozenset({"ông", "Ông", "bà", "Bà", "anh", "chị", "Chị", "đ/c", "Đ/c", "chí", "Mr", "Mrs", "Ms", "Dr"})
_WORD = re.compile(r"[^\W\d_]+(?:/[^\W\d_]+)?\.?", re.UNICODE)


@dataclass(frozen=True)
class Evidence:
    """The values a draft may state, read from the texts it is allowed to draw on."""

    numbers: frozenset[str]
    amounts: frozenset[tuple[str, str]]
    dates: frozenset[datetime.date]
    folded_text: str

    @classmethod
    def from_texts(cls, texts: Iterable[str], dates: Iterable[datetime.date] = ()) -> Evidence:
        texts = list(texts)
        joined = "\n".join(texts)
        numbers = frozenset(canonical_number(m.group()) for m in _NUMBER_TOKEN.finditer(joined))
        amounts = frozenset((canonical_number(m["n"]), _unit(m["u"])) for m in _AMOUNT.finditer(joined))
        found_dates = {d for _, d, _ in _dates(joined) if d is not None}
        folded = " " + " ".join(fold(t) for t in texts) + " "
        return cls(numbers, amounts, frozenset(found_dates | set(dates)), folded)

    def mentions(self, value: str) -> bool:
        """Return True when the value's folded words appear in the evidence as whole words."""
        words = fold(value)
        return bool(words) and re.search(rf"(?<!\w){re.escape(words)}(?!\w)", self.folded_text) is not None


@dataclass
class _Scan:
    text: str
    where: str
    masked: list[str] = field(init=False)
    violations: list[Violation] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.masked = list(self.text)

    def mask(self, start: int, end: int) -> None:
        self.masked[start:end] = " " * (end - start)

    def remaining(self) -> str:
        return "".join(self.masked)

    def flag(self, kind: str, value: str) -> None:
        self.violations.append(Violation(kind=kind, value=value, where=self.where))


def canonical_number(token: str) -> str:
    """Return one spelling per value: "1.240" and "1,240" give "1240", "1,5" gives "1.5", "07" gives "7"."""
    if _THOUSANDS.fullmatch(token):
        return str(int(re.sub(r"[.,]", "", token)))
    parts = re.split(r"[.,]", token)
    if len(parts) == 2:
        return f"{int(parts[0])}.{parts[1]}"
    if len(parts) == 1:
        return str(int(token))
    return token.replace(",", ".")


def check_texts(texts: Sequence[tuple[str, str]], evidence: Evidence, person_finder=None) -> CheckReport:
    """Check (where, text) pairs against the evidence.

    person_finder(text) returns person-name strings found by a model, such as the
    redactor's PERSON entities; the capitalised-name rule runs in every case.
    """
    violations: list[Violation] = []
    for where, text in texts:
        scan = _Scan(text, where)
        for marker in _CITATION_MARKER.finditer(text):
            scan.mask(*marker.span())
        _check_dates(scan, evidence)
        _check_legal_references(scan, evidence)
        _check_amounts(scan, evidence)
        _check_numbers(scan, evidence)
        _check_people(scan, evidence, person_finder)
        violations.extend(scan.violations)
    return CheckReport(passed=not violations, violations=violations)


def _dates(text: str) -> list[tuple[tuple[int, int], datetime.date | None, str]]:
    """Return (span, date or None when it does not exist, written form) of every full date in text."""
    found = []
    claimed_spans: list[tuple[int, int]] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            span = match.span()
            if any(start < span[1] and span[0] < end for start, end in claimed_spans):
                continue
            claimed_spans.append(span)
            month = match["m"]
            month_number = _MONTHS.index(month.lower()) + 1 if month.isalpha() else int(month)
            try:
                value = datetime.date(int(match["y"]), month_number, int(match["d"]))
            except ValueError:
                value = None
            found.append((span, value, match.group()))
    return found


def _check_dates(scan: _Scan, evidence: Evidence) -> None:
    for (start, end), value, written in _dates(scan.text):
        scan.mask(start, end)
        if value is None:
            scan.flag("invalid_date", written)
        elif value not in evidence.dates:
            scan.flag("date", written)
    for match in _MONTH_YEAR.finditer(scan.remaining()):
        if not 1 <= int(match["m"]) <= 12:
            scan.flag("invalid_date", match.group())
            scan.mask(*match.span())


def _check_legal_references(scan: _Scan, evidence: Evidence) -> None:
    for pattern in (_LAW, _DOCUMENT_CODE, _ARTICLE):
        for match in pattern.finditer(scan.remaining()):
            scan.mask(*match.span())
            value = match.group()
            if not _legal_reference_found(value, evidence):
                scan.flag("legal_reference", value)


def _legal_reference_found(value: str, evidence: Evidence) -> bool:
    if evidence.mentions(value):
        return True
    article = re.fullmatch(r"(?:Điều|Article)\s+(\S+)", value, re.IGNORECASE)
    if article:
        return evidence.mentions(f"Điều {article[1]}") or evidence.mentions(f"Article {article[1]}")
    # "Luật Cư trú 2020" matches a source that writes "Luật Cư trú năm 2020", and the reverse.
    without_nam = re.sub(r"\s+(?:năm|of)\s+(\d{4})$", r" \1", value)
    return evidence.mentions(without_nam) or evidence.mentions(re.sub(r"\s+(\d{4})$", r" năm \1", without_nam))


def _check_amounts(scan: _Scan, evidence: Evidence) -> None:
    for match in _AMOUNT.finditer(scan.remaining()):
        scan.mask(*match.span())
        if (canonical_number(match["n"]), _unit(match["u"])) not in evidence.amounts:
            scan.flag("amount", match.group())


def _check_numbers(scan: _Scan, evidence: Evidence) -> None:
    for match in _NUMBER_TOKEN.finditer(scan.remaining()):
        if canonical_number(match.group()) not in evidence.numbers:
            scan.flag("number", match.group())


def _check_people(scan: _Scan, evidence: Evidence, person_finder) -> None:  # noqa: ANN001 - str -> list[str]
    names = set(capitalised_names(scan.text))
    if person_finder is not None:
        names.update(person_finder(scan.text))
    for name in sorted(names):
        if not evidence.mentions(name):
            scan.flag("person", name)


def capitalised_names(text: str) -> list[str]:
    """Return names found by rule: a common family name or a title (ông, bà, Mr) followed by capitalised words."""
    words = list(_WORD.finditer(text))
    names = []
    i = 0
    while i < len(words):
        word = words[i].group()
        starts_with_family = fold(word) in _FAMILY_NAMES and word[0].isupper()
        is_title = word.rstrip(".") in _TITLES
        first = i if starts_with_family else i + 1
        run = _capitalised_run(words, first, text)
        if (starts_with_family and run >= 2) or (is_title and run >= 1 and not starts_with_family):
            span = words[first].start(), words[first + run - 1].end()
            names.append(text[span[0]:span[1]].rstrip("."))
            i = first + run
            continue
        i += 1
    return names


def _capitalised_run(words: list[re.Match], first: int, text: str) -> int:
    """Count capitalised words from `first`, at most four, that follow each other with one space between."""
    run = 0
    while first + run < len(words) and run < 4:
        word = words[first + run]
        if not word.group()[0].isupper():
            break
        if run and text[words[first + run - 1].end():word.start()] != " ":
            break
        run += 1
    return run


def _unit(unit: str) -> str:
    folded = fold(unit).replace("ngan", "nghin").replace("ti ", "ty ")
    return folded.replace("vnd", "dong")
