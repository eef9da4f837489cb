"""Which name goes with what: a sentence may name every tool or product its span names and still give
one what the span gives another ("project management in Notion" where the line says "Simple project
management (Trello, Asana)" and "Documentation (Notion, Confluence)"; "GPT-4o-mini as the primary model"
where "Primary: GPT-4o" and "Fallback: GPT-4o-mini")."""

from __future__ import annotations

import re

from assistant.index.corpus import tokens
from assistant.model.facts import CLAUSE_JOIN, entities
from assistant.model.meaning import stem

# Where a line's own parts part: "Technical debt (35%), organizational resistance (40%), lack of ROI (25%)";
# not before what qualifies the part before it (", not 1.5x", ", but …").
# A date or a time goes on past its comma ("May 20, 2024, 3:47 PM: First model test").
_SEGMENT = re.compile(r"(?:,|;)\s+(?!(?:not|never|but|rather|instead|or)\b|\d{4}\b|\d{1,2}:\d\d)|\n", re.I)


def parts_of(line: str) -> list[str]:
    """A line or clause split where its own parts part."""
    parts, depth, start = [], 0, 0
    for m in re.finditer(r"[()]|" + _SEGMENT.pattern, line, re.I):
        if m.group(0) in "()":
            depth += 1 if m.group(0) == "(" else -1
        elif depth <= 0:  # a comma inside brackets ("(Gartner, 2023)") parts nothing
            parts.append(line[start : m.start()])
            start = m.end()
    parts.append(line[start:])
    return [part for part in parts if part.strip()]


def name_moved(statement: str, lines: list[str], meta: frozenset[str]) -> bool:
    """A name the statement gives words that a part of the span naming another of its names says: more
    of them than the parts naming it say, and all that those say. Each part of a line is read as the
    span's pairing of its names with its words; a name is a capitalised word of the statement that a
    line of the span has."""
    held = [set(tokens(part)) for line in lines for part in parts_of(line)]
    every = set().union(*held)
    names = entities(statement, frozenset()) & every
    if not names:
        return False
    segments = [
        ({stem(t) for t in part - names - meta if not any(c.isdigit() for c in t)}, part & names) for part in held
    ]
    for piece in (p for clause in CLAUSE_JOIN.split(statement) for p in parts_of(clause)):
        toks = set(tokens(piece))
        words = {stem(t) for t in toks - names - meta if not any(c.isdigit() for c in t)}
        for name in toks & names:
            holding = set().union(*(w for w, n in segments if name in n))
            if any(len(words & w) >= 2 and words & w > words & holding for w, n in segments if n and name not in n):
                return True
    return False
