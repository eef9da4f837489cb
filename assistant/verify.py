"""The citation verifier: every statement of an answer is checked against the passage it cites.

A statement is one sentence or list item with its citation markers. It is supported by a passage
when, in the passage's best-matching units (or its section path):
- every number, percentage, amount, duration and ratio it states appears;
- it is negated exactly when the passage's best-matching unit is ("must not" is not "must");
- every stage, role, tool or name it mentions appears;
- its content words are mostly there (idf-weighted lexical coverage), and it means the same
  (MiniLM cosine with the best unit), or it is nearly word for word.
A statement that fails against its cited passage but passes against another retrieved passage is
re-cited; one that passes against none is removed. Deterministic: the same answer and passages
always give the same result. The eval harness uses the same checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.corpus import Corpus, tokens
from assistant.types import Chunk, Citation

MARKER = re.compile(r"\s*\[(\d{1,2}(?:\s*[,;]\s*\d{1,2})*)\]")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"”')*]*\s+(?=[\[A-Z0-9\"“(*$])")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d{1,2}[.)])\s+(?:\[[ xX]\]\s+)?")
_MD = re.compile(r"\*\*|__|`|^#+\s*")
_NUMBER = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)*)\s*([kKmM]\b|million\b|thousand\b|billion\b)?")
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "hundred": 100, "half": 0.5, "double": 2, "twice": 2, "triple": 3,
}  # fmt: skip
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.I)
_NEGATION = re.compile(
    r"\b(?:not|no|never|none|nothing|nobody|cannot|without|neither|nor|avoid|don't|doesn't|didn't|won't|isn't|"
    r"aren't|wasn't|shouldn't|mustn't|can't|couldn't|wouldn't)\b|n't\b",
    re.I,
)
# Stages and roles a swapped word would change the meaning of; names and tools are found by case.
_ENTITY_WORDS = frozenset(
    [
        "pilot",
        "prototype",
        "production",
        "hardening",
        "rollout",
        "discovery",
        "champion",
        "sponsor",
        "executive",
        "cfo",
        "cto",
        "ceo",
        "cio",
        "ciso",
        "coo",
        "manager",
        "engineer",
        "scientist",
        "analyst",
        "lead",
        "expert",
        "owner",
        "consultant",
        "vendor",
        "legal",
        "compliance",
        "security",
        "finance",
        "operation",
        "hr",
        "it",
        "board",
        "steering",
        "developer",
        "designer",
        "architect",
        "user",
        "customer",
        "employee",
        "accountant",
        "intern",
        "marketing",
        "sales",
        "support",
        "procurement",
    ]
)
_CAPITALIZED = re.compile(r"(?<![.!?:]\s)(?<!^)\b([A-Z][A-Za-z0-9]+(?:[-/][A-Za-z0-9]+)*)")

# Words that say where a claim comes from, not what it claims.
_ATTRIBUTION = frozenset(
    [
        "playbook",
        "guide",
        "source",
        "document",
        "according",
        "note",
        "notes",
        "recommend",
        "recommends",
        "suggest",
        "suggests",
        "state",
        "states",
        "explain",
        "explains",
        "mention",
        "mentions",
    ]
)

# Thresholds: calibrated with the mutation suite (tests/test_verifier.py) and real model output.
FRAGMENT_WORDS = 3  # a statement of this many content words or fewer must appear in the passage in order
LABEL_WORDS = 8  # so must a label ("Common Week 1 Issues & Fixes:") of this many or fewer
MIN_COVERAGE = 0.7  # idf-weighted share of the statement's content words found in the support span
MIN_SEMANTIC = 0.62  # cosine of the statement and its best unit
VERBATIM_COVERAGE = 0.9  # nearly word for word: no semantic check needed
MIN_CONTENT_WORDS = 2  # shorter pieces ("Here is what I found:") are not statements


@dataclass(frozen=True)
class Statement:
    text: str  # without markers and list bullets
    markers: tuple[int, ...]
    item: bool  # a list item rather than a sentence
    line: int  # which line of the answer it came from


@dataclass(frozen=True)
class Check:
    ok: bool
    support: float
    reason: str  # "" when supported; else what failed first
    units: tuple[int, ...] = ()  # corpus units that support it (empty when not supported)


@dataclass
class Verified:
    text: str
    citations: list[Citation]
    statements: int
    kept: int
    removed: int
    recited: int
    reasons: list[str] = field(default_factory=list)

    @property
    def substantive(self) -> bool:
        """Most of what the model said survived, and something did."""
        return self.kept > 0 and self.removed <= self.kept


def split_statements(answer: str) -> list[Statement]:
    out: list[Statement] = []
    for ln, raw in enumerate(answer.splitlines()):
        line = raw.strip()
        if not line:
            continue
        item = bool(_BULLET.match(line))
        line = _BULLET.sub("", line)
        pieces = [line] if item else _SENTENCE_BREAK.split(line)
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
            text = _MD.sub("", MARKER.sub("", piece)).strip()
            text = re.sub(r"\s+([.,;:!?])", r"\1", text)
            if text:
                out.append(Statement(text, markers, item, ln))
    return out


def numbers(text: str) -> set[float]:
    found: set[float] = set()
    for m in _NUMBER.finditer(text):
        raw = m.group(1).replace(",", "")
        try:
            value = float(raw)
        except ValueError:
            continue
        scale = (m.group(2) or "").lower()
        found.add(value)
        if scale in ("k", "thousand"):
            found.add(value * 1_000)
        elif scale in ("m", "million"):
            found.add(value * 1_000_000)
        elif scale == "billion":
            found.add(value * 1_000_000_000)
    for m in _NUMBER_WORD.finditer(text):
        found.add(float(_NUMBER_WORDS[m.group(1).lower()]))
    return found


def stated_numbers(text: str) -> set[float]:
    """Numbers a statement asserts: as written (50K is 50000; "four" is 4)."""
    found: set[float] = set()
    for m in _NUMBER.finditer(text):
        try:
            value = float(m.group(1).replace(",", ""))
        except ValueError:
            continue
        scale = (m.group(2) or "").lower()
        factor = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "billion": 1e9}.get(scale, 1.0)
        found.add(value * factor)
    for m in _NUMBER_WORD.finditer(text):
        found.add(float(_NUMBER_WORDS[m.group(1).lower()]))
    return found


def negated(text: str) -> bool:
    return bool(_NEGATION.search(text))


def negations(text: str) -> int:
    return len(_NEGATION.findall(text))


def _parts(text: str) -> set[str]:
    """Content words, with hyphenated compounds also split ("pilot-ready": pilot, ready)."""
    out = set()
    for tok in tokens(text):
        out.add(tok)
        if "-" in tok:
            out.update(tokens(tok.replace("-", " ")))
    return out


# Where a sentence joins another claim to the first: "…, and …", "…; …", "…, but …".
_CLAUSE_JOIN = re.compile(r",?\s+(?:and|but|while|whereas)\s+|;\s+", re.I)
MIN_CLAUSE_COVERAGE = 0.5  # idf-weighted share of a joined clause's content words found in the passage


def foreign_clause(statement: str, passage: set[str], idf: Callable[[str], float]) -> bool:
    """Whether a clause joined to the statement ("…, and solution: start simple") speaks of what the
    passage does not: a sentence can be mostly supported and still carry one claim that is not."""
    for clause in _CLAUSE_JOIN.split(statement)[1:]:
        words = set(tokens(clause)) - _ATTRIBUTION
        if len(words) < 2:
            continue
        weight = sum(idf(w) for w in words)
        if sum(idf(w) for w in words & passage) / weight < MIN_CLAUSE_COVERAGE:
            return True
    return False


def entities(text: str) -> set[str]:
    found = {t for t in _parts(text) if t in _ENTITY_WORDS}
    for m in _CAPITALIZED.finditer(text):
        word = m.group(1)
        if len(word) > 1:
            found.update(tokens(word))
    return found


def _in_sequence(words: list[str], chunk: Chunk) -> bool:
    """``words`` appear one after another in a line of the passage's text."""
    n = len(words)
    lines = [tokens(line) for line in chunk.text.splitlines()]
    return any(line[k : k + n] == words for line in lines for k in range(len(line) - n + 1))


class Verifier:
    def __init__(self, corpus: Corpus, embed: Callable[[list[str]], np.ndarray]) -> None:
        self.corpus = corpus
        self.embed = embed  # texts -> normalized vectors, one row per text

    def check(self, statement: str, vector: np.ndarray, chunk: Chunk) -> Check:
        corpus = self.corpus
        idx = corpus.units_by_chunk.get(chunk.id, [])
        words = set(tokens(statement)) - _ATTRIBUTION
        if not idx or not words:
            return Check(False, 0.0, "empty")
        weight = sum(corpus.idf_of(w) for w in words)
        sem = corpus.unit_vectors[idx] @ vector
        cov = np.array([sum(corpus.idf_of(w) for w in words & corpus.unit_tokens[i]) / weight for i in idx])
        order = np.argsort(-(0.5 * sem + 0.5 * cov), kind="stable")
        best = int(order[0])
        top = [idx[int(k)] for k in order[:2]]
        span_tokens = set(tokens(chunk.section)).union(*(corpus.unit_tokens[i] for i in top))
        span_text = chunk.section + "\n" + "\n".join(corpus.unit_text(i) for i in top)
        coverage = sum(corpus.idf_of(w) for w in words & span_tokens) / weight
        semantic = float(sem[best])
        support = round(0.5 * semantic + 0.5 * coverage, 3)
        units = tuple(sorted(top[:1] if cov[best] >= coverage - 1e-9 else top))
        missing_numbers = stated_numbers(statement) - numbers(span_text)
        if missing_numbers:
            return Check(False, support, "number")
        best_text = corpus.unit_text(idx[best])
        if negations(statement) % 2 != negations(best_text) % 2:
            return Check(False, support, "negation")
        # Stages, roles and names: in the best unit itself, or in the section path when the best unit
        # names no other one in their place (a swap: "production" where the unit says "pilot").
        stated = entities(statement)
        missing = stated - _parts(best_text)
        if missing - _parts(chunk.section) or (missing and entities(best_text) - stated):
            return Check(False, support, "entity")
        if coverage < MIN_COVERAGE:
            return Check(False, support, "coverage")
        if semantic < MIN_SEMANTIC and coverage < VERBATIM_COVERAGE:
            return Check(False, support, "meaning")
        label = statement.rstrip().endswith(":")
        fragment = len(words) <= FRAGMENT_WORDS or (label and len(words) <= LABEL_WORDS)
        if fragment and not _in_sequence([w for w in tokens(statement) if w not in _ATTRIBUTION], chunk):
            # A few words that say nothing but a name ("Project roadmap", "Common Week 2 Issues & Fixes:")
            # are only the passage's when its text has them in that order: its words scattered over its
            # lines, or a heading above it, do not make a heading of it.
            return Check(False, support, "fragment")
        passage = set(tokens(chunk.section)).union(*(corpus.unit_tokens[i] for i in idx))
        if foreign_clause(statement, passage, corpus.idf_of):
            return Check(False, support, "clause")
        return Check(True, support, "", units)

    def verify(self, answer: str, sources: Sequence[Chunk]) -> Verified:
        """Keep the statements of ``answer`` that its sources support, each cited to the span that
        supports it; ``sources[k]`` is the passage the model saw as [k+1]."""
        statements = [s for s in split_statements(answer) if len(tokens(s.text)) >= MIN_CONTENT_WORDS]
        vectors = self.embed([s.text for s in statements]) if statements else np.zeros((0, 1))
        citations: list[Citation] = []
        by_span: dict[tuple[str, int, int], int] = {}
        lines: dict[int, list[str]] = {}
        kept = removed = recited = 0
        reasons: list[str] = []
        for st, vec in zip(statements, vectors, strict=True):
            cited = [sources[m - 1] for m in st.markers if 1 <= m <= len(sources)]
            checks = [(c, self.check(st.text, vec, c)) for c in cited]
            passing = [(c, ch) for c, ch in checks if ch.ok]
            moved = False
            if not passing:
                others = [c for c in sources if c not in cited]
                alt = [(c, self.check(st.text, vec, c)) for c in others]
                alt = [(c, ch) for c, ch in alt if ch.ok]
                if alt:
                    passing = [max(alt, key=lambda a: a[1].support)]
                    moved = True
            if not passing:
                removed += 1
                reasons.append(checks[0][1].reason if checks else "uncited")
                continue
            kept += 1
            recited += moved
            markers = []
            for chunk, ch in passing:
                n = self._cite(chunk, ch, citations, by_span)
                if n not in markers:
                    markers.append(n)
            marks = "".join(f"[{n}]" for n in markers)
            text = st.text.rstrip()
            rendered = f"- {text} {marks}" if st.item else f"{text} {marks}"
            lines.setdefault(st.line, []).append(rendered)
        out: list[str] = []
        for ln in sorted(lines):
            parts = lines[ln]
            if parts[0].startswith("- "):
                out.extend(parts)
            else:
                out.append(" ".join(parts))
        return Verified("\n".join(out), citations, len(statements), kept, removed, recited, reasons)

    def _cite(
        self, chunk: Chunk, check: Check, citations: list[Citation], by_span: dict[tuple[str, int, int], int]
    ) -> int:
        corpus = self.corpus
        units = [corpus.units[i] for i in check.units]
        start, end = min(u.start for u in units), max(u.end for u in units)
        key = (chunk.doc, start, end)
        if key not in by_span:
            by_span[key] = len(citations) + 1
            citations.append(
                Citation(
                    n=by_span[key],
                    doc=chunk.doc,
                    title=chunk.title,
                    section=chunk.section,
                    quote=corpus.texts[chunk.doc][start:end],
                    start=start,
                    end=end,
                    verified=True,
                    support=check.support,
                )
            )
        return by_span[key]
