"""The offline generator: composes an answer from the playbook's own sentences and list items.

It scores every unit (sentence, list item, table row) of the retrieved passages against the question,
keeps the ones that answer it and brings a list along whole when the question asks for one; rendering
writes them out grouped by source document, so that figures from documents that disagree stay attributed.
Every statement is verbatim text of the passage it cites. When nothing scores high enough, it abstains
and names the nearest topics the playbook does cover.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field

import numpy as np
import Stemmer

from assistant.config import AnswerSettings
from assistant.corpus import Corpus, tokens
from assistant.followup import INTENT_WORDS
from assistant.rendering import ITEM_MARK, abstention_text, asks, collapse, is_bare_label, nearest_topics, render
from assistant.retrieval import Hit
from assistant.types import Citation
from assistant.wording import unknown_names

_LIST_QUESTION = re.compile(
    r"\b(what are|which|list|steps|checklist|criteria|signs|signals|roles|tips|examples|mistakes|pitfalls|"
    r"components|elements|phases|metrics|deliverables|prerequisites|requirements|questions|risks|"
    r"what should|how (?:do|should|can|did) (?:i|we|they|the)|what do (?:i|we)|what does|when (?:should|do|must)|"
    r"what happens|what (?:goes|went) (?:into|in|wrong)|what (?:are|were) the|"
    r"what (?:\w+ )?\w+[^s\W]s (?:does|do|are|should|can|did|would))\b",
    re.I,
)
# Questions that want a figure: units carrying one are preferred.
_QUANTITY_QUESTION = re.compile(
    r"\b(how (?:much|many|long|big|small|often|soon|fast)|cost|costs|budget|price|percent|percentage|"
    r"timeline|duration|what size|how large|rate|ratio|threshold)\b",
    re.I,
)


def wants_figure(question: str) -> bool:
    """Whether a question asks for a figure: an amount, a duration, a share, a threshold."""
    return bool(_QUANTITY_QUESTION.search(question))


# What kind of figure a question asks for, and what such a figure looks like in the text.
_ANSWER_TYPES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (
        re.compile(r"\bhow long\b|\bduration\b|\btimeline\b|\bhow many (?:weeks|months|days)\b", re.I),
        re.compile(
            r"\b(?:\d+|one|two|three|four|five|six|eight|ten|twelve)(?:\s*(?:[-–]|to)\s*\w+)?\+?\s*"
            r"(?:weeks?|months?|days?|years?|wks?)\b(?!\s*/)",
            re.I,
        ),
    ),
    (re.compile(r"\bhow much\b|\bcost|\bbudget|\bprice|\bspend", re.I), re.compile(r"\$\s?\d|\d\s?[kKmM]\b")),
    (re.compile(r"\bpercent|\bshare\b|\brate\b|\bhow many of\b", re.I), re.compile(r"\d\s?%")),
    (
        re.compile(r"\bhow many (?:users|people|employees)\b|\busers\b", re.I),
        re.compile(r"\d[\d,+-]*\s*(?:users|people)"),
    ),
)
# An amount per period of time ("2-4 hours/week", "10 hours per week"): effort or a rate, not a duration.
_RATE = re.compile(r"\d\+?\s*(?:hours?|hrs?|days?|minutes?|mins?)\s*(?:/|per\s+|a\s+)(?:week|month|day|wk)\b", re.I)
# The period a question asks an amount for, and how the text writes each period.
_PERIODS = {
    "year": (
        re.compile(r"\b(?:per year|a year|yearly|annual(?:ly)?|each year|every year|per annum)\b", re.I),
        re.compile(r"\b(?:annual(?:ly)?|per year|a year|yearly|per annum)\b|/\s*(?:year|yr)\b", re.I),
    ),
    "month": (
        re.compile(r"\b(?:per month|a month|monthly|each month|every month)\b", re.I),
        re.compile(r"\b(?:per month|a month|monthly)\b|/\s*(?:month|mo)\b", re.I),
    ),
    "quarter": (
        re.compile(r"\b(?:per quarter|a quarter|quarterly|each quarter|every quarter)\b", re.I),
        re.compile(r"\b(?:per quarter|a quarter|quarterly)\b", re.I),
    ),
}
# Questions that ask what to do about something: the playbook's remedies ("**Solution:**", "**Fixes:**",
# "**Defense:**") answer them, its descriptions of the problem ("**Symptoms:**", "**Problem:**") do not.
_REMEDY_QUESTION = re.compile(
    r"\b(?:how (?:do|can|should|to|would) (?:we|i|you)|what (?:should|can|do|must) (?:we|i|you) do|what to do|"
    r"fix|solve|handle|deal with|prevent|stop|avoid|reduce|cut|improve|defend|protect|mitigate|overcome|"
    r"bring .{0,20} down|get .{0,30} to)\b",
    re.I,
)
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
# A question about what not to do, skip or hold back ("what should we avoid building?").
_NEGATIVE_QUESTION = re.compile(
    r"\b(?:avoid|hold off|hold back|not (?:to )?(?:do|build|add|include)|n't (?:do|build|add|include)|skip|"
    r"leave out|shouldn't|should not|don't)\b",
    re.I,
)
# A question for several things of a kind: "what rollout strategies…", "which options…", "list the…".
_PLURAL_ASK = re.compile(
    r"\b(?:(?:what|which) (?:\w+ )?(?!(?:does|has|is|was|this)\b)\w+[^s\W]s|list|options|kinds|types)\b", re.I
)
# A line that counts what follows ("against 5 primary attack vectors", "three conditions"), and the
# numbered labels of what it counts ("**1. Prompt Injection Attacks:**").
_COUNT_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_ANNOUNCE = re.compile(
    r"\b(\d{1,2}|" + "|".join(_COUNT_WORDS) + r")\s+(?:[a-z-]+\s+){0,2}"
    r"(?!(?:minute|hour|day|week|month|year|user|people|person|dollar|percent|time)s\b)[a-z-]+s\b",
    re.I,
)
_NUMBERED_LABEL = re.compile(r"^\W*(\d{1,2})[.)]\s+\S")
_ORDINAL_LEAD = re.compile(r"^\W*(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|finally)\b", re.I)
# A label that numbers one of several parallel blocks: "**Option 2: Role-Based Rollout**", "**Step 3:**".
_PARALLEL_LABEL = re.compile(r"^\W*([A-Za-z]+) \d{1,2}\b")
# A number the question gives about the user's own situation ("about 50,000 customer records"), and
# the ranges the playbook sizes things by ("**Medium Dataset (10K-100K records):**", "<200 users").
_NUM = r"\$?(\d[\d,]*(?:\.\d+)?)\s*([kKmM]\b)?"
_QUESTION_NUMBER = re.compile(_NUM + r"\+?\s+((?:[a-z-]+\s+){0,2}[a-z-]+)")
_RANGE = re.compile(
    r"(?:" + _NUM + r"\s*(?:[-–]|to)\s*" + _NUM + r"|" + _NUM + r"\+|(<)\s*" + _NUM + r")"
    r"\s*\)?\s*((?:[a-z-]+\s*){1,2})",
    re.I,
)
# The journey's three stages as a question names them, and as the playbook labels a line or a block
# for one of them ("- **Pilot:** 4-8 weeks", "#### Pilot Stage Concerns").
# A question for the phases (stages, steps) a document is laid out in, not for one of them.
_OUTLINE_ASK = re.compile(
    r"\b(?:what|which|list|name|outline|walk (?:me|us) through|tell (?:me|us))\b[^?]*?"
    r"(?:\b(phase|stage|step)s\b|\b(?:each|every) (phase|stage|step)\b)",
    re.I,
)
_ONE_PART = re.compile(
    r"\b(?:phase|stage|step)\s+\d|\b(?:first|second|third|fourth|fifth|sixth|last|final|next)\s+(?:phase|stage|step)\b",
    re.I,
)
# A heading that numbers one of a document's parallel sections: "Phase 2 (Days 31–60): Build and validate",
# "3. Phase 2: The Hardening".
_NUMBERED_HEADING = re.compile(r"^(?:\d{1,2}\.\s*)?(phase|stage|step)\s+\d{1,2}\b", re.I)
_STEMMER = Stemmer.Stemmer("english")
# A line that introduces what follows: it ends with a colon, in bold or not ("1. **Start Small (Pilot):**").
_INTRODUCES = re.compile(r":[*_]*\s*$")
_FIGURE = re.compile(r"\d|\$|%|\b(?:one|two|three|four|five|six|seven|eight|nine|ten)\b", re.I)
# A figure with its measure ("4-6 hours/week", "$15K-$50K"), and the measure alone.
_UNITS = r"(%|hours?/week|hours?|weeks?|months?|days?|users?)(?![a-z])"
_MEASURED = re.compile(r"\$?\d[\d,.]*[kKmM]?(?:\s*[-–]\s*\$?\d[\d,.]*[kKmM]?)?\+?\s*" + _UNITS)
_MEASURE = re.compile(r"(?<=\d)\+?\s*" + _UNITS)


@dataclass(frozen=True)
class Scored:
    unit: int
    score: float
    support: float  # how well the unit alone answers the question (dense + lexical)
    hit_rank: int


@dataclass
class Draft:
    """A composed answer before it gets its id, timing and session."""

    answer: str
    citations: list[Citation]
    abstained: bool
    confidence: float
    support: float
    statements: int
    nearest_topics: list[str]
    # What confidence is computed from (``answer_features``); empty for a declined question.
    features: dict[str, float] = field(default_factory=dict)


class ExtractiveGenerator:
    name = "extractive"

    def __init__(self, corpus: Corpus, settings: AnswerSettings) -> None:
        self.corpus = corpus
        self.settings = settings
        self._figure_units: list[int] | None = None  # the lines that give a figure, found on first use
        self._figure_context: list[set[str]] = []

    # -- scoring ---------------------------------------------------------------------------------
    def score_units(self, question: str, q_vec: np.ndarray, hits: list[Hit], top: float | None = None) -> list[Scored]:
        corpus = self.corpus
        q_toks = set(tokens(question))
        # The playbook's words for what the question asks ("how long": timeline) count half.
        extra = set(tokens(" ".join(self.corpus.vocabulary.expansion_words(question)))) - q_toks
        q_weight = sum(corpus.idf_of(t) for t in q_toks) or 1.0
        wants_figure = bool(_QUANTITY_QUESTION.search(question))
        answer_types = [shape for asks, shape in _ANSWER_TYPES if asks.search(question)]
        asks_duration = bool(_ANSWER_TYPES[0][0].search(question))
        asked = [name for name, (asks, _) in _PERIODS.items() if asks.search(question)]
        remedy = bool(_REMEDY_QUESTION.search(question))
        negative = bool(_NEGATIVE_QUESTION.search(question))
        numbers = question_numbers(question)
        named_stages = corpus.vocabulary.journey_stages_in(question)
        asked_stage = named_stages.pop() if len(named_stages) == 1 else None
        out: list[Scored] = []
        top = top or max((h.score for h in hits), default=1.0) or 1.0
        for hit in hits:
            idx = corpus.units_by_chunk.get(hit.chunk.id, [])
            if not idx:
                continue
            dense = corpus.unit_vectors[idx] @ q_vec
            # The section path, and the document's title: a question that names a document ("in the 90-day
            # plan") is answered from it. Titles share most words, so only the distinctive ones tell.
            section_toks = set(tokens(hit.chunk.section)) | set(tokens(hit.chunk.title))
            prior = hit.score / top  # how strongly retrieval ranked the unit's passage
            chains = {i: _context_before(corpus, i) for i in idx if corpus.units[i].kind in ("item", "sentence")}
            for j, i in enumerate(idx):
                unit = corpus.units[i]
                # An item is read under its section and the labels just above its list
                # ("**Fixes:**" > "1. **Customization:**").
                context = corpus.unit_tokens[i] | section_toks
                chain = chains.get(i, [])
                for k in chain:
                    context = context | corpus.unit_tokens[k]
                matched = q_toks & context
                lex = sum(corpus.idf_of(t) for t in matched) + 0.5 * sum(corpus.idf_of(t) for t in extra & context)
                lex = min(lex / q_weight, 1.0)
                support = 0.65 * float(dense[j]) + 0.35 * lex
                score = 0.85 * support + 0.15 * prior
                # Another form of a question word ("recommend": "recommendation") ranks a line higher,
                # but does not count as the playbook covering the question.
                unmatched = {stem(t): t for t in q_toks - matched}
                if unmatched:
                    forms = unmatched.keys() & {stem(t) for t in context}
                    score += 0.85 * 0.35 * 0.5 * sum(corpus.idf_of(unmatched[f]) for f in forms) / q_weight
                if wants_figure and _FIGURE.search(corpus.unit_text(i)):
                    if any(t.search(corpus.unit_text(i)) for t in answer_types):
                        score += 0.18  # the kind of figure asked for: a duration for "how long"
                    elif asks_duration and _RATE.search(corpus.unit_text(i)):
                        score -= 0.05  # a rate ("2-4 hours/week") is not how long something takes
                    else:
                        score += 0.08
                for name, (_, written) in _PERIODS.items():
                    if asked and written.search(corpus.unit_text(i)):
                        # An amount for the period asked ("per year": "annually"), not another one.
                        score += 0.1 if name in asked else -0.1
                chain_text = " ".join(corpus.unit_text(k) for k in chain)
                if numbers and in_stated_range(f"{chain_text} {corpus.unit_text(i)}", numbers):
                    score += 0.12  # the playbook's figure for a situation of the size the user describes
                if remedy and chain_text:
                    if _REMEDY_LABEL.search(chain_text):
                        score += 0.08
                    elif _PROBLEM_LABEL.search(chain_text):
                        score -= 0.08
                text = corpus.unit_text(i)
                if asked_stage:
                    labelled = corpus.vocabulary.labelled_stage(
                        text, [corpus.unit_text(k) for k in chain], hit.chunk.section
                    )
                    if labelled and labelled != asked_stage:
                        score -= 0.35  # "How long is the production stage?" is not "**Pilot:** 4-8 weeks"
                if "❌" in text or "❌" in chain_text[:40]:
                    score += 0.08 if negative else -0.08  # a "don't" item answers only a "don't" question
                elif negative and "✅" in text:
                    score -= 0.05
                if unit.kind == "header" or (unit.kind == "label" and is_bare_label(corpus.unit_text(i))):
                    score -= 0.15  # context for a list or table, rarely an answer on its own
                out.append(Scored(i, score, support, hit.rank))
        out.sort(key=lambda s: (-s.score, s.unit))
        return out

    def _context_tokens(self, i: int) -> set[str]:
        """The words a unit states, with its section path and the labels above it."""
        corpus = self.corpus
        out = set(corpus.unit_tokens[i]) | set(tokens(corpus.chunks[corpus.units[i].chunk_id].section))
        for k in _context_before(corpus, i):
            out |= corpus.unit_tokens[k]
        return out

    # -- selection -------------------------------------------------------------------------------
    def outline(self, question: str, scored: list[Scored]) -> list[int]:
        """When a list question's best lines all come from one passage and score alike, the passage as a
        whole is the answer; if it is laid out as parallel labelled blocks ("**Option 1: …**",
        "**Option 2: …**"), those labels are its outline. Empty when that is not the case."""
        corpus = self.corpus
        if not _PLURAL_ASK.search(question) or len(scored) < 8:
            return []
        top = scored[:8]

        def section(i: int) -> tuple[str, str]:
            chunk = corpus.chunks[corpus.units[i].chunk_id]
            return chunk.doc, chunk.section

        where = section(top[0].unit)
        if sum(section(s.unit) == where for s in top) < 7 or top[0].score - top[-1].score > 0.06:
            return []
        members = sorted(
            (
                j
                for c in corpus.chunks.values()
                if (c.doc, c.section) == where
                for j in corpus.units_by_chunk.get(c.id, [])
            ),
            key=lambda j: corpus.units[j].start,
        )
        by_pattern: dict[str, list[int]] = {}
        for j in members:
            m = _PARALLEL_LABEL.match(corpus.unit_text(j))
            if corpus.units[j].kind == "label" and m:
                by_pattern.setdefault(m.group(1).lower(), []).append(j)
        blocks = max(by_pattern.values(), key=len, default=[])
        if len(blocks) < 3:
            return []
        out: list[int] = []
        for j in blocks[: self.settings.max_list_items]:
            # Each block with its one-line summary, when one follows ("*Best for: …*").
            after = members[members.index(j) + 1 : members.index(j) + 2]
            short = [k for k in after if corpus.units[k].kind == "sentence" and len(corpus.unit_text(k)) <= 120]
            out += [j, *short]
        return out

    def section_outline(self, question: str, hits: list[Hit]) -> list[int]:
        """For "what are the phases of the 90-day plan?": the opening line of each of the numbered
        sections the best-ranked such passage belongs to ("Phase 1 (Days 1–30): …", "Phase 2 …"), in the
        document's order. Empty when the question asks for something else or no such sections are found."""
        m = _OUTLINE_ASK.search(question)
        if not m or _ONE_PART.search(question):
            return []
        noun = (m.group(1) or m.group(2)).lower()
        for hit in hits:
            parts = hit.chunk.section.split(" > ")
            if hit.chunk.section == hit.chunk.title:
                # The document's opening passage: the question is about the document as a whole.
                siblings = self._numbered_sections(hit.chunk.doc, [], noun)
                if len(siblings) >= 3:
                    return [i for cid in siblings for i in self._opening(cid)]
            for depth, heading in enumerate(parts):
                found = _NUMBERED_HEADING.match(heading.strip())
                if found and found.group(1).lower() == noun:
                    siblings = self._numbered_sections(hit.chunk.doc, parts[:depth], noun)
                    if len(siblings) >= 3:
                        return [i for cid in siblings for i in self._opening(cid)]
        return []

    def _numbered_sections(self, doc: str, parent: list[str], noun: str) -> list[str]:
        """The first passage of each numbered section under ``parent`` in ``doc``, in document order."""
        depth = len(parent)
        first: dict[str, str] = {}
        for chunk in sorted((c for c in self.corpus.chunks.values() if c.doc == doc), key=lambda c: c.start):
            parts = chunk.section.split(" > ")
            if len(parts) <= depth or parts[:depth] != parent:
                continue
            found = _NUMBERED_HEADING.match(parts[depth].strip())
            if found and found.group(1).lower() == noun:
                first.setdefault(parts[depth], chunk.id)
        return list(first.values())

    def _opening(self, chunk_id: str) -> list[int]:
        """The passage's first line that says something (not a table header or a bare label), with the
        rest of its paragraph when it is a sentence (up to three)."""
        corpus = self.corpus
        idx = corpus.units_by_chunk.get(chunk_id, [])
        for k, i in enumerate(idx):
            unit = corpus.units[i]
            if unit.kind == "header" or (unit.kind == "label" and is_bare_label(corpus.unit_text(i))):
                continue
            out = [i]
            if unit.kind == "sentence":
                for j in idx[k + 1 : k + 3]:
                    if corpus.units[j].kind != "sentence" or corpus.units[j].group != unit.group:
                        break
                    out.append(j)
            return out
        return []

    def select(self, question: str, scored: list[Scored], others: list[Scored] | None = None) -> list[int]:
        """The units of the answer, from the scored units of the search's passages; ``others`` are units
        of passages looked up only for another document's figure."""
        corpus, cfg = self.corpus, self.settings
        outline = self.outline(question, scored)
        if outline:
            return outline
        best = scored[0]
        best_group = corpus.units[best.unit].group
        floor = best.score - cfg.select_margin
        wants_figure = bool(_QUANTITY_QUESTION.search(question))
        best_kinds = _figure_kinds(corpus.unit_text(best.unit))
        chosen: list[int] = []
        seen_text: set[str] = set()
        docs_best: dict[str, float] = {}

        def take(i: int) -> None:
            key = _text_key(corpus, i)
            if i not in chosen and key not in seen_text:
                chosen.append(i)
                seen_text.add(key)

        for s in scored:
            unit = corpus.units[s.unit]
            if len(chosen) >= cfg.max_units:
                break
            if unit.kind == "header":
                continue
            # Another document is quoted when its best unit is nearly as good: sources that disagree
            # are shown side by side rather than one of them silently.
            other_doc = unit.doc != corpus.units[best.unit].doc
            # Figures are where the documents disagree (pilot length, budget, users), so another
            # document's figure is shown even when it ranks a little lower.
            margin = (
                cfg.figure_margin
                if wants_figure
                and _FIGURE.search(corpus.unit_text(s.unit))
                and _comparable(best_kinds, _figure_kinds(corpus.unit_text(s.unit)))
                else 0.05
            )
            # A sentence of the same paragraph as the best one is its context, and is taken more readily.
            same_paragraph = unit.kind == "sentence" and (unit.doc, unit.group) == (
                corpus.units[best.unit].doc,
                corpus.units[best.unit].group,
            )
            near = s.score >= (best.score - margin if other_doc else floor)
            # An item of the same list as the best one: the list is likely the answer.
            if unit.kind == "item" and (unit.doc, unit.group) == (corpus.units[best.unit].doc, best_group):
                near = near or s.score >= best.score - 0.12
            if (same_paragraph and s.score >= best.score - 0.15) or (
                near and (unit.doc in docs_best or len(docs_best) < 3)
            ):
                take(s.unit)
                docs_best.setdefault(unit.doc, s.score)

        if len(chosen) == 1:
            # One line is a thin answer: another document's best line is taken as readily as the first
            # document's own would be.
            for s in scored[1:]:
                if s.score < floor:
                    break
                if corpus.units[s.unit].doc != corpus.units[best.unit].doc and corpus.units[s.unit].kind != "header":
                    take(s.unit)
                    break

        # A question that asks for two things ("uptime and error rate") is answered on both: a word of
        # the question that no chosen unit or its headings states brings in the best unit that does.
        covered: set[str] = set()
        for i in chosen:
            covered |= self._context_tokens(i)
        for tok in sorted(set(tokens(question)) - covered, key=lambda t: -corpus.idf_of(t)):
            for s in scored:
                if s.score < best.score - cfg.coverage_margin or len(chosen) >= cfg.max_units + 2:
                    break
                if tok in corpus.unit_tokens[s.unit] and corpus.units[s.unit].kind != "header":
                    take(s.unit)
                    covered |= self._context_tokens(s.unit)
                    break

        if wants_figure:
            for i in self._other_figures(question, scored, chosen, others):
                take(i)

        wants_list = bool(_LIST_QUESTION.search(question))
        expanded: list[int] = []
        groups_done: set[tuple[str, int]] = set()
        for i in chosen:
            unit = corpus.units[i]
            if unit.kind == "label" or _INTRODUCES.search(corpus.unit_text(i)):
                # "Before Day 1, confirm:", "**Minimum Team:**", "**Q: ...**" — the answer is what follows.
                following = _content_after(corpus, i, cfg.max_list_items)
                key = (unit.doc, corpus.units[following[0]].group) if following else (unit.doc, unit.group)
                # What another place of the answer already says ("Can be part-time", "External help OK")
                # is not shown twice.
                shown = {_text_key(corpus, j) for j in expanded}
                repeats = sum(_text_key(corpus, j) in shown for j in following)
                if following and key not in groups_done and repeats * 2 < len(following):
                    groups_done.add(key)
                    # A list line that introduces ("1. **Prompt Engineering:**") is read under its list's label.
                    above = _context_before(corpus, i, limit=1) if unit.kind == "item" else []
                    expanded += [*above, i, *(j for j in following if _text_key(corpus, j) not in shown)]
                # A line that announces what its passage does not go on to give ("Use this checklist
                # before …:" with no checklist after it) is left out.
                continue
            key = (unit.doc, unit.group)
            siblings = corpus.group_units(i)
            same_group = [j for j in chosen if (corpus.units[j].doc, corpus.units[j].group) == key]
            if unit.kind in ("item", "row") and key not in groups_done and (wants_list or len(same_group) > 1):
                groups_done.add(key)
                members = [j for j in siblings if corpus.units[j].kind in ("item", "row", "header")]
                expanded += _context_before(corpus, members[0], limit=1) + members[: cfg.max_list_items]
            elif unit.kind == "row" and key not in groups_done:
                groups_done.add(key)
                expanded += [j for j in siblings if corpus.units[j].kind == "header"] + [i]
            elif unit.kind == "item" and key not in groups_done:
                # A short list is read whole: its other items are the rest of the answer.
                short = [j for j in siblings if corpus.units[j].kind == "item"]
                expanded += [*_context_before(corpus, i, limit=1), *(short if len(short) <= 4 else [i])]
                if len(short) <= 4:
                    groups_done.add(key)
            elif unit.kind == "sentence":
                # A paragraph's opening sentence states its point; the next ones carry the substance. A
                # label right above the paragraph says what it is about ("**Biggest ROI driver** (38%):").
                expanded += [
                    *(_context_before(corpus, i, limit=1) or _lead_line(corpus, i)),
                    i,
                    *_continuation(corpus, i),
                ]
                expanded += _announced(corpus, i, cfg.max_list_items)
            elif key not in groups_done:
                expanded.append(i)
        expanded += [j for j in self._numbered_gaps(expanded) + self._paragraph_gaps(expanded) if j not in expanded]
        result: list[int] = []
        for i in expanded:
            if corpus.units[i].kind == "label":
                # An answer ("**A:** That's OK! ...") is read under the question it answers.
                result += [
                    k for k in _context_before(corpus, i, limit=1) if asks(corpus.unit_text(k)) and k not in result
                ]
            if i not in result:
                result.append(i)
        return result or chosen[:1]

    def _paragraph_gaps(self, chosen: list[int], most: int = 3) -> list[int]:
        """The sentences between two chosen sentences of one paragraph (up to ``most``): a paragraph is
        quoted without holes, so its argument reads as written."""
        corpus = self.corpus
        by_paragraph: dict[tuple[str, int], list[int]] = {}
        for i in chosen:
            unit = corpus.units[i]
            if unit.kind == "sentence":
                by_paragraph.setdefault((unit.chunk_id, unit.group), []).append(i)
        out: list[int] = []
        for (chunk_id, group), picked in by_paragraph.items():
            if len(picked) < 2:
                continue
            same = [j for j in corpus.units_by_chunk[chunk_id] if corpus.units[j].group == group]
            first, last = min(same.index(i) for i in picked), max(same.index(i) for i in picked)
            between = [j for j in same[first + 1 : last] if j not in picked]
            if len(between) <= most:
                out += between
        return out

    def _numbered_gaps(self, chosen: list[int]) -> list[int]:
        """Numbered labels of a passage that a chosen run of them skips ("**2. Perfectionism**" to "**5.
        Technology Focus**" chosen, "**1. Scope Creep**" not), with what each heads: a numbered list is
        shown without holes."""
        corpus = self.corpus
        numbers: dict[str, set[int]] = {}
        for i in chosen:
            m = _NUMBERED_LABEL.match(corpus.unit_text(i))
            if m and corpus.units[i].kind == "label":
                numbers.setdefault(corpus.units[i].chunk_id, set()).add(int(m.group(1)))
        # Parallel blocks ("**Month 1-2: Production Setup**", "**Month 3-4: …**"): two of them chosen bring
        # the passage's others, so a timeline or a set of options is shown whole.
        leads: dict[tuple[str, str], set[int]] = {}
        for i in chosen:
            m = _PARALLEL_LABEL.match(corpus.unit_text(i))
            if m and corpus.units[i].kind in ("label", "sentence") and not _NUMBERED_LABEL.match(corpus.unit_text(i)):
                leads.setdefault((corpus.units[i].chunk_id, m.group(1).lower()), set()).add(i)
        out: list[int] = []
        for (chunk_id, lead), picked in leads.items():
            if len(picked) < 2:
                continue
            for j in corpus.units_by_chunk[chunk_id]:
                m = _PARALLEL_LABEL.match(corpus.unit_text(j))
                if (
                    j not in picked
                    and m
                    and m.group(1).lower() == lead
                    and corpus.units[j].kind == corpus.units[min(picked)].kind
                ):
                    out += [j, *_content_after(corpus, j, self.settings.max_list_items)]
        for chunk_id, have in numbers.items():
            if len(have) < 2:
                continue
            for j in corpus.units_by_chunk[chunk_id]:
                m = _NUMBERED_LABEL.match(corpus.unit_text(j))
                if (
                    m
                    and corpus.units[j].kind == "label"
                    and int(m.group(1)) < max(have)
                    and int(m.group(1)) not in have
                ):
                    out += [j, *_content_after(corpus, j, self.settings.max_list_items)]
        return out

    def _other_figures(
        self, question: str, scored: list[Scored], chosen: list[int], others: list[Scored] | None = None
    ) -> list[int]:
        """Another place that gives a different figure in the same measure for the same thing as the best
        line ("Champion: 4-6 hours/week" beside "Prototype: 10-15 hours/week (champion)"): the playbook
        disagrees with itself, and the answer shows both rather than one silently. ``others`` are lines
        looked up in documents the search did not reach for this."""
        corpus = self.corpus
        best = scored[0]
        measures = set(_MEASURE.findall(corpus.unit_text(best.unit).lower()))
        if not measures:
            return []
        q_toks = set(tokens(question))
        about = (q_toks - INTENT_WORDS) & self._context_tokens(best.unit)
        if not about:
            return []
        figures = {m.group(0) for i in chosen for m in _MEASURED.finditer(corpus.unit_text(i).lower())}
        margin = self.settings.other_figure_margin
        out: list[int] = []
        for s in scored[1:]:
            if s.score < best.score - margin or len(out) >= 2:
                break
            if s.unit in chosen or corpus.units[s.unit].kind not in ("item", "sentence", "row"):
                continue
            text = corpus.unit_text(s.unit).lower()
            stated = {m.group(0) for m in _MEASURED.finditer(text)}
            # The same thing: the line, its headings and labels state every word the question asks about.
            same_thing = about <= self._context_tokens(s.unit)
            if same_thing and measures & set(_MEASURE.findall(text)) and stated - figures:
                out.append(s.unit)
                figures |= stated
        # A line looked up in another document is judged by its own support: the search ranked its passage
        # low, which is why it was looked up.
        best_doc = corpus.units[best.unit].doc
        docs: set[str] = set()
        for s in sorted(others or [], key=lambda s: (-s.support, s.unit)):
            unit = corpus.units[s.unit]
            if s.support < best.support - margin or len(docs) >= 2:
                break
            if unit.doc == best_doc or unit.doc in docs or unit.kind not in ("item", "sentence", "row"):
                continue
            text = corpus.unit_text(s.unit).lower()
            stated = {m.group(0) for m in _MEASURED.finditer(text)}
            # The same thing in its own words ("8% of enterprise AI projects … full-scale deployment"): a
            # line that alone answers the question about as well as the best one.
            same_thing = about <= self._context_tokens(s.unit) or s.support >= best.support - 0.1
            if same_thing and measures & set(_MEASURE.findall(text)) and stated - figures:
                out.append(s.unit)
                figures |= stated
                docs.add(unit.doc)
        return out

    def figure_passages(self, question: str, q_vec: np.ndarray, exclude: set[str], min_support: float) -> list[str]:
        """For a question that asks for a figure: each document's best line that gives one (an amount, a
        duration, a share), by the line's meaning and its words read with its headings. The passages of
        those lines not in ``exclude``, best first. Documents that disagree on a figure often state it in
        words the search's best passages do not share ("13% of pilots reach production" beside "one of only
        8% of enterprise AI projects that make it to full-scale deployment")."""
        corpus = self.corpus
        if self._figure_units is None:
            self._figure_units = [i for i in range(len(corpus.units)) if _figure_kinds(corpus.unit_text(i))]
            self._figure_context = [self._context_tokens(i) for i in self._figure_units]
        # The kind of figure asked for, when the question says ("how much": an amount of money).
        shapes = [shape for asks, shape in _ANSWER_TYPES if asks.search(question)]
        q_toks = set(tokens(question))
        q_weight = sum(corpus.idf_of(t) for t in q_toks) or 1.0
        dense = corpus.unit_vectors[self._figure_units] @ q_vec
        best: dict[str, tuple[float, str]] = {}
        for j, i in enumerate(self._figure_units):
            unit = corpus.units[i]
            if shapes and not any(shape.search(corpus.unit_text(i)) for shape in shapes):
                continue
            lex = sum(corpus.idf_of(t) for t in q_toks & self._figure_context[j]) / q_weight
            support = 0.65 * float(dense[j]) + 0.35 * min(lex, 1.0)
            if support > best.get(unit.doc, (-1.0, ""))[0]:
                best[unit.doc] = (support, unit.chunk_id)
        found = sorted(best.values(), reverse=True)
        return [cid for support, cid in found if support >= min_support and cid not in exclude]

    # -- the whole step --------------------------------------------------------------------------
    def generate(self, question: str, q_vec: np.ndarray, hits: list[Hit]) -> Draft:
        looked_up = [h for h in hits if h.looked_up]
        hits = [h for h in hits if not h.looked_up]
        scored = self.score_units(question, q_vec, hits)
        support = max((s.support for s in scored), default=0.0)
        confidence = 1.0 / (1.0 + math.exp(-14.0 * (support - self.settings.abstain_below)))
        topics = nearest_topics(self.corpus, hits)
        if not scored or (support < self.settings.abstain_below and not self._coherent(scored)):
            return Draft(abstention_text(topics), [], True, round(confidence, 2), support, 0, topics)
        unknown = unknown_names(question, self._known)
        if unknown:
            # The question names something the playbook never mentions: its quotes answer another question.
            return Draft(abstention_text(topics, unknown), [], True, round(confidence, 2), support, 0, topics)
        outline = self.section_outline(question, hits)
        top = max((h.score for h in hits), default=1.0)
        others = self.score_units(question, q_vec, looked_up, top=top) if looked_up else []
        selected = outline or self.select(question, scored, others)
        doc_order: list[str] = []
        for s in [*scored, *others]:
            doc = self.corpus.units[s.unit].doc
            if doc not in doc_order:
                doc_order.append(doc)
        text, citations, statements = render(self.corpus, selected, doc_order, headed=bool(outline))
        features = self.answer_features(question, support)
        confidence = calibrated(features, self.settings.confidence_weights)
        return Draft(text, citations, False, round(confidence, 2), support, statements, topics, features)

    def _coherent(self, scored: list[Scored], top: int = 6) -> bool:
        """Whether the best-supported lines mostly come from one passage, with support above
        ``coherent_below``: a question worded unlike the playbook ("bot takes 12s, ppl complaining") whose
        lines of best support are one list of fixes is about that passage; an off-topic question's best
        lines are scattered."""
        cfg = self.settings
        best = sorted(scored, key=lambda s: -s.support)[:top]
        if not best or best[0].support < cfg.coherent_below or len(best) < top:
            return False
        chunk = self.corpus.units[best[0].unit].chunk_id
        same = sum(self.corpus.units[s.unit].chunk_id == chunk for s in best[1:])
        return same / (top - 1) >= cfg.coherent_share

    def _known(self, word: str) -> bool:
        """A word of the playbook's vocabulary (a stop word is known)."""
        return all(t in self.corpus.idf for t in tokens(word))

    def answer_features(self, question: str, support: float) -> dict[str, float]:
        """What predicts whether an answer will be accepted: how well its best line answers (support),
        and the share of the question's weight in words the playbook never uses (the wording of a
        typed question the quotes may not fit)."""
        corpus = self.corpus
        q_toks = set(tokens(question))
        weight = sum(corpus.idf_of(t) for t in q_toks) or 1.0
        return {"support": support, "unseen": sum(corpus.idf_of(t) for t in q_toks if t not in corpus.idf) / weight}


def calibrated(features: dict[str, float], weights: dict[str, float]) -> float:
    """The probability that an answer is accepted: a logistic model of its features, with weights
    fitted on the dev splits (``python -m assistant.calibrate``)."""
    z = weights.get("bias", 0.0) + sum(w * features.get(name, 0.0) for name, w in weights.items() if name != "bias")
    return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The word's stem (Snowball), for matching another form of it."""
    return _STEMMER.stemWord(word)


_MONEY = re.compile(r"\$\s?\d|\d\s?(?:usd|dollars?)\b", re.I)
_TIME = re.compile(r"\d\+?\s*(?:hours?|hrs?|weeks?|wks?|months?|days?|years?)\b", re.I)
_SHARE = re.compile(r"\d\s?%|\bpercent")


def _figure_kinds(text: str) -> set[str]:
    """What a line's figures measure: money, time, a share."""
    found = {"money": _MONEY, "time": _TIME, "share": _SHARE}
    return {kind for kind, pattern in found.items() if pattern.search(text)}


def _comparable(a: set[str], b: set[str]) -> bool:
    """Two lines' figures can answer the same question: they share a measure, or one gives none."""
    return not a or not b or bool(a & b)


def _number(digits: str, scale: str | None) -> float:
    value = float(digits.replace(",", ""))
    return value * {"k": 1e3, "m": 1e6}.get((scale or "").lower(), 1.0)


def question_numbers(question: str) -> list[tuple[float, set[str]]]:
    """The quantities a question states, each with the words that follow it ("50,000 customer records":
    50000, {customer, record})."""
    return [(_number(m.group(1), m.group(2)), set(tokens(m.group(3)))) for m in _QUESTION_NUMBER.finditer(question)]


def in_stated_range(text: str, numbers: list[tuple[float, set[str]]]) -> bool:
    """Whether ``text`` states a range of the same thing that holds one of the question's quantities."""
    for m in _RANGE.finditer(text):
        g = m.groups()
        if g[0] is not None:
            low, high = _number(g[0], g[1]), _number(g[2], g[3])
        elif g[4] is not None:
            low, high = _number(g[4], g[5]), math.inf
        else:
            low, high = 0.0, _number(g[7], g[8])
        what = set(tokens(g[9] or ""))
        if any(low <= value <= high and what & nouns for value, nouns in numbers):
            return True
    return False


def _continuation(corpus: Corpus, i: int, limit: int = 2) -> list[int]:
    """Up to ``limit`` sentences that follow a short or opening sentence in its paragraph."""
    unit = corpus.units[i]
    idx = corpus.units_by_chunk[unit.chunk_id]
    same = [j for j in idx if corpus.units[j].group == unit.group]
    pos = same.index(i)
    if pos > 0 and len(corpus.unit_text(i)) > 90:
        return []
    return same[pos + 1 : pos + 1 + limit]


def _announced(corpus: Corpus, i: int, limit: int) -> list[int]:
    """What a line announces when it counts it ("We design defenses against 5 primary attack vectors.")
    and its section goes on with that many numbered labels ("**1. Prompt Injection Attacks:**", …): the
    labels, each with its one-line summary. Empty otherwise."""
    m = _ANNOUNCE.search(corpus.unit_text(i))
    if not m:
        return []
    count = int(m.group(1)) if m.group(1).isdigit() else _COUNT_WORDS[m.group(1).lower()]
    if not 2 <= count <= limit:
        return []
    unit = corpus.units[i]
    section = (unit.doc, corpus.chunks[unit.chunk_id].section)
    after = [
        j
        for c in corpus.chunks.values()
        if (c.doc, c.section) == section
        for j in corpus.units_by_chunk.get(c.id, [])
        if corpus.units[j].start > unit.start
    ]
    after.sort(key=lambda j: corpus.units[j].start)
    # "Three conditions must hold. First, … Second, … Third, …": the paragraph through its last ordinal.
    same = [j for j in after if corpus.units[j].group == unit.group]
    ordinals = [k for k, j in enumerate(same) if _ORDINAL_LEAD.match(corpus.unit_text(j))]
    if len(ordinals) >= count:
        return same[: ordinals[count - 1] + 1]
    numbered = [
        (j, int(m.group(1)))
        for j in after
        if corpus.units[j].kind == "label" and (m := _NUMBERED_LABEL.match(corpus.unit_text(j)))
    ]
    if [n for _, n in numbered[:count]] != list(range(1, count + 1)):
        return []
    out: list[int] = []
    for j, _ in numbered[:count]:
        nxt = after[after.index(j) + 1 : after.index(j) + 2]
        short = [k for k in nxt if corpus.units[k].kind == "sentence" and len(corpus.unit_text(k)) <= 120]
        out += [j, *short]
    return out


def _content_after(corpus: Corpus, i: int, limit: int) -> list[int]:
    """What a label or an introducing sentence introduces: the next list, table or paragraph in its
    passage (and the list an introducing paragraph leads into)."""
    unit = corpus.units[i]
    idx = corpus.units_by_chunk[unit.chunk_id]
    pos = idx.index(i)
    if pos + 1 >= len(idx):
        return []
    nxt = corpus.units[idx[pos + 1]]
    level = _md_level(corpus.unit_text(i))
    if level:
        # A heading inside a fenced document ("# Model Card: …"): everything under it, down to the next
        # heading of its level, its sub-headings ("## Intended Use") included.
        out: list[int] = []
        for j in idx[pos + 1 :]:
            sub = _md_level(corpus.unit_text(j))
            if (sub and sub <= level) or len(out) >= 3 * limit:
                break
            out.append(j)
        return out
    if nxt.kind == "label":  # "**Q: ...**" / "**A:**" / "**Minimum Team:**": follow the labels down
        rest = _content_after(corpus, idx[pos + 1], limit)
        return [idx[pos + 1], *rest] if rest else []
    if nxt.group == unit.group:  # the rest of the introducing paragraph, then what it leads into
        rest = [j for j in idx[pos + 1 :] if corpus.units[j].group == unit.group]
        if unit.kind == "item":  # "- When new model versions release, test:": the rest of its list
            return rest[:limit]
        return rest[:3] + (_content_after(corpus, rest[-1], limit) if rest else [])
    group = [j for j in idx if corpus.units[j].group == nxt.group][:limit]
    if nxt.kind == "sentence" and group and corpus.unit_text(group[-1]).rstrip().endswith(":"):
        group += _content_after(corpus, group[-1], limit)
    elif unit.kind == "label" and nxt.kind == "sentence" and len(group) == 1 and len(corpus.unit_text(group[0])) <= 160:
        # A short note under the label ("(For regulated industries: …)") and then what the label heads.
        group += _content_after(corpus, group[0], limit)
    return group


def _text_key(corpus: Corpus, i: int) -> str:
    """A unit's words, without list marks or spacing: two places that say the same line share it."""
    return collapse(ITEM_MARK.sub("", corpus.unit_text(i))).lower()


def _lead_line(corpus: Corpus, i: int) -> list[int]:
    """The one-line paragraph right above ``i``'s paragraph when it opens with a bold label and so heads
    it ("**Biggest ROI driver** (38% of total benefit): **Efficiency gains**" above "Not headcount
    reduction. …"); empty otherwise."""
    unit = corpus.units[i]
    idx = corpus.units_by_chunk[unit.chunk_id]
    pos = idx.index(min(j for j in idx if corpus.units[j].group == unit.group)) - 1
    if pos < 0:
        return []
    above = idx[pos]
    lone = pos == 0 or corpus.units[idx[pos - 1]].group != corpus.units[above].group
    text = corpus.unit_text(above)
    if corpus.units[above].kind == "sentence" and lone and text.startswith("**") and len(text) <= 160:
        return [above]
    return []


def _md_level(text: str) -> int:
    """The level of a Markdown heading line ("## Intended Use": 2), 0 for any other line."""
    m = re.match(r"^(#{1,6})\s", text)
    return len(m.group(1)) if m else 0


def _context_before(corpus: Corpus, i: int, limit: int = 3) -> list[int]:
    """The labels and lead-in sentences directly above ``i``'s list, nearest first, up to ``limit``:
    "**Defense:**", then "*Attacker uses AI to extract data…*", then "**2. Data Exfiltration:**". The walk
    stops at another list, so a "Don't Add:" list is not read under the "Add:" above it."""
    unit = corpus.units[i]
    idx = corpus.units_by_chunk[unit.chunk_id]
    pos = idx.index(min(j for j in idx if corpus.units[j].group == unit.group)) - 1
    out: list[int] = []
    # A paragraph is read under the labels above it ("**Q: ...**" "**A:**"); a list also under lead-ins.
    kinds = ("label", "sentence") if unit.kind == "item" else ("label",)
    while pos >= 0 and len(out) < limit and corpus.units[idx[pos]].kind in kinds:
        out.append(idx[pos])
        pos -= 1
    return out
