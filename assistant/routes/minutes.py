"""HTTP endpoints: meeting minutes from a transcript sent as JSON or as a file."""

from __future__ import annotations

import datetime
import logging
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from assistant.access import Caller, require
from assistant.drafting import DraftService
from assistant.drafting.models import DraftRequest, Recipient, Signer, StoredDraft
from assistant.errors import InputError
from assistant.minutes import (
    MAX_TRANSCRIPT_BYTES,
    MinutesInput,
    MinutesService,
    parse_transcript,
    read_transcript_file,
    turns_from_records,
)
from assistant.minutes.sections import minutes_to_draft_fields
from assistant.minutes.transcript import check_size
from assistant.sse import stream_events

log = logging.getLogger(__name__)

router = APIRouter(prefix="/v1/minutes", tags=["minutes"])

_MINUTES = Depends(require("minutes"))
_SAFE_NAME = re.compile(r"[^\w.\-]+", re.UNICODE)


class TurnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    speaker: str | None = Field(None, max_length=200)
    text: str


class MinutesRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "transcript": "Bà Lan: Cuộc họp thống nhất phương án 2.\nÔng Minh: Tôi sẽ gửi dự thảo trước ngày 15/9.",
            "date": "2025-09-03",
        }]},
    )
    transcript: str | None = Field(None, description="The transcript text: 'Name: text' lines, WebVTT, SRT "
                                   "or paragraphs. Send this or turns.")
    turns: list[TurnIn] | None = Field(None, max_length=20_000, description="Turns already split by speaker.")
    format: Literal["auto", "lines", "vtt", "srt"] = "auto"
    title: str | None = Field(None, max_length=300)
    date: datetime.date | None = Field(None, description="Meeting date; deadlines such as 15/9 resolve against it.")
    participants: list[str] | None = Field(None, max_length=500)
    language: Literal["vi", "en"] | None = None
    stream: bool = False
    use_llm: bool = Field(True, description="Let the language model, when configured, write the summary.")


class SummarySentenceModel(BaseModel):
    text: str
    turns: list[int]


class ItemModel(BaseModel):
    text: str
    turns: list[int]


class ActionItemModel(BaseModel):
    owner: str | None
    owner_missing: bool = False
    task: str | None
    due: str | None
    turns: list[int]
    text: str


_MINUTES_EXAMPLE = {
    "title": "Họp triển khai chứng thực bản sao điện tử",
    "date": "2025-09-08",
    "participants": ["Bà Nguyễn Thu Hà", "Ông Lê Quang Vinh", "Bà Phạm Thị Mai"],
    "summary": [
        {"text": "Hôm nay chúng ta họp về việc triển khai chứng thực bản sao điện tử tại các phường.", "turns": [1]},
        {"text": "Tôi đề nghị thí điểm trước tại phường Cầu Giấy và phường Nghĩa Đô.", "turns": [2]},
        {"text": "Cuộc họp thống nhất thí điểm tại hai phường từ ngày 01/10.", "turns": [3]},
        {"text": "Tôi sẽ gửi kế hoạch thí điểm trước ngày 20/9.", "turns": [4]},
    ],
    "decisions": [{"text": "Cuộc họp thống nhất thí điểm tại hai phường từ ngày 01/10.", "turns": [3]}],
    "action_items": [{
        "owner": "Ông Lê Quang Vinh",
        "owner_missing": False,
        "task": "gửi kế hoạch thí điểm trước ngày 20/9",
        "due": "2025-09-20",
        "turns": [4],
        "text": "Tôi sẽ gửi kế hoạch thí điểm trước ngày 20/9.",
    }],
    "open_questions": [{"text": "Kinh phí mua chữ ký số lấy từ nguồn nào?", "turns": [5]}],
    "language": "vi",
    "summary_mode": "extractive",
    "parts": 1,
    "turn_count": 5,
    "notes": [],
}


class MinutesResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_MINUTES_EXAMPLE]})
    title: str
    date: str | None
    participants: list[str]
    summary: list[SummarySentenceModel]
    decisions: list[ItemModel]
    action_items: list[ActionItemModel]
    open_questions: list[ItemModel]
    language: str
    summary_mode: Literal["extractive", "generated", "mixed"]
    parts: int
    turn_count: int
    notes: list[str]


# The schema of the JSON response comes from response_model, and this documents the event-stream variant.
_STREAM_DOC = {200: {
    "description": (
        'The minutes as JSON; with stream=true, server-sent events instead: `progress` with {"stage": '
        '"extracting" or "summarising", "part": n, "parts": total} for each part of the transcript and for the '
        'summary; `done` with the MinutesResponse object; `error` with {"detail": message} when building the '
        "minutes fails after the stream started."
    ),
    "content": {"text/event-stream": {
        "schema": {"type": "string"},
        "example": 'event: progress\ndata: {"stage": "extracting", "part": 1, "parts": 1}\n\n'
                   'event: progress\ndata: {"stage": "summarising", "part": 1, "parts": 1}\n\n'
                   'event: done\ndata: {"title": "Họp triển khai chứng thực bản sao điện tử", …}\n\n',
    }},
}}


class MinutesDraftRequest(BaseModel):
    """Minutes returned by POST /v1/minutes, and who issues and signs their Biên bản."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "minutes": _MINUTES_EXAMPLE,
        "issuing_body": "SỞ TƯ PHÁP",
        "parent_body": "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI",
        "issuing_symbol": "STP",
        "signer": {"name": "Nguyễn Thu Hà", "title": "PHÓ GIÁM ĐỐC", "on_behalf": "KT. GIÁM ĐỐC"},
        "recipients": ["Phòng Hành chính tư pháp"],
        "place": "Hà Nội",
    }]})
    minutes: MinutesResponse
    issuing_body: str = Field(min_length=1, max_length=300)
    parent_body: str | None = Field(None, max_length=300)
    issuing_symbol: str = Field(min_length=1, max_length=40)
    signer: Signer
    recipients: list[Recipient] = Field(default_factory=list, max_length=50)
    place: str = Field("Hà Nội", min_length=1, max_length=100)


@router.post("", response_model=MinutesResponse, responses=_STREAM_DOC)
def minutes_from_json(body: MinutesRequest, request: Request, caller: Caller = _MINUTES):  # noqa: ANN201
    """Build minutes from a transcript or from turns; stream=true sends progress events."""
    if (body.transcript is None) == (body.turns is None):
        raise InputError("send exactly one of 'transcript' (text) or 'turns' (a list of {speaker, text})")
    if body.transcript is not None:
        check_size(len(body.transcript.encode("utf-8")), "transcript")
        turns = parse_transcript(body.transcript, body.format)
        source = body.transcript
    else:
        records = [t.model_dump() for t in body.turns or []]
        source = "\n".join(f"{r['speaker'] or ''}: {r['text']}" for r in records)
        check_size(len(source.encode("utf-8")), "turns")
        turns = turns_from_records(records)
    assistant = request.app.state.assistant
    service = _service(assistant, body.use_llm)
    job = MinutesInput(turns, body.title, body.date, body.participants, body.language, body.use_llm, source)
    service.check_gate(source, request.state.request_id, request=job)
    return _respond(service, job, body.stream, request.state.request_id)


@router.post("/file", response_model=MinutesResponse, responses=_STREAM_DOC)
def minutes_from_file(
    request: Request,
    file: UploadFile = File(..., description=".txt, .vtt, .srt or .docx transcript, at most 2 MiB"),
    title: str | None = Form(None, max_length=300, description="Meeting title, by default 'Biên bản cuộc họp'"),
    date: str | None = Form(None, description="Meeting date as YYYY-MM-DD"),
    participants: str | None = Form(None, description="Participants, one per line or separated by ';'"),
    language: Literal["vi", "en"] | None = Form(None, description="Language of the minutes, detected when left out"),
    stream: bool = Form(False, description="Send progress and the minutes as server-sent events"),
    use_llm: bool = Form(True, description="Let the language model, when configured, write the summary"),
    caller: Caller = _MINUTES,
):  # noqa: ANN201 - JSON or a stream
    """Build minutes from an uploaded transcript file."""
    name = file.filename or "transcript"
    data = file.file.read(MAX_TRANSCRIPT_BYTES + 1)
    if not data:
        raise InputError(f"{name!r} is empty; upload the transcript file with its content")
    check_size(len(data), name)
    text = read_transcript_file(data, name)
    turns = parse_transcript(text)
    assistant = request.app.state.assistant
    service = _service(assistant, use_llm)
    names = [p.strip() for p in re.split(r"[;\n]", participants or "") if p.strip()] or None
    job = MinutesInput(turns, title, _parse_date(date), names, language, use_llm, text)
    service.check_gate(text, request.state.request_id, _file_decision(assistant, name, data, text), request=job)
    return _respond(service, job, stream, request.state.request_id)


@router.post("/draft", response_model=StoredDraft)
def minutes_as_draft(body: MinutesDraftRequest, request: Request,
                     caller: Caller = Depends(require("draft"))) -> StoredDraft:
    """Store the minutes as a Biên bản draft, laid out in the national format (Word at /v1/drafts/{id}.docx).

    The draft's sections are the minutes' own items; they are also its facts, so the draft's
    check accepts what the minutes say and nothing more."""
    minutes = body.minutes.model_dump(mode="json")
    fields = minutes_to_draft_fields(minutes)
    facts = [text for section in fields["sections"] for text in section["paragraphs"]]
    if len(facts) > 200:
        raise InputError(f"the minutes hold {len(facts)} items; a draft takes at most 200, so split the meeting")
    draft = DraftRequest(
        doc_type="BB", subject=minutes["title"], facts=facts, sections=fields["sections"],
        issuing_body=body.issuing_body, parent_body=body.parent_body, issuing_symbol=body.issuing_symbol,
        recipients=body.recipients, signer=body.signer, place=body.place, language=minutes["language"],
        **({"date": datetime.date.fromisoformat(minutes["date"])} if minutes.get("date") else {}),
    )
    return DraftService(request.app.state.assistant).create(draft, caller, request.state.request_id)


def _service(assistant, use_llm: bool) -> MinutesService:  # noqa: ANN001 - assistant.service.Assistant
    """Build the service; the model (and the redactor that guards it) load only when used."""
    llm = assistant.llm if use_llm else None
    redactor = assistant.redactor if llm is not None else None
    return MinutesService(llm, gate=assistant.gate, redactor=redactor, audit=assistant.audit,
                          support_threshold=assistant.settings.support_threshold)


def _file_decision(assistant, name: str, data: bytes, text: str):  # noqa: ANN001, ANN202 - GateDecision
    """Check the saved file too, because a .docx can carry a mark in a header, footer or property."""
    from guardrails import GateReadError  # noqa: PLC0415

    safe = _SAFE_NAME.sub("_", Path(name).name).strip("._")[-80:] or "transcript.txt"
    with tempfile.TemporaryDirectory(prefix="minutes-") as folder:
        path = Path(folder) / safe
        path.write_bytes(data)
        try:
            return assistant.gate.check_file(path, body_text=text)
        except GateReadError as exc:
            reason = str(exc).replace(folder + "/", "")
            raise InputError(f"{name!r} cannot be read completely ({reason}); save it again and upload it") from None


def _parse_date(value: str | None) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"date {value!r} is not a date in the form YYYY-MM-DD, such as 2025-09-03") from None


def _respond(service: MinutesService, job: MinutesInput, stream: bool, request_id: str):  # noqa: ANN202
    if not stream:
        return service.build(job, request_id).to_dict()
    return StreamingResponse(_sse(service.events(job, request_id)), media_type="text/event-stream")


def _sse(events: Iterator[tuple[str, object]]) -> Iterator[str]:
    """Format progress events, then the minutes as a "done" event, as server-sent events."""
    return stream_events(events, _render_minutes_event, "minutes",
                         "building the minutes failed; try again or contact the administrator")


def _render_minutes_event(event: str, data: object) -> Iterator[tuple[str, dict]]:
    yield event, data if event == "progress" else data.to_dict()  # type: ignore[attr-defined, misc]
