"""Retrieval and answers on real Vietnamese law: the ALQAC 2023 articles and
questions from DATA_DIR, through the real server.

The floors sit a little below the measured values recorded in
docs/benchmarks.md, so that a real regression fails and noise does not.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from evals.retrieval import load_questions, score_rankings
from tests.conftest import Server, ingest_json, require_data

pytestmark = [pytest.mark.slow, pytest.mark.real_data]

FLOORS = {
    "hybrid": {"recall@5": 0.96, "mrr@10": 0.90},
    "dense": {"recall@5": 0.95, "mrr@10": 0.83},
    "bm25": {"recall@5": 0.91, "mrr@10": 0.80},
}

# Questions whose gold article hybrid search ranks first; the chat must cite it.
CHAT_QUESTIONS = ["DS-1", "DS-4", "DS-12", "DS-19", "DS-25"]


@pytest.fixture(scope="module")
def legal_data() -> Path:
    return require_data("legal_vi_alqac2023")


@pytest.fixture(scope="module")
def legal_server(legal_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("legal-index")
    results = ingest_json(data_dir, legal_data / "corpus.jsonl")
    statuses = {r["status"] for r in results}
    assert statuses == {"indexed"}, [r for r in results if r["status"] != "indexed"][:3]
    assert len(results) == 2249
    server = Server(data_dir, tmp_path_factory.mktemp("logs") / "legal-server.log")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def questions(legal_data: Path):
    return load_questions(legal_data / "questions.jsonl", split="train")


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_recall_and_mrr_through_search_api(legal_server: Server, questions, mode: str) -> None:
    rankings = []
    for question in questions:
        response = legal_server.client.post("/v1/search", json={"query": question.text, "k": 20, "mode": mode})
        assert response.status_code == 200
        rankings.append([hit["document_id"] for hit in response.json()["hits"]])
    scores = score_rankings(questions, rankings)
    print(f"\n{mode}: {scores}")
    assert scores["questions"] == 100
    for metric, floor in FLOORS[mode].items():
        assert scores[metric] >= floor, f"{mode} {metric} {scores[metric]} is below the floor {floor}"


@pytest.mark.parametrize("question_id", CHAT_QUESTIONS)
def test_chat_cites_gold_article(legal_server: Server, questions, question_id: str) -> None:
    question = next(q for q in questions if q.question_id == question_id)
    response = legal_server.client.post("/v1/chat", json={"messages": [{"role": "user", "content": question.text}]})
    assert response.status_code == 200
    result = response.json()
    print(f"\n{question_id} {result['mode']}: {result['answer'][:200]}")
    assert result["answered"] is True
    assert result["language"] == "vi"
    assert {c["document_id"] for c in result["citations"]} & question.gold, result["citations"]


def test_chat_refuses_question_outside_the_laws(legal_server: Server) -> None:
    question = "Giá vé máy bay từ Hà Nội đi Paris vào tháng 12 là bao nhiêu?"
    result = legal_server.client.post("/v1/chat", json={"messages": [{"role": "user", "content": question}]}).json()
    assert result["answered"] is False
    assert result["citations"] == []
