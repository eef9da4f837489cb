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
import snowballstemmer

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
    r"(?<![-/])(?:\b(?:not|no|never|none|nothing|nobody|cannot|without|neither|nor|avoid|don't|doesn't|didn't|won't|"
    r"isn't|aren't|wasn't|shouldn't|mustn't|can't|couldn't|wouldn't)\b|n't\b)(?![-/])",
    re.I,
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
    heading: int | None = None  # where the quote starts instead, in the document: the passage's own heading


@dataclass(frozen=True)
class Outcome:
    """What became of one statement: kept (perhaps re-cited) or removed, and why."""

    text: str
    kept: bool
    reason: str = ""
    recited: bool = False


@dataclass
class Verified:
    text: str
    citations: list[Citation]
    statements: int
    kept: int
    removed: int
    recited: int
    reasons: list[str] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)


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
    found.update(float(m.group(1)) for m in _P_NUMBER.finditer(text))
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
    found.update(float(m.group(1)) for m in _P_NUMBER.finditer(text))
    return found


_P_NUMBER = re.compile(r"\b[pP](\d{2})\b")  # a percentile: p95
_ENUMERATOR = re.compile(r"^[\s#>*-]*(?:\*\*)?\d{1,2}[.)]\s", re.M)
_MEASURE = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)(?:\s*(?:-|–|to)\s*(\d+(?:\.\d+)?))?[\s-]*"
    r"(%|x\b|×|(?:wk|week|day|month|mo|year|yr|hour|hr|minute|min)s?\b)",
    re.I,
)


_POSITION = re.compile(r"\b(week|month|day|year|phase|stage|tier|wave)s?\s+(\d+)(?:\s*(?:-|–|to)\s*(\d+))?", re.I)


def measures(text: str) -> set[tuple[float, str]]:
    """Shares, multiples and durations with their unit: "30-50%" is 30% and 50%, "1.5x" a multiple,
    "4–6 wks" 4 and 6 weeks."""
    out: set[tuple[float, str]] = set()
    for m in _MEASURE.finditer(text):
        raw = m.group(3).lower().rstrip("s")
        unit = {"×": "x", "wk": "week", "mo": "month", "yr": "year", "hr": "hour", "min": "minute"}.get(raw, raw)
        out.update((float(v), unit) for v in m.group(1, 2) if v)
    for m in _POSITION.finditer(text):  # "week 6" is a point in time, not "6 weeks"
        out.update((float(v), m.group(1).lower() + "#") for v in m.group(2, 3) if v)
    return out


def figures_missing(statement: str, source: str) -> bool:
    """A figure of the statement the source does not state: as a value (list numbering is not a
    figure), and a share, multiple or duration as one ("2x" is not the "2" of "Lesson 2")."""
    source = _ENUMERATOR.sub(" ", source)
    statement = re.sub(r"^\W*one\b|\bone of\b", " ", statement, flags=re.I)  # "One lever is…": not a figure
    return bool(stated_numbers(statement) - numbers(source) or measures(statement) - measures(source))


# How often something happens is a hard fact, like a figure: "weekly" where the passage says "monthly" is a
# swap. A period the statement states as a frequency must be named in the quoted text, in any form.
_FREQUENCY = re.compile(
    r"\b(?:(hour|dai|day|week|month|quarter|year|annual)(?:ly|y)\b|(?:bi-?weekly|fortnightly)\b|"
    r"(?:every|each|per|once a|twice a)\s+(day|week|month|quarter|year|hour))",
    re.I,
)
_PERIOD = {"hour": "hour", "dai": "day", "day": "day", "week": "week", "month": "month", "quarter": "quarter",
           "year": "year", "annual": "year"}  # fmt: skip
_PERIOD_WORDS = {
    "hour": r"hour|hr", "day": r"day|daily", "week": r"week|wk", "month": r"month|mo\b",
    "quarter": r"quarter|q[1-4]\b", "year": r"year|yr|annual",
}  # fmt: skip


def periods_missing(statement: str, source: str) -> bool:
    """A frequency of the statement ("weekly", "every quarter") whose period the source never names."""
    for m in _FREQUENCY.finditer(statement):
        word = (m.group(1) or m.group(2) or "week").lower()
        period = _PERIOD.get(word, "week")
        if not re.search(rf"\b(?:{_PERIOD_WORDS[period]})", source, re.I):
            return True
    return False


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


def entities(text: str, held: frozenset[str]) -> set[str]:
    """The stages and roles (of ``held``) and the capitalised names ``text`` names."""
    text = re.sub(r"\bleads? to\b", " ", text, flags=re.I)  # the verb, not the role
    found = {t for t in _parts(text) if t in held}
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


_STEMMER = snowballstemmer.stemmer("english")
# How a writer points at a source or joins its facts, not what the source claims: "The guide puts…",
# "Finally, …", "The practitioner notes…". General English; what a document is called comes from its title.
_CONNECTIVE = frozenset([
    "also", "finally", "first", "firstly", "second", "secondly", "then", "so", "thus", "therefore", "overall",
    "instead", "rather", "typically", "usually", "generally", "essentially", "basically", "simply", "specifically",
    "particularly", "especially", "likewise", "similarly", "additionally", "furthermore", "moreover", "meanwhile",
    "put", "puts", "give", "gives", "take", "takes", "list", "lists", "lay", "lays", "set", "sets", "call",
    "calls", "name", "names", "advise", "advises", "insist", "insists", "add", "adds", "agree", "agrees", "describe",
    "describes", "want", "wants", "treat", "treats", "frame", "frames", "base", "bases", "trace", "traces",
    "cover", "covers", "point", "points", "view", "author", "practitioner", "writer", "advice", "rule", "thumb",
    "here", "key", "main", "way", "out", "up", "down", "another", "alone", "behind", "else", "whether",
])  # fmt: skip
# Words whose opposite in the span is a swap, not a paraphrase ("after implementation ends" where the
# passage says "before implementation begins").
_OPPOSITES = (("before", "after"), ("early", "late"), ("earlier", "later"), ("increas", "decreas"), ("higher", "lower"),
              ("maximum", "minimum"), ("faster", "slower"), ("larger", "smaller"), ("optional", "requir"),
              ("optional", "mandatori"), ("optional", "insist"), ("succeed", "fail"), ("manual", "automat"),
              ("manual", "autom"), ("internal", "extern"))  # fmt: skip
_TIME_STEMS = frozenset(["week", "day", "month", "year", "hour", "minut", "quarter", "wk"])
MAX_SPAN_UNITS = 6  # units of one passage a sentence may draw on together
SPAN_WINDOW = 5  # ...lying within this many units of one another: one list with its label, not the next list
# (coverage, meaning) pairs, any of which supports: the stemmed, idf-weighted share of the content words
# found in the span, and the cosine of the sentence with the span (or its best unit). Nearly the span's
# words needs little of its meaning; a paraphrase in other words needs more.
ACCEPT = ((0.85, 0.3), (0.7, 0.5), (0.55, 0.7))
CLAUSE_COVERAGE = 0.5  # each joined clause, on its own


_ABBREVIATIONS = {"wk": "week", "wks": "week", "hr": "hour", "hrs": "hour", "min": "minute", "mins": "minute",
                  "yr": "year", "yrs": "year", "mo": "month", "mos": "month"}  # fmt: skip
# Comparisons written as symbols in the playbook ("Error rate > 10%") and as words in an answer.
_COMPARISONS = {">": ("exceed", "over", "above", "more", "greater", "higher", "beyond", "pass"),
                "<": ("under", "below", "less", "fewer", "lower", "within")}  # fmt: skip


def stem(word: str) -> str:
    word = _ABBREVIATIONS.get(word, word)
    if word in _NUMBER_WORDS and _NUMBER_WORDS[word] >= 1:
        return str(int(_NUMBER_WORDS[word]))
    return str(_STEMMER.stemWord(word))


def _comparison_stems(text: str) -> set[str]:
    """The words a comparison symbol of the text may be written as."""
    return {stem(w) for sym, words in _COMPARISONS.items() if sym in text for w in words}


def _covered(word: str, have: set[str] | frozenset[str]) -> bool:
    """A word is in the span by its stem, or, hyphenated ("three-tier"), by each of its parts."""
    if stem(word) in have:
        return True
    if len(word) >= 7 and any(len(h) >= 5 and h[:5] == word[:5] and h[:1].isalpha() for h in have):
        return True  # "reduced" and "reduction", "overran" and "overrun"
    parts = [p for p in word.split("-") if p]
    return len(parts) > 1 and all(stem(p) in have for p in parts)


def _stems(words: set[str] | frozenset[str]) -> set[str]:
    out = set()
    for w in words:
        out.add(stem(w))
        if "-" in w:
            out.update(stem(p) for p in w.split("-") if p)
    return out


def _word_forms(text: str) -> set[str]:
    return _stems(set(tokens(text))) | set(re.findall(r"[a-z]+", text.lower()))


def _says_opposite(said: set[str], sources: list[set[str]], *, every: bool) -> bool:
    """The clause says one word of an opposite pair and not the other, where the source sentences (every
    one, or together) say the other and never the one."""
    for a, b in _OPPOSITES:
        for x, y in ((a, b), (b, a)):
            if x not in said or y in said or any(x in f for f in sources):
                continue
            if (all if every else any)(y in f for f in sources):
                return True
    return False


def _negations_about(sentence: str, stems: set[str]) -> int:
    """Negations of the sentence whose scope — the words after it, up to the next comma, "but" or
    stop — speaks of the clause: "not because the technology fails but because…" negates the
    technology failing, not what follows; "what it is not for," negates the words before it; a
    closing "no." answers what came before it."""
    count = 0
    for m in _NEGATION.finditer(sentence):
        after = sentence[m.end() :]
        words = _stems(set(tokens(re.split(r"[,;:.!?—()]|\bbut\b", after, maxsplit=1)[0])))
        if not words:
            if not tokens(after):
                count += 1  # "…from scratch — no.": the answer to what came before
                continue
            # "…what it is not for, …": the words before it, back to the last break
            words = _stems(set(tokens(re.split(r"[,;:.!?—()]", sentence[: m.start()])[-1])))
        if words and 2 * len(words & stems) >= len(words):
            count += 1
    return count


def _clauses(statement: str) -> list[str]:
    """The statement's clauses; one of under two content words stays with the one before it."""
    out: list[str] = []
    for piece in _CLAUSE_JOIN.split(statement):
        if out and len(tokens(piece)) < 2:
            out[-1] += " " + piece
        else:
            out.append(piece)
    return out


class Verifier:
    def __init__(self, corpus: Corpus, embed: Callable[[list[str]], np.ndarray]) -> None:
        self.corpus = corpus
        self.embed = embed  # texts -> normalized vectors, one row per text
        self.held = corpus.vocabulary.held  # stages and roles a sentence cannot swap (vocabulary.toml)
        self._unit_stems: dict[int, frozenset[str]] = {}
        self._meta: dict[str, frozenset[str]] = {}
        self._plain: dict[int, np.ndarray] = {}

    @staticmethod
    def _closeness(vectors: np.ndarray, vector: np.ndarray) -> float:
        """Cosine of the statement with the span as a whole (its units' mean), or with its closest unit."""
        mean = vectors.mean(axis=0)
        return max(float(mean @ vector) / (float(np.linalg.norm(mean)) or 1.0), float((vectors @ vector).max()))

    def plain_vectors(self, units: list[int]) -> np.ndarray:
        """The units' own text embedded alone (the index embeds each with its section and label,
        which is right for search and blurs the meaning of a paraphrase), each once per verifier."""
        missing = [i for i in dict.fromkeys(units) if i not in self._plain]
        if missing:
            vecs = self.embed([self.corpus.unit_text(i) for i in missing])
            self._plain.update({i: np.asarray(v, dtype=np.float32) for i, v in zip(missing, vecs, strict=True)})
        return np.stack([self._plain[i] for i in units])

    def unit_stems(self, i: int) -> frozenset[str]:
        if i not in self._unit_stems:
            self._unit_stems[i] = frozenset(_stems(self.corpus.unit_tokens[i]))
        return self._unit_stems[i]

    def meta_words(self, title: str) -> frozenset[str]:
        """Words that name the document rather than claim something ("the SMB guide", "the
        methodology"): its title's, but for stages, roles and figures, which carry meaning."""
        if title not in self._meta:
            words = {t for t in _parts(title) if t not in self.held and not any(c.isdigit() for c in t)}
            self._meta[title] = frozenset(words | _ATTRIBUTION | _CONNECTIVE)
        return self._meta[title]

    def _span(self, words: set[str], idx: list[int], sem: np.ndarray) -> list[int]:
        """The passage's units the statement draws on: greedily, the unit that adds the most of its
        content words, among units near the first one chosen, until none adds any."""
        corpus = self.corpus
        want = {w: stem(w) for w in words}
        # A line is drawn on for what it says, not for a figure or a unit of time alone ("Week 6: …"
        # beside "Week 8: User adoption >50%" does not make "50% by week 6").
        telling = {st for w, st in want.items() if not any(c.isdigit() for c in w) and st not in _TIME_STEMS}
        covered: set[str] = set()
        chosen: list[int] = []
        while len(chosen) < MAX_SPAN_UNITS:
            best, gain_best = -1, 0.0
            for k, i in enumerate(idx):
                if k in chosen or (chosen and max(*chosen, k) - min(*chosen, k) > SPAN_WINDOW):
                    continue
                if corpus.units[i].kind == "row" and any(corpus.units[idx[c]].kind == "row" for c in chosen):
                    continue  # a table's figures are read along one row, not gathered from several
                stems = self.unit_stems(i)
                if not stems & telling:
                    continue
                gain = sum(corpus.idf_of(w) for w, st in want.items() if w not in covered and st in stems)
                gain += 0.01 * float(sem[k])  # ties go to the unit closer in meaning
                if gain > gain_best + 1e-9:
                    best, gain_best = k, gain
            if best < 0 or gain_best < 0.05:
                break
            chosen.append(best)
            stems = self.unit_stems(idx[best])
            covered |= {w for w, st in want.items() if st in stems}
        if not chosen:
            chosen = [int(np.argmax(sem))]
        return chosen  # the unit that covers most first

    def _context(self, span: list[int], idx: list[int]) -> list[int]:
        """The labels and table headers the span's units are read under."""
        units = self.corpus.units
        out: set[int] = set()
        for k in span:
            group = units[idx[k]].group
            j = k
            while j > 0 and units[idx[j - 1]].group == group:
                j -= 1
            for h in (j, j - 1):
                if 0 <= h < len(idx) and h not in span and units[idx[h]].kind in ("label", "header"):
                    out.add(h)
        return sorted(out)

    def check(self, statement: str, vector: np.ndarray, chunk: Chunk) -> Check:
        corpus = self.corpus
        idx = corpus.units_by_chunk.get(chunk.id, [])
        meta = self.meta_words(chunk.title)
        words = set(tokens(statement)) - meta
        if not idx or not words:
            return Check(False, 0.0, "empty")
        weight = sum(corpus.idf_of(w) for w in words)
        sem = corpus.unit_vectors[idx] @ vector
        span_order = self._span(words, idx, sem)
        span = sorted(span_order)
        around = self._context(span, idx)
        span_units = [idx[k] for k in span]
        span_text = "\n".join(corpus.unit_text(i) for i in span_units)
        context_text = "\n".join([chunk.section, *(corpus.unit_text(idx[k]) for k in around)])
        in_span = set().union(*(self.unit_stems(i) for i in span_units), *(self.unit_stems(idx[k]) for k in around))
        have = in_span | _stems(set(tokens(chunk.section))) | _comparison_stems(span_text)
        coverage = sum(corpus.idf_of(w) for w in words if _covered(w, have)) / weight
        semantic = max(self._closeness(corpus.unit_vectors[span_units], vector), float(sem[span].max()))
        if coverage >= ACCEPT[-1][0] and not any(coverage >= c and semantic >= m for c, m in ACCEPT):
            # Only where it decides: the span's own text, embedded without its section and label.
            semantic = max(semantic, self._closeness(self.plain_vectors(span_units), vector))
        support = round(0.5 * min(semantic, 1.0) + 0.5 * coverage, 3)
        units = tuple(sorted(span_units))
        # A figure is the quoted text's: the span's, or a label it sits under ("Week 1-2: Setup"), which
        # the quote then takes in; never the section path above the passage, which no quote shows.
        labels = [idx[k] for k in around if corpus.units[idx[k]].kind == "label"]
        labels_text = "\n".join(corpus.unit_text(i) for i in labels)
        heading = chunk.text.split("\n", 1)[0] if chunk.text.lstrip("#").strip().startswith(
            chunk.section.rsplit(" > ", 1)[-1][:30]
        ) else ""  # fmt: skip
        heading_at: int | None = None
        quoted = span_text + "\n" + labels_text + "\n" + heading
        if figures_missing(statement, quoted):
            return Check(False, support, "number")
        if periods_missing(statement, quoted):
            return Check(False, support, "frequency")
        if figures_missing(statement, span_text):
            if labels and not figures_missing(statement, span_text + "\n" + labels_text):
                units = tuple(sorted({*span_units, *labels}))
            else:
                heading_at = chunk.start  # the passage's own heading states it: the quote starts there
        lo, hi = max(0, span[0] - 2), min(len(idx), span[-1] + 3)
        near = "\n".join([context_text, *(corpus.unit_text(i) for i in idx[lo:hi])])
        if not self._polarity_agrees(statement, near):
            return Check(False, support, "negation")
        primary = corpus.unit_text(idx[span_order[0]])
        if self._entity_missing(statement, primary, span_text, context_text, chunk.title):
            return Check(False, support, "entity")
        labels = [i for i in idx if corpus.units[i].kind in ("label", "header")]
        elsewhere = set().union(*(self.unit_stems(i) for i in labels)) - in_span
        if any(stem(w) in elsewhere for w in words - self.held if not _covered(w, in_span)):
            # A word the span lacks and a label of another list or table of the passage has: taken from
            # the neighbour ("Money measures are the early signals" where those are the usage measures).
            # Stages and roles are the entity check's.
            return Check(False, support, "swap")
        if not any(coverage >= c and semantic >= m for c, m in ACCEPT):
            return Check(False, support, "coverage" if coverage < ACCEPT[1][0] else "meaning")
        label = statement.rstrip().endswith(":")
        short = len(statement.split()) <= FRAGMENT_WORDS + 1  # a sentence with a verb is not a heading
        fragment = (len(words) <= FRAGMENT_WORDS and short) or (label and len(words) <= LABEL_WORDS)
        if fragment and not _in_sequence([w for w in tokens(statement) if w not in meta], chunk):
            # A few words that say nothing but a name ("Project roadmap", "Common Week 2 Issues & Fixes:")
            # are only the passage's when its text has them in that order: its words scattered over its
            # lines, or a heading above it, do not make a heading of it.
            return Check(False, support, "fragment")
        for clause in _clauses(statement)[1:]:
            cw = set(tokens(clause)) - meta
            if len(cw) >= 2:
                share = sum(corpus.idf_of(w) for w in cw if _covered(w, have)) / sum(corpus.idf_of(w) for w in cw)
                if share < CLAUSE_COVERAGE:
                    return Check(False, support, "clause")
        return Check(True, support, "", units, heading_at)

    @staticmethod
    def _polarity_agrees(statement: str, span_text: str) -> bool:
        """Each clause is negated exactly when a sentence of the span it is closest to is, and says
        "before" where that sentence does ("after" is a swap): "can be external" is not "cannot be
        external", and "no. What you need is…" does not negate the sentence after it."""
        sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n+", span_text) if tokens(s)]
        if not sentences:
            return True
        sent_stems = [_stems(set(tokens(s))) for s in sentences]
        for clause in _clauses(statement):
            stems = _stems(set(tokens(clause)))
            if not stems:
                continue
            overlap = [len(stems & ss) for ss in sent_stems]
            top = max(overlap)
            if 2 * top < len(stems):
                # No one sentence of the span speaks of this clause (the coverage checks judge it), but
                # an opposite word is still a swap where the sentences it draws on say the other one.
                near = [s for o, s in zip(overlap, sentences, strict=True) if o >= max(3, len(stems) // 3)]
                if near and _says_opposite(_word_forms(clause), [_word_forms(s) for s in near], every=False):
                    return False
                continue
            parity = negations(clause) % 2
            closest = [s for o, s in zip(overlap, sentences, strict=True) if o == top]
            if not any(_negations_about(s, stems) % 2 == parity for s in closest):
                return False
            if _says_opposite(_word_forms(clause), [_word_forms(s) for s in closest], every=True):
                return False  # "after implementation ends" where the passage says "before … begins"
        return True

    def _entity_missing(self, statement: str, primary: str, span_text: str, context_text: str, title: str) -> bool:
        """A stage, role or name the statement states that the span does not: absent from the span and
        the labels and section path it is read under; or a swap: a stage or role the span's main unit
        does not name, where that unit names another one the statement leaves out ("production
        results" where the unit is the pilot's results, found beside the production line)."""
        stated = entities(statement, self.held) - self.meta_words(title)
        missing = stated - _parts(span_text)
        if missing - _parts(context_text):
            return True
        named = _parts(primary) & self.held
        return bool((stated & self.held) - named and named - stated)

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
        outcomes: list[Outcome] = []
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
                outcomes.append(Outcome(st.text, False, reasons[-1]))
                continue
            outcomes.append(Outcome(st.text, True, recited=moved))
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
        return Verified("\n".join(out), citations, len(statements), kept, removed, recited, reasons, outcomes)

    def _cite(
        self, chunk: Chunk, check: Check, citations: list[Citation], by_span: dict[tuple[str, int, int], int]
    ) -> int:
        corpus = self.corpus
        units = [corpus.units[i] for i in check.units]
        start, end = min(u.start for u in units), max(u.end for u in units)
        if check.heading is not None:
            start = min(start, check.heading)
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
