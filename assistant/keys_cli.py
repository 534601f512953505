"""python -m assistant keys: create, list and revoke API keys.

    python -m assistant keys create --department D --scope S [--scope S ...] [--name N] [--data-dir DIR]
    python -m assistant keys list [--json] [--data-dir DIR]
    python -m assistant keys revoke ID [--data-dir DIR]
    python -m assistant keys bootstrap [--data-dir DIR]

`create` prints the new key once, as the last line of its output; only its
SHA-256 is stored. `bootstrap` (run by `make run`) creates a first admin key
when the data folder has no active key and writes it to a file readable by
its owner only.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from assistant.access import SCOPES
from assistant.auth.keys import KeyRecord, KeyStore
from assistant.db import Database
from assistant.settings import Settings

ADMIN_KEY_FILE = "admin-key.txt"
BOOTSTRAP_DEPARTMENT = "van-phong-ubnd"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, help="data folder (default: ASSISTANT_DATA_DIR or ./data)")
    actions = parser.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create a key and print it once")
    create.add_argument("--department", required=True, help="department id, such as so-tu-phap")
    create.add_argument("--scope", action="append", required=True, choices=SCOPES, dest="scopes",
                        help="a scope the key grants; repeat for more (admin grants every scope)")
    create.add_argument("--name", default="", help="a label for the key, such as the calling system's name")
    create.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS)
    listing = actions.add_parser("list", help="list keys without their secrets")
    listing.add_argument("--json", action="store_true", help="print one JSON object per key")
    listing.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS)
    revoke = actions.add_parser("revoke", help="revoke a key by its id; requests with it fail from then on")
    revoke.add_argument("key_id")
    revoke.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS)
    bootstrap = actions.add_parser("bootstrap", help=f"create a first admin key in DATA_DIR/{ADMIN_KEY_FILE} "
                                   "when the data folder has no active key")
    bootstrap.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    settings = Settings(**({"data_dir": args.data_dir} if getattr(args, "data_dir", None) else {}))
    database = Database(settings.data_dir)
    try:
        keys = KeyStore(database)
        return ACTIONS[args.action](args, keys, settings)
    finally:
        database.close()


def _create(args: argparse.Namespace, keys: KeyStore, settings: Settings) -> int:
    record, key = keys.create(args.department, args.scopes, args.name)
    print(f"created key {record.id} ({record.name}) for {record.department} with scopes {','.join(record.scopes)}")
    print("store it now; it is not shown again:")
    print(key)
    return 0


def _list(args: argparse.Namespace, keys: KeyStore, settings: Settings) -> int:
    records = keys.list()
    if args.json:
        for record in records:
            print(json.dumps(record.to_dict(), ensure_ascii=False))
        return 0
    print("id\tname\tdepartment\tscopes\tcreated\tlast used\trevoked")
    for record in records:
        print(_row(record))
    return 0


def _row(record: KeyRecord) -> str:
    return "\t".join([record.id, record.name, record.department, ",".join(record.scopes), record.created_at,
                      record.last_used_at or "-", record.revoked_at or "-"])


def _revoke(args: argparse.Namespace, keys: KeyStore, settings: Settings) -> int:
    record = keys.revoke(args.key_id)
    print(f"revoked key {record.id} ({record.name}) at {record.revoked_at}")
    return 0


def _bootstrap(args: argparse.Namespace, keys: KeyStore, settings: Settings) -> int:
    path = settings.data_dir / ADMIN_KEY_FILE
    active = keys.count_active()
    if active:
        print(f"the data folder has {active} active key(s); no key created"
              + (f" (the first admin key is in {path})" if path.exists() else ""))
        return 0
    record, key = keys.create(BOOTSTRAP_DEPARTMENT, ["admin"], "first admin key")
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key + "\n")
    os.chmod(path, 0o600)  # an existing file keeps its old mode through O_CREAT
    print(f"created the first admin key {record.id}; it is in {path} (readable by this user only)")
    return 0


ACTIONS = {"create": _create, "list": _list, "revoke": _revoke, "bootstrap": _bootstrap}
