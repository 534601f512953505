"""The classification gate: keep marked documents and messages away from the assistant.

The gate looks for secrecy marks (TUYỆT MẬT, TỐI MẬT, MẬT), handling marks,
internal-circulation labels and English classification labels in every part
of a file, and blocks the file when its policy blocks a level it found.
Each decision lists the marks found and a reason for each, so a reviewer can
see why a file was kept out.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from guardrails.errors import GateReadError
from guardrails.marks import LEVELS, LOCATIONS, MarkFinding, TextScan, is_label_name, scan_filename, scan_text
from guardrails.policy import Policy, default_policy
from guardrails.sources import TextPart, read_parts

logger = logging.getLogger(__name__)

_KIND_OF_LEVEL = {
    "TUYET_MAT": "secrecy mark",
    "TOI_MAT": "secrecy mark",
    "MAT": "secrecy mark",
    "INTERNAL": "internal-circulation label",
    "CONFIDENTIAL": "classification label",
    "SECRET": "classification label",
    "TOP_SECRET": "classification label",
    "RESTRICTED": "classification label",
    "OFFICIAL_SENSITIVE": "classification label",
    "HANDLING": "handling mark",
}


@dataclass(frozen=True)
class GateDecision:
    """Whether a file or message may reach the assistant, and why.

    level is the highest level found that the policy blocks, or None when
    nothing blocks. findings lists every mark found, blocking or not, and
    reasons explains each finding in words, or states that none was found.
    """

    allowed: bool
    level: str | None
    findings: tuple[MarkFinding, ...]
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the decision as JSON-ready built-in types."""
        return {
            "allowed": self.allowed,
            "level": self.level,
            "findings": [asdict(finding) for finding in self.findings],
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class _PartScan:
    part: TextPart
    scan: TextScan


class ClassificationGate:
    """Check text and files for marks and decide with a policy."""

    def __init__(self, policy: Policy | None = None) -> None:
        self.policy = policy if policy is not None else default_policy()

    def check_text(self, text: str, location: str = "message") -> GateDecision:
        """Check one text, such as a chat message, reporting marks at location."""
        if location not in LOCATIONS:
            raise ValueError(f"unknown location {location!r}; known locations: {', '.join(LOCATIONS)}")
        part = TextPart(location, text)
        decision = self._decide([_scan_part(part)])
        logger.info(
            "gate checked text at %s: allowed=%s level=%s findings=%d",
            location,
            decision.allowed,
            decision.level,
            len(decision.findings),
        )
        return decision

    def check_fields(self, fields: Mapping[str, str], location: str = "body") -> GateDecision:
        """Check named texts, such as a record's title and text or a request's fields, each on its own.

        Each field is scanned as a separate text, so a mark that opens one
        field still opens a line. The field name is the reported detail, and
        a field named like a classification label ("classification",
        "do_mat") counts in any letter case.
        """
        if location not in LOCATIONS:
            raise ValueError(f"unknown location {location!r}; known locations: {', '.join(LOCATIONS)}")
        parts = [TextPart(location, text, name, labelled=is_label_name(name)) for name, text in fields.items()]
        decision = self._decide([_scan_part(part) for part in parts])
        logger.info(
            "gate checked %d fields at %s: allowed=%s level=%s findings=%d",
            len(parts),
            location,
            decision.allowed,
            decision.level,
            len(decision.findings),
        )
        return decision

    def check_file(self, path: Path | str, body_text: str | None = None) -> GateDecision:
        """Check a file's name, body and the parts that text extraction drops.

        body_text, when given, is the body as the caller's parser extracted
        it; otherwise the gate extracts the body itself. Raises GateReadError
        when a part cannot be read completely; quarantine the file then.
        """
        path = Path(path)
        try:
            parts = read_parts(path, body_text)
        except GateReadError as error:
            # The path is left out of the log because file names can carry personal data.
            logger.warning("gate could not read a %s file: %s", path.suffix or "suffix-less", error.reason)
            raise
        decision = self._decide([_scan_part(part) for part in parts])
        logger.info(
            "gate checked a %s file in %d parts: allowed=%s level=%s findings=%d",
            path.suffix or "suffix-less",
            len(parts),
            decision.allowed,
            decision.level,
            len(decision.findings),
        )
        return decision

    def _decide(self, scans: list[_PartScan]) -> GateDecision:
        findings: list[MarkFinding] = []
        reasons: list[str] = []
        for item in scans:
            for finding in item.scan.findings:
                findings.append(finding)
                reasons.append(self._finding_reason(finding, item.part.detail))
            for line in item.scan.declassified_lines:
                where = _describe_place(item.part.location, item.part.detail, line)
                reasons.append(
                    f'declassification stamp "GIẢI MẬT" in {where} is not a secrecy mark and does not clear other marks'
                )
        blocked = {finding.level for finding in findings if self.policy.blocks(finding.level)}
        level = next((name for name in LEVELS if name in blocked), None)
        if not findings:
            checked = sorted({item.part.location for item in scans}, key=LOCATIONS.index)
            reasons.append("no secrecy mark, handling mark or classification label found in " + ", ".join(checked))
        return GateDecision(
            allowed=level is None,
            level=level,
            findings=tuple(findings),
            reasons=tuple(dict.fromkeys(reasons)),
        )

    def _finding_reason(self, finding: MarkFinding, detail: str | None) -> str:
        where = _describe_place(finding.location, detail, finding.line)
        reason = f'{_KIND_OF_LEVEL[finding.level]} "{finding.mark}" in {where}'
        if not self.policy.blocks(finding.level):
            reason += f"; level {finding.level} is not blocked by policy {self.policy.source}"
        return reason


def _scan_part(part: TextPart) -> _PartScan:
    if part.location == "filename":
        return _PartScan(part, scan_filename(part.text))
    scan = scan_text(part.text, part.location, labelled=part.labelled)
    if part.levels is not None:
        counted = tuple(finding for finding in scan.findings if finding.level in part.levels)
        scan = TextScan(counted, scan.declassified_lines)
    return _PartScan(part, scan)


def _describe_place(location: str, detail: str | None, line: int | None) -> str:
    """Describe where a mark sits, e.g. "header (line 2)" or "docx_properties (keywords)"."""
    notes = [note for note in (detail, f"line {line}" if line is not None else None) if note]
    return f"{location} ({', '.join(notes)})" if notes else location
