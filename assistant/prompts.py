"""Prompts for grounded answers, in Vietnamese and English."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.llm.base import Message

NO_ANSWER = "NO_ANSWER"

SYSTEM = {
    "vi": (
        "Bạn là trợ lý hành chính của UBND thành phố Hà Nội. Chỉ trả lời dựa trên các đoạn trích được cung cấp. "
        "Trả lời ngắn gọn bằng tiếng Việt, tối đa 3 câu. Sau mỗi câu ghi số đoạn trích làm căn cứ, ví dụ [1]. "
        "Không thêm số liệu, ngày tháng hay tên không có trong đoạn trích. "
        f"Nếu các đoạn trích không trả lời được câu hỏi, chỉ viết {NO_ANSWER}."
    ),
    "en": (
        "You are an administrative assistant for the Hà Nội People's Committee. Answer only from the passages given. "
        "Answer briefly in English, in at most 3 sentences. After each sentence, write the number of the passage "
        "it rests on, for example [1]. Add no figure, date or name that is not in the passages. "
        f"If the passages do not answer the question, write only {NO_ANSWER}."
    ),
}

PASSAGES_HEADING = {"vi": "Các đoạn trích:", "en": "Passages:"}
QUESTION_HEADING = {"vi": "Câu hỏi:", "en": "Question:"}


def build_messages(
    language: str, question: str, passages: Sequence[tuple[str, str]], history: Sequence[Message]
) -> list[Message]:
    """Return chat messages: instructions, earlier turns, then passages and the question.

    passages contains (heading, text) pairs, numbered from 1 in the prompt.
    """
    numbered = "\n\n".join(f"[{n}] {heading}\n{text}" for n, (heading, text) in enumerate(passages, start=1))
    messages: list[Message] = [{"role": "system", "content": SYSTEM[language]}]
    messages.extend(history)
    messages.append(
        {
            "role": "user",
            "content": f"{PASSAGES_HEADING[language]}\n\n{numbered}\n\n{QUESTION_HEADING[language]} {question}",
        }
    )
    return messages
