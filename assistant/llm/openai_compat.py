"""Any server that speaks the OpenAI chat completions API (vLLM, Ollama, llama.cpp server)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import httpx

from assistant.errors import ConfigurationError, LLMError
from assistant.llm.base import LLM, Message

log = logging.getLogger(__name__)


class OpenAICompatibleLLM(LLM):
    name = "openai"

    def __init__(self, base_url: str | None, model: str | None, api_key: str | None, timeout: float = 180.0) -> None:
        if not base_url or not model:
            raise ConfigurationError(
                "the openai backend needs ASSISTANT_OPENAI_BASE_URL (for example http://127.0.0.1:8080/v1) "
                "and ASSISTANT_OPENAI_MODEL"
            )
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(headers=headers, timeout=timeout)

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        body = {"model": self.model, "messages": messages, "max_tokens": max_tokens, "temperature": 0, "stream": True}
        try:
            with self.client.stream("POST", self.url, json=body) as response:
                if response.status_code != 200:
                    response.read()
                    raise LLMError(f"{self.url} returned HTTP {response.status_code}; check the server and model name")
                for line in response.iter_lines():
                    piece = _delta_of(line)
                    if piece:
                        yield piece
        except httpx.HTTPError as exc:
            raise LLMError(f"request to {self.url} failed: {type(exc).__name__}; is the server running?") from exc


def _delta_of(line: str) -> str | None:
    if not line.startswith("data:"):
        return None
    payload = line[5:].strip()
    if payload == "[DONE]":
        return None
    try:
        choice = json.loads(payload)["choices"][0]
    except (ValueError, KeyError, IndexError):
        log.warning("ignored a malformed stream event from the model server")
        return None
    return (choice.get("delta") or {}).get("content")
