"""One settings object for the whole assistant.

Values come from, in order of precedence: keyword arguments, environment
variables prefixed ``ASSISTANT_``, and an optional env file named by
``ASSISTANT_SETTINGS_FILE`` (default ``assistant.env`` in the working folder).
Unknown keys are rejected so that a misspelt setting fails at start-up.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _user_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hanoi-assistant"


def _default_models_dir() -> Path:
    return Path(os.environ.get("ASSISTANT_MODELS_DIR") or _user_cache_dir() / "models")


LLMBackendName = Literal["llamacpp", "transformers", "openai", "none", "fake"]


class Settings(BaseSettings):
    """Settings of the assistant; see the README's settings table."""

    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_",
        env_file=os.environ.get("ASSISTANT_SETTINGS_FILE", "assistant.env"),
        extra="forbid",
    )

    data_dir: Path = Field(Path("data"), description="Folder for the index and chunk store.")
    cache_dir: Path = Field(
        default_factory=_user_cache_dir,
        description="Folder for caches that outlive a data folder, such as embeddings.",
    )
    models_dir: Path = Field(default_factory=_default_models_dir)

    embedding_model: Path | None = Field(
        None, description="Sentence-transformers model folder; default: embeddinggemma-300m in models_dir."
    )
    embedding_max_tokens: int = Field(512, ge=32, le=2048)
    # Measured on 2 CPU cores: batches of 4 encode faster than 1, 8 or 16.
    embedding_batch_size: int = Field(4, ge=1, le=256)

    llm_backend: LLMBackendName = "llamacpp"
    llm_model: Path | None = Field(
        None, description="GGUF file (llamacpp) or model folder (transformers)."
    )
    llm_context_tokens: int = Field(4096, ge=512)
    llm_max_new_tokens: int = Field(200, ge=16, le=2048)
    llm_threads: int | None = Field(None, ge=1)
    llm_timeout_seconds: float = Field(180.0, gt=0)
    openai_base_url: str | None = None
    openai_model: str | None = None
    openai_api_key: SecretStr | None = None

    search_k: int = Field(5, ge=1, le=50)
    chat_passages: int = Field(3, ge=1, le=10)
    passage_max_chars: int = Field(1200, ge=200)
    candidates: int = Field(50, ge=5, le=500, description="Hits taken from each retriever before fusion.")
    # Hybrid search adds max-normalised dense and BM25 scores ("score"), or
    # reciprocal ranks ("rrf"). The weight was chosen on the ALQAC 2023 legal
    # questions, where 0.6 to 0.7 gave the best MRR (see docs/benchmarks.md).
    fusion: Literal["score", "rrf"] = "score"
    dense_weight: float = Field(0.6, ge=0.0, le=1.0)
    rrf_k: int = Field(60, ge=1)
    # A question is answered only when its passages clear both bars. Measured with
    # python -m evals.answerability (docs/benchmarks.md): 0.38 and 0.5 let all 100 legal
    # and 15 bundled answerable questions and none of 20 unanswerable ones through.
    min_dense_score: float = Field(0.38, ge=-1.0, le=1.0)
    min_term_coverage: float = Field(0.5, ge=0.0, le=1.0)
    support_threshold: float = Field(0.5, ge=0.0, le=1.0)

    gate_policy: Path | None = Field(None, description="TOML file listing the levels that block; default: all.")
    redact_at_ingest: bool = Field(True, description="Redact personal data in chunks before indexing.")

    max_upload_bytes: int = Field(64 * 1024 * 1024, ge=1024, description="Largest file accepted for ingestion.")
    max_document_chars: int = Field(2_000_000, ge=1000, description="Largest extracted text of one document.")
    max_question_chars: int = Field(4000, ge=10)

    # Request routing; see assistant/routing. On the test split of the Vietnamese
    # routing cases, 0.5 and 0.1 flag every wrong route and half of all routes
    # (python -m evals run --suite routing).
    routing_taxonomy: Path | None = Field(
        None, description="TOML file of the departments to route to; default: Hà Nội's (assistant/routing/departments)."
    )
    routing_min_confidence: float = Field(0.5, ge=0.0, le=1.0, description="Below this score a route needs review.")
    routing_min_margin: float = Field(0.1, ge=0.0, le=1.0, description="A runner-up this close means review.")

    # Access control; see the README's "Access" section.
    auth_secret: SecretStr | None = Field(
        None, description="Token signing secret (32+ characters); default: a random one in data_dir/auth-secret."
    )
    demo_login: bool = Field(False, description="Allow POST /v1/auth/demo-login, which signs anyone in.")
    rate_limit_per_minute: float = Field(120.0, gt=0, description="Requests a minute per key or token.")
    rate_limit_burst: int = Field(30, ge=1, description="Requests a key or token may send at once.")
    rate_limit_store: Literal["database", "memory"] = Field(
        "database", description="Where rate limit buckets live: the data folder's ratelimit.sqlite3, shared by "
        "every server process on it, or this process's memory.")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated origins that browsers may call from; empty: none."
    )
    # The classify endpoint takes 2,000,000 characters, up to about 6 MB of Vietnamese UTF-8.
    max_json_bytes: int = Field(8 * 1024 * 1024, ge=1024, description="Largest JSON request body, in bytes.")

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("cors_origins", mode="after")
    @classmethod
    def _exact_origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if not re.fullmatch(r"https?://[A-Za-z0-9.\-]+(:\d{1,5})?", origin):
                raise ValueError(f"CORS origin {origin!r} is not an exact origin such as https://intranet.example.vn "
                                 "(no wildcard, path or trailing slash)")
        return value

    @field_validator("data_dir", "cache_dir", "models_dir", mode="after")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def embedding_model_path(self) -> Path:
        return self.embedding_model or self.models_dir / "embeddinggemma-300m"

    @property
    def llm_model_path(self) -> Path:
        return self.llm_model or self.models_dir / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read once."""
    return Settings()
