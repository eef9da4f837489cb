"""An answer cut into statements: one sentence or list item each, with the citation markers it carries
(DESIGN.md, "The answer contract")."""

from __future__ import annotations

import re
from dataclasses import dataclass

MARKER = re.compile(r"\s*\[(\d{1,2}(?:\s*[,;]\s*\d{1,2})*)\]")
SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"”')*]*\s+(?=[\[A-Z0-9\"“(*$])")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d{1,2}[.)])\s+(?:\[[ xX]\]\s+)?")
MD = re.compile(r"\*\*|__|`|^#+\s*")


@dataclass(frozen=True)
class Statement:
    text: str  # without markers and list bullets
    markers: tuple[int, ...]
    item: bool  # a list item rather than a sentence
    line: int  # which line of the answer it came from


def split_statements(answer: str) -> list[Statement]:
    out: list[Statement] = []
    for ln, raw in enumerate(answer.splitlines()):
        line = raw.strip()
        if not line:
            continue
        item = bool(_BULLET.match(line))
        line = _BULLET.sub("", line)
        pieces = [line] if item else SENTENCE_BREAK.split(line)
        # A marker written after the full stop ("... weeks. [1] Next") belongs to the sentence before.
        merged: list[str] = []
        for piece in pieces:
            lead = re.match(r"^((?:\s*\[\d[\d,;\s]*\])+)\s*(.*)$", piece)
            if lead and merged:
                merged[-1] += " " + lead.group(1).strip()
                piece = lead.group(2)
            if piece.strip():
                merged.append(piece)
        for piece in merged:
            markers = tuple(int(n) for m in MARKER.finditer(piece) for n in re.split(r"[,;]\s*", m.group(1)))
            text = MD.sub("", MARKER.sub("", piece)).strip()
            text = re.sub(r"\s+([.,;:!?])", r"\1", text)
            if text:
                out.append(Statement(text, markers, item, ln))
    return out
