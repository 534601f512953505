"""Per-caller rate limits: a token bucket in memory for each key or staff token.

Each process keeps its own buckets, so with several server processes the
effective limit is the setting times the number of processes.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from assistant.errors import AssistantError

# Full buckets are dropped above this many callers, so memory stays bounded.
MAX_TRACKED_CALLERS = 10_000


class RateLimitError(AssistantError):
    """A caller sent more requests than its rate limit allows (HTTP 429)."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many requests from this credential; retry after {retry_after} s, "
                         "or ask an administrator to raise ASSISTANT_RATE_LIMIT_PER_MINUTE")


class RateLimiter:
    """Allow `burst` requests at once per caller, refilled at `per_minute` requests a minute."""

    def __init__(self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = burst
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # caller -> (tokens, time of last refill)
        self._lock = threading.Lock()

    def check(self, caller: str) -> None:
        """Take one request from the caller's bucket, or raise RateLimitError with the wait."""
        now = self.clock()
        with self._lock:
            tokens, updated = self._buckets.get(caller, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - updated) * self.rate)
            if tokens < 1.0:
                self._buckets[caller] = (tokens, now)
                raise RateLimitError(max(1, math.ceil((1.0 - tokens) / self.rate)))
            self._buckets[caller] = (tokens - 1.0, now)
            if len(self._buckets) > MAX_TRACKED_CALLERS:
                self._drop_full(now)

    def _drop_full(self, now: float) -> None:
        full = [c for c, (tokens, updated) in self._buckets.items()
                if tokens + (now - updated) * self.rate >= self.burst]
        for caller in full:
            del self._buckets[caller]
