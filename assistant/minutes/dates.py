"""Deadlines and meeting dates as they are said in Vietnamese and English.

A deadline with a day and a month resolves to an ISO date against the
meeting date; anything vaguer ("trong tuần tới", "by Friday") stays the phrase
that was said.
"""

from __future__ import annotations

import datetime

import regex

_MONTHS = {
    name: number
    for number, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
         ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"),
         ("november", "nov"), ("december", "dec")],
        start=1,
    )
    for name in names
}
_MONTH_NAME = "|".join(sorted(_MONTHS, key=len, reverse=True))

_ISO = regex.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b")
_NUMERIC = regex.compile(r"(?<![\d/.-])(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})(?:[/.-](?P<y>\d{4}))?(?![\d/-])")
_VI_WORDS = regex.compile(r"ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})(?:\s*(?:năm|,)\s*(?P<y>\d{4}))?", regex.I)
_EN_DAY_MONTH = regex.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mn>{_MONTH_NAME})\.?(?:,?\s+(?P<y>\d{{4}}))?\b",
                              regex.I)
_EN_MONTH_DAY = regex.compile(rf"\b(?P<mn>{_MONTH_NAME})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y>\d{{4}}))?\b",
                              regex.I)
_DATE_PATTERNS = (_ISO, _VI_WORDS, _EN_DAY_MONTH, _EN_MONTH_DAY, _NUMERIC)

# Words that introduce a deadline, then the deadline itself.
_DUE_LEAD = regex.compile(
    r"\b(?:trước|chậm nhất(?:\s+là)?|hạn(?:\s+chót)?(?:\s+là)?|muộn nhất(?:\s+là)?|không quá|xong trong|"
    r"hoàn thành trong|by|before|no later than|until|due|within)\s+",
    regex.I,
)
_VAGUE_DUE = regex.compile(
    r"\b(?:(?:trong|trước|vào|cuối|đầu|giữa)\s+(?:(?:tuần|tháng|quý|năm)\s+(?:này|tới|sau|này|[IVX]+|\d{1,2})|"
    r"kỳ họp\s+(?:tới|sau)|phiên họp\s+(?:tới|sau)|cuộc họp\s+(?:tới|sau)|\d+\s+ngày(?:\s+làm việc)?)|"
    r"(?:by|before|until|within|no later than)\s+(?:(?:the\s+)?end\s+of\s+(?:the\s+)?(?:day|week|month|year|quarter)|"
    r"(?:next|this)\s+(?:week|month|meeting|monday|tuesday|wednesday|thursday|friday)|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|"
    r"the\s+next\s+meeting|\d+\s+(?:working\s+)?days))\b",
    regex.I,
)


def find_date(text: str, reference: datetime.date | None = None) -> tuple[datetime.date | None, str, int] | None:
    """Return (date, matched phrase, start) for the first day-and-month in text.

    A date without a year takes the reference's year, or the next year when
    that day would fall more than 30 days before the reference. The date is
    None when it has no year and there is no reference, or is not a real day.
    """
    found = []
    for pattern in _DATE_PATTERNS:
        match = pattern.search(text)
        if match:
            found.append(match)
    if not found:
        return None
    match = min(found, key=lambda m: m.start())
    day = int(match["d"])
    month = int(match["m"]) if "m" in match.groupdict() and match["m"] else _MONTHS[match["mn"].lower()]
    year = int(match["y"]) if match["y"] else None
    return _resolve(day, month, year, reference), match.group(0), match.start()


def _resolve(day: int, month: int, year: int | None, reference: datetime.date | None) -> datetime.date | None:
    if year is None:
        if reference is None:
            return None
        year = reference.year
    try:
        resolved = datetime.date(year, month, day)
    except ValueError:
        return None
    if reference is not None and resolved < reference - datetime.timedelta(days=30) and year == reference.year:
        try:
            resolved = datetime.date(year + 1, month, day)
        except ValueError:
            return None
    return resolved


def find_due(text: str, meeting_date: datetime.date | None) -> str | None:
    """Return the deadline said in text: an ISO date when a day and month were said
    after a deadline word, else the deadline phrase, else None."""
    for lead in _DUE_LEAD.finditer(text):
        tail = text[lead.end():]
        dated = find_date(tail[:40], meeting_date)
        if dated is not None and dated[2] <= 6:
            date, phrase, _ = dated
            return date.isoformat() if date else phrase
    vague = _VAGUE_DUE.search(text)
    if vague:
        return vague.group(0)
    return None


def find_meeting_date(text: str) -> datetime.date | None:
    """Return the first full date (day, month and year) in the opening lines of a transcript."""
    head = "\n".join(text.split("\n")[:12])[:2000]
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(head):
            if match["y"]:
                month = int(match["m"]) if "m" in match.groupdict() and match["m"] else _MONTHS[match["mn"].lower()]
                try:
                    return datetime.date(int(match["y"]), month, int(match["d"]))
                except ValueError:
                    continue
    return None
