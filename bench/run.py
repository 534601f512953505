"""Benchmarks: ingestion throughput and search latency, each beside the raw
library doing the same work in the same run.

    python bench/run.py [--data DIR] [--chunks N] [--out docs/benchmarks.md]

Ingestion: the pipeline (parse, gate, chunk, embed, store) on N legal articles
with an empty embedding cache, against sentence-transformers' encode() of the
same chunk texts; then the same ingestion with a warm cache.
Search: p50 and p95 of hybrid search over the full 2,249-article index, against
encode() of the query plus a FAISS search over the same vectors.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.offline import enforce_offline  # noqa: E402

enforce_offline()

from assistant.components import build_index, build_ingestor  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from retrieval.access import UNRESTRICTED  # noqa: E402
from evals.retrieval import load_questions  # noqa: E402


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB RAM, Python {platform.python_version()}"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def bench_ingestion(corpus: Path, count: int, work: Path) -> dict:
    sample = work / "sample.jsonl"
    lines = corpus.read_text(encoding="utf-8").splitlines()[:count]
    sample.write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = Settings(data_dir=work / "cold", cache_dir=work / "cache")
    index = build_index(settings)
    started = time.perf_counter()
    results = build_ingestor(settings, index).ingest([sample])
    cold = time.perf_counter() - started
    chunks = [row[2] for row in index.store.all_chunks()]
    titles = [row[1] for row in index.store.all_chunks()]

    embedder = index.embedder.inner  # the model without the cache
    inputs = embedder.passage_inputs(titles, chunks)
    started = time.perf_counter()
    embedder.model.encode(inputs, batch_size=embedder.batch_size, normalize_embeddings=True, show_progress_bar=False)
    raw = time.perf_counter() - started

    warm_settings = Settings(data_dir=work / "warm", cache_dir=work / "cache")
    warm_index = build_index(warm_settings)
    _ = warm_index.embedder
    started = time.perf_counter()
    build_ingestor(warm_settings, warm_index).ingest([sample])
    warm = time.perf_counter() - started
    return {
        "documents": len(results), "chunks": len(chunks),
        "pipeline_cold_s": round(cold, 1), "raw_encode_s": round(raw, 1), "pipeline_warm_s": round(warm, 1),
        "cold_chunks_per_s": round(len(chunks) / cold, 2), "raw_chunks_per_s": round(len(chunks) / raw, 2),
        "ratio_cold_to_raw": round(cold / raw, 2),
    }


def bench_search(data_dir: Path, questions_path: Path) -> dict:
    settings = Settings(data_dir=data_dir)
    index = build_index(settings)
    questions = [q.text for q in load_questions(questions_path, split="train")]
    index.search(questions[0], k=5, reader=UNRESTRICTED)  # load the model and the index
    timings = {"hybrid": [], "raw": []}
    for question in questions:
        started = time.perf_counter()
        index.search(question, k=5, reader=UNRESTRICTED)
        timings["hybrid"].append((time.perf_counter() - started) * 1000)
    embedder = index.embedder.inner
    vectors = index._vectors.index  # the same FAISS index, queried directly
    import numpy as np

    for question in questions:
        started = time.perf_counter()
        query = embedder.model.encode([embedder.query_input(question)], normalize_embeddings=True)
        vectors.search(np.asarray(query, dtype=np.float32), 5)
        timings["raw"].append((time.perf_counter() - started) * 1000)
    out = {"questions": len(questions), "chunks": index.stats()["chunks"]}
    for name, values in timings.items():
        out[f"{name}_p50_ms"] = round(statistics.median(values), 1)
        out[f"{name}_p95_ms"] = round(percentile(values, 0.95), 1)
    out["ratio_p50"] = round(out["hybrid_p50_ms"] / out["raw_p50_ms"], 2)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("DATA_DIR", "../shared/data")),
                        help="real data folder holding legal_vi_alqac2023/")
    parser.add_argument("--chunks", type=int, default=200, help="articles for the ingestion benchmark")
    parser.add_argument("--index", type=Path, help="data folder with the full legal corpus indexed (built if absent)")
    parser.add_argument("--out", type=Path, help="Markdown file to update with the results")
    args = parser.parse_args()
    legal = args.data / "legal_vi_alqac2023"
    if not legal.is_dir():
        parser.error(f"{legal} not found; pass --data with the real data folder")
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        work = Path(folder)
        ingestion = bench_ingestion(legal / "corpus.jsonl", args.chunks, work)
        index_dir = args.index or work / "full"
        if not (index_dir / "chunks.sqlite3").exists():
            subprocess.run([sys.executable, "-m", "retrieval", "--data-dir", str(index_dir), "ingest",
                            str(legal / "corpus.jsonl")], check=True, stdout=subprocess.DEVNULL)
        search = bench_search(index_dir, legal / "questions.jsonl")
    record = {"machine": machine(), "ingestion": ingestion, "search": search,
              "command": "make bench (python bench/run.py --out docs/benchmarks.md)"}
    print(json.dumps(record, indent=2))
    if args.out:
        write_markdown(args.out, record)
    return 0


def write_markdown(path: Path, record: dict) -> None:
    ingestion, search = record["ingestion"], record["search"]
    text = f"""# Benchmarks

Machine: {record['machine']}. Command: `{record['command']}`.
Each figure comes from one run; the raw library did the same work in the same run.

## Ingestion

{ingestion['documents']} articles of the ALQAC 2023 legal corpus, {ingestion['chunks']} chunks, EmbeddingGemma-300M at 512 tokens.

| what | seconds | chunks per second |
|---|---|---|
| pipeline, empty embedding cache (parse, gate, chunk, embed, store) | {ingestion['pipeline_cold_s']} | {ingestion['cold_chunks_per_s']} |
| raw `SentenceTransformer.encode` of the same chunk texts | {ingestion['raw_encode_s']} | {ingestion['raw_chunks_per_s']} |
| pipeline again into a new data folder, warm cache | {ingestion['pipeline_warm_s']} | |

Pipeline time over raw encode time: **{ingestion['ratio_cold_to_raw']}**.

## Search latency

{search['questions']} questions over {search['chunks']} chunks (the full corpus), k = 5.

| what | p50 ms | p95 ms |
|---|---|---|
| hybrid search (query embedding, FAISS, BM25, fusion, chunk fetch) | {search['hybrid_p50_ms']} | {search['hybrid_p95_ms']} |
| raw: `encode` of the query plus a FAISS search of the same index | {search['raw_p50_ms']} | {search['raw_p95_ms']} |

Hybrid over raw at p50: **{search['ratio_p50']}**.
"""
    marker = "\n## Retrieval quality"
    previous = path.read_text(encoding="utf-8") if path.exists() else ""
    tail = previous[previous.index(marker):] if marker in previous else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + tail, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
