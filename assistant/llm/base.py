"""The interface every language model backend implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import TypedDict


class Message(TypedDict):
    role: str
    content: str


class LLM(ABC):
    """A chat model that turns messages into text, greedily, so runs repeat."""

    name: str = "llm"

    @abstractmethod
    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        """Yield the reply in pieces as the model produces them."""

    def generate(self, messages: list[Message], max_tokens: int) -> str:
        """Return the whole reply."""
        return "".join(self.stream(messages, max_tokens))
