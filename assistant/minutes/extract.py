"""Decisions, action items and open questions found by rules, without a model.

Every item keeps the ids of the turns it came from. An owner and a deadline
are only ever taken from the words of the transcript: a named person or body
followed by a verb of obligation, or the speaker of "tôi sẽ ..." / "I will ...".
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import regex

from assistant.minutes.dates import find_due
from assistant.minutes.transcript import Turn
from retrieval.tokens import content_terms

_SENTENCE_END = regex.compile(r"(?<=[.!?…])\s+(?=[\p{Lu}\d\"“(\[])|\n+")
_CLAUSE_END = regex.compile(r";\s+")

_DECISION = regex.compile(
    r"(?<!chưa |không |chưa được |không được )\b(?:thống nhất|quyết định(?! số)|(?<!thông báo )kết luận|đồng ý|nhất trí|"
    r"chốt|phê duyệt)\b|\b(?:agreed|decided|decision is|we will go with|we'll go with|we're going with|"
    r"settled on|approved)\b",
    regex.I,
)
_OPEN = regex.compile(
    r"\b(?:chưa thống nhất|chưa quyết định|chưa có kết luận|chưa rõ|để lại (?:kỳ|phiên|buổi|cuộc) (?:họp )?(?:sau|tới)|"
    r"xin ý kiến (?:thêm|lãnh đạo|cấp trên)|bàn tiếp|"
    r"to be decided|tbd|not yet decided|still open|open question|undecided|come back to (?:this|that|it))\b",
    regex.I,
)
# A bare assent such as "Tôi đồng ý." records no decision of its own.
MIN_DECISION_WORDS = 5
_NEGATED = regex.compile(r"\b(?:chưa|không|not|no longer|never)\s+(?:\w+\s+)?$", regex.I)

_ACTION_PREFIX = regex.compile(
    r"^\s*(?:action(?: item)?|todo|to-do|nhiệm vụ|việc cần làm|phân công)\s*[:\-–]\s*", regex.I
)
_ASSIGN = regex.compile(r"(?:^|\b)(?:giao(?: cho)?|đề nghị|yêu cầu|phân công(?: cho)?|nhờ)\s+$", regex.I)
_CONDITIONAL = regex.compile(r"\b(?:nếu|khi|giả sử|if|when|unless|whether)\b", regex.I)

# Verbs of work a person or body is charged with in Vietnamese minutes.
VI_VERBS = tuple(sorted(
    "chủ trì|phối hợp|gửi|hoàn thành|hoàn thiện|chuẩn bị|rà soát|báo cáo|xây dựng|tổng hợp|trình|soạn thảo|soạn|"
    "dự thảo|lập|kiểm tra|cập nhật|liên hệ|tổ chức|đôn đốc|theo dõi|bổ sung|cung cấp|thông báo|làm việc với|"
    "khảo sát|đề xuất|triển khai|bố trí|xử lý|thẩm định|hướng dẫn|tham mưu|giải quyết|thực hiện|nghiên cứu|"
    "đánh giá|chỉnh sửa|sửa|đăng tải|công bố|lấy ý kiến|tiếp thu|phát hành|nộp|chuyển|mời|họp|rà|in|"
    "tập huấn|ban hành|giám sát|điều chỉnh|phê duyệt|ký".split("|"),
    key=len, reverse=True,
))
# Words that may stand between an owner and the verb: "Sở Xây dựng có trách nhiệm chủ trì".
VI_MODALS = ("có trách nhiệm", "chịu trách nhiệm", "được giao", "sẽ", "cần", "phải", "tiếp tục", "khẩn trương",
             "chủ động", "kịp thời", "trực tiếp")
_PERSON_TITLES = ("đồng chí", "đ/c", "ông", "bà", "anh", "chị", "cô", "chú")
_BODY_HEADS = ("Ủy ban nhân dân", "Văn phòng", "Thanh tra", "Công an", "Trung tâm", "Ban quản lý", "Chi cục",
               "Kho bạc", "Sở", "Ban", "Phòng", "Tổ", "Cục", "Bộ", "UBND", "Hội đồng", "Đoàn", "Phường", "Xã")
_STANDALONE_BODIES = frozenset({"Phường", "Xã", "Văn phòng", "Thanh tra", "Tổ"})
_BODY_WORD = regex.compile(r"^(?:\p{L}[\p{L}\d]*|-|và)$")
_UNIT_WORDS = frozenset({"phường", "xã", "quận", "huyện", "thị", "trấn", "thành", "phố", "và", "-"})
# An owner right after these words is a partner or a recipient, not the one charged.
_PARTNER_BEFORE = regex.compile(r"\b(?:với|cùng|giúp|cho|của|tại|từ|theo|with|for|from)\s+$", regex.I)

_EN_NAME = regex.compile(
    r"(?<![\p{L}'])(?P<owner>(?:the\s+)?\p{Lu}[\p{L}'-]*(?:\s+\p{Lu}[\p{L}'-]*){0,3}(?:\s+(?:team|department|office))?)"
    r"\s*(?P<modal>\s(?:will|shall|is to|are to|needs? to|has to|have to|must|should|is going to|are going to|"
    r"agreed to|to)|'ll)\s+(?:also\s+|then\s+|now\s+|quickly\s+)?(?P<verb>[a-z][a-z-]+)\b(?P<task>.*)$",
)
_EN_SELF = regex.compile(r"(?<![\p{L}'])(?:I'll|I'm going to|I will|I shall|I need to|I have to)\s+"
                         r"(?:also\s+|then\s+)?(?P<verb>[a-z][a-z-]+)\b(?P<task>.*)$")
_VI_SELF = regex.compile(r"(?:^|[\s,])(?:tôi|em|chúng tôi|bên tôi|phòng tôi|sở tôi)\s+(?:sẽ|xin nhận|nhận)\s+(?P<task>.*)$",
                         regex.I)
_NOT_OWNERS = frozenset(
    "the this that these those it its we they you he she there here so and but then okay ok well yes no what which "
    "who why how when where if our my your all some everyone everybody nobody someone one each a an also maybe "
    "perhaps now today tomorrow i".split()
)
# Auxiliaries, adverbs and verbs of speaking: "I will say", "Members should note" record no task.
_NOT_VERBS = frozenset(
    "be not have been probably also never always just really certainly simply gladly sadly now say remind "
    "commend highlight call thank ask note mention point repeat answer tell explain speak begin start continue "
    "recognize quote conclude end finish stop pass take try".split()
)


@dataclass
class Item:
    """A decision, action item or open question with the turns that state it."""

    text: str
    turns: list[int]
    owner: str | None = None
    task: str | None = None
    due: str | None = None
    owner_missing: bool = False

    def key(self) -> str:
        return normalize(self.text)


@dataclass
class Extraction:
    decisions: list[Item] = field(default_factory=list)
    action_items: list[Item] = field(default_factory=list)
    open_questions: list[Item] = field(default_factory=list)


def normalize(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def extract(turns: Sequence[Turn], owned: set[int] | None = None, meeting_date: datetime.date | None = None,
            lookahead: int = 3) -> Extraction:
    """Find items in the turns whose id is in owned (all when None); the other turns
    give only context, such as the answer that closes a question."""
    found = Extraction()
    for position, turn in enumerate(turns):
        if owned is not None and turn.id not in owned:
            continue
        following = turns[position + 1 : position + 1 + lookahead]
        for sentence in split_sentences(turn.text):
            _classify(sentence, turn, following, meeting_date, found)
    return found


def _classify(sentence: str, turn: Turn, following: Sequence[Turn], meeting_date: datetime.date | None,
              found: Extraction) -> None:
    is_question = sentence.rstrip().endswith("?")
    if _OPEN.search(sentence):
        found.open_questions.append(Item(sentence, [turn.id]))
    elif is_question and _is_unanswered(sentence, turn, following):
        found.open_questions.append(Item(sentence, [turn.id]))
    if is_question:
        return
    if is_decision(sentence):
        found.decisions.append(Item(sentence, [turn.id]))
    for clause in _CLAUSE_END.split(sentence):
        for action in find_actions(clause, turn.speaker, meeting_date):
            action.turns = [turn.id]
            found.action_items.append(action)


def is_decision(sentence: str) -> bool:
    if sentence.rstrip().endswith("?") or _OPEN.search(sentence) or len(sentence.split()) < MIN_DECISION_WORDS:
        return False
    for match in _DECISION.finditer(sentence):
        if not _NEGATED.search(sentence[: match.start()][-25:]):
            return True
    return False


def _is_unanswered(question: str, turn: Turn, following: Sequence[Turn]) -> bool:
    """Return True for a substantive question that no later turn by another speaker takes up.

    A reply takes a question up when it is not itself only a question and shares
    at least two content terms with it, or a third of them.
    """
    terms = content_terms(question)
    if len(terms) < 3:
        return False
    for reply in following:
        if reply.speaker is not None and reply.speaker == turn.speaker:
            continue
        if reply.text.rstrip().endswith("?") and len(split_sentences(reply.text)) == 1:
            continue
        if _OPEN.search(reply.text):
            continue  # "chưa quyết định" takes the question up but leaves it open
        shared = len(terms & content_terms(reply.text))
        if shared >= 2 or shared >= len(terms) / 3:
            return False
    return True


def find_actions(clause: str, speaker: str | None, meeting_date: datetime.date | None) -> list[Item]:
    """Return the action items in one clause (no question); see the module docstring."""
    if clause.rstrip().endswith("?"):
        return []
    prefixed = _ACTION_PREFIX.match(clause)
    body = clause[prefixed.end():] if prefixed else clause
    items = _vietnamese_actions(body, meeting_date) or _english_actions(body, meeting_date, bool(prefixed))
    if not items:
        items = _self_actions(body, speaker, meeting_date)
    if not items and prefixed and body.strip():
        task = _tidy(body)
        items = [Item(clause.strip(), [], None, task, find_due(task, meeting_date), owner_missing=True)]
    return items


def _vietnamese_actions(clause: str, meeting_date: datetime.date | None) -> list[Item]:
    """Find "<owner> [modal] <verb> ..." runs; each task ends where the next owner starts."""
    starts = []
    for owner_start, owner, verb_start in _vietnamese_owners(clause):
        before = clause[:owner_start]
        if _CONDITIONAL.search(before[-30:]) and not _ASSIGN.search(before):
            continue
        if _PARTNER_BEFORE.search(before) and not _ASSIGN.search(before):
            continue
        starts.append((owner_start, owner, verb_start))
    items = []
    for index, (owner_start, owner, verb_start) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(clause)
        task = _tidy(re.sub(r"(?:,|\s+và|\s+and)\s*$", "", clause[verb_start:end].strip()))
        items.append(Item(clause.strip(), [], owner, task, find_due(task, meeting_date)))
    return items


def _vietnamese_owners(clause: str) -> list[tuple[int, str, int]]:
    """Return (start, owner, verb start) for each titled person or named body followed by an obligation."""
    found = []
    for match in regex.finditer(r"(?<![\p{L}/])(?:" + "|".join(map(regex.escape, _PERSON_TITLES + _BODY_HEADS)) + r")\s",
                                clause, regex.I):
        head = match.group(0).strip()
        is_person = head.lower() in _PERSON_TITLES
        if not is_person and head not in _BODY_HEADS:
            continue  # bodies are matched with their capital: "Sở", not "sở"
        owner_end, verb_start = _owner_extent(clause, match.end(), is_person)
        if verb_start is None and head in _STANDALONE_BODIES:
            # "Phường sẽ tổ chức ...": the ward of the meeting, named by its kind alone.
            offset = _obligation_start(clause[match.end():])
            owner_end, verb_start = match.start() + len(head), None if offset is None else match.end() + offset
        if verb_start is None:
            continue
        owner = clause[match.start():owner_end].strip()
        if found and found[-1][0] <= match.start() < found[-1][2]:
            continue
        found.append((match.start(), owner, verb_start))
    return found


def _owner_extent(clause: str, name_start: int, is_person: bool) -> tuple[int, int | None]:
    """Return where the owner's name ends and where its verb starts (None when no obligation follows)."""
    words = list(regex.finditer(r"\S+", clause[name_start:]))
    if not words or not words[0].group(0)[0].isupper():
        return name_start, None
    limit = 4 if is_person else 8
    previous_capital = False
    for count in range(1, min(limit, len(words)) + 1):
        last = words[count - 1]
        word = last.group(0).rstrip(",")
        capital = word[0].isupper()
        if is_person and not capital:
            return name_start, None
        # A body's name is capitalised words, each with at most one lower-case syllable
        # after it ("Sở Y tế", "UBND phường Hoàn Kiếm"), so "Sở Y tế cho biết" stops at "cho".
        lower_allowed = previous_capital or word in _UNIT_WORDS
        if not is_person and not (_BODY_WORD.match(word) and (capital or lower_allowed)):
            return name_start, None
        previous_capital = capital or word in _UNIT_WORDS
        if last.group(0).endswith(","):
            return name_start, None
        rest = clause[name_start + last.end():].lstrip()
        verb_offset = _obligation_start(rest)
        if verb_offset is not None:
            owner_end = name_start + last.end()
            return owner_end, len(clause) - len(rest) + verb_offset
    return name_start, None


def _obligation_start(text: str) -> int | None:
    """Return the offset of the verb when text starts with [modals] and a verb of obligation."""
    offset = 0
    for _ in range(3):
        for modal in VI_MODALS:
            if text[offset:].startswith(modal + " "):
                offset += len(modal) + 1
                break
        else:
            break
    for verb in VI_VERBS:
        if text[offset:].startswith(verb) and (len(text) == offset + len(verb) or not text[offset + len(verb)].isalpha()):
            return offset
    return None


def _english_actions(clause: str, meeting_date: datetime.date | None, prefixed: bool) -> list[Item]:
    """Find "<Name> will|should|needs to <verb> ..."; a bare "<Name> to <verb>" only after "ACTION:"."""
    for match in _EN_NAME.finditer(clause):
        owner = match["owner"]
        if match["modal"].strip() == "to" and not prefixed:
            continue
        first = owner.split()[0].lower()
        if first in _NOT_OWNERS and first != "the" or match["verb"] in _NOT_VERBS:
            continue
        if owner.lower().startswith("the ") and not owner.lower().endswith(("team", "department", "office")):
            continue
        if _CONDITIONAL.search(clause[: match.start()][-30:]):
            continue
        task = _tidy(match["verb"] + match["task"])
        return [Item(clause.strip(), [], owner.strip(), task, find_due(task, meeting_date))]
    return []


def _self_actions(clause: str, speaker: str | None, meeting_date: datetime.date | None) -> list[Item]:
    """Return "I will ..." or "tôi sẽ ..." with the speaker of the turn as the owner."""
    if speaker is None or _CONDITIONAL.search(clause):
        return []
    english = _EN_SELF.search(clause)
    if english and english["verb"] not in _NOT_VERBS:
        task = _tidy(english["verb"] + english["task"])
        return [Item(clause.strip(), [], speaker, task, find_due(task, meeting_date))]
    vietnamese = _VI_SELF.search(clause)
    if vietnamese and _obligation_start(vietnamese["task"]) is not None:
        task = _tidy(vietnamese["task"])
        return [Item(clause.strip(), [], speaker, task, find_due(task, meeting_date))]
    return []


def _tidy(task: str) -> str:
    return task.strip().rstrip(".;,!").strip()
