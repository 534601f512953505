"""Minutes end to end in process: Vietnamese cases, QMSum in parts, model summaries, guardrails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.errors import GateRejection
from assistant.llm.fake import FakeLLM
from assistant.minutes import (
    MinutesInput,
    MinutesService,
    merge_items,
    minutes_to_draft_fields,
    minutes_to_sections,
    parse_transcript,
    split_parts,
)
from assistant.minutes.extract import Item, normalize
from guardrails import AuditLog, ClassificationGate
from tests.conftest import require_data

CASES = Path(__file__).resolve().parents[1] / "evals" / "cases" / "minutes_vi"
EXPECTED = [json.loads(line) for line in (CASES / "expected.jsonl").read_text(encoding="utf-8").splitlines()]


def _build(text: str, **kwargs) -> dict:  # noqa: ANN003
    service = MinutesService(**kwargs)
    return service.build(MinutesInput(parse_transcript(text), source_text=text)).to_dict()


@pytest.mark.parametrize("case", EXPECTED, ids=[c["file"] for c in EXPECTED])
def test_vietnamese_case_items(case: dict) -> None:
    minutes = _build((CASES / case["file"]).read_text(encoding="utf-8"))
    assert minutes["date"] == case["date"]
    assert minutes["turn_count"] == case["turns"]
    assert len(minutes["participants"]) == case["speakers"]
    decisions = [d["text"] for d in minutes["decisions"]]
    assert len(decisions) == len(case["decisions"])
    for expected in case["decisions"]:
        assert any(expected in d for d in decisions), expected
    found = [(a["owner"], a["due"]) for a in minutes["action_items"]]
    assert found == [(e["owner"], e["due"]) for e in case["actions"]]
    for action, expected in zip(minutes["action_items"], case["actions"]):
        assert expected["task"] in action["task"]
    questions = [q["text"] for q in minutes["open_questions"]]
    assert len(questions) == len(case["open_questions"])
    for expected in case["open_questions"]:
        assert any(expected in q for q in questions), expected


def test_summary_cites_existing_turns() -> None:
    minutes = _build((CASES / EXPECTED[0]["file"]).read_text(encoding="utf-8"))
    assert 3 <= len(minutes["summary"]) <= 8
    assert all(1 <= t <= minutes["turn_count"] for s in minutes["summary"] for t in s["turns"])
    assert minutes["summary_mode"] == "extractive"


def test_sections_of_bien_ban() -> None:
    minutes = _build((CASES / EXPECTED[0]["file"]).read_text(encoding="utf-8"))
    sections = minutes_to_sections(minutes)
    assert [s["heading"] for s in sections] == [
        "Thành phần tham dự", "Nội dung cuộc họp", "Kết luận", "Phân công thực hiện", "Các vấn đề chưa thống nhất"]
    assert "Sở Xây dựng: chủ trì" in sections[3]["paragraphs"][0]
    assert sections[3]["paragraphs"][1].endswith("(thời hạn: 2025-09-15)")
    fields = minutes_to_draft_fields(minutes)
    assert fields["date"] == "2025-09-03"
    assert fields["participants"][0] == "Bà Đinh Thu Trang (Chủ tọa)"


def test_merge_unions_turns_and_keeps_owners_apart() -> None:
    items = [
        Item("Sở Xây dựng chủ trì rà soát.", [4], "Sở Xây dựng", "chủ trì rà soát"),
        Item("Sở Xây dựng chủ trì rà soát!", [9], "Sở Xây dựng", "chủ trì rà soát"),
        Item("Sở Tài chính chủ trì rà soát.", [5], "Sở Tài chính", "chủ trì rà soát"),
    ]
    merged = merge_items(items)
    assert [(i.owner, i.turns) for i in merged] == [("Sở Xây dựng", [4, 9]), ("Sở Tài chính", [5])]


def test_parts_cover_every_turn_once() -> None:
    text = "\n".join(f"Bà Hoa: Câu số {n} của cuộc họp có tám từ." for n in range(1, 101))
    turns = parse_transcript(text)
    parts = split_parts(turns, part_words=90, overlap=3)
    owned = [i for part in parts for i in sorted(part.owned)]
    assert owned == list(range(1, 101))
    assert len(parts) == 10
    assert [t.id for t in parts[1].turns][:4] == [8, 9, 10, 11]


def _qmsum_turns(name: str):  # noqa: ANN202
    from evals.suites.minutes import load_qmsum

    return load_qmsum(require_data("meetings_qmsum") / "committee" / name)[0]


def _keys(items: list[dict]) -> list[tuple]:
    return [(normalize(i["text"]), i.get("owner"), tuple(i["turns"])) for i in items]


@pytest.mark.slow
def test_qmsum_parts_match_single_pass() -> None:
    turns = _qmsum_turns("covid_9.json")
    assert sum(len(t.text.split()) for t in turns) > 15_000
    in_parts = MinutesService().build(MinutesInput(turns, language="en")).to_dict()
    whole = MinutesService(part_words=10**9).build(MinutesInput(turns, language="en")).to_dict()
    assert in_parts["parts"] >= 6
    assert whole["parts"] == 1
    for kind in ("decisions", "action_items", "open_questions"):
        keys = _keys(in_parts[kind])
        assert len(keys) == len({(k[0], k[1]) for k in keys}), f"duplicate {kind}"
        assert keys == _keys(whole[kind]), kind


def test_generated_summary_keeps_supported_sentences() -> None:
    text = (CASES / EXPECTED[0]["file"]).read_text(encoding="utf-8")
    extractive = _build(text)["summary"]
    replies = [
        "Cuộc họp thống nhất ưu tiên hoàn thành tuyến Hàng Lụa trước ngày 31/12/2025 [4]. "
        "Thành phố sẽ xây thêm 40 bãi đỗ xe ngầm trong năm 2026 [2]."
    ]
    minutes = _build(text, llm=FakeLLM(replies))
    assert minutes["summary_mode"] == "mixed"
    first, second = minutes["summary"]
    assert first["turns"] == extractive[3]["turns"]
    assert "31/12/2025" in first["text"]
    assert second == extractive[1]
    assert "40 bãi đỗ xe" not in json.dumps(minutes, ensure_ascii=False)


def test_model_failure_falls_back_to_extractive() -> None:
    text = (CASES / EXPECTED[1]["file"]).read_text(encoding="utf-8")
    minutes = _build(text, llm=FakeLLM(["Không có số nào ở đây cả."]))
    assert minutes["summary_mode"] == "extractive"
    assert minutes["summary"] == _build(text)["summary"][: len(minutes["summary"])]


def test_gate_rejects_marked_transcript(tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.sqlite3")
    service = MinutesService(gate=ClassificationGate(), audit=audit)
    with pytest.raises(GateRejection):
        service.check_gate("TỐI MẬT\n\nBà Lan: Nội dung cuộc họp.", "req-7")
    records = audit.records(limit=5)
    assert records[0]["action"] == "minutes_gate"
    assert records[0]["decision"] == "blocked"
    assert "Nội dung" not in json.dumps(records, ensure_ascii=False)


@pytest.mark.slow
def test_model_sees_pseudonyms_only(redactor, tmp_path: Path) -> None:  # noqa: ANN001
    text = ("Bà Nguyễn Thị Lan: Cuộc họp thống nhất chọn phương án hai cho tuyến phố Hàng Bông.\n"
            "Ông Trần Văn Quý: Tôi sẽ gửi dự toán, số điện thoại của tôi là 0912 345 678.")
    llm = FakeLLM()
    audit = AuditLog(tmp_path / "audit.sqlite3")
    minutes = _build(text, llm=llm, redactor=redactor, audit=audit)
    prompt = json.dumps(llm.prompts, ensure_ascii=False)
    assert "Nguyễn Thị Lan" not in prompt
    assert "0912 345 678" not in prompt
    assert "<PERSON_" in prompt or "<PHONE_NUMBER_" in prompt
    assert "<" not in json.dumps(minutes["summary"], ensure_ascii=False)
    actions = [r["action"] for r in audit.records(limit=10)]
    assert "minutes_pseudonymization" in actions
    assert "minutes_built" in actions


@pytest.mark.slow
def test_llamacpp_summary_is_checked(redactor, tmp_path: Path) -> None:  # noqa: ANN001
    """The real model writes the summary; whatever it writes, each kept sentence rests on its turns."""
    from assistant.grounding import check_answer
    from assistant.llm import build_llm
    from assistant.settings import Settings

    llm = build_llm(Settings(data_dir=tmp_path, llm_backend="llamacpp", llm_max_new_tokens=200))
    case = EXPECTED[0]
    text = (CASES / case["file"]).read_text(encoding="utf-8")
    extractive = _build(text)
    minutes = _build(text, llm=llm, redactor=redactor)
    assert minutes["summary_mode"] in ("generated", "mixed", "extractive")
    turns = {t.id: t.text for t in parse_transcript(text)}
    for sentence in minutes["summary"]:
        assert sentence["turns"], sentence
        if sentence in extractive["summary"]:
            continue
        cited = [turns[t] for t in sentence["turns"]]
        assert not check_answer(sentence["text"] + " [1]", [" ".join(cited)], "", 0.5).problems, sentence
    # The model writes only the summary: decisions and action items are the extractor's.
    assert minutes["decisions"] == extractive["decisions"]
    assert minutes["action_items"] == extractive["action_items"]
    assert "<PERSON_" not in json.dumps(minutes, ensure_ascii=False)


@pytest.mark.parametrize(("replaced", "sentences", "mode"),
                         [(0, 4, "generated"), (1, 4, "mixed"), (3, 4, "mixed"), (4, 4, "extractive"), (0, 0, "generated")])
def test_summary_mode_from_replacements(replaced: int, sentences: int, mode: str) -> None:
    from assistant.minutes.service import _summary_mode

    assert _summary_mode(replaced, sentences) == mode
