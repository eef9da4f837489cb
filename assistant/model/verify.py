"""The citation verifier: every statement of an answer is checked against the passage it cites.

A statement is one sentence or list item with its citation markers. It is supported by a passage
when, in the passage's best-matching units (or its section path):
- every number, percentage, amount, duration and ratio it states appears;
- it is negated exactly when the passage's best-matching unit is ("must not" is not "must");
- every stage, role, tool or name it mentions appears;
- its content words are mostly there (idf-weighted lexical coverage), and it means the same
  (MiniLM cosine with the best unit), or it is nearly word for word.
Passages of one document cited together are read as one. A statement that fails against its cited
passage but passes against another retrieved passage is re-cited;
one that passes against none is removed. Deterministic: the same answer and passages always give the same
result. The eval harness uses the same checks."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.index.corpus import Corpus, tokens
from assistant.model.contrast import contrast_turned, pairing_turned, restriction_turned
from assistant.model.facts import (
    ATTRIBUTION,
    FUNCTION_WORDS,
    LEAD_VERB,
    NEGATION,
    comparison_flipped,
    entities,
    figures_missing,
    numbers,
    parts,
    periods_missing,
    ranges_missing,
    stated_numbers,
)
from assistant.model.meaning import (
    ACCEPT,
    AGREEING_REPLY,
    CLAUSE_COVERAGE,
    CLAUSE_MEANING,
    CONNECTIVE,
    clauses,
    comparison_stems,
    covered,
    polarity_agrees,
    stem,
    stem_set,
)
from assistant.model.pairs import paired_wrongly, segments_of, series_items
from assistant.model.roles import beside_figures, drawn_from, entity_missing, figure_apart, pointed_back, swapped
from assistant.model.series import foreign_item
from assistant.model.spans import drawn_on, from_other_code, in_sequence, joined, read_under, stated_of
from assistant.model.statements import split_statements
from assistant.model.synonyms import said_otherwise
from assistant.types import Chunk, Citation

# Thresholds: calibrated with the mutation suite (tests/test_verifier.py) and real model output.
FRAGMENT_WORDS = 3  # a statement of this many content words or fewer must appear in the passage in order
LABEL_WORDS = 8  # so must a label ("Common Week 1 Issues & Fixes:") of this many or fewer
MIN_COVERAGE = 0.7  # idf-weighted share of the statement's content words found in the support span
MIN_SEMANTIC = 0.62  # cosine of the statement and its best unit
VERBATIM_COVERAGE = 0.9  # nearly word for word: no semantic check needed
# A figure written in pieces: a decimal point or a scale ("$2.74 million", "1.2M", "5 million").
_SCALED = re.compile(
    r"(?<![\w.])\d+(?:[.,]\d+)+\s*(?:[kKmM]\b|million\b|thousand\b|billion\b)?|\d+\s*(?:million|thousand|billion)\b"
)
MIN_CONTENT_WORDS = 2  # shorter pieces ("Here is what I found:") are not statements
# An aside that says more of what came before it (", which lets each user…", ", most of it paid to…",
# ", with managers approving any extra"):
# a claim of its own, held to the span as a joined clause is.
ASIDE = re.compile(r",\s+((?:which|who|whose|where|most|much|all|each|both|many|half|with)\b[^,;]*)", re.I)


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


def content_words(
    statement: str, meta: frozenset[str], expansions: Sequence[tuple[re.Pattern[str], tuple[str, ...]]]
) -> set[str]:
    """The statement's words that claim something: less the words naming the document (``meta``), and
    the asker's words for whom it is written ("a small business" for the SMB guide: the vocabulary's
    expansions that add a word naming the document), and its words of denial ("avoid", "warns against"),
    whose agreement with the passage is its polarity's, checked apart."""
    low = NEGATION.sub(" ", AGREEING_REPLY.sub(" ", statement.lower(), count=1))
    for pattern, added in expansions:
        if meta & set(added) - CONNECTIVE - ATTRIBUTION:
            low = re.sub(rf"(?:{pattern.pattern})\w*", " ", low)
    return set(tokens(low)) - meta


def closeness(vectors: np.ndarray, vector: np.ndarray) -> float:
    """Cosine of the statement with the span as a whole (its units' mean), or with its closest unit."""
    mean = vectors.mean(axis=0)
    return max(float(mean @ vector) / (float(np.linalg.norm(mean)) or 1.0), float((vectors @ vector).max()))


def turned(statement: str, near: str, meta: frozenset[str], held: frozenset[str] = frozenset()) -> str:
    """What the statement turns round against the passage's text ``near`` it: a denial ("negation"), or a
    contrast ("swap": "A rather than B" where the passage holds B over A, or two stages or roles each
    given the other's part); "" when neither."""
    if not polarity_agrees(statement, near, meta | {"yes"}) or restriction_turned(statement, near, meta):
        return "negation"
    if contrast_turned(statement, near, meta) or pairing_turned(statement, near, meta):
        return "swap"
    return "swap" if held and pairing_turned(statement, near, meta, held) else ""


def subject_words(titles: list[str]) -> list[str]:
    """What most documents' titles name: what the whole playbook is about ("AI"), which names any of them."""
    named = [parts(t) for t in titles]
    return [w for w in set().union(*named) if 2 * sum(w in t for t in named) > len(named)]


class Verifier:
    def __init__(self, corpus: Corpus, embed: Callable[[list[str]], np.ndarray]) -> None:
        self.corpus = corpus
        self.embed = embed  # texts -> normalized vectors, one row per text
        self.held = corpus.vocabulary.held  # stages and roles a sentence cannot swap (vocabulary.toml)
        self._unit_stems: dict[int, frozenset[str]] = {}
        self._unit_numbers: dict[int, frozenset[float]] = {}
        self._meta: dict[str, frozenset[str]] = {}
        self._plain: dict[int, np.ndarray] = {}
        self._joined: dict[str, list[int]] = {}  # the lines of passages read as one (``joined``)

    def plain_vectors(self, units: list[int]) -> np.ndarray:
        """The units' own text embedded alone (the index embeds each with its section and label,
        which is right for search and blurs the meaning of a paraphrase), each once per verifier."""
        missing = [i for i in dict.fromkeys(units) if i not in self._plain]
        if missing:
            vecs = self.embed([self.corpus.unit_text(i) for i in missing])
            self._plain.update({i: np.asarray(v, dtype=np.float32) for i, v in zip(missing, vecs, strict=True)})
        return np.stack([self._plain[i] for i in units])

    def unit_numbers(self, i: int) -> frozenset[float]:
        if i not in self._unit_numbers:
            self._unit_numbers[i] = frozenset(numbers(self.corpus.unit_text(i)))
        return self._unit_numbers[i]

    def unit_stems(self, i: int) -> frozenset[str]:
        if i not in self._unit_stems:
            self._unit_stems[i] = frozenset(stem_set(self.corpus.unit_tokens[i]))
        return self._unit_stems[i]

    def meta_words(self, title: str) -> frozenset[str]:
        """Words that name the document rather than claim something: its title's, what askers call it ("the
        enterprise case study") and what the playbook is about (``subject_words``); never stages or roles."""
        if title not in self._meta:
            called = [
                n for doc, t in self.corpus.titles.items() if t == title for n in self.corpus.vocabulary.names_of(doc)
            ]
            called += subject_words(list(self.corpus.titles.values()))
            words = {
                t for t in parts(" ".join([title, *called])) if t not in self.held and not any(c.isdigit() for c in t)
            }
            self._meta[title] = frozenset(words | ATTRIBUTION | CONNECTIVE)
        return self._meta[title]

    def _span(self, words: set[str], idx: list[int], sem: np.ndarray, statement: str) -> list[int]:
        return drawn_on(self.corpus, words, idx, sem, statement, self.unit_stems, self.unit_numbers)

    def _context(self, span: list[int], idx: list[int]) -> list[int]:
        return read_under(self.corpus.units, span, idx)

    def _own_labels(self, idx: list[int]) -> Callable[[int], list[int]]:
        """For a unit of the passage ``idx``, the label or header its list or table is read under."""
        return lambda i: [idx[k] for k in self._context([idx.index(i)], idx)]

    def check(self, statement: str, vector: np.ndarray, chunk: Chunk) -> Check:
        corpus = self.corpus
        idx = corpus.lines_by_chunk.get(chunk.id) or self._joined.get(chunk.id, [])
        meta = self.meta_words(chunk.title)
        words = content_words(statement, meta, self.corpus.vocabulary.expansions)
        if not idx or not words:
            return Check(False, 0.0, "empty")
        sem = corpus.unit_vectors[idx] @ vector
        span_order = self._span(words, idx, sem, statement)
        span = sorted(span_order)
        around = self._context(span, idx)
        span_units = [idx[k] for k in span]
        span_text = "\n".join(corpus.unit_text(i) for i in span_units)
        context_text = "\n".join([chunk.section, *(corpus.unit_text(idx[k]) for k in around)])
        in_span = set().union(*(self.unit_stems(i) for i in span_units), *(self.unit_stems(idx[k]) for k in around))
        have = in_span | stem_set(set(tokens(chunk.section))) | comparison_stems(span_text)
        # A figure's pieces ("2", "74", "million" of "$2.74 million") are the figure checks' to hold to the
        # passage as a value, however it is written there ("2_740_000").
        have |= stem_set(set(tokens(" ".join(_SCALED.findall(statement)))))
        have |= said_otherwise(statement, have, corpus.vocabulary.expansions)  # askers' words for the passage's
        # A function word the span lacks says how the sentence is put, and does not count against it.
        words = {w for w in words if w not in FUNCTION_WORDS or covered(w, have)}
        weight = sum(corpus.idf_of(w) for w in words) or 1.0
        coverage = sum(corpus.idf_of(w) for w in words if covered(w, have)) / weight
        semantic = max(closeness(corpus.unit_vectors[span_units], vector), float(sem[span].max()))
        if coverage >= ACCEPT[-1][0] and not any(coverage >= c and semantic >= m for c, m in ACCEPT):
            # Only where it decides: the span's own text, embedded without its section and label.
            semantic = max(semantic, closeness(self.plain_vectors(span_units), vector))
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
        stated = stated_of(statement, chunk, corpus, span_units, idx)
        if figures_missing(stated, quoted) or ranges_missing(stated, quoted):
            return Check(False, support, "number")
        if comparison_flipped(stated, quoted):
            return Check(False, support, "comparison")
        if periods_missing(statement, quoted):
            return Check(False, support, "frequency")
        if figures_missing(stated, span_text):
            if labels and not figures_missing(stated, span_text + "\n" + labels_text):
                units = tuple(sorted({*span_units, *labels}))
            else:
                heading_at = chunk.start  # the passage's own heading states it: the quote starts there
        lo, hi = max(0, span[0] - 2), min(len(idx), span[-1] + 3)
        near = "\n".join([context_text, *(corpus.unit_text(i) for i in idx[lo:hi])])
        if turn := turned(statement, near, meta, self.held):
            return Check(False, support, turn)
        primary = corpus.unit_text(idx[span_order[0]])
        lines = [(corpus.unit_text(i), self.unit_numbers(i), self.unit_stems(i)) for i in span_units]
        also = drawn_from(lines, statement, stated_numbers(stated), self.held)
        stated_entities = entities(statement, self.held) - meta
        if entity_missing(stated_entities, span_text, context_text, self.held, chunk.text) or swapped(
            stated_entities, primary, self.held, also
        ):
            return Check(False, support, "entity")
        said = stem_set({w for w in parts(beside_figures(LEAD_VERB.sub(" ", statement))) if w in self.held} - meta)
        if said and figure_apart(corpus, stated, said, [idx[k] for k in span], chunk.section, self._own_labels(idx)):
            return Check(False, support, "entity")
        # A label before the span that is not a list's own (it heads what follows: "**4. Change Management
        # Was an Afterthought**", "Realistic Time Estimates:") says what the span is about, as a heading does.
        kinds = [corpus.units[i].kind for i in idx]
        heads = {
            k
            for k in range(span[0])
            if kinds[k] == "label" and (k + 1 >= len(idx) or kinds[k + 1] not in ("item", "row"))
        }
        labels = [idx[k] for k, kind in enumerate(kinds) if kind in ("label", "header") and k not in heads]
        topic = set().union(*(self.unit_stems(idx[k]) for k in heads))
        elsewhere = set().union(*(self.unit_stems(i) for i in labels)) - in_span - topic
        if any(stem(w) in elsewhere for w in words - self.held - pointed_back(statement) if not covered(w, in_span)):
            # A word the span lacks and a label of another list or table of the passage has: taken from
            # the neighbour ("Money measures are the early signals" where those are the usage measures).
            # Stages and roles are the entity check's.
            return Check(False, support, "swap")
        if from_other_code(corpus, span_units, idx, {stem(w) for w in words if not covered(w, have)}, self.unit_stems):
            return Check(False, support, "swap")  # one code branch's action said of another's condition
        if self._paired_wrongly(stated, span_units, idx, meta) or foreign_item(statement, have, meta):
            return Check(False, support, "swap")  # a figure, a name or an item of a series not the span's
        if not any(coverage >= c and semantic >= m for c, m in ACCEPT):
            return Check(False, support, "coverage" if coverage < ACCEPT[1][0] else "meaning")
        label = statement.rstrip().endswith(":")
        short = len(statement.split()) <= FRAGMENT_WORDS + 1  # a sentence with a verb is not a heading
        fragment = (len(words) <= FRAGMENT_WORDS and short) or (label and len(words) <= LABEL_WORDS)
        if fragment and not in_sequence([w for w in tokens(statement) if w not in meta], chunk):
            # A few words that say nothing but a name ("Project roadmap", "Common Week 2 Issues & Fixes:")
            # are only the passage's when its text has them in that order: its words scattered over its
            # lines, or a heading above it, do not make a heading of it.
            return Check(False, support, "fragment")
        asides = [p for p in ASIDE.findall(statement) if len(set(tokens(p)) - meta) >= 3]
        # One word of a clause in other words, in a sentence that says what the span does ("far" for "vastly").
        for cw in [set(tokens(c)) - meta - pointed_back(c) for c in [*clauses(statement)[1:], *asides]]:
            other = [w for w in cw if not covered(w, have)]
            if len(cw) < 2 or 1 - sum(map(corpus.idf_of, other)) / sum(map(corpus.idf_of, cw)) >= CLAUSE_COVERAGE:
                continue  # "…, and this person…" points back: nothing new
            if len(other) > 1 or closeness(self.plain_vectors(span_units), vector) < CLAUSE_MEANING:
                return Check(False, support, "clause")
        return Check(True, support, "", units, heading_at)

    def _paired_wrongly(self, stated: str, span_units: list[int], idx: list[int], meta: frozenset[str]) -> bool:
        """A figure of the statement given to what the span gives another figure, or a figure the span
        rules out said to hold (see ``pairs``); each line of the span read with its label."""
        labels_of = self._own_labels(idx)
        segments = []
        for i in span_units:
            label = "\n".join(self.corpus.unit_text(j) for j in labels_of(i) if self.corpus.units[j].kind == "label")
            segments += segments_of(self.corpus.unit_text(i), label)
        items = series_items([self.corpus.unit_text(i) for i in idx])
        return paired_wrongly(stated, [self.corpus.unit_text(i) for i in span_units], segments, items, meta)

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
            if not passing and (whole := joined(cited, self.corpus.lines_by_chunk, self._joined)) is not None:
                # Passages of one document cited together: read as one (a list or code split between them).
                passing = [(whole, ch) for ch in [self.check(st.text, vec, whole)] if ch.ok]
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
