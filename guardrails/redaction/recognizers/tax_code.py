"""Tax code (MST): 10 digits with a check digit, or 13 for a branch (10, a dash, 3)."""

from __future__ import annotations

import re

from stdnum.vn import mst

from guardrails.redaction.recognizers.base import NUMBER_END, NUMBER_START, RegexRecognizer, Rule


class VnTaxCodeRecognizer(RegexRecognizer):
    """Recognize tax codes: a valid check digit (python-stdnum), or context words.

    About one random 10-digit number in eleven, phone numbers included,
    passes the check digit, so a bare 10-digit code scores low unless context
    ("MST", "mã số thuế") names it. With context, a wrong check digit is
    taken as a typing error and the code is still found. A phone number on the same digits scores
    higher and wins. The branch form with its dash is distinctive on its own.
    """

    ENTITY = "VN_TAX_CODE"
    RULES = (
        Rule("10 digits, dash, 3 digits", re.compile(NUMBER_START + r"(\d{10}-\d{3})" + NUMBER_END), 0.8),
        Rule("10 digits", re.compile(NUMBER_START + r"(\d{10})" + NUMBER_END), 0.5),
    )
    CONTEXT = re.compile(r"(?i)(?:\bMST\b|mã số thuế|mã số doanh nghiệp|\bMSDN\b|mã số DN|tax code|tax id|\bTIN\b)")
    # A valid check digit alone does not raise the score; context does.
    VALID_SCORE = 0.0
    CONTEXT_BOOST = 0.4
    # A code with a wrong check digit next to "MST" is still someone's code, mistyped.
    UNCONFIRMED_NEEDS_CONTEXT = True

    def validate(self, value: str) -> bool | None:
        """Confirm the check digit with stdnum.vn.mst; a wrong one cannot tell, so context decides."""
        return True if mst.is_valid(value) else None
