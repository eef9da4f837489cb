"""A mutation suite for the citation verifier, built from the corpus itself.

Each case is a statement that its passage supports (a sentence or list item of the passage, with
its Markdown dropped), or one of five corruptions of it: a number swapped, the negation flipped, a
stage or role swapped, the citation re-pointed to the neighbouring passage, an unsupported clause
from another document appended. A verifier should keep the first and reject the others."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from assistant.index.corpus import Corpus, tokens
from assistant.model.facts import NUMBER, negated, numbers
from assistant.model.statements import MD
from assistant.types import Chunk

KINDS = ("supported", "number", "negation", "entity", "repoint", "clause")
_AUX = re.compile(r"\b(is|are|was|were|should|must|can|will|does|do)\b", re.I)
_NOT = re.compile(r"\b(not|never)\s+", re.I)
_SWAPS = {
    "pilot": "production",
    "prototype": "pilot",
    "production": "pilot",
    "champion": "vendor",
    "cfo": "CTO",
    "cto": "CFO",
    "executive": "intern",
    "user": "vendor",
    "users": "vendors",
    "manager": "vendor",
    "engineer": "accountant",
    "legal": "marketing",
    "security": "marketing",
}
_SWAP = re.compile(r"\b(" + "|".join(_SWAPS) + r")\b", re.I)


@dataclass(frozen=True)
class Case:
    kind: str
    statement: str
    cited: Chunk  # the passage the statement cites
    source: Chunk  # the passage it was taken from


def _clean(text: str) -> str:
    text = re.sub(r"^\s*(?:[-*+•]|\d{1,2}[.)])\s+(?:\[[ xX]\]\s+)?", "", text)
    return re.sub(r"\s+", " ", MD.sub("", text)).strip()


def build_cases(corpus: Corpus, *, per_kind: int = 100, seed: int = 7) -> list[Case]:
    rng = random.Random(seed)
    chunks = sorted(corpus.chunks.values(), key=lambda c: c.id)
    by_doc: dict[str, list[Chunk]] = {}
    for c in chunks:
        by_doc.setdefault(c.doc, []).append(c)
    pool = []
    for i, unit in enumerate(corpus.units):
        if unit.kind not in ("sentence", "item") or unit.read_only:
            continue
        text = _clean(corpus.unit_text(i))
        if len(tokens(text)) >= 5 and len(text) <= 300:
            pool.append((text, corpus.chunks[unit.chunk_id]))
    rng.shuffle(pool)

    def take(kind: str, make) -> list[Case]:
        out: list[Case] = []
        for text, chunk in pool:
            made = make(text, chunk)
            if made is not None:
                out.append(Case(kind, made[0], made[1], chunk))
            if len(out) >= per_kind:
                break
        return out

    def swap_number(text: str, chunk: Chunk):
        m = next(iter(NUMBER.finditer(text)), None)
        if m is None:
            return None
        value = int(float(m.group(1).replace(",", "")) or 1)
        present = numbers(chunk.text)
        for candidate in (value * 3 + 7, value + 13, value * 5 + 1):
            if float(candidate) not in present:
                return text[: m.start(1)] + str(candidate) + text[m.end(1) :], chunk
        return None

    def flip_negation(text: str, chunk: Chunk):
        if negated(text):
            m = _NOT.search(text)
            return (text[: m.start()] + text[m.end() :], chunk) if m else None
        m = _AUX.search(text)
        return (text[: m.end()] + " not" + text[m.end() :], chunk) if m else None

    def swap_entity(text: str, chunk: Chunk):
        m = _SWAP.search(text)
        if m is None:
            return None
        new = _SWAPS[m.group(1).lower()]
        if new.lower() in {t.lower() for t in re.findall(r"\w+", text)}:
            return None
        return text[: m.start()] + new + text[m.end() :], chunk

    def repoint(text: str, chunk: Chunk):
        siblings = by_doc[chunk.doc]
        k = siblings.index(chunk)
        neighbour = siblings[k + 1] if k + 1 < len(siblings) else siblings[k - 1] if k else None
        return (text, neighbour) if neighbour is not None and neighbour is not chunk else None

    def append_clause(text: str, chunk: Chunk):
        other_text, other = pool[rng.randrange(len(pool))]
        if other.doc == chunk.doc:
            return None
        clause = other_text.rstrip(".!?")
        return f"{text.rstrip('.!?')}, and {clause[0].lower()}{clause[1:]}.", chunk

    def restate(text: str, chunk: Chunk):
        # How a model restates a passage: with an attribution in front, or as it stands.
        frame = rng.choice(("{}", "According to the playbook, {}", "The guide notes that {}"))
        return frame.format(text if frame == "{}" else text[0].lower() + text[1:]), chunk

    cases = take("supported", restate)
    cases += take("number", swap_number)
    cases += take("negation", flip_negation)
    cases += take("entity", swap_entity)
    cases += take("repoint", repoint)
    cases += take("clause", append_clause)
    return cases
