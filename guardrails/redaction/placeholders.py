"""Stable placeholders for pseudonymisation, such as "<PERSON_1>", and their reversal.

A mapping is a dict from placeholder to the original value. The same value
of the same entity type gets the same placeholder for as long as the caller
keeps passing the same mapping, for example over one conversation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import MutableMapping

PLACEHOLDER = re.compile(r"<([A-Z][A-Z_]*)_(\d+)>")

# Types whose values are compared by their digits only, so "0912 345 678"
# and "0912.345.678" share a placeholder.
_NUMERIC_TYPES = frozenset(
    {
        "PHONE_NUMBER",
        "VN_CCCD",
        "VN_CMND",
        "VN_TAX_CODE",
        "VN_SOCIAL_INSURANCE",
        "VN_BANK_ACCOUNT",
        "CREDIT_CARD",
    }
)


def canonical_value(entity_type: str, value: str) -> str:
    """Return the form of a value that decides whether two mentions are the same."""
    if entity_type in _NUMERIC_TYPES:
        digits = re.sub(r"\D", "", value)
        if entity_type == "PHONE_NUMBER" and digits.startswith("84") and len(digits) >= 11:
            digits = "0" + digits[2:]
        return digits
    return " ".join(unicodedata.normalize("NFC", value).casefold().split())


def placeholder_for(entity_type: str, value: str, mapping: MutableMapping[str, str]) -> str:
    """Return the placeholder of value, adding a new one to mapping when it has none."""
    wanted = canonical_value(entity_type, value)
    highest = 0
    for placeholder, original in mapping.items():
        match = PLACEHOLDER.fullmatch(placeholder)
        if match is None or match.group(1) != entity_type:
            continue
        if canonical_value(entity_type, original) == wanted:
            return placeholder
        highest = max(highest, int(match.group(2)))
    placeholder = f"<{entity_type}_{highest + 1}>"
    mapping[placeholder] = value
    return placeholder


def restore_placeholders(text: str, mapping: MutableMapping[str, str]) -> str:
    """Replace every placeholder found in mapping by its original value; others stay."""
    return PLACEHOLDER.sub(lambda match: mapping.get(match.group(0), match.group(0)), text)
