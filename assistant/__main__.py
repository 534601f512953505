"""Command line for the assistant.

    python -m assistant ask "question" [--data-dir DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from assistant.errors import AssistantError
from assistant.offline import enforce_offline


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant", description="Ask the assistant from the shell.")
    commands = parser.add_subparsers(dest="command", required=True)
    ask = commands.add_parser("ask", help="answer one question from the indexed documents")
    ask.add_argument("question")
    ask.add_argument("--data-dir", type=Path, help="index folder (default: ASSISTANT_DATA_DIR or ./data)")
    ask.add_argument("--json", action="store_true", help="print the whole result as JSON")
    args = parser.parse_args(argv)

    enforce_offline()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # Presidio warns about each recognizer of a language it was not asked to load.
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    from assistant.service import Assistant
    from assistant.settings import Settings

    try:
        settings = Settings(**({"data_dir": args.data_dir} if args.data_dir else {}))
        result = Assistant(settings).chat.answer([{"role": "user", "content": args.question}])
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
