"""E-mail addresses, validated against the public suffix list shipped with tldextract.

Presidio's EmailRecognizer calls tldextract's module-level extractor, which
tries to download the public suffix list on first use unless a cached copy
exists. The extractor here is built
with no suffix list URLs and no cache directory, so it only ever reads the
snapshot bundled in the tldextract package and never touches the network
or the disk.
"""

from __future__ import annotations

import tldextract
from presidio_analyzer.predefined_recognizers import EmailRecognizer

_OFFLINE_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


class OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's e-mail pattern with a domain check that never downloads."""

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(supported_language=supported_language, name=type(self).__name__)

    def validate_result(self, pattern_text: str) -> bool:
        """Accept the match when its domain ends in a known public suffix."""
        return _OFFLINE_EXTRACTOR(pattern_text).fqdn != ""
