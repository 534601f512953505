"""Recognizers for Vietnamese personal data, one module per kind of data."""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer

from guardrails.redaction.recognizers.address import VnAddressRecognizer
from guardrails.redaction.recognizers.bank_account import VnBankAccountRecognizer
from guardrails.redaction.recognizers.cccd import VnCccdRecognizer
from guardrails.redaction.recognizers.cmnd import VnCmndRecognizer
from guardrails.redaction.recognizers.date_of_birth import VnDateOfBirthRecognizer
from guardrails.redaction.recognizers.email import OfflineEmailRecognizer
from guardrails.redaction.recognizers.health_insurance import VnHealthInsuranceRecognizer
from guardrails.redaction.recognizers.license_plate import VnLicensePlateRecognizer
from guardrails.redaction.recognizers.person_name import VnPersonNameRecognizer
from guardrails.redaction.recognizers.phone import VnPhoneRecognizer
from guardrails.redaction.recognizers.social_insurance import VnSocialInsuranceRecognizer
from guardrails.redaction.recognizers.tax_code import VnTaxCodeRecognizer

__all__ = [
    "OfflineEmailRecognizer",
    "VnAddressRecognizer",
    "VnBankAccountRecognizer",
    "VnCccdRecognizer",
    "VnCmndRecognizer",
    "VnDateOfBirthRecognizer",
    "VnHealthInsuranceRecognizer",
    "VnLicensePlateRecognizer",
    "VnPersonNameRecognizer",
    "VnPhoneRecognizer",
    "VnSocialInsuranceRecognizer",
    "VnTaxCodeRecognizer",
    "vietnamese_recognizers",
]


def vietnamese_recognizers(language: str = "vi") -> list[EntityRecognizer]:
    """Return one instance of every recognizer for Vietnamese text."""
    return [
        VnCccdRecognizer(language),
        VnCmndRecognizer(language),
        VnPhoneRecognizer(language, regions=("VN",)),
        VnTaxCodeRecognizer(language),
        VnSocialInsuranceRecognizer(language),
        VnHealthInsuranceRecognizer(language),
        VnBankAccountRecognizer(language),
        VnLicensePlateRecognizer(language),
        VnDateOfBirthRecognizer(language),
        VnAddressRecognizer(language),
        VnPersonNameRecognizer(language),
        OfflineEmailRecognizer(language),
    ]
