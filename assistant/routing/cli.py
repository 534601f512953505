"""The train-router command: fit the request router on a CSV of labelled requests.

    python -m assistant train-router FILE [--data-dir DIR] [--taxonomy FILE]

The model goes to DIR/router (model.npz and model.json) and is used by every
later process that routes requests with that data folder.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="CSV with columns text, department and optionally urgency")
    parser.add_argument("--data-dir", type=Path,
                        help="data folder to save the model in (default: ASSISTANT_DATA_DIR or ./data)")
    parser.add_argument("--taxonomy", type=Path,
                        help="TOML file of departments (default: ASSISTANT_ROUTING_TAXONOMY or Hà Nội's)")


def run(args: argparse.Namespace) -> int:
    from assistant.routing.taxonomy import load_taxonomy
    from assistant.routing.training import read_labelled_csv
    from assistant.settings import Settings

    overrides = {"data_dir": args.data_dir} if args.data_dir else {}
    if args.taxonomy:
        overrides["routing_taxonomy"] = args.taxonomy
    settings = Settings(**overrides)
    taxonomy = load_taxonomy(settings.routing_taxonomy)
    # The file is checked before the models load, so a bad CSV fails in a second.
    requests = read_labelled_csv(args.file, taxonomy)
    from assistant.components import build_embedder, build_redactor
    from assistant.routing.classifier import train
    from assistant.routing.service import pseudonymize_all

    texts = pseudonymize_all(build_redactor(settings), requests.texts)
    model = train(taxonomy, build_embedder(settings), texts, requests.departments, requests.urgency)
    folder = model.save(settings.data_dir)
    summary = {
        "saved": str(folder),
        "taxonomy": taxonomy.name,
        "examples": model.examples,
        "departments": len(set(requests.departments)),
        "urgency_model": bool(model.urgency_classes),
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0
