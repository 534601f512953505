"""Command line for the index: ingest, remove, list and search.

    python -m retrieval ingest PATH... [--data-dir DIR] [--json] [--access public|DEPARTMENT,...]
    python -m retrieval remove DOCUMENT_ID... [--data-dir DIR]
    python -m retrieval list [--data-dir DIR]
    python -m retrieval search QUERY [-k N] [--mode hybrid|dense|bm25] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from assistant.errors import AssistantError, DocumentNotFoundError
from assistant.logs import configure_logging
from assistant.settings import Settings
from retrieval.access import PUBLIC, UNRESTRICTED, parse_access
from retrieval.index import SEARCH_MODES
from retrieval.ingest import summarize


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m retrieval", description="Manage the document index.")
    parser.add_argument("--data-dir", type=Path, help="index folder (default: ASSISTANT_DATA_DIR or ./data)")
    commands = parser.add_subparsers(dest="command", required=True)
    ingest = commands.add_parser("ingest", help="index files and folders (txt, md, html, docx, pdf, jsonl)")
    ingest.add_argument("paths", nargs="+", type=Path)
    ingest.add_argument("--json", action="store_true", help="print one JSON result per document instead of a summary")
    ingest.add_argument("--access", default=PUBLIC, help='who may read the documents: "public" (default) or '
                        "department ids separated by commas, such as so-tu-phap,so-xay-dung")
    ingest.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS)
    remove = commands.add_parser("remove", help="delete documents and their chunks from the index")
    remove.add_argument("document_ids", nargs="+")
    remove.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS)
    listing = commands.add_parser("list", help="list indexed documents")
    listing.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS)
    search = commands.add_parser("search", help="print the best passages for a query")
    search.add_argument("query")
    search.add_argument("-k", type=int, default=5, help="number of passages (default: 5)")
    search.add_argument("--mode", choices=SEARCH_MODES, default="hybrid")
    search.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    configure_logging(logging.WARNING)
    overrides = {"data_dir": args.data_dir} if getattr(args, "data_dir", None) else {}
    try:
        settings = Settings(**overrides)
        return COMMANDS[args.command](args, settings)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.components import build_index, build_ingestor

    access = parse_access(args.access)
    index = build_index(settings)
    ingestor = build_ingestor(settings, index, show_progress=not args.json and sys.stderr.isatty(), access=access)
    results = ingestor.ingest(args.paths)
    if args.json:
        for result in results:
            print(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        for result in results:
            if result.status in ("failed", "blocked", "quarantined", "skipped"):
                print(f"{result.status}: {result.document_id or result.path}: {result.reason}")
        counts = summarize(results)
        print(", ".join(f"{count} {status}" for status, count in counts.items()))
    return 1 if any(r.status == "failed" for r in results) else 0


def _remove(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.components import build_index

    index = build_index(settings)
    status = 0
    for document_id in args.document_ids:
        try:
            removed = index.remove(document_id)
        except DocumentNotFoundError as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = 2
            continue
        print(f"removed {document_id} ({removed} chunks)")
    return status


def _list(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.components import build_index

    for document in build_index(settings).store.documents():
        access = ",".join(document["access"])
        print(f"{document['document_id']}\t{document['chunk_count']} chunks\t{access}\t{document['title']}")
    return 0


def _search(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.components import build_index

    if not args.query.strip():
        print("error: the query is empty; give words to search for", file=sys.stderr)
        return 2

    # The shell user owns the data folder, so every document is visible.
    for hit in build_index(settings).search(args.query, args.k, args.mode, reader=UNRESTRICTED):
        print(f"{hit.score:.4f}\t{hit.document_id}\t{hit.locator}\t{hit.text[:100]!r}")
    return 0


COMMANDS = {"ingest": _ingest, "remove": _remove, "list": _list, "search": _search}

if __name__ == "__main__":
    raise SystemExit(main())
