"""A deterministic stand-in model for fast pipeline tests and demos.

It answers by quoting the first sentence of the first passage in the prompt
with its marker, or replays scripted replies in order when given them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.llm.base import LLM, Message

_PASSAGE = re.compile(r"^\[(\d+)\][^\n]*\n(.+?)(?:\n\n|\Z)", re.MULTILINE | re.DOTALL)


class FakeLLM(LLM):
    name = "fake"

    def __init__(self, replies: list[str] | None = None) -> None:
        self.replies = list(replies or [])
        self.prompts: list[list[Message]] = []

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        self.prompts.append(messages)
        reply = self.replies.pop(0) if self.replies else self._quote_first_passage(messages)
        for word in reply.split(" "):
            yield word + " "

    @staticmethod
    def _quote_first_passage(messages: list[Message]) -> str:
        prompt = messages[-1]["content"]
        match = _PASSAGE.search(prompt)
        if match is None:
            return "NO_ANSWER"
        body = match.group(2).split("\n")
        sentence = body[1] if len(body) > 1 else body[0]
        return f"{sentence.strip()} [{match.group(1)}]"
