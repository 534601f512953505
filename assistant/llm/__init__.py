"""Language model backends behind one small interface."""

from assistant.llm.base import LLM, Message
from assistant.llm.factory import build_llm

__all__ = ["LLM", "Message", "build_llm"]
