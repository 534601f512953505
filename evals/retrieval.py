"""Retrieval metrics on a question set with gold document ids.

The question file is JSONL with "question" and "gold_doc_ids" per line, as in
the ALQAC 2023 Vietnamese legal set.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

Ranker = Callable[[str, int], list[str]]


@dataclass(frozen=True)
class Question:
    question_id: str
    text: str
    gold: frozenset[str]


def load_questions(path: Path, split: str | None = "train", limit: int | None = None) -> list[Question]:
    """Read questions, optionally of one split, keeping the file order."""
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        if split and record.get("split", split) != split:
            continue
        questions.append(Question(record["question_id"], record["question"], frozenset(record["gold_doc_ids"])))
    return questions[:limit] if limit else questions


def unique_documents(document_ids: Sequence[str]) -> list[str]:
    """Return document ids in rank order with repeats (several chunks of one document) removed."""
    seen: set[str] = set()
    return [d for d in document_ids if not (d in seen or seen.add(d))]


def score_rankings(questions: Sequence[Question], rankings: Sequence[Sequence[str]], ks=(1, 5, 10)) -> dict[str, float]:
    """Return recall@k for each k (share of gold documents found in the top k) and MRR@10."""
    totals = {f"recall@{k}": 0.0 for k in ks}
    reciprocal = 0.0
    for question, ranking in zip(questions, rankings):
        ranked = unique_documents(ranking)
        for k in ks:
            totals[f"recall@{k}"] += len(question.gold & set(ranked[:k])) / len(question.gold)
        rank = next((i for i, d in enumerate(ranked[:10], start=1) if d in question.gold), None)
        reciprocal += 1.0 / rank if rank else 0.0
    count = max(len(questions), 1)
    scores = {name: round(value / count, 4) for name, value in totals.items()}
    scores["mrr@10"] = round(reciprocal / count, 4)
    scores["questions"] = len(questions)
    return scores


def evaluate(questions: Sequence[Question], rank: Ranker, depth: int = 30) -> dict[str, float]:
    """Rank documents for every question with rank(question, depth) and score them."""
    return score_rankings(questions, [rank(q.text, depth) for q in questions])


def main(argv: list[str] | None = None) -> int:
    """Print recall@k and MRR of each search mode over an indexed data folder."""
    import argparse

    from assistant.components import build_index
    from assistant.offline import enforce_offline
    from assistant.settings import Settings
    from retrieval.access import UNRESTRICTED

    parser = argparse.ArgumentParser(prog="python -m evals.retrieval", description=main.__doc__)
    parser.add_argument("questions", type=Path, help="JSONL with question and gold_doc_ids per line")
    parser.add_argument("--data-dir", type=Path, required=True, help="index folder holding the corpus")
    parser.add_argument("--split", default="train", help="question split to use (default: train)")
    args = parser.parse_args(argv)
    enforce_offline()
    index = build_index(Settings(data_dir=args.data_dir))
    questions = load_questions(args.questions, split=args.split)
    for mode in ("hybrid", "dense", "bm25"):
        scores = evaluate(questions, lambda text, depth: [h.document_id for h in index.search(text, depth, mode, reader=UNRESTRICTED)])
        print(json.dumps({"mode": mode, **scores}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
