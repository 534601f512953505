"""Embedded transformers: a causal language model folder run on the CPU."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

from assistant.errors import ModelNotFoundError
from assistant.llm.base import LLM, Message

log = logging.getLogger(__name__)


class TransformersLLM(LLM):
    name = "transformers"

    def __init__(self, model_path: Path) -> None:
        if not (model_path / "config.json").is_file():
            raise ModelNotFoundError(
                f"no transformers model folder at {model_path} (config.json missing); set ASSISTANT_LLM_MODEL"
            )
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(model_path, local_files_only=True)
        self.model = AutoModelForCausalLM.from_pretrained(model_path, local_files_only=True)
        self.model.eval()
        self._lock = threading.Lock()
        log.info("loaded transformers model %s", model_path.name)

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        from transformers import TextIteratorStreamer

        inputs = self.tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
        )
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        with self._lock:
            worker = threading.Thread(
                target=self.model.generate,
                kwargs={**inputs, "max_new_tokens": max_tokens, "do_sample": False, "streamer": streamer},
            )
            worker.start()
            yield from streamer
            worker.join()
