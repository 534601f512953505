"""Citizen identity number (CCCD, also the personal identification number): 12 digits.

The first three digits are the province where the birth was registered,
the fourth encodes century and sex, the next two the year of birth and the
last six are random. There is no check digit.
"""

from __future__ import annotations

import datetime
import re

from guardrails.redaction.recognizers.base import NUMBER_END, NUMBER_START, RegexRecognizer, Rule

# Province codes of the 63 provinces and cities, from Appendix 1 of Circular
# 07/2016/TT-BCA. They stay valid after the 2025 mergers because a number,
# once issued, does not change.
PROVINCE_CODES = frozenset(
    """
    001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033
    034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066
    067 068 070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096
    """.split()
)

# Century-and-sex digit: 0 and 1 for births in 1900-1999, 2 and 3 for 2000-2099.
# Higher digits stand for later centuries, which no living person has.
_CENTURY_START = {"0": 1900, "1": 1900, "2": 2000, "3": 2000}


class VnCccdRecognizer(RegexRecognizer):
    """Recognize 12-digit citizen identity numbers, plain or in groups of three."""

    ENTITY = "VN_CCCD"
    RULES = (
        Rule("12 digits", re.compile(NUMBER_START + r"(\d{12})" + NUMBER_END), 0.6),
        Rule(
            "4 groups of 3 digits",
            re.compile(NUMBER_START + r"(\d{3}([ .])\d{3}\2\d{3}\2\d{3})" + NUMBER_END),
            0.6,
        ),
    )
    CONTEXT = re.compile(r"(?i)(?:CCCD|căn cước|số định danh|định danh cá nhân|mã định danh|\bID\b|identity)")
    VALID_SCORE = 0.9
    # A number whose first digits are not a province code belongs to a birth
    # registered abroad (a country code), or is no ID at all: it needs context.
    UNCONFIRMED_NEEDS_CONTEXT = True

    def validate(self, value: str) -> bool | None:
        """Reject an impossible century or a future birth year; confirm known provinces."""
        digits = re.sub(r"\D", "", value)
        century_start = _CENTURY_START.get(digits[3])
        if century_start is None:
            return False
        if century_start + int(digits[4:6]) > datetime.date.today().year:
            return False
        return True if digits[:3] in PROVINCE_CODES else None
