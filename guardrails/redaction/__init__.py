"""Personal-data redaction for Vietnamese and English text, built on Presidio.

Importing this package sets HF_HUB_OFFLINE and TRANSFORMERS_OFFLINE to 1
unless the environment already sets them, so that no library Presidio
loads tries to reach the Hugging Face hub.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from guardrails.redaction.engine import Entity, RedactionResult, Redactor  # noqa: E402

__all__ = ["Entity", "RedactionResult", "Redactor"]
