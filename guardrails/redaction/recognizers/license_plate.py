"""Vehicle registration plates, such as "30A-123.45" (car) and "29H1-234.56" (motorbike)."""

from __future__ import annotations

import re

from guardrails.redaction.recognizers.base import RegexRecognizer, Rule

# Two digits for the province, one or two series letters (a motorbike adds a
# digit), then the serial: "123.45" on current plates, or 4 to 5 digits.
_SERIES = r"(?:1[1-9]|[2-9]\d)[ \-]?[A-ZĐ]{1,2}\d?"
_GUARD_START = r"(?<![\w/\-.])"
_GUARD_END = r"(?![\w/\-]|[.,]\d)"


class VnLicensePlateRecognizer(RegexRecognizer):
    """Recognize vehicle plates; the dotted serial is distinctive, the plain one needs a dash."""

    ENTITY = "VN_LICENSE_PLATE"
    RULES = (
        Rule(
            "series and dotted serial",
            re.compile(_GUARD_START + "(" + _SERIES + r"[ \-]?\d{3}\.\d{2})" + _GUARD_END),
            0.75,
        ),
        Rule(
            "series, dash, 4 or 5 digits",
            re.compile(_GUARD_START + "(" + _SERIES + r"-\d{4,5})" + _GUARD_END),
            0.6,
        ),
    )
    CONTEXT = re.compile(r"(?i)(?:biển số|biển kiểm soát|\bBKS\b|\bBSX\b|xe ô tô|xe máy|mô tô|license plate)")
