"""Latency: p50 and p95 of search, chat, redaction and routing, in milliseconds.

Search runs the legal questions through hybrid search (k = 5). Chat goes
through the streaming path: the time to the first answer token and to the
end. Redaction runs on one 317-character Vietnamese text with invented
personal data, the input size LLM Guard quotes for its anonymiser. Routing is
measured through assistant.routing's RoutingService in process, or the server's POST /v1/route.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from evals.common import cap, percentile, progress
from evals.environment import describe_file
from evals.plots import histogram
from evals.retrieval import load_questions
from evals.suites import SuiteContext, SuiteResult
from evals.target import target_for

NAME = "latency"
SEARCH_SAMPLE = 50
CHAT_SAMPLE = 4
REDACT_RUNS = 50
ROUTE_RUNS = 20
WARM_UP_RUNS = 3
QUESTIONS_FILE = "legal_vi_alqac2023/questions.jsonl"
# Invented person, numbers and address; exactly 317 characters.
REDACTION_TEXT = (
    "Kính gửi Phòng Tư pháp phường Hoàn Kiếm. Tôi là bà Đỗ Thị Minh Khuê, sinh ngày 14/02/1987, số CCCD "
    "001187023456, điện thoại 0987 654 321, thường trú tại số 12 ngõ 45 phố Hàng Bông, Hà Nội. Tôi đề nghị "
    "cấp bản sao trích lục khai sinh cho con gái tôi là cháu Đỗ Minh Anh. Xin gửi kèm theo bản chụp các giấy tờ liên quan"
)
ROUTING_TEXTS = (
    "Đèn đường trước ngõ 18 phố Lò Đúc bị hỏng đã một tuần.",
    "Tôi muốn hỏi thủ tục cấp phiếu lý lịch tư pháp số 2.",
    "Cống thoát nước đường Giải Phóng bị tắc, nước tràn lên vỉa hè.",
    "Xin hướng dẫn đăng ký khai sinh cho con thứ hai.",
    "Quán karaoke gây ồn sau 23 giờ tại phường Cầu Giấy.",
)


def run(ctx: SuiteContext) -> SuiteResult:
    result = SuiteResult(NAME)
    target = target_for(ctx)
    questions = load_questions(ctx.data_dir / QUESTIONS_FILE, split="train")
    searches = cap(questions, SEARCH_SAMPLE, ctx.limit)
    chats = cap(questions, CHAT_SAMPLE, ctx.limit)

    samples: dict[str, list[float]] = {}
    samples["search"] = _timed([q.text for q in searches], lambda q: target.search(q, 5, "hybrid"), ctx, "search")
    first, total = [], []
    for question in progress(chats, ctx, "latency chat"):
        timing = target.chat_stream(question.text)
        first.append(timing.first_token * 1000)
        total.append(timing.total * 1000)
    samples["chat.first_token"], samples["chat.total"] = first, total

    redactions = cap([REDACTION_TEXT] * REDACT_RUNS, None, ctx.limit)
    samples["redaction"] = _timed(redactions, lambda text: target.redact(text, "vi"), ctx, "redaction")
    routes = _routing(ctx, target, result)
    if routes is not None:
        samples["routing"] = routes

    for name, values in samples.items():
        result.metrics[f"{name}.p50_ms"] = round(percentile(values, 50), 1)
        result.metrics[f"{name}.p95_ms"] = round(percentile(values, 95), 1)
        marks = {"p50": result.metrics[f"{name}.p50_ms"], "p95": result.metrics[f"{name}.p95_ms"]}
        path = ctx.out_dir / f"latency_{name.replace('.', '_')}.png"
        result.plots.append(histogram(path, values, f"{name}: {len(values)} requests", marks).name)

    waits = getattr(target, "rate_limited", 0)
    if waits:
        result.notes.append(f"The server rate-limited {waits} requests of this run; their waits are in the timings.")
    result.datasets["search and chat questions"] = describe_file(ctx.data_dir / QUESTIONS_FILE, len(searches))
    result.notes.append(
        f"Requests: {len(searches)} searches, {len(chats)} streamed chats, {len(redactions)} redactions of a "
        f"{len(REDACTION_TEXT)}-character text, each after {WARM_UP_RUNS} warm-up calls except the chats. "
        f"Target: {target.kind}. Times include the HTTP round trip when a server is measured."
    )
    return result


def _timed(inputs: list[Any], call: Callable[[Any], Any], ctx: SuiteContext, label: str) -> list[float]:
    """Return the milliseconds of call on each input, after a few warm-up calls on the first one."""
    if not inputs:
        return []
    for _ in range(WARM_UP_RUNS):
        call(inputs[0])
    durations = []
    for item in progress(inputs, ctx, f"latency {label}"):
        started = time.perf_counter()
        call(item)
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def _routing(ctx: SuiteContext, target: Any, result: SuiteResult) -> list[float] | None:
    texts = cap(ROUTING_TEXTS * (ROUTE_RUNS // len(ROUTING_TEXTS)), None, ctx.limit)
    try:
        return _timed(texts, target.route, ctx, "routing")
    except NotImplementedError as exc:
        result.notes.append(f"Routing latency not measured: {exc}.")
        return None
