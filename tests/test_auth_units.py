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
from assistant.auth.ratelimit import RateLimiter, RateLimitError
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


def test_rate_limiter_burst_refill_and_isolation() -> None:
    clock = Clock(0.0)
    limiter = RateLimiter(per_minute=6, burst=3, clock=clock)
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
