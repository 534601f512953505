"""Benchmark: the cost of one rate limit check, per bucket store, beside raw sqlite3.

    python bench/ratelimit.py [--checks N]

Each store handles N checks spread over 100 callers, after 200 warm-up
checks: `MemoryBuckets`, `DatabaseBuckets` (SQLAlchemy, the server's
default), and the raw library, a sqlite3 connection running the same
statement on a file with the same settings. The script prints p50 and p95
latency in microseconds and the ratio of the database store to raw sqlite3
as a Markdown table.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.auth.ratelimit import TAKE_STATEMENT, DatabaseBuckets, MemoryBuckets  # noqa: E402

CALLERS = 100
WARM_UP = 200
RATE = 2.0  # tokens a second, so no check is rejected and each one writes


def timed(take: Callable[[str, float], object], checks: int) -> list[float]:
    """Return the microseconds of each of `checks` calls, after a warm-up."""
    for n in range(WARM_UP):
        take(f"key:{n % CALLERS}", time.time())
    times = []
    for n in range(checks):
        start = time.perf_counter()
        take(f"key:{n % CALLERS}", time.time())
        times.append((time.perf_counter() - start) * 1e6)
    return sorted(times)


def raw_sqlite(path: Path) -> Callable[[str, float], object]:
    """Return a take() that runs the bucket statement through sqlite3 alone."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE rate_buckets (caller TEXT PRIMARY KEY, tokens REAL NOT NULL,"
                 " updated REAL NOT NULL, granted INTEGER NOT NULL)")

    def take(caller: str, now: float) -> object:
        return conn.execute(TAKE_STATEMENT, {"caller": caller, "now": now, "rate": RATE, "burst": 30.0}).fetchall()

    return take


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=5000, help="timed checks per store")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ratelimit-") as folder:
        work = Path(folder)
        memory, database = MemoryBuckets(), DatabaseBuckets(work / "database")
        stores = {
            "MemoryBuckets": lambda caller, now: memory.take(caller, now, RATE, 30),
            "DatabaseBuckets": lambda caller, now: database.take(caller, now, RATE, 30),
            "raw sqlite3, same statement": raw_sqlite(work / "raw.sqlite3"),
        }
        results = {name: timed(take, args.checks) for name, take in stores.items()}
    print(f"{args.checks} checks per store over {CALLERS} callers, after {WARM_UP} warm-up checks.\n")
    print("| store | p50 µs | p95 µs |")
    print("|---|---|---|")
    for name, times in results.items():
        print(f"| {name} | {times[len(times) // 2]:.1f} | {times[int(len(times) * 0.95)]:.1f} |")
    ratio = results["DatabaseBuckets"][args.checks // 2] / results["raw sqlite3, same statement"][args.checks // 2]
    print(f"\nDatabaseBuckets over raw sqlite3 at p50: **{ratio:.2f}**")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
