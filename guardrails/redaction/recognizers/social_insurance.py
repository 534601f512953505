"""Social insurance number (mã số BHXH): 10 digits, recognized only when named by context.

Health insurance cards issued since 2021 show this same number, so "BHYT"
also counts as context.
"""

from __future__ import annotations

import re

from guardrails.redaction.recognizers.base import NUMBER_END, NUMBER_START, RegexRecognizer, Rule


class VnSocialInsuranceRecognizer(RegexRecognizer):
    """Recognize 10-digit social insurance numbers after "BHXH", "bảo hiểm xã hội" or "BHYT"."""

    ENTITY = "VN_SOCIAL_INSURANCE"
    RULES = (
        Rule(
            "10 digits after context",
            re.compile(NUMBER_START + r"(\d{10})" + NUMBER_END),
            0.8,
            context_required=True,
        ),
    )
    CONTEXT = re.compile(r"(?i)(?:BHXH|bảo hiểm xã hội|BHYT|bảo hiểm y tế|social insurance)")
