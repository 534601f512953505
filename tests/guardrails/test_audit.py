"""Tests of the audit record helpers."""

from __future__ import annotations

import datetime
import json

import pytest

from guardrails import ClassificationGate, Entity
from guardrails.audit import AuditRecord, gate_record, redaction_record

HANOI = datetime.timezone(datetime.timedelta(hours=7))
TIME = datetime.datetime(2024, 6, 3, 9, 30, tzinfo=HANOI)


def test_to_row_json_ready() -> None:
    record = AuditRecord(TIME, "indexer", "classification_check", "doc-17", "blocked", ("mark",), {"PERSON": 2})
    row = record.to_row()
    assert row == {
        "time": "2024-06-03T02:30:00+00:00",
        "actor": "indexer",
        "action": "classification_check",
        "subject_id": "doc-17",
        "decision": "blocked",
        "reasons": ["mark"],
        "entity_counts": {"PERSON": 2},
    }
    assert json.loads(json.dumps(row)) == row


def test_record_is_immutable() -> None:
    record = AuditRecord(TIME, "indexer", "check", "doc-1", "allowed")
    with pytest.raises(AttributeError):
        record.decision = "blocked"  # type: ignore[misc]


def test_naive_time_rejected() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        AuditRecord(datetime.datetime(2024, 6, 3, 9, 30), "indexer", "check", "doc-1", "allowed")


@pytest.mark.parametrize("field_name", ["actor", "action", "subject_id", "decision"])
def test_empty_field_rejected(field_name: str) -> None:
    values = {"actor": "indexer", "action": "check", "subject_id": "doc-1", "decision": "allowed"}
    values[field_name] = ""
    with pytest.raises(ValueError, match=field_name):
        AuditRecord(TIME, **values)


def test_gate_record_from_decision() -> None:
    decision = ClassificationGate().check_text("TỐI MẬT\nBáo cáo", location="body")
    record = gate_record("indexer", "doc-9", decision, time=TIME)
    assert record.decision == "blocked"
    assert record.reasons == decision.reasons
    assert record.entity_counts == {}


def test_redaction_record_counts_types_only() -> None:
    entities = [
        Entity("PERSON", 0, 5, 0.9, "r"),
        Entity("PERSON", 10, 15, 0.9, "r"),
        Entity("PHONE_NUMBER", 20, 32, 0.8, "r"),
    ]
    row = redaction_record("chat", "message-3", entities, time=TIME).to_row()
    assert row["decision"] == "redacted"
    assert row["entity_counts"] == {"PERSON": 2, "PHONE_NUMBER": 1}
    assert row["reasons"] == ["2 PERSON replaced", "1 PHONE_NUMBER replaced"]


def test_redaction_record_without_entities() -> None:
    record = redaction_record("chat", "message-4", [])
    assert record.decision == "unchanged"
    assert record.time.tzinfo is not None
