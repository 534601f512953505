"""The context of a measurement: commit, machine, model files and data files."""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import platform
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
FETCH_MODELS = REPO / "scripts" / "fetch_models.py"


def git_commit() -> dict[str, Any]:
    """Return the checked-out commit and whether tracked files differ from it."""
    try:
        commit = _git("rev-parse", "HEAD")
        dirty = bool(_git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit, "dirty": dirty}


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()


def machine() -> dict[str, Any]:
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gib": _ram_gib(),
        "os": platform.platform(),
        "python": platform.python_version(),
        # Other work on the machine slows every timing; the 1-minute load average shows how much.
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


@functools.lru_cache(maxsize=1)
def _fetch_models() -> ModuleType:
    """Load scripts/fetch_models.py, which is a script rather than a package module."""
    spec = importlib.util.spec_from_file_location("_fetch_models", FETCH_MODELS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the class is created.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def model_files(settings: Any) -> list[dict[str, Any]]:
    """Return each model file the settings use with its sha256.

    A model that scripts/fetch_models.py lists is checked against its pinned
    checksum, with the stamp file that script writes so that a checked file is
    not hashed again. Any other file is hashed here.
    """
    paths = [settings.embedding_model_path]
    if settings.llm_backend in ("llamacpp", "transformers"):
        paths.append(settings.llm_model_path)
    return [_describe_model(path, settings.models_dir) for path in paths]


def _describe_model(path: Path, models_dir: Path) -> dict[str, Any]:
    fetch = _fetch_models()
    for model in fetch.MODELS.values():
        checked = fetch.target_path(model, models_dir)
        if path in (checked, checked.parent) and model.kind == ("zip" if path.is_dir() else "file"):
            ready = fetch.is_ready(model, models_dir)
            return {
                "name": model.name,
                "file": str(checked),
                "sha256": model.sha256 if ready else None,
                "checked": ready,
            }
    files = sorted(path.glob("*.safetensors")) if path.is_dir() else [path]
    return {
        "name": path.name,
        "file": str(files[0]) if files else str(path),
        "sha256": sha256_of(files[0]) if files and files[0].is_file() else None,
        "checked": False,
    }


@functools.lru_cache(maxsize=64)
def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def describe_file(path: Path, used: int | None = None) -> str:
    """Return a one-line version of a data file: rows, sha256 and how many rows were used."""
    rows = count_rows(path)
    text = f"{_display(path)}: {rows} rows, sha256 {sha256_of(path)}"
    if used is not None and used != rows:
        text += f"; {used} used"
    return text


def count_rows(path: Path) -> int:
    """Return the lines of a JSONL or CSV file (less a CSV header), or the items of a JSON list."""
    if path.suffix == ".json":
        import json

        data = json.loads(path.read_text(encoding="utf-8"))
        return len(data) if isinstance(data, list) else 1
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return len(lines) - 1 if path.suffix == ".csv" else len(lines)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return f"{path.parent.name}/{path.name}"
