"""Health insurance card code (mã thẻ BHYT): two letters and 13 digits, as in "DN4010123456789".

NOTE: this is the 15-character code of the cards issued from 2015, whose
last 10 digits are the social insurance number. The layout was not checked
against the regulation that sets it.
"""

from __future__ import annotations

import re

from guardrails.redaction.recognizers.base import NUMBER_END, RegexRecognizer, Rule


class VnHealthInsuranceRecognizer(RegexRecognizer):
    """Recognize health insurance card numbers; context raises the score but is not required."""

    ENTITY = "VN_HEALTH_INSURANCE"
    RULES = (Rule("2 letters and 13 digits", re.compile(r"(?<![\w/\-])([A-Z]{2}\d{13})" + NUMBER_END), 0.6),)
    CONTEXT = re.compile(r"(?i)(?:BHYT|bảo hiểm y tế|thẻ bảo hiểm|health insurance)")
