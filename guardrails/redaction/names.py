"""Safe document names: file names and ids without the personal data written in them.

An upload named "don-khieu-nai-Nguyen-Van-An-0912345678.pdf" would carry a
name and a phone number into the document id, and from there into logs,
audit records and citations. safe_document_name() replaces each piece of
personal data with its entity type and adds a short hash of the original
name, so two files that differ only in the removed values keep distinct ids.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

from presidio_analyzer import EntityRecognizer

from guardrails.marks import mark_spans_in_name
from guardrails.normalize import fold, normalize_text
from guardrails.redaction.engine import Entity, merge_overlapping
from guardrails.redaction.recognizers import (
    OfflineEmailRecognizer,
    VnCccdRecognizer,
    VnCmndRecognizer,
    VnHealthInsuranceRecognizer,
    VnPhoneRecognizer,
    VnTaxCodeRecognizer,
)
from guardrails.redaction.recognizers.vietnamese import FAMILY_NAMES

if TYPE_CHECKING:
    from guardrails.redaction.engine import Redactor

# Characters that separate words in file names. Each becomes one space, so
# offsets in the spaced text are offsets in the name.
_SEPARATORS = re.compile(r"[-_.+~,;()\[\]{}]")

# An extension is short letters and digits after the last dot ("pdf", "tar").
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")

# Nine or more digits, optionally split by single spaces: the length of an
# old ID card, and shorter than every other personal number here. File names
# rarely give the context words that the identifier recognizers need, so
# such a run is replaced even when no recognizer claims it.
_LONG_NUMBER = re.compile(r"(?<!\d)\d(?: ?\d){8,}(?!\d)")
LONG_NUMBER_TYPE = "ID_NUMBER"

# Names written without diacritics, as file names usually are: a common
# family name, a common middle name, then one or two given names, in any
# letter case ("Nguyen-Van-An", "tran_thi_thu_ha"). The middle name is
# required, because a family name alone is often an ordinary word ("le",
# "ho", "to").
_FOLDED_FAMILY_NAMES = frozenset(fold(name) for name in FAMILY_NAMES)
_FOLDED_MIDDLE_NAMES = frozenset(
    """
    VAN THI HUU DUC NGOC MINH THANH QUOC XUAN KIM HONG THU GIA DINH CONG BA TRUNG VIET QUANG
    DANG PHUONG BAO KHANH TUAN ANH MAI THUY HAI HOANG TIEN MANH
    """.split()
)
# Family and middle name pairs that are ordinary words: "đô thị" (urban),
# "cao đẳng" (college), "đoàn công tác" and "tổ công tác" (working
# delegation, task team), "Hoàng thành" (the imperial citadel), "phản ánh"
# (citizen feedback), "hộ gia đình" (household), "đoàn thanh niên" (youth union).
_COMMON_PHRASES = frozenset({"DO THI", "CAO DANG", "DOAN CONG", "TO CONG", "HOANG THANH", "PHAN ANH", "HO GIA",
                             "DOAN THANH"})
# Three-word runs that read as a name but are ordinary: "quyết định thành lập"
# (decision to establish).
_COMMON_TRIPLES = frozenset({"DINH THANH LAP"})
# Administrative words whose second syllable is a family name, as "quy định" ends
# in "Đinh" and "quản lý" in "Lý": a name does not start inside them.
_WORDS_ENDING_IN_A_FAMILY_NAME = frozenset(
    """
    QUY_DINH NGHI_DINH QUYET_DINH XAC_DINH CHI_DINH ON_DINH GIA_DINH CO_DINH THAM_DINH DU_DINH
    CHE_DO TRINH_DO MUC_DO TIEN_DO THAI_DO NIEN_DO CAP_DO
    QUAN_LY XU_LY DAI_LY TRO_LY PHAP_LY TAM_LY HOP_LY
    NHIEM_VU DICH_VU PHUC_VU CHUC_VU NGHIEP_VU CONG_VU TAI_VU THUONG_VU
    GIAI_DOAN TAP_DOAN PHAN_DOAN CHAN_DOAN
    MOI_TRUONG THI_TRUONG HIEU_TRUONG CONG_TRUONG QUANG_TRUONG LAP_TRUONG
    BAO_CAO NANG_CAO DE_CAO YEU_TO
    """.split()
)
# Middle and given name pairs that are ordinary words, as in "Lý Văn Bản"
# read from "quản lý văn bản": "báo cáo", "bảo vệ", "văn bản", "văn phòng",
# "công tác", "công việc", "công văn", "công nghệ", "thành phố", "thanh tra".
_COMMON_GIVEN_PAIRS = frozenset({"BAO CAO", "BAO VE", "VAN BAN", "VAN PHONG", "CONG TAC", "CONG VIEC", "CONG VAN",
                                 "CONG NGHE", "THANH PHO", "THANH TRA"})
_WORD = re.compile(r"[^\W\d_]+")
_MAX_MIDDLE_NAMES = 2
FOLDED_NAME_TYPE = "PERSON"

# Length of the hash suffix in hex digits. It is short on purpose: many
# different names share each suffix, so the suffix alone does not single
# one out.
_HASH_DIGITS = 6


def safe_document_name(name: str, redactor: Redactor | None = None) -> str:
    """Return name, or a path of names, with personal data replaced by entity types.

    "uploads/don-khieu-nai-Nguyen-Van-An-0912345678.pdf" becomes
    "uploads/don-khieu-nai-PERSON-PHONE_NUMBER-1f2e3d.pdf". Each path part
    is checked on its own, and a part without personal data is returned
    unchanged. redactor, when given, adds its Vietnamese detections (names
    with diacritics, addresses); without it only identifiers, e-mail
    addresses and diacritic-free names are found. Words that the gate reads
    as a secrecy mark ("TOI_MAT") are never replaced, so the gate still
    sees them in the safe name.
    """
    return "/".join(_safe_part(part, redactor) for part in normalize_text(name).split("/"))


def find_personal_data(stem: str, redactor: Redactor | None = None) -> list[Entity]:
    """Return the personal data in a file name without its extension, never overlapping."""
    spaced = _SEPARATORS.sub(" ", stem)
    # The identifiers are also looked for in the stem as written, because
    # an e-mail address ("an.nguyen@example.com") needs its dots.
    found = _identifier_entities(stem) + _identifier_entities(spaced) + _folded_name_entities(spaced)
    if redactor is not None:
        found += redactor.analyze(spaced, "vi")
    return merge_overlapping(found)


def _safe_part(part: str, redactor: Redactor | None) -> str:
    extension = _EXTENSION.search(part)
    stem = part[: extension.start()] if extension else part
    suffix = extension.group(0) if extension else ""
    entities = _outside_marks(stem, find_personal_data(stem, redactor))
    if not entities:
        return part
    digest = hashlib.sha256(part.encode("utf-8")).hexdigest()[:_HASH_DIGITS]
    return f"{_replace(stem, entities)}-{digest}{suffix}"


def _identifier_recognizers() -> list[EntityRecognizer]:
    return [
        VnCccdRecognizer("vi"),
        VnCmndRecognizer("vi"),
        VnPhoneRecognizer("vi", regions=("VN",)),
        VnTaxCodeRecognizer("vi"),
        VnHealthInsuranceRecognizer("vi"),
        OfflineEmailRecognizer("vi"),
    ]


_IDENTIFIER_RECOGNIZERS = _identifier_recognizers()


def _identifier_entities(text: str) -> list[Entity]:
    found = [
        Entity(result.entity_type, result.start, result.end, result.score, recognizer.name)
        for recognizer in _IDENTIFIER_RECOGNIZERS
        for result in recognizer.analyze(text, [], None)
    ]
    found += [Entity(LONG_NUMBER_TYPE, match.start(), match.end(), 0.5, "long number") for match in _LONG_NUMBER.finditer(text)]
    return found


def _folded_name_entities(text: str) -> list[Entity]:
    """Return names written without diacritics: family, middle, then given names."""
    words = list(_WORD.finditer(text))
    found: list[Entity] = []
    index = 0
    while index < len(words) - 1:
        size = _folded_name_size(text, words, index)
        if size:
            found.append(Entity(FOLDED_NAME_TYPE, words[index].start(), words[index + size - 1].end(), 0.6, "folded name rule"))
        index += max(size, 1)
    return found


def _folded_name_size(text: str, words: list[re.Match[str]], index: int) -> int:
    """Return how many words from index spell a family, middle and given name, or 0."""
    folded = [fold(word.group(0)) for word in words[index : index + 2 + _MAX_MIDDLE_NAMES]]
    if folded[0] not in _FOLDED_FAMILY_NAMES or " ".join(folded[:2]) in _COMMON_PHRASES:
        return 0
    if " ".join(folded[:3]) in _COMMON_TRIPLES or " ".join(folded[1:3]) in _COMMON_GIVEN_PAIRS:
        return 0
    if index > 0 and _adjacent(text, words[index - 1], words[index]):
        if f"{fold(words[index - 1].group(0))}_{folded[0]}" in _WORDS_ENDING_IN_A_FAMILY_NAME:
            return 0
    size = 1
    while size < len(folded) and size <= _MAX_MIDDLE_NAMES and folded[size] in _FOLDED_MIDDLE_NAMES:
        if not _adjacent(text, words[index + size - 1], words[index + size]):
            break
        size += 1
    if size == 1:
        return 0
    given = index + size
    if given < len(words) and _adjacent(text, words[given - 1], words[given]) and len(words[given].group(0)) <= 7:
        return size + 1
    # The last middle name may be the given name ("Le Minh Tuan").
    return size if size >= 3 else 0


def _adjacent(text: str, first: re.Match[str], second: re.Match[str]) -> bool:
    return not text[first.end() : second.start()].strip()


def _outside_marks(stem: str, entities: list[Entity]) -> list[Entity]:
    """Cut the words that spell a secrecy mark out of the entities, keeping the rest of each."""
    pieces = list(entities)
    for mark_start, mark_end in mark_spans_in_name(stem):
        cut: list[Entity] = []
        for entity in pieces:
            if entity.end <= mark_start or entity.start >= mark_end:
                cut.append(entity)
                continue
            if entity.start < mark_start:
                cut.append(_trimmed(stem, entity, entity.start, mark_start))
            if entity.end > mark_end:
                cut.append(_trimmed(stem, entity, mark_end, entity.end))
        pieces = [entity for entity in cut if entity.end > entity.start]
    return pieces


def _trimmed(stem: str, entity: Entity, start: int, end: int) -> Entity:
    """Return entity limited to start:end, without separators at either edge."""
    while start < end and not stem[start].isalnum():
        start += 1
    while end > start and not stem[end - 1].isalnum():
        end -= 1
    return Entity(entity.type, start, end, entity.score, entity.recognizer)


def _replace(stem: str, entities: list[Entity]) -> str:
    pieces: list[str] = []
    position = 0
    for entity in sorted(entities, key=lambda item: item.start):
        pieces.append(stem[position : entity.start])
        pieces.append(entity.type)
        position = entity.end
    pieces.append(stem[position:])
    return "".join(pieces)
