"""Drafting: the layout and the fact check over the project's invented requests.

Each case of evals/cases/drafting.jsonl (two per document type, one
Vietnamese and one English) is drafted by the in-process assistant, or by a
server through POST /v1/drafts when one is given. The suite checks the
layout rules independently of the composer (national title, motto, number
line, V/v rule, recipients, signature) and counts the figures and dates of
the body that the request does not contain.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import httpx

from evals.common import cap, progress, share
from evals.plots import grouped_bars
from evals.suites import CASES_DIR, SuiteContext, SuiteResult

NAME = "drafting"
CASES_FILE = CASES_DIR / "drafting.jsonl"
HTTP_TIMEOUT_SECONDS = 600
NATIONAL = {"vi": ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"),
            "en": ("SOCIALIST REPUBLIC OF VIETNAM", "Independence - Freedom - Happiness")}
SYMBOLS = {"bao_cao": "BC", "cong_van": "", "to_trinh": "TTr", "ke_hoach": "KH", "thong_bao": "TB",
           "giay_moi": "GM", "bien_ban": "BB"}
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?!\w)")
_DATE = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/(\d{4})(?!\d)")


def load_cases() -> list[dict[str, Any]]:
    lines = CASES_FILE.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def run(ctx: SuiteContext) -> SuiteResult:
    result = SuiteResult(NAME)
    cases = cap(load_cases(), None, ctx.limit)
    passed_by_type: Counter[str] = Counter()
    total_by_type: Counter[str] = Counter()
    unsupported = invalid = check_passed = 0
    draft = _drafter(ctx)

    for case in progress(cases, ctx, "drafts"):
        produced = draft(case["request"])
        kind = case["expected_type"]
        total_by_type[kind] += 1
        problems = structure_problems(produced, case["request"], kind)
        passed_by_type[kind] += not problems
        result.failures += [{"case": case["id"], "check": problem} for problem in problems[:3]]
        figures = unsupported_figures(produced, case["request"])
        unsupported += len(figures)
        result.failures += [{"case": case["id"], "check": "figure in facts", "value": v} for v in figures[:3]]
        invalid += len(invalid_dates(produced))
        check_passed += produced["check"]["passed"]

    types = sorted(total_by_type)
    result.metrics["drafting.structure_pass_rate"] = share(sum(passed_by_type.values()), len(cases)) or 0.0
    result.metrics["drafting.unsupported_figures"] = float(unsupported)
    result.metrics["drafting.invalid_dates"] = float(invalid)
    result.metrics["drafting.check_pass_rate"] = share(check_passed, len(cases)) or 0.0
    for kind in types:
        result.metrics[f"drafting.{kind}.structure_pass_rate"] = share(passed_by_type[kind], total_by_type[kind]) or 0.0

    result.datasets["drafting cases"] = f"{CASES_FILE.name}, {len(cases)} invented requests"
    rates = [share(passed_by_type[k], total_by_type[k]) for k in types]
    plot = grouped_bars(ctx.out_dir / "drafting_structure.png", types, {"structure checks passed": rates},
                        "Drafting: structure checks passed per document type", "share of cases")
    result.plots.append(plot.name)
    result.notes.append("Structure and figures are checked by this suite's own rules, not by the drafting "
                        "fact check; drafting.check_pass_rate is the share of drafts whose own check passed.")
    return result


def _drafter(ctx: SuiteContext):  # noqa: ANN202 - request dict -> draft dict
    if ctx.server:
        client = httpx.Client(base_url=ctx.server, headers={"Authorization": f"Bearer {ctx.api_key or ''}"},
                              timeout=HTTP_TIMEOUT_SECONDS)

        def over_http(request: dict) -> dict:
            response = client.post("/v1/drafts", json=request)
            response.raise_for_status()
            return response.json()["draft"]

        return over_http
    from assistant.access import Caller
    from assistant.drafting import DraftRequest, DraftService

    service = DraftService(ctx.assistant)
    caller = Caller("evaluation", "evaluation", frozenset({"draft", "eval"}))
    return lambda request: service.build(DraftRequest.model_validate(request), caller, "eval-drafting").model_dump()


def structure_problems(draft: dict, request: dict, kind: str) -> list[str]:
    """Return the layout rules the draft breaks, each as a short phrase."""
    language = request.get("language", "vi")
    national, motto = NATIONAL[language]
    header = draft["header"]
    problems = []
    if header["national_title"] != national or header["motto"] != motto:
        problems.append("national title and motto")
    symbol = SYMBOLS[kind]
    issuer = request["issuing_symbol"]
    expected_symbol = f"{symbol}-{issuer}" if symbol else issuer + (f"-{request['drafting_unit']}"
                                                                   if request.get("drafting_unit") else "")
    if not re.fullmatch(rf"(Số|No\.):\s+(…|\d{{2,}})/{re.escape(expected_symbol)}", header["number"]):
        problems.append(f"number line {header['number']!r}")
    if symbol and (draft["regarding"] or not draft["title"]):
        problems.append("title without V/v line")
    if not symbol and (draft["title"] or not (draft["regarding"] or "").endswith(request["subject"])):
        problems.append("V/v line without title")
    entries = draft["recipients"]["entries"]
    if entries[:-1] != request.get("recipients", []) or "VT" not in entries[-1]:
        problems.append("recipients ending with the archive copy")
    if draft["signature"]["name"] != request["signer"]["name"] or not draft["signature"]["title"]:
        problems.append("signature")
    return problems


def _body_text(draft: dict) -> str:
    return "\n".join(p for s in draft["sections"] if s["origin"] != "sources" for p in s["paragraphs"])


def unsupported_figures(draft: dict, request: dict) -> list[str]:
    """Return the numbers of the body that the request's own text does not contain."""
    allowed = "\n".join([request["subject"], request.get("brief", ""), *request.get("facts", [])])
    allowed_numbers = {m.group() for m in _NUMBER.finditer(allowed)}
    body = re.sub(r"\[\d+\]", "", _body_text(draft))
    return [m.group() for m in _NUMBER.finditer(body) if m.group() not in allowed_numbers]


def invalid_dates(draft: dict) -> list[str]:
    import datetime

    found = []
    for match in _DATE.finditer(_body_text(draft)):
        day, month, year = (int(part) for part in match.groups())
        try:
            datetime.date(year, month, day)
        except ValueError:
            found.append(match.group())
    return found
