"""Minutes as the sections of a Biên bản (minutes document) for the drafting service."""

from __future__ import annotations

from assistant.minutes.service import Minutes

HEADINGS = {
    "vi": {
        "participants": "Thành phần tham dự",
        "summary": "Nội dung cuộc họp",
        "decisions": "Kết luận",
        "action_items": "Phân công thực hiện",
        "open_questions": "Các vấn đề chưa thống nhất",
        "owner_missing": "chưa rõ đơn vị thực hiện",
        "due": "thời hạn",
        "none": "Không có.",
    },
    "en": {
        "participants": "Participants",
        "summary": "Discussion",
        "decisions": "Decisions",
        "action_items": "Action items",
        "open_questions": "Open questions",
        "owner_missing": "owner not named",
        "due": "due",
        "none": "None.",
    },
}


def minutes_to_sections(minutes: Minutes | dict) -> list[dict]:
    """Return [{"heading", "paragraphs"}] in the order of a Biên bản: participants,
    discussion, decisions, assignments, open questions. An empty section says so."""
    data = minutes.to_dict() if isinstance(minutes, Minutes) else minutes
    words = HEADINGS.get(data.get("language") or "vi", HEADINGS["vi"])
    bodies = {
        "participants": list(data.get("participants") or []),
        "summary": [s["text"] for s in data.get("summary") or []],
        "decisions": [d["text"] for d in data.get("decisions") or []],
        "action_items": [_assignment(a, words) for a in data.get("action_items") or []],
        "open_questions": [q["text"] for q in data.get("open_questions") or []],
    }
    return [{"heading": words[key], "paragraphs": paragraphs or [words["none"]]} for key, paragraphs in bodies.items()]


def minutes_to_draft_fields(minutes: Minutes | dict) -> dict:
    """Return the fields a Biên bản draft needs: type, title, date, participants and sections."""
    data = minutes.to_dict() if isinstance(minutes, Minutes) else minutes
    return {
        "doc_type": "bien_ban",
        "title": data.get("title"),
        "date": data.get("date"),
        "participants": list(data.get("participants") or []),
        "language": data.get("language"),
        "sections": minutes_to_sections(data),
    }


def _assignment(action: dict, words: dict[str, str]) -> str:
    owner = action.get("owner") or f"({words['owner_missing']})"
    text = f"{owner}: {action.get('task') or action.get('text')}"
    if action.get("due"):
        text += f" ({words['due']}: {action['due']})"
    return text
