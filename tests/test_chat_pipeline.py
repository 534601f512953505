"""The answer pipeline with a scripted model: which path answers, and why.

The same behaviours run against the real models in test_server_real.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.chat import ChatService
from assistant.errors import InputError
from assistant.llm.fake import FakeLLM
from assistant.settings import Settings
from retrieval.access import UNRESTRICTED
from retrieval.documents import ParsedDocument
from retrieval.embeddings import HashingEmbedder
from retrieval.index import DocumentIndex
from retrieval.ingest import IngestLimits, Ingestor
from guardrails import ClassificationGate

LAW = """Luật Cư trú
Điều 20. Điều kiện đăng ký thường trú
1. Công dân có chỗ ở hợp pháp thuộc quyền sở hữu của mình thì được đăng ký thường trú tại chỗ ở hợp pháp đó.
Điều 22. Thủ tục đăng ký thường trú
1. Người đăng ký thường trú nộp hồ sơ đăng ký thường trú đến cơ quan đăng ký cư trú nơi mình cư trú.
2. Trong thời hạn 07 ngày làm việc kể từ ngày nhận được hồ sơ đầy đủ, cơ quan đăng ký cư trú có trách nhiệm thẩm định.
"""

QUESTION = "Thời hạn thẩm định hồ sơ đăng ký thường trú là bao nhiêu ngày làm việc?"


@pytest.fixture()
def index(tmp_path: Path) -> DocumentIndex:
    source = tmp_path / "luat-cu-tru.txt"
    source.write_text(LAW, encoding="utf-8")
    index = DocumentIndex(tmp_path / "data", HashingEmbedder)
    Ingestor(index, ClassificationGate(), IngestLimits(), max_tokens=256).ingest([source])
    return index


def service(index: DocumentIndex, llm: FakeLLM | None, **overrides: float) -> ChatService:
    values = {"min_dense_score": 0.2, "min_term_coverage": 0.5, **overrides}
    settings = Settings(data_dir=index.data_dir, **values)
    return ChatService(index, llm, settings)


def ask(chat: ChatService, question: str = QUESTION):
    return chat.answer([{"role": "user", "content": question}], reader=UNRESTRICTED)


def test_grounded_generated_answer_is_returned(index: DocumentIndex) -> None:
    reply = "Cơ quan đăng ký cư trú thẩm định trong thời hạn 07 ngày làm việc kể từ ngày nhận được hồ sơ đầy đủ [1]."
    result = ask(service(index, FakeLLM([reply])))
    assert result.mode == "generated"
    assert result.answered is True
    assert result.answer == reply
    assert [(c.n, c.document_id, c.locator) for c in result.citations] == [(1, "luat-cu-tru.txt", "Điều 22")]


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("Cơ quan đăng ký cư trú thẩm định trong 10 ngày làm việc [1].", "numbers not in the cited passages"),
        ("Cơ quan đăng ký cư trú thẩm định trong 07 ngày làm việc [4].", "names no passage"),
        ("Cơ quan đăng ký cư trú thẩm định trong 07 ngày làm việc.", "cites no passage"),
        ("NO_ANSWER", "declined"),
        ("The residence registration office checks the file within 07 working days [1].", "not in the language"),
    ],
)
def test_failed_check_falls_back_to_quotation(index: DocumentIndex, reply: str, reason: str) -> None:
    result = ask(service(index, FakeLLM([reply])))
    assert result.mode == "extractive"
    assert result.answered is True
    assert any(reason in r for r in result.reasons), result.reasons
    assert "07 ngày làm việc" in result.answer
    assert result.answer.startswith("Theo Luật Cư trú, Điều 22")
    assert result.citations[0].n == 1
    assert result.citations[0].document_id == "luat-cu-tru.txt"


def test_no_model_answers_by_quotation(index: DocumentIndex) -> None:
    result = ask(service(index, None))
    assert (result.mode, result.answered, result.reasons) == ("extractive", True, [])
    assert "«" in result.answer
    assert "[1]" in result.answer


def test_unrelated_question_is_not_answered(index: DocumentIndex) -> None:
    llm = FakeLLM(["should never be called"])
    result = ask(service(index, llm), "Giá vé tham quan bảo tàng hàng không vũ trụ?")
    assert result.answered is False
    assert result.citations == []
    assert result.answer == "Các tài liệu đã được lập chỉ mục không có thông tin để trả lời câu hỏi này."
    assert llm.prompts == []


def test_english_question_gets_english_framing(index: DocumentIndex) -> None:
    chat = service(index, None, min_term_coverage=0.0, min_dense_score=-1.0)
    result = ask(chat, "How many working days to verify a residence file?")
    assert result.language == "en"
    assert result.answer.startswith("According to Luật Cư trú")


def test_english_unanswerable_is_said_in_english(index: DocumentIndex) -> None:
    result = ask(service(index, None), "What is the price of a museum ticket?")
    assert result.answer == "The indexed documents do not answer this question."


def test_follow_up_sends_history_to_model(index: DocumentIndex) -> None:
    llm = FakeLLM()
    chat = service(index, llm)
    chat.answer([
        {"role": "user", "content": "Thủ tục đăng ký thường trú"},
        {"role": "assistant", "content": "Người đăng ký nộp hồ sơ [1]."},
        {"role": "user", "content": "Thời hạn thẩm định hồ sơ đăng ký thường trú bao lâu?"},
    ], reader=UNRESTRICTED)
    roles = [m["role"] for m in llm.prompts[0]]
    assert roles == ["system", "user", "assistant", "user"]
    assert "07 ngày làm việc" in llm.prompts[0][-1]["content"]


@pytest.mark.parametrize(
    ("messages", "message"),
    [
        ([], "messages is empty"),
        ([{"role": "user", "content": "   "}], "question is empty"),
        ([{"role": "system", "content": "x"}], "role is 'system'"),
        ([{"role": "user", "content": "x" * 5000}], "above the limit of 4000"),
        ([{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}], "last message must come from the user"),
    ],
)
def test_invalid_messages_are_rejected(index: DocumentIndex, messages: list, message: str) -> None:
    with pytest.raises(InputError, match=message):
        service(index, None).answer(messages, reader=UNRESTRICTED)


def test_model_sees_placeholders_and_caller_gets_values(index: DocumentIndex, redactor, tmp_path: Path) -> None:
    from guardrails import AuditLog, ClassificationGate

    question = "Tôi là Phạm Quốc Bảo, điện thoại 0903 222 111. Thời hạn thẩm định hồ sơ đăng ký thường trú?"
    reply = "Cơ quan đăng ký cư trú thẩm định trong 07 ngày làm việc kể từ ngày nhận được hồ sơ đầy đủ [1]."
    llm = FakeLLM(["Thưa ông <PERSON_1>: " + reply])
    audit = AuditLog(tmp_path / "audit.sqlite3")
    chat = ChatService(index, llm, Settings(data_dir=index.data_dir, min_dense_score=0.2),
                       gate=ClassificationGate(), redactor=redactor, audit=audit)
    result = chat.answer([{"role": "user", "content": question}], request_id="req-7", reader=UNRESTRICTED)
    prompt = "\n".join(m["content"] for m in llm.prompts[0])
    assert "Phạm Quốc Bảo" not in prompt
    assert "0903 222 111" not in prompt
    assert "<PERSON_1>" in prompt
    assert result.mode == "generated"
    assert result.answer.startswith("Thưa ông Phạm Quốc Bảo: ")
    records = {r["action"]: r for r in audit.records(limit=10)}
    assert records["chat_gate"]["decision"] == "allowed"
    assert records["chat_pseudonymization"]["entity_counts"] == {"PERSON": 1, "PHONE_NUMBER": 1}
    assert records["chat_pseudonymization"]["request_id"] == "req-7"
    assert "Phạm" not in str(audit.records(limit=10))


def test_marked_message_rejected_and_audited(index: DocumentIndex, tmp_path: Path) -> None:
    from assistant.errors import GateRejection
    from guardrails import AuditLog, ClassificationGate

    audit = AuditLog(tmp_path / "audit.sqlite3")
    chat = ChatService(index, FakeLLM(), Settings(data_dir=index.data_dir), gate=ClassificationGate(), audit=audit)
    with pytest.raises(GateRejection, match="TỐI MẬT"):
        chat.answer([{"role": "user", "content": "TỐI MẬT\n\nPhương án bảo vệ hội nghị"}], request_id="req-8", reader=UNRESTRICTED)
    [record] = audit.records(limit=10)
    assert (record["action"], record["decision"], record["request_id"]) == ("chat_gate", "blocked", "req-8")
    assert "Phương án" not in str(record)


@pytest.mark.parametrize(
    ("reply", "expected_mode", "expected_decision"),
    [
        ("TUYỆT MẬT: cơ quan đăng ký cư trú thẩm định trong thời hạn 07 ngày làm việc kể từ ngày nhận được "
         "hồ sơ đầy đủ [1].", "extractive", "blocked"),
        ("Cơ quan đăng ký cư trú thẩm định trong thời hạn 07 ngày làm việc kể từ ngày nhận được hồ sơ đầy đủ [1].",
         "generated", "allowed"),
    ],
)
def test_generated_answer_is_gated_and_audited(index: DocumentIndex, tmp_path: Path, reply: str,
                                               expected_mode: str, expected_decision: str) -> None:
    from guardrails import AuditLog

    audit = AuditLog(tmp_path / "audit.sqlite3")
    settings = Settings(data_dir=index.data_dir, min_dense_score=0.2, min_term_coverage=0.5)
    chat = ChatService(index, FakeLLM([reply]), settings, gate=ClassificationGate(), audit=audit)
    result = chat.answer([{"role": "user", "content": QUESTION}], request_id="req-9", reader=UNRESTRICTED)
    assert result.mode == expected_mode
    assert "TUYỆT MẬT" not in result.answer
    decisions = [(r["action"], r["decision"]) for r in audit.records(limit=10) if r["action"] == "answer_gate"]
    assert decisions == [("answer_gate", expected_decision)]
    assert "thẩm định" not in str(audit.records(limit=10))
