"""Which lines make the answer: the best-scored ones within a margin, another document's when it is
nearly as good (sources that disagree are shown side by side), a line for each part of the question,
another place's different figure for the same thing; then each brought whole — a list under its label,
a paragraph with its continuation, what a label introduces or a line announces."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.answer.asking import Asked
from assistant.answer.followup import INTENT_WORDS
from assistant.answer.outlines import numbered_gaps, outline, paragraph_gaps
from assistant.answer.passage import (
    FIGURE,
    INTRODUCES,
    MEASURE,
    MEASURED,
    announced,
    comparable,
    content_after,
    context_before,
    context_tokens,
    continuation,
    figure_kinds,
    in_digits,
    lead_line,
    object_key,
    run_in,
)
from assistant.answer.rendering import ITEM_MARK, asks, collapse, is_bare_label
from assistant.answer.restated import in_detail
from assistant.answer.scoring import Scored, under_label
from assistant.config import AnswerSettings
from assistant.index.corpus import Corpus, tokens


def select(
    corpus: Corpus, cfg: AnswerSettings, asked: Asked, scored: list[Scored], others: list[Scored] | None = None
) -> list[int]:
    """The units of the answer, from the scored units of the search's passages; ``others`` are units
    of passages looked up only for another document's figure."""
    laid_out = outline(corpus, asked, scored, cfg.max_list_items)
    if laid_out:
        return laid_out
    scored = _led_by_label(corpus, scored)
    best = scored[0]
    best_unit = corpus.units[best.unit]
    floor = best.score - cfg.select_margin
    best_kinds = figure_kinds(corpus.unit_text(best.unit))
    chosen: list[int] = []
    seen_text: set[str] = set()
    docs_best: dict[str, float] = {}

    def take(i: int) -> None:
        key = text_key(corpus, i)
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
        other_doc = unit.doc != best_unit.doc
        # Figures are where the documents disagree (pilot length, budget, users), so another
        # document's figure is shown even when it ranks a little lower.
        margin = (
            cfg.figure_margin
            if asked.wants_figure
            and FIGURE.search(corpus.unit_text(s.unit))
            and comparable(best_kinds, figure_kinds(corpus.unit_text(s.unit)))
            else 0.05
        )
        # A sentence of the same paragraph as the best one is its context, and is taken more readily.
        same_paragraph = unit.kind == "sentence" and (unit.doc, unit.group) == (best_unit.doc, best_unit.group)
        near = s.score >= (best.score - margin if other_doc else floor)
        if other_doc and near and s.score < best.score - 0.05 and s.support < best.support - cfg.joins_below:
            near = False  # another document's figure joins when its line answers about as well on its own
        # An item of the same list as the best one: the list is likely the answer.
        if unit.kind == "item" and (unit.doc, unit.group) == (best_unit.doc, best_unit.group):
            near = near or s.score >= best.score - 0.12
        if (same_paragraph and s.score >= best.score - 0.15) or (
            near and (unit.doc in docs_best or len(docs_best) < 3)
        ):
            take(s.unit)
            docs_best.setdefault(unit.doc, s.score)

    # Documents the question sets against each other ("smb guide vs methodology") are each answered
    # from: a named document's best line joins when it answers about as well as another place's figure
    # for the same thing would (the names' words are the best line's own, not the question's).
    for doc in sorted(asked.documents - {corpus.units[i].doc for i in chosen} if len(asked.documents) > 1 else ()):
        # Its line that answers best on its own, of the passages found and those looked up in it for
        # its figure: not its title page, which the search ranks high for the document's name.
        own = max(
            (
                s
                for s in [*scored, *(others or [])]
                if corpus.units[s.unit].doc == doc and corpus.units[s.unit].kind != "header"
            ),
            # Asked for a figure, a line that gives one of the kind asked ("how long": a duration).
            key=lambda s: (asked.wants_figure and _gives_figure(corpus.unit_text(s.unit), asked), s.support),
            default=None,
        )
        if own is not None and own.support >= best.support - cfg.other_figure_margin:
            take(own.unit)

    if len(chosen) == 1:
        # One line is a thin answer: another document's best line is taken as readily as the first
        # document's own would be.
        for s in scored[1:]:
            if s.score < floor:
                break
            if corpus.units[s.unit].doc != best_unit.doc and corpus.units[s.unit].kind != "header":
                if s.support >= best.support - cfg.joins_below:
                    take(s.unit)
                break

    # A question that asks for two things ("uptime and error rate") is answered on both: a word of
    # the question that no chosen unit or its headings states brings in the best unit that does.
    covered: set[str] = set()
    for i in chosen:
        covered |= context_tokens(corpus, i)
    # The words that name a document the question sets against another ("the SMB guide") say where to
    # look, not what to answer: the document's title page states them best.
    for doc in asked.documents if len(asked.documents) > 1 else ():
        covered |= set(tokens(f"{corpus.titles[doc]} {re.sub(r'[-_.]+', ' ', doc)}"))
    for tok in sorted(asked.words - covered, key=lambda t: -corpus.idf_of(t)):
        for s in scored:
            if s.score < best.score - cfg.coverage_margin or len(chosen) >= cfg.max_units + 2:
                break
            if tok in corpus.unit_tokens[s.unit] and corpus.units[s.unit].kind != "header":
                if corpus.units[s.unit].doc != best_unit.doc and s.support < best.support - cfg.joins_below:
                    break  # another document's line for one word of the question, not about the question
                take(s.unit)
                covered |= context_tokens(corpus, s.unit)
                break

    if asked.remedy:
        # Asked what to do about a problem, a passage whose fixes are quoted is not also quoted for its
        # symptoms: they are the asker's own description of the problem, told back.
        labelled = {i: under_label(corpus, i) for i in chosen}
        fixed = {corpus.units[i].chunk_id for i, (remedy, _) in labelled.items() if remedy}
        chosen = [i for i in chosen if not (labelled[i][1] and corpus.units[i].chunk_id in fixed)]
    if asked.wants_figure:
        for i in other_figures(corpus, cfg.other_figure_margin, asked, scored, chosen, others):
            take(i)
    return whole(corpus, cfg.max_list_items, asked, chosen) or chosen[:1]


def _gives_figure(text: str, asked: Asked) -> bool:
    return (
        any(shape.search(text) for shape in asked.figure_shapes) if asked.figure_shapes else bool(FIGURE.search(text))
    )


def whole(corpus: Corpus, most: int, asked: Asked, chosen: list[int]) -> list[int]:
    """The chosen lines each brought whole: what a label introduces, a list under its label (up to
    ``most`` items), a row under its table's header, a paragraph with its continuation."""
    expanded: list[int] = []
    groups_done: set[tuple[str, int]] = set()
    for i in chosen:
        unit = corpus.units[i]
        if unit.kind == "label" or INTRODUCES.search(corpus.unit_text(i)):
            # "Before Day 1, confirm:", "**Minimum Team:**", "**Q: ...**" — the answer is what follows.
            following = content_after(corpus, i, most)
            key = (unit.doc, corpus.units[following[0]].group) if following else (unit.doc, unit.group)
            # What another place of the answer already says ("Can be part-time", "External help OK")
            # is not shown twice.
            shown = {text_key(corpus, j) for j in expanded}
            repeats = sum(text_key(corpus, j) in shown for j in following)
            if following and key not in groups_done and repeats * 2 < len(following):
                groups_done.add(key)
                # A list line that introduces ("1. **Prompt Engineering:**") is read under its list's label.
                above = context_before(corpus, i, limit=1) if unit.kind == "item" else []
                expanded += [*above, i, *(j for j in following if text_key(corpus, j) not in shown)]
            # A line that announces what its passage does not go on to give ("Use this checklist
            # before …:" with no checklist after it) is left out.
            continue
        key = (unit.doc, unit.group)
        siblings = corpus.group_units(i)
        same_group = [j for j in chosen if (corpus.units[j].doc, corpus.units[j].group) == key]
        if unit.kind in ("item", "row") and key not in groups_done and (asked.wants_list or len(same_group) > 1):
            groups_done.add(key)
            members = [j for j in siblings if corpus.units[j].kind in ("item", "row", "header")]
            expanded += context_before(corpus, members[0], limit=1) + members[:most]
        elif unit.kind == "row" and key not in groups_done:
            groups_done.add(key)
            expanded += [j for j in siblings if corpus.units[j].kind == "header"] + [i]
        elif unit.kind == "item" and key not in groups_done:
            # A short list is read whole: its other items are the rest of the answer. So is an object
            # of code in a list, whose entries are of one thing, as a table row's values are.
            short = [j for j in siblings if corpus.units[j].kind == "item"]
            read = len(short) <= 4 or (
                unit.group < 0 and any(object_key(corpus, j) for j in short) and len(short) <= most
            )
            expanded += [*context_before(corpus, i, limit=1), *(short if read else [i])]
            if read:
                groups_done.add(key)
        elif unit.kind == "sentence":
            # A paragraph's opening sentence states its point; the next ones carry the substance. A
            # label right above the paragraph says what it is about ("**Biggest ROI driver** (38%):").
            above = context_before(corpus, i, limit=1) or lead_line(corpus, i) or run_in(corpus, i)
            expanded += [*above, i, *continuation(corpus, i)]
            expanded += announced(corpus, i, most)
        elif key not in groups_done:
            expanded.append(i)
    gaps = numbered_gaps(corpus, expanded, most) + paragraph_gaps(corpus, expanded)
    expanded += [j for j in gaps if j not in expanded]
    result: list[int] = []
    for i in expanded:
        if corpus.units[i].kind == "label":
            # An answer ("**A:** That's OK! ...") is read under the question it answers.
            result += [k for k in context_before(corpus, i, limit=1) if asks(corpus.unit_text(k)) and k not in result]
        if i not in result:
            result.append(i)
    return in_detail(corpus, result, most)


def other_figures(
    corpus: Corpus,
    margin: float,
    asked: Asked,
    scored: list[Scored],
    chosen: list[int],
    others: list[Scored] | None = None,
) -> list[int]:
    """Another place that gives a different figure in the same measure for the same thing as the best
    line ("Champion: 4-6 hours/week" beside "Prototype: 10-15 hours/week (champion)"): the playbook
    disagrees with itself, and the answer shows both rather than one silently. ``others`` are lines
    looked up in documents the search did not reach for this."""
    best = scored[0]
    measures = set(MEASURE.findall(in_digits(corpus.unit_text(best.unit)).lower()))
    if not measures:
        return []
    about = (asked.words - INTENT_WORDS) & context_tokens(corpus, best.unit)
    if not about:
        return []
    figures = {m.group(0) for i in chosen for m in MEASURED.finditer(in_digits(corpus.unit_text(i)).lower())}
    out: list[int] = []
    for s in scored[1:]:
        if s.score < best.score - margin or len(out) >= 2:
            break
        if s.unit in chosen or corpus.units[s.unit].kind not in ("item", "sentence", "row"):
            continue
        text = in_digits(corpus.unit_text(s.unit)).lower()
        stated = {m.group(0) for m in MEASURED.finditer(text)}
        # The same thing: the line, its headings and labels state every word the question asks about.
        same_thing = about <= context_tokens(corpus, s.unit)
        if same_thing and measures & set(MEASURE.findall(text)) and stated - figures:
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
        text = in_digits(corpus.unit_text(s.unit)).lower()
        stated = {m.group(0) for m in MEASURED.finditer(text)}
        # The same thing in its own words ("8% of enterprise AI projects … full-scale deployment"): a
        # line that alone answers the question about as well as the best one.
        same_thing = about <= context_tokens(corpus, s.unit) or s.support >= best.support - 0.1
        if same_thing and measures & set(MEASURE.findall(text)) and stated - figures:
            out.append(s.unit)
            figures |= stated
            docs.add(unit.doc)
    return out


def text_key(corpus: Corpus, i: int) -> str:
    """A unit's words, without list marks or spacing: two places that say the same line share it."""
    return collapse(ITEM_MARK.sub("", corpus.unit_text(i))).lower()


def _led_by_label(corpus: Corpus, scored: list[Scored]) -> list[Scored]:
    """``scored`` with the items of the list a bare label heads first, when that label answers better than
    any line ("**Cost Monitoring Infrastructure:**" for "what cost monitoring…"): it names what is asked,
    and its list, not the lines that share more of the question's other words, is the answer."""
    top = max(scored, key=lambda s: s.support)
    if corpus.units[top.unit].kind != "label" or not is_bare_label(corpus.unit_text(top.unit)):
        return scored
    items = [s for s in scored if corpus.units[s.unit].kind == "item" and top.unit in context_before(corpus, s.unit)]
    if not items or items[0] is scored[0]:
        return scored
    lift = scored[0].score - items[0].score + 1e-6
    led = [replace(s, score=s.score + lift) for s in items]
    return sorted([*led, *(s for s in scored if s not in items)], key=lambda s: (-s.score, s.unit))
