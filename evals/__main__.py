"""Command line of the evaluation suite.

    python -m evals run [--suite NAME ...] [--data DIR] [--out DIR] [--server URL] [--api-key KEY]
                        [--thresholds FILE] [--limit N] [--index-dir DIR] [--set KEY=VALUE ...]
                        [--previous FILE]

Exit status: 0 when every suite ran and every threshold was met, 1 when a
suite failed or a threshold was missed, 2 for invalid options.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from assistant.errors import AssistantError
from assistant.logs import configure_logging
from evals.runner import DEFAULT_THRESHOLDS, RunOptions, parse_overrides, run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m evals", description="Evaluate the assistant and report.")
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("run", help="run the evaluation suites and write report.md and report.json")
    command.add_argument("--suite", action="append", default=[], metavar="NAME",
                         help="run only this suite; repeat for several (default: every suite in evals/suites/)")
    command.add_argument("--data", type=Path, default=os.environ.get("DATA_DIR"), metavar="DIR",
                         help="real data folder with legal_vi_alqac2023 and the others (default: $DATA_DIR)")
    command.add_argument("--out", type=Path, metavar="DIR",
                         help="folder for the report and plots (default: evals/out/<timestamp>)")
    command.add_argument("--server", metavar="URL", help="evaluate a running deployment through its HTTP API")
    command.add_argument("--api-key", default=os.environ.get("ASSISTANT_API_KEY"), metavar="KEY",
                         help="bearer key sent to the server (default: $ASSISTANT_API_KEY)")
    command.add_argument("--thresholds", type=Path, default=DEFAULT_THRESHOLDS, metavar="FILE",
                         help="TOML file of metric thresholds (default: evals/thresholds.toml)")
    command.add_argument("--limit", type=int, metavar="N", help="at most N items per suite, for a quick smoke run")
    command.add_argument("--index-dir", type=Path, metavar="DIR",
                         help="data folder for the in-process index, kept between runs (default: OUT/index)")
    command.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="overrides",
                         help="change one assistant setting for this run, e.g. --set min_dense_score=0.99")
    command.add_argument("--previous", type=Path, metavar="FILE",
                         help="report.json to compare with (default: the newest other run beside --out)")
    command.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error(f"invalid --limit {args.limit}; pass a positive number of items")
    configure_logging(logging.INFO)
    for noisy in ("httpx", "sentence_transformers", "faiss", "guardrails", "retrieval",
                  "assistant"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from assistant.offline import enforce_offline

    enforce_offline()
    try:
        options = RunOptions(
            suites=args.suite, data_dir=args.data, out_dir=args.out, server=args.server, api_key=args.api_key,
            thresholds=args.thresholds, limit=args.limit, index_dir=args.index_dir,
            overrides=parse_overrides(args.overrides), previous=args.previous, progress=not args.quiet,
        )
        status, out = run(options)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    _print_summary(out)
    return status


def _print_summary(out: Path) -> None:
    """Print the verdict, the thresholds missed and where the report is."""
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    missed = [o["metric"] for o in data["thresholds"] if o["status"] == "missed"]
    print(f"{'PASSED' if data['passed'] else 'FAILED'}; report: {out / 'report.md'}")
    if missed:
        print(f"thresholds missed: {', '.join(missed)}")


if __name__ == "__main__":
    sys.exit(main())
