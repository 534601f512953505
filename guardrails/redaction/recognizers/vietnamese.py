"""Letter classes and word lists shared by the Vietnamese name and address recognizers."""

from __future__ import annotations

import re

# Every upper-case and lower-case letter from Basic Latin to Latin Extended
# Additional, which covers all Vietnamese letters with their diacritics.
_LETTERS = [chr(code) for code in range(0x41, 0x1F00) if chr(code).isalpha()]
UPPER = "".join(letter for letter in _LETTERS if letter.isupper())
LOWER = "".join(letter for letter in _LETTERS if letter.islower())

# A capitalised syllable ("Nguyễn", "NGUYỄN") and any syllable ("nguyễn").
CAPITALISED_SYLLABLE = f"[{re.escape(UPPER)}][{re.escape(UPPER + LOWER)}]*"
SYLLABLE = f"[{re.escape(UPPER + LOWER)}]+"

# Common family names, about fifteen of which cover most of the population.
FAMILY_NAMES = frozenset(
    """
    nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý đinh đoàn lương
    trịnh mai đào cao lâm hà tạ chu kiều lưu tô thái triệu quách vương phùng khổng mạc khúc
    nông hứa diệp giáp âu
    """.split()
)
