"""Tests of the guardrails command line, run as a subprocess: python -m guardrails ..."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from guardrails.audit import AuditRecord
from guardrails.audit_store import AuditLog
from guardrails.quarantine import LIST_COMMAND, Quarantine
from tests.guardrails.encodings import encode_cp1258

REPO = Path(__file__).resolve().parents[2]
GATE_CASES = REPO / "evals" / "cases" / "gate"
CLEAN_FILE = GATE_CASES / "a01_law_running_text.txt"
MARKED_FILE = GATE_CASES / "b01_mat_own_line.txt"
HASH_A = "sha256:" + "a" * 64
JUSTIFICATION = "Checked by the legal office: the mark is quoted from a law title."


def run_guardrails(
    *args: str, cwd: Path, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run python -m guardrails in cwd, without ASSISTANT_DATA_DIR unless env sets it."""
    environment = {key: value for key, value in os.environ.items() if key != "ASSISTANT_DATA_DIR"}
    environment["PYTHONPATH"] = str(REPO)
    environment["PYTHONIOENCODING"] = "utf-8"
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "guardrails", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        timeout=300,
    )


def json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


# --- classify -----------------------------------------------------------------

# (case, arguments, exit status, allowed value of each printed decision)
CLASSIFY_CASES = [
    ("clean text", ["--text", "Thông báo lịch tiếp công dân tháng 6."], 0, [True]),
    ("marked text", ["--text", "TỐI MẬT\nBáo cáo quý 3"], 3, [False]),
    ("english label", ["--text", "CONFIDENTIAL\nQuarterly report"], 3, [False]),
    ("clean file", [str(CLEAN_FILE)], 0, [True]),
    ("marked file", [str(MARKED_FILE)], 3, [False]),
    ("clean and marked files", [str(CLEAN_FILE), str(MARKED_FILE)], 3, [True, False]),
]


@pytest.mark.parametrize(
    ("arguments", "status", "allowed"),
    [pytest.param(arguments, status, allowed, id=case) for case, arguments, status, allowed in CLASSIFY_CASES],
)
def test_classify(tmp_path: Path, arguments: list[str], status: int, allowed: list[bool]) -> None:
    done = run_guardrails("classify", *arguments, cwd=tmp_path)
    assert done.returncode == status, done.stderr
    decisions = json_lines(done.stdout)
    assert [decision["allowed"] for decision in decisions] == allowed
    for decision in decisions:
        assert set(decision) >= {"allowed", "level", "findings", "reasons"}
        assert decision["reasons"]


def test_classify_names_each_file(tmp_path: Path) -> None:
    done = run_guardrails("classify", str(CLEAN_FILE), str(MARKED_FILE), cwd=tmp_path)
    decisions = json_lines(done.stdout)
    assert [decision["file"] for decision in decisions] == [str(CLEAN_FILE), str(MARKED_FILE)]
    assert decisions[1]["level"] == "MAT"


def test_classify_unreadable_file_blocked(tmp_path: Path) -> None:
    sheet = tmp_path / "bang-tinh.xlsx"
    sheet.write_bytes(b"PK\x03\x04 not really a workbook")
    done = run_guardrails("classify", str(sheet), cwd=tmp_path)
    assert done.returncode == 3, done.stderr
    [decision] = json_lines(done.stdout)
    assert decision["allowed"] is False
    assert "unsupported file type '.xlsx'" in decision["reasons"][0]


def test_classify_legacy_encodings(tmp_path: Path) -> None:
    marked = "UBND PHƯỜNG CỬA NAM\nTỐI MẬT\nThông báo lịch họp."
    clean = "Thông báo lịch tiếp công dân thứ Năm; đổi mật khẩu trước ngày 5."
    files = {
        "utf16-marked.txt": marked.encode("utf-16"),
        "cp1258-marked.txt": encode_cp1258(marked),
        "cp1258-clean.txt": encode_cp1258(clean),
        "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    done = run_guardrails("classify", *files, cwd=tmp_path)
    assert done.returncode == 3, done.stderr
    decisions = json_lines(done.stdout)
    assert [decision["allowed"] for decision in decisions] == [False, False, True, False]
    assert [decision["level"] for decision in decisions] == ["TOI_MAT", "TOI_MAT", None, None]
    assert "binary data" in decisions[3]["reasons"][0]


# (case, arguments, words expected in the error message)
CLASSIFY_ERRORS = [
    ("missing file", ["no-such-file.txt"], ["file not found", "no-such-file.txt"]),
    ("files and text", [str(CLEAN_FILE), "--text", "xin chào"], ["not both"]),
    ("nothing to check", [], ["nothing to check", "--text"]),
]


@pytest.mark.parametrize(
    ("arguments", "words"), [pytest.param(arguments, words, id=case) for case, arguments, words in CLASSIFY_ERRORS]
)
def test_classify_error(tmp_path: Path, arguments: list[str], words: list[str]) -> None:
    done = run_guardrails("classify", *arguments, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    for word in words:
        assert word in done.stderr


# --- redact -------------------------------------------------------------------

# (case, arguments, stdin, placeholders expected in the text, value that must be gone)
REDACT_CASES = [
    (
        "vietnamese default",
        ["Ông Nguyễn Văn Hải, số CCCD 001085012345."],
        None,
        ["<PERSON>", "<VN_CCCD>"],
        "001085012345",
    ),
    (
        "vietnamese from stdin",
        ["-"],
        "Bà Trần Thị Thu Hà, điện thoại 0912 345 678.",
        ["<PERSON>", "<PHONE_NUMBER>"],
        "0912 345 678",
    ),
    (
        "english",
        ["--language", "en", "Write to anna.berg@example.com about the permit."],
        None,
        ["<EMAIL_ADDRESS>"],
        "anna.berg@example.com",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("arguments", "stdin", "placeholders", "value"),
    [
        pytest.param(arguments, stdin, placeholders, value, id=case)
        for case, arguments, stdin, placeholders, value in REDACT_CASES
    ],
)
def test_redact(tmp_path: Path, arguments: list[str], stdin: str | None, placeholders: list[str], value: str) -> None:
    done = run_guardrails("redact", *arguments, cwd=tmp_path, stdin=stdin)
    assert done.returncode == 0, done.stderr
    [result] = json_lines(done.stdout)
    assert set(result) == {"text", "entities"}
    for placeholder in placeholders:
        assert placeholder in result["text"]
    assert value not in result["text"]
    assert sorted(entity["type"] for entity in result["entities"]) == sorted(p.strip("<>") for p in placeholders)
    for entity in result["entities"]:
        assert set(entity) == {"type", "start", "end", "score", "recognizer"}


def test_redact_unknown_language(tmp_path: Path) -> None:
    done = run_guardrails("redact", "--language", "fr", "Bonjour", cwd=tmp_path)
    assert done.returncode == 2
    assert "invalid choice: 'fr'" in done.stderr


# --- quarantine ---------------------------------------------------------------


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data folder with two quarantined documents, the first of them released."""
    folder = tmp_path / "data"
    folder.mkdir()
    with Quarantine(folder / "quarantine.sqlite3") as store:
        first = store.add("doc-1", "inbox/a.docx", 'secrecy mark "MẬT" in body (line 4)', content_hash=HASH_A)
        store.add("doc-2", "inbox/b.pdf", "cannot read: encrypted PDF", content_hash=HASH_A)
        store.release(first.id, "admin", JUSTIFICATION)
    return folder


# (case, extra arguments, document ids listed)
LIST_CASES = [
    ("unreleased only", [], ["doc-2"]),
    ("all", ["--all"], ["doc-1", "doc-2"]),
]


@pytest.mark.parametrize(
    ("arguments", "documents"),
    [pytest.param(arguments, documents, id=case) for case, arguments, documents in LIST_CASES],
)
def test_quarantine_list(tmp_path: Path, data_dir: Path, arguments: list[str], documents: list[str]) -> None:
    done = run_guardrails("quarantine", "list", "--data-dir", str(data_dir), *arguments, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    entries = json_lines(done.stdout)
    assert [entry["document_id"] for entry in entries] == documents
    for entry in entries:
        assert entry["released"] is (entry["document_id"] == "doc-1")


# (case, where the data folder comes from)
DATA_DIR_SOURCES = [("environment variable", "env"), ("default ./data", "cwd")]


@pytest.mark.parametrize("source", [pytest.param(source, id=case) for case, source in DATA_DIR_SOURCES])
def test_quarantine_list_default_data_dir(tmp_path: Path, data_dir: Path, source: str) -> None:
    if source == "env":
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        done = run_guardrails("quarantine", "list", "--all", cwd=elsewhere, env={"ASSISTANT_DATA_DIR": str(data_dir)})
    else:
        done = run_guardrails("quarantine", "list", "--all", cwd=data_dir.parent)
    assert done.returncode == 0, done.stderr
    assert [entry["document_id"] for entry in json_lines(done.stdout)] == ["doc-1", "doc-2"]


def test_quarantine_list_without_store(tmp_path: Path) -> None:
    done = run_guardrails("quarantine", "list", "--data-dir", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "no quarantine store" in done.stderr
    assert not (tmp_path / "quarantine.sqlite3").exists()


def test_release_records_and_audits(tmp_path: Path, data_dir: Path) -> None:
    with Quarantine(data_dir / "quarantine.sqlite3") as store:
        entry_id = store.list()[0].id
    done = run_guardrails(
        "quarantine",
        "release",
        str(entry_id),
        "--justification",
        JUSTIFICATION,
        "--actor",
        "tran.admin",
        "--data-dir",
        str(data_dir),
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    [entry] = json_lines(done.stdout)
    assert entry["id"] == entry_id
    assert entry["released"] is True
    assert entry["released_by"] == "tran.admin"
    assert entry["justification"] == JUSTIFICATION
    with Quarantine(data_dir / "quarantine.sqlite3") as store:
        assert store.list() == []
        assert store.is_released("doc-2", HASH_A)
    with AuditLog(data_dir / "audit.sqlite3") as log:
        [record] = log.records()
    assert record["action"] == "quarantine_release"
    assert record["actor"] == "tran.admin"
    assert record["subject_id"] == "doc-2"
    assert record["decision"] == "released"


# (case, entry id, justification, words expected in the error message)
RELEASE_ERRORS = [
    ("short justification", "2", "ok", ["'ok'", "at least 10 characters"]),
    ("unknown id", "99", JUSTIFICATION, ["no quarantine entry with id 99", LIST_COMMAND]),
    ("already released", "1", JUSTIFICATION, ["already released"]),
    ("id not a number", "abc", JUSTIFICATION, ["invalid entry id 'abc'", "quarantine list --all"]),
    ("id zero", "0", JUSTIFICATION, ["invalid entry id '0'"]),
]


@pytest.mark.parametrize(
    ("entry_id", "justification", "words"),
    [
        pytest.param(entry_id, justification, words, id=case)
        for case, entry_id, justification, words in RELEASE_ERRORS
    ],
)
def test_release_error(tmp_path: Path, data_dir: Path, entry_id: str, justification: str, words: list[str]) -> None:
    done = run_guardrails(
        "quarantine",
        "release",
        entry_id,
        "--justification",
        justification,
        "--actor",
        "admin",
        "--data-dir",
        str(data_dir),
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    for word in words:
        assert word in done.stderr
    assert not (data_dir / "audit.sqlite3").exists()


def test_release_without_store(tmp_path: Path) -> None:
    done = run_guardrails(
        "quarantine", "release", "1", "--justification", JUSTIFICATION, "--actor", "admin", "--data-dir", str(tmp_path),
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "no quarantine store" in done.stderr
    assert "--data-dir" in done.stderr


# (case, command line)
MISSING_DATA_DIR = [
    ("quarantine list", ["quarantine", "list"]),
    ("quarantine release", ["quarantine", "release", "1", "--justification", JUSTIFICATION, "--actor", "a"]),
    ("audit", ["audit"]),
]


@pytest.mark.parametrize("command", [pytest.param(command, id=case) for case, command in MISSING_DATA_DIR])
def test_missing_data_dir(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "no-such-folder"
    done = run_guardrails(*command, "--data-dir", str(missing), cwd=tmp_path)
    assert done.returncode == 2
    assert f"data directory {missing} does not exist" in done.stderr
    assert "ASSISTANT_DATA_DIR" in done.stderr
    assert not missing.exists()


# --- audit --------------------------------------------------------------------


@pytest.fixture
def audit_dir(tmp_path: Path) -> Path:
    """A data folder whose audit log contains five records, doc-0 to doc-4."""
    folder = tmp_path / "data"
    folder.mkdir()
    time = datetime.datetime(2024, 6, 3, 2, 30, tzinfo=datetime.UTC)
    with AuditLog(folder / "audit.sqlite3") as log:
        for number in range(5):
            log.append(AuditRecord(time, "indexer", "classification_check", f"doc-{number}", "allowed"))
    return folder


# (case, extra arguments, subjects printed)
AUDIT_CASES = [
    ("default limit", [], ["doc-4", "doc-3", "doc-2", "doc-1", "doc-0"]),
    ("limit two", ["--limit", "2"], ["doc-4", "doc-3"]),
]


@pytest.mark.parametrize(
    ("arguments", "subjects"), [pytest.param(arguments, subjects, id=case) for case, arguments, subjects in AUDIT_CASES]
)
def test_audit(tmp_path: Path, audit_dir: Path, arguments: list[str], subjects: list[str]) -> None:
    done = run_guardrails("audit", "--data-dir", str(audit_dir), *arguments, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    records = json_lines(done.stdout)
    assert [record["subject_id"] for record in records] == subjects
    assert records[0]["time"] == "2024-06-03T02:30:00+00:00"


# (case, limit value)
INVALID_LIMITS = [("zero", "0"), ("negative", "-3"), ("not a number", "ten")]


@pytest.mark.parametrize("limit", [pytest.param(limit, id=case) for case, limit in INVALID_LIMITS])
def test_audit_invalid_limit(tmp_path: Path, audit_dir: Path, limit: str) -> None:
    done = run_guardrails("audit", "--data-dir", str(audit_dir), "--limit", limit, cwd=tmp_path)
    assert done.returncode == 2
    assert f"invalid count '{limit}'" in done.stderr


def test_audit_without_log(tmp_path: Path) -> None:
    done = run_guardrails("audit", "--data-dir", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout == ""
    assert "no audit log" in done.stderr
