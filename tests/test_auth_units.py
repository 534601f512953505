"""Keys, staff tokens, rate limits, departments and the access settings, without a server."""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path

import pytest

from assistant.access import AuthenticationError
from assistant.auth.departments import departments
from assistant.auth.keys import KeyStore
from assistant.auth.ratelimit import BucketStore, DatabaseBuckets, MemoryBuckets, RateLimiter, RateLimitError
from assistant.auth.tokens import TokenSigner, load_or_create_secret
from assistant.db import Database
from assistant.errors import InputError
from assistant.settings import Settings

SECRET = b"0123456789abcdef0123456789abcdef"


class Clock:
    """A clock the test sets by hand, in seconds."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_departments_are_the_fifteen_bodies() -> None:
    found = departments()
    assert len(found) == 15
    assert {"so-tu-phap", "so-xay-dung", "van-phong-ubnd", "thanh-tra-thanh-pho"} <= set(found)
    assert found["so-tu-phap"].vi == "Sở Tư pháp"
    assert found["so-xay-dung"].en == "Department of Construction"


def test_token_round_trip() -> None:
    signer = TokenSigner(SECRET, Clock())
    token, expires = signer.issue("nv-0042", "so-tu-phap", ["chat", "search"], 600)
    caller = signer.verify(token)
    assert expires == 1_000_600
    assert caller.principal == "staff:nv-0042@so-tu-phap"
    assert caller.department == "so-tu-phap"
    assert caller.scopes == frozenset({"chat", "search"})
    assert caller.kind == "token"


# document access scope -> readable by a staff token, by a demo token (both of so-tu-phap)
DEMO_READS = [(("public",), True, True), (("so-tu-phap",), True, False), (("so-y-te",), False, False),
              ((), True, True)]


@pytest.mark.parametrize(("scope", "staff_reads", "demo_reads"), DEMO_READS)
def test_demo_token_reads_public_only(scope: tuple, staff_reads: bool, demo_reads: bool) -> None:
    signer = TokenSigner(SECRET, Clock())
    staff = signer.verify(signer.issue("nv-1", "so-tu-phap", ["chat"], 60)[0])
    demo = signer.verify(signer.issue("demo-1", "so-tu-phap", ["chat"], 60, demo=True)[0])
    assert (staff.kind, demo.kind) == ("token", "demo")
    assert demo.principal == "demo:demo-1@so-tu-phap"
    assert staff.may_read(scope) is staff_reads
    assert demo.may_read(scope) is demo_reads


def test_token_expires_on_clock() -> None:
    clock = Clock()
    signer = TokenSigner(SECRET, clock)
    token, _ = signer.issue("nv-0042", "so-y-te", ["chat"], 2)
    clock.now += 1
    assert signer.verify(token).department == "so-y-te"
    clock.now += 1
    with pytest.raises(AuthenticationError, match="token expired; ask the page for a new one"):
        signer.verify(token)


def _tampered_payload(token: str) -> str:
    body, signature = token.removeprefix("hnt_").split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["scp"] = ["chat", "search", "admin"]
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"hnt_{forged}.{signature}"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_tampered_payload, "signature is not valid"),
        (lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"), "signature is not valid"),
        (lambda t: t.split(".")[0], "malformed"),
        (lambda t: TokenSigner(b"another-secret-of-32-characters!!", Clock()).issue("x", "so-y-te", ["chat"], 60)[0],
         "signature is not valid"),
    ],
)
def test_tampered_token_rejected(change, message: str) -> None:
    signer = TokenSigner(SECRET, Clock())
    token, _ = signer.issue("nv-0042", "so-tu-phap", ["chat"], 600)
    with pytest.raises(AuthenticationError, match=message):
        signer.verify(change(token))


@pytest.mark.parametrize(
    ("subject", "department", "scopes", "ttl", "message"),
    [
        ("nv-1", "so-tu-phap", ["admin"], 60, "chat and search only"),
        ("nv-1", "so-tu-phap", ["chat", "ingest"], 60, "chat and search only"),
        ("nv-1", "so-tu-phap", [], 60, "chat and search only"),
        ("nv-1", "so-tu-phap", ["chat"], 3601, "1 to 3600"),
        ("nv-1", "so-tu-phap", ["chat"], 0, "1 to 3600"),
        ("nv-1", "bo-ngoai-giao", ["chat"], 60, "unknown department"),
        ("Nguyễn Văn An", "so-tu-phap", ["chat"], 60, "account id"),
    ],
)
def test_token_request_rejected(subject: str, department: str, scopes: list, ttl: int, message: str) -> None:
    with pytest.raises(InputError, match=message):
        TokenSigner(SECRET, Clock()).issue(subject, department, scopes, ttl)


def test_secret_file_created_once_with_owner_mode(tmp_path: Path) -> None:
    first = load_or_create_secret(tmp_path)
    second = load_or_create_secret(tmp_path)
    assert first == second
    assert len(first) >= 32
    assert (tmp_path / "auth-secret").stat().st_mode & 0o777 == 0o600


def test_key_store_checks_keys(tmp_path: Path) -> None:
    keys = KeyStore(Database(tmp_path))
    record, key = keys.create("so-xay-dung", ["search", "chat", "search"], "permit portal")
    assert key.startswith(f"hna_{record.id}_")
    assert record.scopes == ("chat", "search")
    caller = keys.authenticate(key)
    assert (caller.principal, caller.department, caller.kind) == (f"key:{record.id}", "so-xay-dung", "key")
    assert caller.scopes == frozenset({"chat", "search"})
    assert keys.list()[0].last_used_at is not None
    for wrong in (key[:-1] + ("x" if key[-1] != "x" else "y"), f"hna_{record.id}_", "hna_ffffffffffff_secret"):
        with pytest.raises(AuthenticationError, match="not valid|malformed"):
            keys.authenticate(wrong)
    keys.revoke(record.id)
    with pytest.raises(AuthenticationError, match="revoked"):
        keys.authenticate(key)
    assert keys.count_active() == 0


def test_key_store_keeps_only_a_hash(tmp_path: Path) -> None:
    keys = KeyStore(Database(tmp_path))
    _, key = keys.create("so-tu-phap", ["admin"])
    raw = (tmp_path / "assistant.sqlite3").read_bytes() + (tmp_path / "assistant.sqlite3-wal").read_bytes()
    assert key.encode() not in raw
    assert key.split("_", 2)[2].encode() not in raw
    with sqlite3.connect(tmp_path / "assistant.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM auth_keys").fetchone() == (1,)


@pytest.mark.parametrize(
    ("department", "scopes", "message"),
    [("so-tu-phap", ["root"], "unknown scope"), ("so-tu-phap", [], "at least one scope"),
     ("phong-tai-vu", ["chat"], "unknown department")],
)
def test_key_store_rejects_bad_requests(tmp_path: Path, department: str, scopes: list, message: str) -> None:
    with pytest.raises(InputError, match=message):
        KeyStore(Database(tmp_path)).create(department, scopes)


def test_key_store_revoke_unknown_names_it(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no API key has the id 'abc'"):
        KeyStore(Database(tmp_path)).revoke("abc")


@pytest.fixture(params=["memory", "database"])
def buckets(request: pytest.FixtureRequest, tmp_path: Path) -> BucketStore:
    return MemoryBuckets() if request.param == "memory" else DatabaseBuckets(tmp_path)


def test_rate_limiter_burst_refill_and_isolation(buckets: BucketStore) -> None:
    clock = Clock(0.0)
    limiter = RateLimiter(per_minute=6, burst=3, buckets=buckets, clock=clock)
    for _ in range(3):
        limiter.check("key:a")
    with pytest.raises(RateLimitError) as raised:
        limiter.check("key:a")
    assert raised.value.retry_after == 10
    limiter.check("key:b")
    clock.now = 10.0
    limiter.check("key:a")
    with pytest.raises(RateLimitError):
        limiter.check("key:a")


# seconds after the bucket emptied -> seconds still to wait (6 a minute: one token each 10 s)
WAITS = [(0.0, 10.0), (4.0, 6.0), (9.5, 0.5), (10.0, 0.0), (-30.0, 10.0)]


@pytest.mark.parametrize(("elapsed", "wait"), WAITS)
def test_bucket_take_returns_wait(buckets: BucketStore, elapsed: float, wait: float) -> None:
    for _ in range(3):
        assert buckets.take("key:a", 100.0, 0.1, 3) == 0.0
    assert buckets.take("key:a", 100.0 + elapsed, 0.1, 3) == pytest.approx(wait)


def test_database_buckets_survive_a_new_instance(tmp_path: Path) -> None:
    for _ in range(2):
        assert DatabaseBuckets(tmp_path).take("key:a", 100.0, 0.1, 2) == 0.0
    assert DatabaseBuckets(tmp_path).take("key:a", 100.0, 0.1, 2) == pytest.approx(10.0)


def test_database_buckets_prune_full(tmp_path: Path) -> None:
    store = DatabaseBuckets(tmp_path)
    store.take("key:old", 0.0, 0.1, 3)
    for _ in range(3):
        store.take("key:new", 25.0, 0.1, 3)
    assert store.prune(25.0, 0.1, 3) == 1
    assert store.take("key:new", 25.0, 0.1, 3) == pytest.approx(10.0)


TAKE_IN_A_PROCESS = """
import sys
from pathlib import Path
from assistant.auth.ratelimit import DatabaseBuckets, RateLimiter, RateLimitError

limiter = RateLimiter(per_minute=0.001, burst=int(sys.argv[2]), buckets=DatabaseBuckets(Path(sys.argv[1])))
allowed = 0
for _ in range(int(sys.argv[3])):
    try:
        limiter.check("key:shared")
        allowed += 1
    except RateLimitError:
        pass
print(allowed)
"""


def test_database_buckets_shared_across_processes(tmp_path: Path) -> None:
    """Three processes sending 40 requests each share one burst of 50."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    command = [sys.executable, "-c", TAKE_IN_A_PROCESS, str(tmp_path), "50", "40"]
    workers = [subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, text=True) for _ in range(3)]
    allowed = [int(worker.communicate(timeout=120)[0]) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0, 0]
    assert sum(allowed) == 50


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", []), ("https://intranet.hanoi.example", ["https://intranet.hanoi.example"]),
     ("http://127.0.0.1:8080, https://a.example", ["http://127.0.0.1:8080", "https://a.example"])],
)
def test_cors_origins_setting_accepts_exact_origins(tmp_path: Path, value: str, expected: list) -> None:
    assert Settings(data_dir=tmp_path, cors_origins=value).cors_origins == expected


@pytest.mark.parametrize("value", ["*", "https://a.example/", "https://*.example", "intranet.example"])
def test_cors_origins_setting_rejects_patterns(tmp_path: Path, value: str) -> None:
    with pytest.raises(ValueError, match="not an exact origin"):
        Settings(data_dir=tmp_path, cors_origins=value)
