"""Who and which stage a cited sentence names, held against the lines it draws on: a stage, role or
name the span does not state, one swapped for the one the span's main line names, and an outcome
named beside a figure its list gives to another."""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.index.corpus import Corpus, tokens
from assistant.model.facts import CLAUSE_JOIN, figures_missing, numbers, parts
from assistant.model.meaning import stem, stem_set


def beside_figures(statement: str) -> str:
    """The clauses of the statement that state a figure: what a stage or role is named beside. "The
    biggest driver, 38% of the benefit, was efficiency gains: existing employees becoming more effective"
    names the employees after the colon, not beside the 38%."""
    pieces = re.split(rf"{CLAUSE_JOIN.pattern}|[:;]\s+", statement, flags=re.I)
    return " ".join(p for p in pieces if p and numbers(p))


def figure_apart(
    corpus: Corpus, stated: str, said: set[str], span: list[int], section: str, labels_of: Callable[[int], list[int]]
) -> bool:
    """The stages, roles or outcomes ``said`` (stems) named beside a figure, where no line of the span
    that states the figure names them all, read with its label and its list's other lines in the span:
    "below 40% is a criterion for extending the pilot" where "< 40%" is listed under STOP and "Extend"
    labels another list."""
    own = stem_set(set(tokens(section)))
    carrying = [i for i in span if corpus.units[i].kind != "label" and not figures_missing(stated, corpus.unit_text(i))]
    if not carrying or not numbers(stated):
        return False
    for i in carrying:
        labels = labels_of(i)
        # The line is read with its label and the span's other lines under that label (its list).
        lines = [*labels, *(j for j in span if labels_of(j) == labels)]
        read = own.union(*(stem_set(set(parts(corpus.unit_text(j)))) for j in lines))
        if said <= read:
            return False
    return True


def entity_missing(
    stated: set[str], span_text: str, context_text: str, held: frozenset[str] = frozenset(), passage: str = ""
) -> bool:
    """A stage, role or name the statement states (``stated``) that the span does not: absent from the
    span and the labels and section path it is read under, by the word's stem ("stopping" where the span
    says "STOP"). A stage or role of ``held`` that the passage names is what its lines are about when they
    name none themselves ("users" of a training agenda whose items say "their work"): nothing is swapped."""
    in_span, in_context = stem_set(parts(span_text)), stem_set(parts(context_text))
    missing = {w for w in stated if stem(w) not in in_span and stem(w) not in in_context}
    if missing and missing <= held and not parts(span_text) & held:
        return bool(stem_set(missing) - stem_set(parts(passage)))
    return bool(missing)


def swapped(stated: set[str], primary: str, held: frozenset[str], span: str = "") -> bool:
    """A stage or role no line of the span names (``primary``, its main line, and the rest of ``span``),
    where the main line names another one the statement leaves out ("production results" where the line
    is the pilot's results, found beside the production line)."""
    said = stem_set(stated & held)
    named = stem_set(parts(primary) & held)
    return bool(said - named - stem_set(parts(span) & held) and named - said)


def drawn_from(
    lines: list[tuple[str, frozenset[float], frozenset[str]]],
    statement: str,
    figures: set[float],
    held: frozenset[str],
) -> str:
    """The span's lines (text, figures, stems) the statement draws a fact of its own from: those whose
    figures are all the statement's, or, with none, whose words are ("pilot users' testimonials are
    shared"): a stage or role such a line names is one the span states."""
    told, roles = stem_set(set(tokens(statement))), stem_set(set(held))
    return "\n".join(
        text
        for text, found, stems in lines
        if set() < found <= figures or (not found and len(stems - roles) >= 2 and stems - roles <= told)
    )


_POINTS_BACK = re.compile(r"^\W*(?:that|this|these|those|such)\s+(\w+)", re.I)


def pointed_back(statement: str) -> set[str]:
    """What a sentence opens by pointing back to ("That scope was estimated…"): the sentence before's."""
    return set(tokens(" ".join(_POINTS_BACK.findall(statement))))
