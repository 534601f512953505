"""The optional language-model pass over the composed prose.

Only paragraphs composed from the brief are sent, pseudonymised; the reply is
restored and kept only when it passes the same fact check as the composed
draft, stays in the request's language and carries no secrecy mark.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.drafting.factcheck import Evidence, check_texts
from assistant.errors import LLMError
from assistant.language import detect_language
from assistant.llm.base import LLM, Message

log = logging.getLogger(__name__)

# Longer prose is kept as composed: the small local model loses paragraphs in long inputs.
MAX_REWRITE_CHARS = 3000
_PLACEHOLDER = re.compile(r"<[A-Z_]+_\d+>")
_INSTRUCTIONS = {
    "vi": ("Bạn là chuyên viên soạn thảo văn bản hành chính. Viết lại từng đoạn văn dưới đây theo văn phong "
           "hành chính, trang trọng và ngắn gọn. Giữ nguyên mọi con số, ngày tháng, tên người, tên văn bản và "
           "các ký hiệu dạng <PERSON_1>. Không thêm thông tin mới. Trả về đúng {count} đoạn, mỗi đoạn một dòng, "
           "không đánh số, không giải thích."),
    "en": ("You draft official administrative documents. Rewrite each paragraph below in a formal, concise "
           "administrative style. Keep every number, date, person's name, document name and placeholder such as "
           "<PERSON_1> unchanged. Add no new information. Return exactly {count} paragraphs, one per line, "
           "without numbering or explanations."),
}


@dataclass
class RewriteResult:
    """Rewritten paragraphs, or None with the reasons they were rejected."""

    paragraphs: list[str] | None
    reasons: list[str] = field(default_factory=list)


def rewrite_paragraphs(
    llm: LLM,
    paragraphs: list[str],
    language: str,
    evidence: Evidence,
    hide: Callable[[str], str],
    restore: Callable[[str], str],
    max_tokens: int,
    person_finder=None,  # noqa: ANN001 - str -> list[str]
) -> RewriteResult:
    """Ask the model to rewrite paragraphs; return its text only when every check passes."""
    if sum(len(p) for p in paragraphs) > MAX_REWRITE_CHARS:
        return RewriteResult(None, [f"prose longer than {MAX_REWRITE_CHARS} characters is kept as composed"])
    messages: list[Message] = [
        {"role": "system", "content": _INSTRUCTIONS[language].format(count=len(paragraphs))},
        {"role": "user", "content": "\n".join(hide(p) for p in paragraphs)},
    ]
    try:
        reply = llm.generate(messages, max_tokens)
    except LLMError as exc:
        log.warning("drafting: language model failed (%s); keeping the composed text", type(exc).__name__)
        return RewriteResult(None, [f"language model failed: {exc}"])
    lines = [line.strip() for line in reply.splitlines() if line.strip()]
    if len(lines) != len(paragraphs):
        return RewriteResult(None, [f"language model returned {len(lines)} paragraphs for {len(paragraphs)}"])
    restored = [restore(line) for line in lines]
    reasons = _problems(restored, language, evidence, person_finder)
    if reasons:
        return RewriteResult(None, reasons)
    return RewriteResult(restored)


def _problems(paragraphs: list[str], language: str, evidence: Evidence, person_finder) -> list[str]:  # noqa: ANN001
    text = "\n".join(paragraphs)
    if _PLACEHOLDER.search(text):
        return ["language model text contains a placeholder it invented"]
    if detect_language(text) != language:
        return [f"language model text is not in the request's language ({language})"]
    report = check_texts([(f"rewrite[{i}]", p) for i, p in enumerate(paragraphs)], evidence, person_finder)
    if not report.passed:
        log.info("drafting: language model text failed the fact check: %d violations", len(report.violations))
        return [f"language model text rejected: {v.kind} {v.value!r} is not in the facts, request or sources"
                for v in report.violations[:5]]
    return []
