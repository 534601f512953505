"""Embedded llama.cpp: a GGUF file run in this process on the CPU."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

from assistant.errors import LLMError, ModelNotFoundError
from assistant.llm.base import LLM, Message

log = logging.getLogger(__name__)


class LlamaCppLLM(LLM):
    name = "llamacpp"

    def __init__(self, model_path: Path, context_tokens: int = 4096, threads: int | None = None) -> None:
        if not model_path.is_file():
            raise ModelNotFoundError(
                f"GGUF model not found at {model_path}; run 'make setup' or set ASSISTANT_LLM_MODEL"
            )
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise LLMError("llama-cpp-python is not installed; run 'make setup' or choose another ASSISTANT_LLM_BACKEND") from exc
        self.model = Llama(model_path=str(model_path), n_ctx=context_tokens, n_threads=threads, verbose=False, seed=0)
        # One llama.cpp context serves one request at a time.
        self._lock = threading.Lock()
        log.info("loaded GGUF model %s", model_path.name)

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        with self._lock:
            try:
                pieces = self.model.create_chat_completion(
                    messages=messages, max_tokens=max_tokens, temperature=0.0, top_k=1, stream=True
                )
                for piece in pieces:
                    text = piece["choices"][0]["delta"].get("content")
                    if text:
                        yield text
            except ValueError as exc:  # llama.cpp raises ValueError when the prompt exceeds n_ctx
                raise LLMError(f"llama.cpp rejected the prompt: {exc}") from exc
