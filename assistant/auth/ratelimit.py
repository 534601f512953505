"""Per-caller rate limits: a token bucket for each key or staff token.

The buckets live behind a small interface. `DatabaseBuckets` keeps them in a
SQLite file of the data folder, so every server process on that folder shares
one limit. `MemoryBuckets` keeps them in one process, for tests and for a
single process that should not write to disk on each request.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, text

from assistant.db import Database, Migration
from assistant.errors import AssistantError

log = logging.getLogger(__name__)

# Full buckets are dropped above this many callers, so memory stays bounded.
MAX_TRACKED_CALLERS = 10_000
BUCKETS_FILE = "ratelimit.sqlite3"
# The database drops buckets that have refilled once in this many requests.
PRUNE_EVERY = 1_000


class RateLimitError(AssistantError):
    """A caller sent more requests than its rate limit allows (HTTP 429)."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many requests from this credential; retry after {retry_after} s, "
                         "or ask an administrator to raise ASSISTANT_RATE_LIMIT_PER_MINUTE")


class BucketStore(Protocol):
    """Storage of token buckets: takes one token from a caller's bucket at a time."""

    def take(self, caller: str, now: float, rate: float, burst: int) -> float:
        """Take one token and return 0.0, or take none and return the seconds until one is back."""
        ...


def refill(tokens: float, updated: float, now: float, rate: float, burst: int) -> float:
    """Return a bucket's tokens at `now`; a clock that went back adds nothing."""
    return min(float(burst), tokens + max(0.0, now - updated) * rate)


class MemoryBuckets:
    """Buckets in this process's memory."""

    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}  # caller -> (tokens, time of last refill)
        self._lock = threading.Lock()

    def take(self, caller: str, now: float, rate: float, burst: int) -> float:
        with self._lock:
            tokens, updated = self._buckets.get(caller, (float(burst), now))
            tokens = refill(tokens, updated, now, rate, burst)
            if tokens < 1.0:
                self._buckets[caller] = (tokens, now)
                return (1.0 - tokens) / rate
            self._buckets[caller] = (tokens - 1.0, now)
            if len(self._buckets) > MAX_TRACKED_CALLERS:
                self._drop_full(now, rate, burst)
            return 0.0

    def _drop_full(self, now: float, rate: float, burst: int) -> None:
        full = [caller for caller, (tokens, updated) in self._buckets.items()
                if refill(tokens, updated, now, rate, burst) >= burst]
        for caller in full:
            del self._buckets[caller]


# One statement reads, refills and takes, so two processes never take the same token.
# Inside DO UPDATE, "tokens" and "updated" are the stored row's values.
TAKE_STATEMENT = """
INSERT INTO rate_buckets (caller, tokens, updated, granted) VALUES (:caller, :burst - 1.0, :now, 1)
ON CONFLICT (caller) DO UPDATE SET
    tokens = CASE WHEN min(:burst, tokens + max(0.0, :now - updated) * :rate) >= 1.0
                  THEN min(:burst, tokens + max(0.0, :now - updated) * :rate) - 1.0
                  ELSE min(:burst, tokens + max(0.0, :now - updated) * :rate) END,
    granted = min(:burst, tokens + max(0.0, :now - updated) * :rate) >= 1.0,
    updated = :now
RETURNING tokens, granted
"""
_TAKE = text(TAKE_STATEMENT)


class DatabaseBuckets:
    """Buckets in a SQLite file of the data folder, shared by every server process on it."""

    def __init__(self, data_dir: Path) -> None:
        self.database = Database(data_dir, BUCKETS_FILE)
        self.database.migrate("rate_limits", MIGRATIONS)
        self._calls = 0

    def take(self, caller: str, now: float, rate: float, burst: int) -> float:
        with self.database.transaction() as conn:
            [(tokens, granted)] = conn.execute(
                _TAKE, {"caller": caller, "now": now, "rate": rate, "burst": float(burst)}).fetchall()
        self._calls += 1
        if self._calls % PRUNE_EVERY == 0:
            self.prune(now, rate, burst)
        return 0.0 if granted else (1.0 - tokens) / rate

    def prune(self, now: float, rate: float, burst: int) -> int:
        """Delete the buckets that have refilled; return how many."""
        with self.database.transaction() as conn:
            deleted = conn.execute(text("DELETE FROM rate_buckets WHERE tokens + (:now - updated) * :rate >= :burst"),
                                   {"now": now, "rate": rate, "burst": float(burst)}).rowcount
        log.debug("rate limit buckets: dropped %d full ones", deleted)
        return deleted


def _create_buckets(conn: Connection) -> None:
    conn.execute(text("CREATE TABLE rate_buckets (caller TEXT PRIMARY KEY, tokens REAL NOT NULL,"
                      " updated REAL NOT NULL, granted INTEGER NOT NULL)"))


MIGRATIONS = [Migration(1, "token buckets per caller", _create_buckets)]


class RateLimiter:
    """Allow `burst` requests at once per caller, refilled at `per_minute` requests a minute."""

    def __init__(self, per_minute: float, burst: int, buckets: BucketStore | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.rate = per_minute / 60.0
        self.burst = burst
        self.buckets = buckets if buckets is not None else MemoryBuckets()
        self.clock = clock

    def check(self, caller: str) -> None:
        """Take one request from the caller's bucket, or raise RateLimitError with the wait."""
        wait = self.buckets.take(caller, self.clock(), self.rate, self.burst)
        if wait > 0.0:
            raise RateLimitError(max(1, math.ceil(wait)))
