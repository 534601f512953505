"""Choose the language model backend named in the settings."""

from __future__ import annotations

from assistant.llm.base import LLM
from assistant.settings import Settings


def build_llm(settings: Settings) -> LLM | None:
    """Return the configured backend, or None for extractive answers only."""
    backend = settings.llm_backend
    if backend == "none":
        return None
    if backend == "fake":
        from assistant.llm.fake import FakeLLM

        return FakeLLM()
    if backend == "llamacpp":
        from assistant.llm.llamacpp import LlamaCppLLM

        return LlamaCppLLM(settings.llm_model_path, settings.llm_context_tokens, settings.llm_threads)
    if backend == "transformers":
        from assistant.llm.transformers_backend import TransformersLLM

        return TransformersLLM(settings.llm_model_path)
    from assistant.llm.openai_compat import OpenAICompatibleLLM

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    return OpenAICompatibleLLM(settings.openai_base_url, settings.openai_model, key, settings.llm_timeout_seconds)
