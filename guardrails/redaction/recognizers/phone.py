"""Phone numbers in every written form, validated with python-phonenumbers.

phonenumbers' own matcher (version 9.0) returns no match at all for two
spaced numbers written next to each other ("0912 345 678 0987 654 321").
The candidates here are cut by a pattern that allows at most 11 digits in
a national number, and each is then parsed and validated on its own.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import PhoneNumberType
from presidio_analyzer import AnalysisExplanation, RecognizerResult

from guardrails.redaction.recognizers.base import OneEntityRecognizer

# A prefix (+84, 84, (+84), (024), 0) then 8 to 10 digits with optional
# single separators. The guards keep it out of UUIDs, words, references and
# longer numbers.
_CANDIDATE = re.compile(
    r"(?<![\w/\-.+])"
    r"((?:\(\+?84\)|\+84|84|\(0\d{2,3}\)|0)[ .\-]?\d(?:[ .\-]?\d){7,9})"
    r"(?![\w/\-]|[.,]\d)"
)
_CONTEXT = re.compile(r"(?i)(?:điện thoại|\bĐT\b|\bSĐT\b|\bSDT\b|di động|hotline|zalo|phone|tel\b|mobile|liên hệ)")
_CONTEXT_WINDOW = 30

# Hotline types, which belong to organisations, not to people. phonenumbers
# classes Vietnamese 1800 numbers as toll-free and 1900 numbers as premium rate.
_ORGANISATION_TYPES = frozenset(
    {PhoneNumberType.TOLL_FREE, PhoneNumberType.PREMIUM_RATE, PhoneNumberType.SHARED_COST, PhoneNumberType.UAN}
)
# A hexadecimal token with a letter, such as a UUID, is never a phone number.
_HEX_TOKEN = re.compile(r"[0-9a-fA-F\-]*[a-fA-F][0-9a-fA-F\-]*")
# An IPv4 address, which some regions' numbering plans would accept.
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")


class VnPhoneRecognizer(OneEntityRecognizer):
    """Recognize phone numbers that phonenumbers validates for the given regions."""

    ENTITY = "PHONE_NUMBER"
    SCORE = 0.75
    CONTEXT_BOOST = 0.2

    def __init__(self, supported_language: str = "vi", regions: tuple[str, ...] = ("VN",)) -> None:
        self.regions = regions
        super().__init__(supported_language)

    def find(self, text: str) -> list[RecognizerResult]:
        """Return a result for every candidate that parses as a valid personal number."""
        spans = {match.span(1) for match in _CANDIDATE.finditer(text)}
        for start, end in self._matcher_spans(text):
            if not any(start < other_end and other_start < end for other_start, other_end in spans):
                spans.add((start, end))
        results = []
        for start, end in sorted(spans):
            candidate = text[start:end]
            if _IPV4.fullmatch(candidate) or _inside_hex_token(text, start, end):
                continue
            if self._is_personal_number(candidate):
                results.append(self._result(text, start, end))
        return results

    def _matcher_spans(self, text: str) -> set[tuple[int, int]]:
        """Return phonenumbers' own matches, which cover forms the pattern does not, such as foreign numbers."""
        spans = set()
        for region in self.regions:
            for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
                spans.add((match.start, match.end))
        return spans

    def _is_personal_number(self, candidate: str) -> bool:
        for region in self.regions:
            try:
                number = phonenumbers.parse(candidate, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                return phonenumbers.number_type(number) not in _ORGANISATION_TYPES
        return False

    def _result(self, text: str, start: int, end: int) -> RecognizerResult:
        has_context = _CONTEXT.search(text, max(0, start - _CONTEXT_WINDOW), start) is not None
        score = min(self.SCORE + (self.CONTEXT_BOOST if has_context else 0.0), 1.0)
        context = "found" if has_context else "absent"
        explanation = AnalysisExplanation(
            recognizer=self.name,
            original_score=self.SCORE,
            validation_result=True,
            textual_explanation=f"valid number for {', '.join(self.regions)}, context {context}",
        )
        return RecognizerResult(self.ENTITY, start, end, score, analysis_explanation=explanation)


def _inside_hex_token(text: str, start: int, end: int) -> bool:
    token_start = start
    while token_start > 0 and not text[token_start - 1].isspace():
        token_start -= 1
    token_end = end
    while token_end < len(text) and not text[token_end].isspace():
        token_end += 1
    return _HEX_TOKEN.fullmatch(text[token_start:token_end].strip(".,;:()[]\"'")) is not None
