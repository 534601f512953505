"""Retrieval on Vietnamese law: recall@k and MRR@10 per search method, and chat citations.

Data: the 100 training questions of ALQAC 2023 with their gold article ids,
over the 2,249 articles of legal_vi_alqac2023 (the runner indexes them).
BM25 alone is the baseline. A sample of the questions goes through the chat,
and an answer counts as correctly cited when one of its citations is a gold
article.
"""

from __future__ import annotations

from evals.common import cap, numeric, progress, share
from evals.environment import describe_file
from evals.plots import recall_curves
from evals.retrieval import load_questions, score_rankings
from evals.suites import SuiteContext, SuiteResult
from evals.target import target_for

NAME = "retrieval"
METHODS = ("hybrid", "dense", "bm25")
CURVE_KS = (1, 3, 5, 10, 20)
REPORTED_KS = (1, 5, 10)
SEARCH_DEPTH = 30
# Each chat takes 30 to 60 s with the 1.5B model on 2 CPU cores.
CHAT_SAMPLE = 10
QUESTIONS_FILE = "legal_vi_alqac2023/questions.jsonl"


def run(ctx: SuiteContext) -> SuiteResult:
    result = SuiteResult(NAME)
    path = ctx.data_dir / QUESTIONS_FILE
    questions = cap(load_questions(path, split="train"), None, ctx.limit)
    target = target_for(ctx)
    curves = {}
    for method in METHODS:
        rankings = [
            target.search(question.text, SEARCH_DEPTH, method)
            for question in progress(questions, ctx, f"retrieval {method}")
        ]
        scores = score_rankings(questions, rankings, ks=CURVE_KS)
        curves[method] = {k: scores[f"recall@{k}"] for k in CURVE_KS}
        for k in REPORTED_KS:
            result.metrics[f"{method}.recall@{k}"] = scores[f"recall@{k}"]
        result.metrics[f"{method}.mrr@10"] = scores["mrr@10"]
        _keep_misses(result, method, questions, rankings)
    result.baselines = {name: value for name, value in result.metrics.items() if name.startswith("bm25.")}
    result.metrics.update(numeric(_citations(ctx, target, questions, result)))
    result.plots.append(recall_curves(ctx.out_dir / "retrieval_recall_at_k.png", curves,
                                      f"ALQAC 2023, {len(questions)} questions").name)
    result.datasets["legal questions"] = describe_file(path, len(questions))
    result.datasets["legal articles"] = describe_file(ctx.data_dir / "legal_vi_alqac2023" / "corpus.jsonl")
    result.notes.append(
        f"Search returned {SEARCH_DEPTH} passages per question; several passages of one article count once. "
        "BM25 alone is the baseline."
    )
    return result


def _keep_misses(result: SuiteResult, method: str, questions, rankings) -> None:  # noqa: ANN001
    """Keep up to three questions whose gold article is not in the top 10, as examples."""
    misses = 0
    for question, ranking in zip(questions, rankings):
        top = list(dict.fromkeys(ranking))[:10]
        if question.gold & set(top) or misses >= 3:
            continue
        misses += 1
        result.failures.append({"check": f"{method} recall@10", "question_id": question.question_id,
                                "gold": sorted(question.gold), "top3": top[:3]})


def _citations(ctx: SuiteContext, target, questions, result: SuiteResult) -> dict[str, float | None]:  # noqa: ANN001
    sample = cap(questions, CHAT_SAMPLE, ctx.limit)
    answered = correct = 0
    for question in progress(sample, ctx, "retrieval chat citations"):
        answer = target.chat(question.text)
        cited = {citation["document_id"] for citation in answer["citations"]}
        answered += bool(answer["answered"])
        if answer["answered"] and cited & question.gold:
            correct += 1
        else:
            result.failures.append({"check": "chat citation", "question_id": question.question_id,
                                    "answered": answer["answered"], "cited": sorted(cited)[:3]})
    result.notes.append(f"Chat citation accuracy: the first {len(sample)} questions through the chat.")
    return {"chat.citation_accuracy": share(correct, len(sample)), "chat.answered": share(answered, len(sample))}
