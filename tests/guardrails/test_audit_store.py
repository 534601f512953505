"""Tests of the append-only SQLite audit log."""

from __future__ import annotations

import datetime
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest

from guardrails.audit import AuditRecord
from guardrails.audit_store import MAX_REASON_LENGTH, AuditLog

HANOI = datetime.timezone(datetime.timedelta(hours=7))
TIME = datetime.datetime(2024, 6, 3, 9, 30, tzinfo=HANOI)


def make_record(subject_id: str = "doc-1", action: str = "classification_check", **changes) -> AuditRecord:
    values = {
        "time": TIME,
        "actor": "indexer",
        "action": action,
        "subject_id": subject_id,
        "decision": "blocked",
        "reasons": ('secrecy mark "MẬT" in body (line 1)',),
        "entity_counts": {},
    }
    values.update(changes)
    return AuditRecord(**values)


@pytest.fixture
def log(tmp_path: Path):
    with AuditLog(tmp_path / "audit.sqlite3") as opened:
        yield opened


def test_append_and_read_back(log: AuditLog) -> None:
    record = make_record(reasons=("2 PERSON replaced",), entity_counts={"PERSON": 2}, decision="redacted")
    record_id = log.append(record, request_id="req-7")
    assert log.records() == [
        {
            "id": record_id,
            "time": "2024-06-03T02:30:00+00:00",
            "actor": "indexer",
            "action": "classification_check",
            "subject_id": "doc-1",
            "decision": "redacted",
            "reasons": ["2 PERSON replaced"],
            "entity_counts": {"PERSON": 2},
            "request_id": "req-7",
        }
    ]


def test_request_id_optional(log: AuditLog) -> None:
    log.append(make_record())
    assert log.records()[0]["request_id"] is None


def test_vietnamese_reason_kept_exactly(log: AuditLog) -> None:
    reason = 'secrecy mark "TỐI MẬT" in header (line 2)'
    log.append(make_record(reasons=(reason,)))
    assert log.records()[0]["reasons"] == [reason]


def test_records_survive_reopen(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite3"
    with AuditLog(path) as first:
        first.append(make_record("doc-1"))
    with AuditLog(path) as second:
        second.append(make_record("doc-2"))
        subjects = [record["subject_id"] for record in second.records()]
    assert subjects == ["doc-2", "doc-1"]


def test_wal_mode_enabled(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite3"
    AuditLog(path).close()
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# --- append-only, enforced by the database ------------------------------------

# (case, SQL statement run on a second connection to the same file)
REJECTED_STATEMENTS = [
    ("update decision", "UPDATE audit SET decision = 'allowed'"),
    ("update one row", "UPDATE audit SET reasons = '[]' WHERE id = 1"),
    ("delete all", "DELETE FROM audit"),
    ("delete one row", "DELETE FROM audit WHERE id = 1"),
    (
        "insert or replace",
        "INSERT OR REPLACE INTO audit (id, time, actor, action, subject_id, decision, reasons, entity_counts)"
        " VALUES (1, 't', 'a', 'b', 'c', 'allowed', '[]', '{}')",
    ),
    (
        "replace",
        "REPLACE INTO audit (id, time, actor, action, subject_id, decision, reasons, entity_counts)"
        " VALUES (1, 't', 'a', 'b', 'c', 'allowed', '[]', '{}')",
    ),
    (
        "upsert",
        "INSERT INTO audit (id, time, actor, action, subject_id, decision, reasons, entity_counts)"
        " VALUES (1, 't', 'a', 'b', 'c', 'allowed', '[]', '{}') ON CONFLICT (id) DO UPDATE SET decision = 'allowed'",
    ),
    (
        "long reason",
        "INSERT INTO audit (time, actor, action, subject_id, decision, reasons, entity_counts)"
        f" VALUES ('t', 'a', 'b', 'c', 'allowed', json_array('{'x' * (MAX_REASON_LENGTH + 1)}'), '{{}}')",
    ),
    (
        "reasons not a list",
        "INSERT INTO audit (time, actor, action, subject_id, decision, reasons, entity_counts)"
        " VALUES ('t', 'a', 'b', 'c', 'allowed', '\"text\"', '{}')",
    ),
]


@pytest.mark.parametrize(
    "statement", [pytest.param(statement, id=case) for case, statement in REJECTED_STATEMENTS]
)
def test_statement_rejected(tmp_path: Path, statement: str) -> None:
    path = tmp_path / "audit.sqlite3"
    with AuditLog(path) as log:
        log.append(make_record("doc-1"))
        before = log.records()
        with closing(sqlite3.connect(path)) as connection:
            with pytest.raises(sqlite3.DatabaseError):
                connection.execute(statement)
        assert log.records() == before


def test_update_message_names_rule(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite3"
    with AuditLog(path) as log:
        log.append(make_record())
        with closing(sqlite3.connect(path)) as connection:
            with pytest.raises(sqlite3.IntegrityError, match="append-only: UPDATE is not allowed"):
                connection.execute("UPDATE audit SET actor = 'someone else'")


# --- reasons never hold document text -----------------------------------------

# (case, reasons, accepted)
REASON_LENGTHS = [
    ("empty", (), True),
    ("at maximum", ("x" * MAX_REASON_LENGTH,), True),
    ("one above maximum", ("x" * (MAX_REASON_LENGTH + 1),), False),
    ("second reason long", ("short", "y" * 1000), False),
]


@pytest.mark.parametrize(
    ("reasons", "accepted"), [pytest.param(reasons, accepted, id=case) for case, reasons, accepted in REASON_LENGTHS]
)
def test_reason_length_checked(log: AuditLog, reasons: tuple[str, ...], accepted: bool) -> None:
    record = make_record(reasons=reasons)
    if accepted:
        log.append(record)
        assert log.records()[0]["reasons"] == list(reasons)
    else:
        with pytest.raises(ValueError, match=f"maximum of {MAX_REASON_LENGTH}"):
            log.append(record)
        assert log.records() == []


def test_long_reason_left_out_of_error(log: AuditLog) -> None:
    secret = "Nguyễn Văn Hải, CCCD 001085012345. " * 10
    with pytest.raises(ValueError) as raised:
        log.append(make_record(reasons=(secret,)))
    assert "001085012345" not in str(raised.value)


def test_empty_request_id_rejected(log: AuditLog) -> None:
    with pytest.raises(ValueError, match="request_id is an empty string"):
        log.append(make_record(), request_id="")


# --- reading pages -------------------------------------------------------------

# (case, limit, offset, action, expected subject numbers, newest first)
PAGES = [
    ("first page", 3, 0, None, [9, 8, 7]),
    ("second page", 3, 3, None, [6, 5, 4]),
    ("last partial page", 4, 8, None, [1, 0]),
    ("past the end", 5, 10, None, []),
    ("default limit", 100, 0, None, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]),
    ("one action", 100, 0, "redaction", [9, 7, 5, 3, 1]),
    ("one action paged", 2, 2, "redaction", [5, 3]),
    ("unknown action", 10, 0, "no_such_action", []),
]


@pytest.mark.parametrize(
    ("limit", "offset", "action", "expected"),
    [pytest.param(limit, offset, action, expected, id=case) for case, limit, offset, action, expected in PAGES],
)
def test_records_paginated(log: AuditLog, limit: int, offset: int, action: str | None, expected: list[int]) -> None:
    for number in range(10):
        action_name = "redaction" if number % 2 else "classification_check"
        log.append(make_record(f"doc-{number}", action=action_name))
    records = log.records(limit=limit, offset=offset, action=action)
    assert [record["subject_id"] for record in records] == [f"doc-{number}" for number in expected]


# (case, limit, offset, message)
INVALID_PAGES = [
    ("zero limit", 0, 0, "limit 0 is invalid"),
    ("negative limit", -5, 0, "limit -5 is invalid"),
    ("negative offset", 10, -1, "offset -1 is invalid"),
]


@pytest.mark.parametrize(
    ("limit", "offset", "message"),
    [pytest.param(limit, offset, message, id=case) for case, limit, offset, message in INVALID_PAGES],
)
def test_invalid_page_rejected(log: AuditLog, limit: int, offset: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        log.records(limit=limit, offset=offset)


# --- threads ------------------------------------------------------------------


def test_concurrent_appends_from_threads(log: AuditLog) -> None:
    thread_count = 8
    per_thread = 50
    errors: list[BaseException] = []
    start = threading.Barrier(thread_count)

    def append_many(thread_number: int) -> None:
        try:
            start.wait()
            for index in range(per_thread):
                log.append(make_record(f"doc-{thread_number}-{index}"), request_id=f"req-{thread_number}")
        except BaseException as error:  # noqa: BLE001 - handed to the main thread's assert
            errors.append(error)

    threads = [threading.Thread(target=append_many, args=(number,)) for number in range(thread_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    records = log.records(limit=thread_count * per_thread + 10)
    assert len(records) == thread_count * per_thread
    assert len({record["id"] for record in records}) == thread_count * per_thread
    expected_subjects = {f"doc-{thread}-{index}" for thread in range(thread_count) for index in range(per_thread)}
    assert {record["subject_id"] for record in records} == expected_subjects


def test_older_file_adopted_by_migration(tmp_path: Path) -> None:
    """A log written before migrations were recorded keeps its rows and gains its schema version."""
    path = tmp_path / "audit.sqlite3"
    with closing(sqlite3.connect(path)) as connection:
        connection.execute(
            "CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, actor TEXT NOT NULL,"
            " action TEXT NOT NULL, subject_id TEXT NOT NULL, decision TEXT NOT NULL, reasons TEXT NOT NULL,"
            " entity_counts TEXT NOT NULL, request_id TEXT)"
        )
        connection.execute(
            "INSERT INTO audit (time, actor, action, subject_id, decision, reasons, entity_counts, request_id)"
            " VALUES ('2026-01-05T08:00:00+00:00', 'ingest', 'ingest_gate', 'doc-1', 'blocked', '[]', '{}', NULL)"
        )
        connection.commit()
    with AuditLog(path) as log:
        [record] = log.records()
        assert (record["subject_id"], record["decision"]) == ("doc-1", "blocked")
    with closing(sqlite3.connect(path)) as connection:
        versions = connection.execute("SELECT component, version FROM schema_migrations").fetchall()
        assert versions == [("audit", 1)]
        with pytest.raises(sqlite3.IntegrityError, match="append-only: DELETE is not allowed"):
            connection.execute("DELETE FROM audit")
