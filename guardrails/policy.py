"""Gate policy: which mark levels keep a file or message away from the assistant."""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from guardrails.marks import LEVELS, STATE_SECRET_LEVELS

logger = logging.getLogger(__name__)

_TABLES = frozenset({"gate"})
_GATE_KEYS = frozenset({"block"})


@dataclass(frozen=True)
class Policy:
    """The set of mark levels that block, and the file it was read from."""

    blocked_levels: frozenset[str]
    source: str

    def blocks(self, level: str) -> bool:
        """Tell whether a mark of this level blocks."""
        return level in self.blocked_levels


def default_policy() -> Policy:
    """Load the policy file shipped with the package, which blocks every level."""
    text = resources.files("guardrails").joinpath("policy.toml").read_text(encoding="utf-8")
    return parse_policy(text, source="guardrails/policy.toml")


def load_policy(path: Path | str) -> Policy:
    """Load a policy from a TOML file with a [gate] table and a `block` list of levels.

    Raises ValueError when the file is missing or not valid TOML, has
    unknown keys or names an unknown level. The message names the invalid
    value and lists the accepted ones.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"policy file {path} not found; pass the path of an existing TOML file") from None
    return parse_policy(text, source=str(path))


def parse_policy(text: str, source: str) -> Policy:
    """Parse the TOML text of a policy. source names the policy in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"policy {source} is not valid TOML: {error}") from error
    _reject_unknown_keys(data, _TABLES, source, "top level")
    gate = data.get("gate")
    if not isinstance(gate, dict):
        raise ValueError(f"policy {source} has no [gate] table; add one with a `block` list of levels")
    _reject_unknown_keys(gate, _GATE_KEYS, source, "[gate]")
    blocked = _read_levels(gate.get("block"), source)
    _warn_on_unblocked_state_secrets(blocked, source)
    return Policy(blocked_levels=blocked, source=source)


def _reject_unknown_keys(table: dict[str, Any], known: frozenset[str], source: str, where: str) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise ValueError(f"policy {source} has unknown keys {unknown} at {where}; known keys: {sorted(known)}")


def _read_levels(value: Any, source: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"policy {source}: [gate] block must be a list of level names, got {value!r}")
    unknown = [level for level in value if level not in LEVELS]
    if unknown:
        raise ValueError(f"policy {source} names unknown level(s) {unknown}; known levels: {', '.join(LEVELS)}")
    return frozenset(value)


def _warn_on_unblocked_state_secrets(blocked: frozenset[str], source: str) -> None:
    missing = sorted(STATE_SECRET_LEVELS - blocked)
    if missing:
        logger.warning("policy %s does not block the state-secret levels %s", source, missing)
