"""The document types a draft can have, with their symbols under Decree 30/2020/NĐ-CP."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from assistant.errors import InputError


@dataclass(frozen=True)
class DocType:
    """One document type: its Vietnamese name, symbol in the number line and English name.

    A Công văn (official letter) has no symbol; its subject goes under the number as "V/v ...".
    Types with `addressed` open with "Kính gửi:" followed by the recipients.
    """

    key: str
    name: str
    symbol: str
    english: str
    addressed: bool = False

    @property
    def is_letter(self) -> bool:
        return not self.symbol

    def to_dict(self) -> dict:
        return {"key": self.key, "name": self.name, "symbol": self.symbol, "english": self.english}


DOC_TYPES: tuple[DocType, ...] = (
    DocType("bao_cao", "Báo cáo", "BC", "report"),
    DocType("cong_van", "Công văn", "", "official letter", addressed=True),
    DocType("to_trinh", "Tờ trình", "TTr", "submission", addressed=True),
    DocType("ke_hoach", "Kế hoạch", "KH", "plan"),
    DocType("thong_bao", "Thông báo", "TB", "notice"),
    DocType("giay_moi", "Giấy mời", "GM", "invitation", addressed=True),
    DocType("bien_ban", "Biên bản", "BB", "minutes"),
)


def fold(text: str) -> str:
    """Return text in lower case without diacritics and with single spaces: "Tờ  trình" -> "to trinh"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(re.split(r"[\s_\-]+", bare.casefold())).strip()


def _lookup_table() -> dict[str, DocType]:
    table: dict[str, DocType] = {}
    for doc_type in DOC_TYPES:
        for alias in (doc_type.key, doc_type.name, doc_type.symbol, doc_type.english):
            if alias:
                table[fold(alias)] = doc_type
    return table


_BY_ALIAS = _lookup_table()


def known_names() -> str:
    """Return the accepted names, one entry per type, for error messages."""
    return "; ".join(
        f"{t.name} ({t.symbol or 'no symbol'}, {t.english})" for t in DOC_TYPES
    )


def resolve_doc_type(value: str) -> DocType:
    """Return the type named by a Vietnamese name (diacritics optional), a symbol or an English name."""
    found = _BY_ALIAS.get(fold(value))
    if found is None:
        raise InputError(f"unknown doc_type {value!r}; use one of: {known_names()}")
    return found
