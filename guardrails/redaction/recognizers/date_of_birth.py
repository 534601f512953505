"""Dates of birth: a date recognized only after "sinh ngày", "ngày sinh" or a similar phrase.

Other dates in administrative text (issue dates, deadlines) are not
personal data, so a date alone is never redacted.
"""

from __future__ import annotations

import re

from guardrails.redaction.recognizers.base import RegexRecognizer, Rule

_DAY_MONTH_YEAR = re.compile(r"(?<![\w/.\-])(\d{1,2}[/.\-]\d{1,2}[/.\-](?:19|20)\d{2})(?![\w/\-]|[.,]\d)")
# "ngày" before the day belongs to the date unless it is part of "sinh ngày".
_VIETNAMESE_DATE = re.compile(
    r"(?<!\w)((?:(?<!sinh )ngày\s+)?\d{1,2}\s+tháng\s+\d{1,2}\s*,?\s+năm\s+(?:19|20)\d{2})(?!\w)", re.IGNORECASE
)
_YEAR = re.compile(r"(?<![\w/.\-])((?:19|20)\d{2})(?![\w/\-]|[.,]\d)")
_PARTS = re.compile(r"\d+")


class VnDateOfBirthRecognizer(RegexRecognizer):
    """Recognize a date of birth written as 05/03/1985, 5-3-1985 or 5 tháng 3 năm 1985."""

    ENTITY = "DATE_OF_BIRTH"
    RULES = (
        Rule("day/month/year after context", _DAY_MONTH_YEAR, 0.75, context_required=True, context_window=30),
        Rule("Vietnamese date after context", _VIETNAMESE_DATE, 0.75, context_required=True, context_window=30),
        # A bare year is a birth date only right after "sinh năm" or "năm sinh:".
        Rule("year of birth", _YEAR, 0.6, context_required=True, context_window=12),
    )
    CONTEXT = re.compile(
        r"(?i)(?:sinh ngày|ngày sinh|ngày, tháng, năm sinh|ngày tháng năm sinh|sinh năm|năm sinh|\bNS\b|"
        r"date of birth|\bDOB\b|born(?: on)?)"
    )
    CONTEXT_BOOST = 0.15

    def validate(self, value: str) -> bool | None:
        """Reject impossible days and months; a bare year needs no check."""
        parts = [int(part) for part in _PARTS.findall(value)]
        if len(parts) != 3:
            return None
        day, month, _ = parts
        return None if 1 <= day <= 31 and 1 <= month <= 12 else False
