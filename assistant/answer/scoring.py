"""How well each line of the retrieved passages answers the question: its meaning (dense), the
question's words it states with its headings and the labels above it (lexical), and what the question
asks of it — a figure of the kind and period asked for, a remedy rather than the problem, the stage
named, what not to do."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import numpy as np

from assistant.answer.asking import PERIODS, Asked, in_stated_range, stem
from assistant.answer.passage import (
    FIGURE,
    RATE,
    block_label,
    block_title,
    context_before,
    object_key,
    run_in,
    table_header,
)
from assistant.answer.rendering import is_bare_label
from assistant.config import ScoringSettings
from assistant.index.corpus import Corpus, tokens
from assistant.types import Hit

# The labels of the playbook's remedies ("**Solution:**", "**Fixes:**", "**Defense:**"), which answer a
# question of what to do, and of its descriptions of the problem ("**Symptoms:**"), which do not.
_REMEDY_LABEL = re.compile(
    r"\b(?:solutions?|fix(?:es)?|defen[cs]e|mitigations?|approach|how we did it|address (?:it|each)|"
    r"what actually works|what to do|tactics|strategy|prevent this|options|levers|interventions?|"
    r"the fix|protection strategy)\b",
    re.I,
)
_PROBLEM_LABEL = re.compile(
    r"\b(?:problems?|symptoms?|root causes?|the challenge|the impact|what actually happens|why pilots fail|"
    r"example attack|common risks)\b",
    re.I,
)


@dataclass(frozen=True)
class Scored:
    unit: int
    score: float
    support: float  # how well the unit alone answers the question (dense + lexical)
    hit_rank: int


def score_units(
    corpus: Corpus,
    asked: Asked,
    q_vec: np.ndarray,
    hits: list[Hit],
    w: ScoringSettings,
    top: float | None = None,
) -> list[Scored]:
    """Every unit of ``hits``' passages, best first, by the features and weights of ``w``; ``top`` is the
    retrieval score the passages' own scores are read against (their best, by default)."""
    q_toks, extra = asked.words, asked.extra
    q_weight = sum(corpus.idf_of(t) for t in q_toks) or 1.0
    out: list[Scored] = []
    top = top or max((h.score for h in hits), default=1.0) or 1.0
    for hit in hits:
        idx = corpus.units_by_chunk.get(hit.chunk.id, [])
        if not idx:
            continue
        dense = corpus.closeness(idx, q_vec)
        # The section path, and the document's title: a question that names a document ("in the 90-day
        # plan") is answered from it. Titles share most words, so only the distinctive ones tell.
        section_toks = (
            set(tokens(hit.chunk.section)) | set(tokens(hit.chunk.title)) | _file_words(corpus, hit.chunk.doc)
        )
        prior = hit.score / top  # how strongly retrieval ranked the unit's passage
        # A labelled line that closes a block ("**Cons:** High support burden") is read under the block's
        # label too ("**Option 4: "Big Bang" Rollout**").
        chains = {i: context_before(corpus, i) for i in idx if corpus.units[i].kind in ("item", "sentence")}
        for i in idx:
            chains[i] = (
                chains.get(i, [])
                + block_label(corpus, i)
                + _header_if_row_named(corpus, i, q_toks)
                + run_in(corpus, i)
                + block_title(corpus, i)
                + object_key(corpus, i)
            )
        for j, i in enumerate(idx):
            unit = corpus.units[i]
            # An item is read under its section and the labels just above its list
            # ("**Fixes:**" > "1. **Customization:**").
            context = corpus.unit_tokens[i] | section_toks
            chain = chains.get(i, [])
            for k in chain:
                context = context | corpus.unit_tokens[k]
            matched = q_toks & context
            lex = sum(corpus.idf_of(t) for t in matched) + w.expansion * sum(corpus.idf_of(t) for t in extra & context)
            # Another form of a question word ("recommend": "recommendation", "switch": "switched") counts
            # at part of its weight, in the line's rank and in whether the playbook covers the question.
            unmatched = {stem(t): t for t in q_toks - matched}
            forms = unmatched.keys() & {stem(t) for t in context} if unmatched else set()
            lex += w.word_forms * sum(corpus.idf_of(unmatched[f]) for f in forms)
            lex = min(lex / q_weight, 1.0)
            support = w.meaning * float(dense[j]) + w.words * lex
            score = w.support * support + w.passage * prior
            text = corpus.unit_text(i)
            chain_text = " ".join(corpus.unit_text(k) for k in chain)
            score += _asked_of(asked, text, chain_text, w)
            if asked.stage:
                labelled = corpus.vocabulary.labelled_stage(
                    text, [corpus.unit_text(k) for k in chain], hit.chunk.section
                )
                if labelled and labelled != asked.stage:
                    score += w.other_stage  # "How long is the production stage?" is not "**Pilot:** 4-8 weeks"
            if unit.kind == "header" or (unit.kind == "label" and is_bare_label(text)):
                score += w.bare_label  # context for a list or table, rarely an answer on its own
            out.append(Scored(i, score, support, hit.rank))
    out.sort(key=lambda s: (-s.score, s.unit))
    return out


def under_label(corpus: Corpus, i: int) -> tuple[bool, bool]:
    """Whether line ``i`` is read under a label of the playbook's remedies ("**Fixes:**"), and whether under
    one of its descriptions of the problem ("**Symptoms:**")."""
    labels = " ".join(corpus.unit_text(k) for k in [*context_before(corpus, i), *block_label(corpus, i)])
    return bool(_REMEDY_LABEL.search(labels)), bool(_PROBLEM_LABEL.search(labels))


def _file_words(corpus: Corpus, doc: str) -> set[str]:
    """The words of a document's file name that no other document's title or file name has, which askers
    call it by as they do by its title ("the genai guide" for genai-implementation-guide.txt). Words the
    names share ("pilot-to-production") say what the playbook is about, not which document."""

    def words(name: str) -> set[str]:
        return set(tokens(re.sub(r"[-_.]+", " ", name)))

    others = set().union(*(words(d.rsplit(".", 1)[0]) | words(t) for d, t in corpus.titles.items() if d != doc))
    return words(doc.rsplit(".", 1)[0]) - others


def _header_if_row_named(corpus: Corpus, i: int, q_toks: set[str] | frozenset[str]) -> list[int]:
    """A row is read under its table's column names when the question names the row ("the simple tier's
    pilot"): a value is of its row and its column. Naming a column alone asks of the whole table."""
    header = table_header(corpus, i)
    if not header:
        return []
    first = corpus.unit_text(i).strip().strip("|").split("|")[0]
    return header if q_toks & set(tokens(first)) else []


def reranked(
    corpus: Corpus, asked: Asked, q_vec: np.ndarray, hits: list[Hit], w: ScoringSettings, prior: float
) -> list[Hit]:
    """``hits`` ordered by how well their best line answers the question, plus ``prior`` × their search
    score read against the best: a passage the fused search ranks third because its words are spread
    thin may hold the one line that answers."""
    best: dict[str, float] = {}
    for s in score_units(corpus, asked, q_vec, hits, w):
        cid = corpus.units[s.unit].chunk_id
        best[cid] = max(best.get(cid, s.score), s.score)
    top = max((h.score for h in hits), default=1.0) or 1.0
    order = sorted(hits, key=lambda h: (-(best.get(h.chunk.id, -1.0) + prior * h.score / top), h.rank))
    return [dataclasses.replace(h, rank=r) for r, h in enumerate(order)]


def reranked_top(
    corpus: Corpus, asked: Asked, q_vec: np.ndarray, hits: list[Hit], w: ScoringSettings, prior: float, k: int
) -> tuple[list[Hit], list[Hit]]:
    """The first ``k`` of ``hits`` as ``reranked`` orders them, those brought up from below the search's
    own first ``k`` marked ``widened``; and the passages of the search's first ``k`` they displaced. Whether
    the playbook covers the question is judged on the search's first ``k``: a wider pool holds more lines
    that answer a question it does not cover about as well as the lines of one it does."""
    ranked = reranked(corpus, asked, q_vec, hits, w, prior)[:k]
    first, kept = hits[:k], {h.chunk.id for h in ranked}
    searched = {h.chunk.id for h in first}
    displaced = [h for h in first if h.chunk.id not in kept]
    return [h if h.chunk.id in searched else dataclasses.replace(h, widened=True) for h in ranked], displaced


def _asked_of(asked: Asked, text: str, chain_text: str, w: ScoringSettings) -> float:
    """How much better (or worse) a line with the labels above it fits what the question asks of it."""
    score = 0.0
    if asked.wants_figure and FIGURE.search(text):
        if any(t.search(text) for t in asked.figure_shapes):
            score += w.figure_asked  # the kind of figure asked for: a duration for "how long"
        elif asked.asks_duration and RATE.search(text):
            score += w.rate_for_duration  # a rate ("2-4 hours/week") is not how long something takes
        else:
            score += w.figure_other
    for name, (_, written) in PERIODS.items():
        if asked.periods and written.search(text):
            # An amount for the period asked ("per year": "annually"), not another one.
            score += w.period if name in asked.periods else -w.period
    if asked.numbers and in_stated_range(f"{chain_text} {text}", asked.numbers):
        score += w.situation_size  # the playbook's figure for a situation of the size the user describes
    if asked.remedy and chain_text:
        if _REMEDY_LABEL.search(chain_text):
            score += w.remedy
        elif _PROBLEM_LABEL.search(chain_text):
            score -= w.remedy
    if "❌" in text or "❌" in chain_text[:40]:
        score += w.dont if asked.negative else -w.dont  # a "don't" item answers only a "don't" question
    elif asked.negative and "✅" in text:
        score += w.do_for_dont
    return score
