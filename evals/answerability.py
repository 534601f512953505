"""Measure the bars that decide whether a question is answered.

For answerable questions (with gold documents) and unanswerable ones, print
the best passage similarity and the share of question terms found in the
passages, and how many of each set a pair of bars lets through.

    python -m evals.answerability --data-dir DIR QUESTIONS.jsonl [--unanswerable FILE]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from assistant.chat import ChatService
from assistant.components import build_index
from assistant.offline import enforce_offline
from assistant.settings import Settings
from retrieval.access import UNRESTRICTED
from evals.retrieval import load_questions

DEFAULT_UNANSWERABLE = Path(__file__).parent / "cases" / "unanswerable.jsonl"


def signals(chat: ChatService, questions: list[str]) -> list[tuple[float, float]]:
    """Return (best similarity, term coverage) for each question."""
    out = []
    for question in questions:
        evidence = chat.retrieve(question, [], reader=UNRESTRICTED)
        out.append((round(evidence.best_dense, 4), round(evidence.coverage, 4)))
    return out


def passed(values: list[tuple[float, float]], min_dense: float, min_coverage: float) -> int:
    return sum(1 for dense, coverage in values if dense >= min_dense and coverage >= min_coverage)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.answerability", description=__doc__.splitlines()[0])
    parser.add_argument("questions", type=Path, help="answerable questions (JSONL with question, gold_doc_ids)")
    parser.add_argument("--data-dir", type=Path, required=True, help="index folder holding their corpus")
    parser.add_argument("--unanswerable", type=Path, default=DEFAULT_UNANSWERABLE, help="JSONL with question")
    args = parser.parse_args(argv)
    enforce_offline()
    settings = Settings(data_dir=args.data_dir)
    chat = ChatService(build_index(settings), None, settings)
    answerable = signals(chat, [q.text for q in load_questions(args.questions)])
    lines = args.unanswerable.read_text(encoding="utf-8").splitlines()
    unanswerable = signals(chat, [json.loads(line)["question"] for line in lines if line.strip()])
    for name, values in (("answerable", answerable), ("unanswerable", unanswerable)):
        dense = sorted(v[0] for v in values)
        coverage = sorted(v[1] for v in values)
        print(f"{name}: n={len(values)} similarity min {dense[0]} p10 {dense[len(dense) // 10]} max {dense[-1]}; "
              f"coverage min {coverage[0]} p10 {coverage[len(coverage) // 10]} max {coverage[-1]}")
    print("min_dense min_coverage answerable_passed unanswerable_passed")
    for min_dense in (0.30, 0.35, 0.38, 0.40, 0.45):
        for min_coverage in (0.3, 0.4, 0.5, 0.6):
            print(min_dense, min_coverage, passed(answerable, min_dense, min_coverage),
                  passed(unanswerable, min_dense, min_coverage))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
