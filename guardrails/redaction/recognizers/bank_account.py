"""Bank account numbers: 6 to 19 digits, recognized only when named by context."""

from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult

from guardrails.redaction.recognizers.base import NUMBER_END, NUMBER_START, RegexRecognizer, Rule

# Words that name an account, and the short names of banks operating in
# Vietnam that people write next to an account number.
_CONTEXT = (
    r"số tài khoản|tài khoản số|tài khoản ngân hàng|\bSTK\b|\bTK\b|account (?:number|no)|bank account"
    r"|ngân hàng|Vietcombank|\bVCB\b|\bBIDV\b|Agribank|VietinBank|Techcombank|\bMB\b|MBBank|VPBank"
    r"|\bACB\b|Sacombank|TPBank|\bSHB\b|HDBank|\bVIB\b|\bOCB\b|SeABank|LPBank|\bMSB\b|Eximbank"
)
# An amount of money, not an account, when a currency word follows the digits.
_AMOUNT_AFTER = re.compile(r"\s*(?:đồng|đ\b|VNĐ|VND|USD|triệu|tỷ|nghìn|ngàn)", re.IGNORECASE)


class VnBankAccountRecognizer(RegexRecognizer):
    """Recognize account numbers, plain or grouped by spaces or dashes, after account context."""

    ENTITY = "VN_BANK_ACCOUNT"
    RULES = (
        Rule(
            "6 to 19 digits after context",
            re.compile(NUMBER_START + r"(\d{6,19})" + NUMBER_END),
            0.85,
            context_required=True,
            context_window=50,
        ),
        Rule(
            "grouped digits after context",
            re.compile(NUMBER_START + r"(\d{3,4}(?:[ \-]\d{3,4}){0,3}[ \-]\d{2,4})" + NUMBER_END),
            0.85,
            context_required=True,
            context_window=50,
        ),
    )
    CONTEXT = re.compile(_CONTEXT, re.IGNORECASE)

    def find(self, text: str) -> list[RecognizerResult]:
        """Return account numbers, leaving out amounts such as "15000000 đồng"."""
        results = super().find(text)
        return [result for result in results if not _AMOUNT_AFTER.match(text, result.end)]
