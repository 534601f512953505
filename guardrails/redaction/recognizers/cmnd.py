"""Old identity card number (CMND): 9 digits, recognized only when named by context."""

from __future__ import annotations

import re

from guardrails.redaction.recognizers.base import NUMBER_END, NUMBER_START, RegexRecognizer, Rule


class VnCmndRecognizer(RegexRecognizer):
    """Recognize 9-digit identity card numbers after "CMND", "chứng minh nhân dân" and the like."""

    ENTITY = "VN_CMND"
    RULES = (
        Rule(
            "9 digits after context",
            re.compile(NUMBER_START + r"(\d{9})" + NUMBER_END),
            0.7,
            context_required=True,
        ),
    )
    CONTEXT = re.compile(r"(?i)(?:CMND|CMTND|chứng minh nhân dân|chứng minh thư|giấy CM|\bCMT\b)")
