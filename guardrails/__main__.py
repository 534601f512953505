"""Command line of the guardrails: check, redact, review the quarantine, read the audit log.

    python -m guardrails classify FILE... | --text TEXT
    python -m guardrails redact [--language vi|en] TEXT|-
    python -m guardrails quarantine list [--data-dir DIR] [--all]
    python -m guardrails quarantine release ID --justification TEXT --actor NAME [--data-dir DIR]
    python -m guardrails audit [--data-dir DIR] [--limit N]

Every command prints JSON, one object per line. The exit status is 0 on
success and when every checked file or text is allowed. It is 3 when the
gate blocks at least one, and a file the gate cannot read counts as blocked.
It is 2 on an invalid argument or a missing file, folder or store.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from guardrails.audit import AuditRecord
from guardrails.audit_store import AuditLog
from guardrails.classification import ClassificationGate
from guardrails.errors import GateReadError
from guardrails.quarantine import MIN_JUSTIFICATION_LENGTH, Quarantine, QuarantineEntry

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_BLOCKED = 3

DATA_DIR_VARIABLE = "ASSISTANT_DATA_DIR"
DEFAULT_DATA_DIR = Path("data")
QUARANTINE_FILE = "quarantine.sqlite3"
AUDIT_FILE = "audit.sqlite3"


class CommandError(Exception):
    """An invalid argument or missing input, reported on stderr with exit status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit status."""
    arguments = build_parser().parse_args(argv)
    try:
        return arguments.handler(arguments)
    except CommandError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m guardrails", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    classify = commands.add_parser("classify", help="check files or a text for secrecy and classification marks")
    classify.add_argument("files", nargs="*", type=Path, metavar="FILE", help="files to check")
    classify.add_argument("--text", metavar="TEXT", help="check this text instead of files, as a chat message")
    classify.set_defaults(handler=run_classify)

    redact = commands.add_parser("redact", help="replace personal data in a text with its type, e.g. <PERSON>")
    redact.add_argument("text", metavar="TEXT", help="the text to redact, or - to read it from stdin")
    redact.add_argument("--language", choices=("vi", "en"), default="vi", help="language of the text (default: vi)")
    redact.set_defaults(handler=run_redact)

    quarantine = commands.add_parser("quarantine", help="list or release quarantined documents")
    actions = quarantine.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="print the quarantined documents")
    listing.add_argument("--all", action="store_true", help="include released documents")
    _add_data_dir(listing)
    listing.set_defaults(handler=run_quarantine_list)
    release = actions.add_parser("release", help="let a quarantined document into the index")
    release.add_argument("entry_id", type=_entry_id, metavar="ID", help="entry id, as printed by quarantine list")
    release.add_argument(
        "--justification",
        required=True,
        metavar="TEXT",
        help=f"why the document may be indexed, at least {MIN_JUSTIFICATION_LENGTH} characters",
    )
    release.add_argument("--actor", required=True, metavar="NAME", help="name of the person releasing the document")
    _add_data_dir(release)
    release.set_defaults(handler=run_quarantine_release)

    audit = commands.add_parser("audit", help="print audit records, newest first")
    audit.add_argument(
        "--limit", type=_positive_count, default=20, metavar="N", help="number of records to print (default: 20)"
    )
    _add_data_dir(audit)
    audit.set_defaults(handler=run_audit)
    return parser


def run_classify(arguments: argparse.Namespace) -> int:
    if arguments.text is not None and arguments.files:
        raise CommandError("pass either FILE paths or --text TEXT, not both")
    gate = ClassificationGate()
    if arguments.text is not None:
        decision = gate.check_text(arguments.text)
        _print_json(decision.to_dict())
        return EXIT_OK if decision.allowed else EXIT_BLOCKED
    if not arguments.files:
        raise CommandError("nothing to check; pass one or more FILE paths, or --text TEXT")
    missing = [str(path) for path in arguments.files if not path.is_file()]
    if missing:
        raise CommandError(f"file not found: {', '.join(missing)}; check the paths")
    all_allowed = True
    for path in arguments.files:
        result = _classify_file(gate, path)
        all_allowed = all_allowed and result["allowed"]
        _print_json(result)
    return EXIT_OK if all_allowed else EXIT_BLOCKED


def _classify_file(gate: ClassificationGate, path: Path) -> dict[str, Any]:
    try:
        decision = gate.check_file(path)
    except GateReadError as error:
        # Fail closed: a file that cannot be read completely is reported as blocked.
        return {
            "file": str(path),
            "allowed": False,
            "level": None,
            "findings": [],
            "reasons": [f"cannot read the file completely: {error.reason}; quarantine it"],
        }
    return {"file": str(path), **decision.to_dict()}


def run_redact(arguments: argparse.Namespace) -> int:
    text = sys.stdin.read() if arguments.text == "-" else arguments.text
    # Imported here because loading Presidio and spaCy takes seconds.
    from guardrails.redaction import Redactor

    result = Redactor().redact(text, arguments.language)
    _print_json({"text": result.text, "entities": [dataclasses.asdict(entity) for entity in result.entities]})
    return EXIT_OK


def run_quarantine_list(arguments: argparse.Namespace) -> int:
    path = _store_path(arguments.data_dir, QUARANTINE_FILE)
    if not path.exists():
        print(f"no quarantine store at {path}, so nothing is quarantined", file=sys.stderr)
        return EXIT_OK
    with Quarantine(path) as store:
        entries = store.list(include_released=arguments.all)
    for entry in entries:
        _print_json(_entry_to_dict(entry))
    if not entries:
        print(f"no {'' if arguments.all else 'unreleased '}entries in {path}", file=sys.stderr)
    return EXIT_OK


def run_quarantine_release(arguments: argparse.Namespace) -> int:
    path = _store_path(arguments.data_dir, QUARANTINE_FILE)
    if not path.exists():
        raise CommandError(
            f"no quarantine store at {path}, so entry {arguments.entry_id} does not exist; "
            f"check --data-dir or {DATA_DIR_VARIABLE}"
        )
    with Quarantine(path) as store:
        try:
            entry = store.release(arguments.entry_id, arguments.actor, arguments.justification)
        except KeyError as error:
            raise CommandError(error.args[0]) from error
        except ValueError as error:
            raise CommandError(str(error)) from error
    record = AuditRecord(
        time=datetime.datetime.now(datetime.UTC),
        actor=arguments.actor,
        action="quarantine_release",
        subject_id=entry.document_id,
        decision="released",
        reasons=(f"quarantine entry {entry.id} released; the justification is stored with the entry",),
    )
    with AuditLog(path.parent / AUDIT_FILE) as log:
        log.append(record)
    _print_json(_entry_to_dict(entry))
    return EXIT_OK


def run_audit(arguments: argparse.Namespace) -> int:
    path = _store_path(arguments.data_dir, AUDIT_FILE)
    if not path.exists():
        print(f"no audit log at {path}, so there are no records", file=sys.stderr)
        return EXIT_OK
    with AuditLog(path) as log:
        records = log.records(limit=arguments.limit)
    for record in records:
        _print_json(record)
    return EXIT_OK


def _add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help=f"folder of the assistant's data (default: ${DATA_DIR_VARIABLE}, else ./{DEFAULT_DATA_DIR})",
    )


def _store_path(data_dir: Path | None, file_name: str) -> Path:
    """Return the path of a store in the data folder, which must exist."""
    if data_dir is None:
        data_dir = Path(os.environ.get(DATA_DIR_VARIABLE) or DEFAULT_DATA_DIR)
    if not data_dir.is_dir():
        raise CommandError(
            f"data directory {data_dir} does not exist; pass --data-dir DIR or set {DATA_DIR_VARIABLE} "
            "to the assistant's data folder"
        )
    return data_dir / file_name


def _entry_id(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(
            f"invalid entry id {value!r}; pass the number in the id field of `quarantine list --all`"
        )
    return int(value)


def _positive_count(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"invalid count {value!r}; pass a whole number of 1 or more")
    return int(value)


def _entry_to_dict(entry: QuarantineEntry) -> dict[str, Any]:
    return {**dataclasses.asdict(entry), "released": entry.released}


def _print_json(value: dict[str, Any]) -> None:
    print(json.dumps(value, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
