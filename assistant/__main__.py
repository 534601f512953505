"""Command line for the assistant.

    python -m assistant ask "question" [--data-dir DIR] [--json]
    python -m assistant keys create|list|revoke ...      (API keys; see --help)
    python -m assistant train-router FILE [--data-dir DIR]

Commands other than ``ask`` live beside the code they serve: each such module
has ``add_arguments(parser)`` and ``run(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
from pathlib import Path

from assistant.errors import AssistantError
from assistant.logs import configure_logging
from assistant.offline import enforce_offline


# name -> (module with add_arguments and run, one-line help)
SUBCOMMANDS = {
    "keys": ("assistant.keys_cli", "create, list and revoke API keys for departments' systems"),
    "train-router": ("assistant.routing.cli", "train the request router from a CSV of labelled requests"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant", description="Ask the assistant from the shell.")
    commands = parser.add_subparsers(dest="command", required=True)
    ask = commands.add_parser("ask", help="answer one question from the indexed documents")
    ask.add_argument("question")
    ask.add_argument("--data-dir", type=Path, help="index folder (default: ASSISTANT_DATA_DIR or ./data)")
    ask.add_argument("--json", action="store_true", help="print the whole result as JSON")
    for name, (module, summary) in SUBCOMMANDS.items():
        sub = commands.add_parser(name, help=summary)
        sub.set_defaults(module=module)
        importlib.import_module(module).add_arguments(sub)
    args = parser.parse_args(argv)
    if args.command != "ask":
        enforce_offline()
        configure_logging(logging.WARNING)
        try:
            return importlib.import_module(args.module).run(args)
        except AssistantError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2

    enforce_offline()
    configure_logging(logging.WARNING)
    from assistant.service import Assistant
    from assistant.settings import Settings
    from retrieval.access import UNRESTRICTED

    try:
        settings = Settings(**({"data_dir": args.data_dir} if args.data_dir else {}))
        # The shell user owns the data folder, so every document is visible.
        result = Assistant(settings).chat.answer([{"role": "user", "content": args.question}], reader=UNRESTRICTED)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(result.answer)
    for citation in result.citations:
        print(f"[{citation.n}] {citation.title}, {citation.locator} ({citation.document_id})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
