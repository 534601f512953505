"""Tests of the SQLite quarantine of blocked and unreadable documents."""

from __future__ import annotations

import datetime
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest

from guardrails.quarantine import LIST_COMMAND, MAX_REASON_LENGTH, MIN_JUSTIFICATION_LENGTH, Quarantine

HASH_A = "sha256:" + "a" * 64
HASH_B = "sha256:" + "b" * 64
REASON = 'secrecy mark "TỐI MẬT" in header (line 2)'
JUSTIFICATION = "Checked by the legal office: the mark is quoted from a law title."


@pytest.fixture
def store(tmp_path: Path):
    with Quarantine(tmp_path / "quarantine.sqlite3") as opened:
        yield opened


def test_add_returns_entry(store: Quarantine) -> None:
    before = datetime.datetime.now(datetime.UTC)
    entry = store.add("doc-1", "inbox/bao-cao.docx", REASON, content_hash=HASH_A)
    after = datetime.datetime.now(datetime.UTC)
    assert entry.id >= 1
    assert entry.document_id == "doc-1"
    assert entry.content_hash == HASH_A
    assert entry.source == "inbox/bao-cao.docx"
    assert entry.reason == REASON
    assert entry.times_quarantined == 1
    assert entry.first_quarantined_at == entry.last_quarantined_at
    assert before <= datetime.datetime.fromisoformat(entry.first_quarantined_at) <= after
    assert not entry.released
    assert entry.released_by is None
    assert entry.justification is None


def test_entries_survive_reopen(tmp_path: Path) -> None:
    path = tmp_path / "quarantine.sqlite3"
    with Quarantine(path) as first:
        added = first.add("doc-1", "a.pdf", REASON, content_hash=HASH_A)
    with Quarantine(path) as second:
        assert second.list() == [added]


# --- adding the same document again -------------------------------------------

# (case, first add as (document_id, hash), second add, expected number of entries)
READDS = [
    ("same id and hash", ("doc-1", HASH_A), ("doc-1", HASH_A), 1),
    ("same id no hash", ("doc-1", None), ("doc-1", None), 1),
    ("same id new hash", ("doc-1", HASH_A), ("doc-1", HASH_B), 2),
    ("same id hash then none", ("doc-1", HASH_A), ("doc-1", None), 2),
    ("other id same hash", ("doc-1", HASH_A), ("doc-2", HASH_A), 2),
]


@pytest.mark.parametrize(
    ("first", "second", "count"), [pytest.param(first, second, count, id=case) for case, first, second, count in READDS]
)
def test_readd_deduplicated(
    store: Quarantine, first: tuple[str, str | None], second: tuple[str, str | None], count: int
) -> None:
    store.add(first[0], "old/path.docx", "first reason", content_hash=first[1])
    store.add(second[0], "new/path.docx", "second reason", content_hash=second[1])
    assert len(store.list()) == count


def test_readd_updates_entry(store: Quarantine) -> None:
    first = store.add("doc-1", "old/path.docx", "first reason", content_hash=HASH_A)
    second = store.add("doc-1", "new/path.docx", "second reason", content_hash=HASH_A)
    assert second.id == first.id
    assert second.source == "new/path.docx"
    assert second.reason == "second reason"
    assert second.times_quarantined == 2
    assert second.first_quarantined_at == first.first_quarantined_at
    assert second.last_quarantined_at >= first.last_quarantined_at


def test_readd_keeps_release(store: Quarantine) -> None:
    entry = store.add("doc-1", "a.docx", REASON, content_hash=HASH_A)
    store.release(entry.id, "admin", JUSTIFICATION)
    readded = store.add("doc-1", "a.docx", REASON, content_hash=HASH_A)
    assert readded.id == entry.id
    assert readded.released
    assert store.is_released("doc-1", HASH_A)


# --- listing ------------------------------------------------------------------


def test_list_hides_released_by_default(store: Quarantine) -> None:
    first = store.add("doc-1", "a.docx", REASON, content_hash=HASH_A)
    second = store.add("doc-2", "b.docx", REASON, content_hash=HASH_B)
    store.release(first.id, "admin", JUSTIFICATION)
    assert [entry.id for entry in store.list()] == [second.id]
    assert [entry.id for entry in store.list(include_released=True)] == [first.id, second.id]


def test_list_empty_store(store: Quarantine) -> None:
    assert store.list() == []
    assert store.list(include_released=True) == []


# --- releasing ----------------------------------------------------------------


def test_release_records_who_when_why(store: Quarantine) -> None:
    entry = store.add("doc-1", "a.docx", REASON, content_hash=HASH_A)
    before = datetime.datetime.now(datetime.UTC)
    released = store.release(entry.id, "nguyen.admin", JUSTIFICATION)
    after = datetime.datetime.now(datetime.UTC)
    assert released.released
    assert released.released_by == "nguyen.admin"
    assert released.justification == JUSTIFICATION
    assert released.released_at is not None
    assert before <= datetime.datetime.fromisoformat(released.released_at) <= after
    assert store.get(entry.id) == released


# (case, justification)
SHORT_JUSTIFICATIONS = [
    ("empty", ""),
    ("spaces only", "          "),
    ("one word", "ok"),
    ("one below minimum", "x" * (MIN_JUSTIFICATION_LENGTH - 1)),
    ("padded short", "   fine      "),
]


@pytest.mark.parametrize(
    "justification", [pytest.param(justification, id=case) for case, justification in SHORT_JUSTIFICATIONS]
)
def test_short_justification_rejected(store: Quarantine, justification: str) -> None:
    entry = store.add("doc-1", "a.docx", REASON, content_hash=HASH_A)
    with pytest.raises(ValueError) as raised:
        store.release(entry.id, "admin", justification)
    message = str(raised.value)
    assert repr(justification) in message
    assert f"at least {MIN_JUSTIFICATION_LENGTH} characters" in message
    assert not store.get(entry.id).released


def test_justification_at_minimum_accepted(store: Quarantine) -> None:
    entry = store.add("doc-1", "a.docx", REASON, content_hash=HASH_A)
    released = store.release(entry.id, "admin", "y" * MIN_JUSTIFICATION_LENGTH)
    assert released.released


def test_unknown_id_names_list_command(store: Quarantine) -> None:
    with pytest.raises(KeyError) as raised:
        store.release(42, "admin", JUSTIFICATION)
    message = str(raised.value)
    assert "no quarantine entry with id 42" in message
    assert LIST_COMMAND in message


def test_get_unknown_id_raises(store: Quarantine) -> None:
    with pytest.raises(KeyError, match="id 7"):
        store.get(7)


def test_second_release_rejected(store: Quarantine) -> None:
    entry = store.add("doc-1", "a.docx", REASON, content_hash=HASH_A)
    first = store.release(entry.id, "admin", JUSTIFICATION)
    with pytest.raises(ValueError, match="already released"):
        store.release(entry.id, "someone else", "A different justification text.")
    assert store.get(entry.id) == first


def test_empty_actor_rejected(store: Quarantine) -> None:
    entry = store.add("doc-1", "a.docx", REASON, content_hash=HASH_A)
    with pytest.raises(ValueError, match="actor"):
        store.release(entry.id, "  ", JUSTIFICATION)


# --- is_released --------------------------------------------------------------

# (case, released entry as (document_id, hash), query as (document_id, hash), expected)
RELEASE_LOOKUPS = [
    ("same document and hash", ("doc-1", HASH_A), ("doc-1", HASH_A), True),
    ("content changed", ("doc-1", HASH_A), ("doc-1", HASH_B), False),
    ("other document same hash", ("doc-1", HASH_A), ("doc-2", HASH_A), False),
    ("released without hash", ("doc-1", None), ("doc-1", ""), False),
    ("never quarantined", ("doc-1", HASH_A), ("doc-9", HASH_A), False),
]


@pytest.mark.parametrize(
    ("released", "query", "expected"),
    [pytest.param(released, query, expected, id=case) for case, released, query, expected in RELEASE_LOOKUPS],
)
def test_is_released(
    store: Quarantine, released: tuple[str, str | None], query: tuple[str, str], expected: bool
) -> None:
    entry = store.add(released[0], "a.docx", REASON, content_hash=released[1])
    store.release(entry.id, "admin", JUSTIFICATION)
    assert store.is_released(*query) is expected


def test_unreleased_entry_not_released(store: Quarantine) -> None:
    store.add("doc-1", "a.docx", REASON, content_hash=HASH_A)
    assert store.is_released("doc-1", HASH_A) is False


# --- input checks -------------------------------------------------------------

# (case, keyword arguments of add, word expected in the message)
INVALID_ADDS = [
    ("empty document id", {"document_id": "", "source": "a.docx", "reason": REASON}, "document_id"),
    ("empty source", {"document_id": "doc-1", "source": "", "reason": REASON}, "source"),
    ("empty reason", {"document_id": "doc-1", "source": "a.docx", "reason": " "}, "reason"),
    (
        "empty hash",
        {"document_id": "doc-1", "source": "a.docx", "reason": REASON, "content_hash": ""},
        "content_hash",
    ),
    (
        "reason too long",
        {"document_id": "doc-1", "source": "a.docx", "reason": "x" * (MAX_REASON_LENGTH + 1)},
        f"maximum of {MAX_REASON_LENGTH}",
    ),
]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [pytest.param(arguments, message, id=case) for case, arguments, message in INVALID_ADDS],
)
def test_invalid_add_rejected(store: Quarantine, arguments: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        store.add(**arguments)
    assert store.list(include_released=True) == []


def test_no_document_text_columns(tmp_path: Path) -> None:
    path = tmp_path / "quarantine.sqlite3"
    Quarantine(path).close()
    with closing(sqlite3.connect(path)) as connection:
        columns = {row[1] for row in connection.execute("PRAGMA table_info(quarantine)")}
    assert columns == {
        "id",
        "document_id",
        "content_hash",
        "source",
        "reason",
        "first_quarantined_at",
        "last_quarantined_at",
        "times_quarantined",
        "released_at",
        "released_by",
        "justification",
    }


def test_concurrent_adds_one_entry(store: Quarantine) -> None:
    thread_count = 8

    def add_same() -> None:
        for _ in range(20):
            store.add("doc-1", "a.docx", REASON, content_hash=HASH_A)

    threads = [threading.Thread(target=add_same) for _ in range(thread_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entries = store.list()
    assert len(entries) == 1
    assert entries[0].times_quarantined == thread_count * 20
