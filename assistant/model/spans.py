"""Which lines of a passage a cited sentence draws on: the span its checks read."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from assistant.index.corpus import Corpus, tokens
from assistant.model.facts import (
    measures,
    periods,
    stated_numbers,
    without_counts,
    without_heading_names,
    without_name_figures,
)
from assistant.model.meaning import CODE_WINDOW, MAX_SPAN_UNITS, SPAN_WINDOW, TIME_STEMS, stem
from assistant.types import Chunk, Unit

SPAN_SEEDS = 3  # first units tried in choosing the lines a statement draws on
FIGURE_WEIGHT = 4.0  # a figure's weight in choosing the lines a statement draws on, as a word's idf


# The units of time a duration is stated in ("12 weeks").
DURATIONS = ("minute", "hour", "day", "week", "month", "year")


def drawn_on(
    corpus: Corpus,
    words: set[str],
    idx: list[int],
    sem: np.ndarray,
    statement: str,
    unit_stems: Callable[[int], frozenset[str]],
    unit_numbers: Callable[[int], frozenset[float]],
) -> list[int]:
    """The passage's units the statement draws on: greedily, the unit that adds the most of its
    content words and figures, among units near the first one chosen, until none adds any. A figure
    tells apart lines that say the same words ("Cleaning: 2-4 weeks" for a small dataset, "Cleaning:
    4-8 weeks" for a medium one); it weighs as a rare word. The few best first units are each tried,
    and the span that draws on the most of the statement is taken: the best single line may belong
    to the wrong list. A line that only states a duration the statement states ("12 weeks") is drawn
    on for it; a line numbered by a unit of time ("Week 12: …") is not; nor is a line that only states
    how often ("Monitor weekly") unless the statement says how often ("check spending every week")."""
    durations = frozenset(m for m in measures(statement) if m[1] in DURATIONS)
    figures = frozenset(stated_numbers(statement))
    often = periods(statement)
    want = {w: stem(w) for w in words}
    # A line is drawn on for what it says, not for a figure or a unit of time alone ("Week 6: …"
    # beside "Week 8: User adoption >50%" does not make "50% by week 6").
    # A number written as a word ("fifteen", read as 15) is a figure too.
    telling = {st for w, st in want.items() if not any(c.isdigit() for c in w + st) and st not in TIME_STEMS}
    # A figure no count or date could be ("$2,417,000", "27.1%") tells its line apart by itself, as a
    # line of code says it under a name no paraphrase repeats ("subtotal: 2_417_000").
    distinct = {v for v in figures if v >= 1000 or (v > 1 and v != int(v))}

    def lasts(i: int, found: set[float]) -> bool:
        """The line states a duration of the statement ("12 weeks", not "Week 12") not yet drawn on."""
        return (
            bool(durations)
            and bool((unit_numbers(i) - found) & {v for v, _ in durations})
            and bool(durations & measures(corpus.unit_text(i)))
        )

    def gain(k: int, chosen: list[int], covered: set[str], found: set[float]) -> tuple[float, float]:
        """What the unit adds of the statement, and what breaks a tie: a line of a list already
        drawn on, then the line closer in meaning."""
        i = idx[k]
        unit = corpus.units[i]
        listed = any(corpus.units[idx[c]].group == unit.group for c in chosen)
        whole = listed and unit.kind == "item" and unit.group >= 0  # a list of the text, not of a code block
        whole = whole or sibling(k, chosen)
        if k in chosen or (chosen and not whole and max(*chosen, k) - min(*chosen, k) > SPAN_WINDOW):
            return 0.0, 0.0  # a list is read whole however long it is; other lines near those chosen
        if unit.read_only and unit.group < 0 and chosen and min(abs(k - c) for c in chosen) > CODE_WINDOW:
            return 0.0, 0.0  # a line of code read as words goes with the lines beside it (a condition, its action)
        if corpus.units[i].kind == "row" and any(corpus.units[idx[c]].kind == "row" for c in chosen):
            return 0.0, 0.0  # a table's figures are read along one row, not gathered from several
        stems = unit_stems(i)
        told = stems & telling or distinct & (unit_numbers(i) - found) or lasts(i, found)
        if not told and not often & periods(corpus.unit_text(i)):
            return 0.0, 0.0
        g = sum(corpus.idf_of(w) for w, st in want.items() if w not in covered and st in stems)
        g += FIGURE_WEIGHT * len((figures - found) & unit_numbers(i))
        return g, 0.02 * listed + 0.01 * float(sem[k])

    def sibling(k: int, chosen: list[int]) -> bool:
        """A label of the lists that follow one another with a chosen label ("Prototype Success:",
        "Infrastructure Readiness:", "Operations Readiness:"): a list of lists, read whole as a list is."""
        kinds = [corpus.units[i].kind for i in idx]
        if kinds[k] != "label" or any(kinds[c] != "label" for c in chosen):
            return False  # a sentence that names the lists, not one that draws on their lines
        return any(
            kinds[c] == "label" and all(kinds[j] in ("item", "label") for j in range(min(c, k) + 1, max(c, k)))
            for c in chosen
        )

    def in_list(k: int, chosen: list[int]) -> bool:
        unit = corpus.units[idx[k]]
        return unit.kind == "item" and unit.group >= 0 and any(corpus.units[idx[c]].group == unit.group for c in chosen)

    def grow(first: int) -> tuple[float, list[int]]:
        chosen: list[int] = []
        covered: set[str] = set()
        found: set[float] = set()
        total, best = 0.0, first
        # A list is read whole however long it is: its further items do not count towards the limit.
        while best >= 0 and (len(chosen) < MAX_SPAN_UNITS or in_list(best, chosen)):
            total += gain(best, chosen, covered, found)[0]
            chosen.append(best)
            covered |= {w for w, st in want.items() if st in unit_stems(idx[best])}
            found |= figures & unit_numbers(idx[best])
            gains = [sum(gain(k, chosen, covered, found)) for k in range(len(idx))]
            best = int(np.argmax(gains)) if max(gains) >= 0.05 else -1
        return total, chosen

    firsts = [sum(gain(k, [], set(), set())) for k in range(len(idx))]
    seeds = [k for k in sorted(range(len(idx)), key=lambda k: -firsts[k])[:SPAN_SEEDS] if firsts[k] >= 0.05]
    if not seeds:
        return [int(np.argmax(sem))]
    spans = [grow(k) for k in seeds]
    best = spans[0]
    for other in spans[1:]:
        if other[0] > best[0] + 1e-6:  # only for drawing on more of it: else the best line leads
            best = other
    return _own_labels_only(corpus, idx, best[1])  # the unit that covers most first


def _own_labels_only(corpus: Corpus, idx: list[int], chosen: list[int]) -> list[int]:
    """The span without a label that follows all of its lines: such a label heads the next list, not
    the lines drawn on, and its words are that list's ("the SME validates…" drawn from the technical
    lead's lines, with "3. Subject Matter Expert" the label after them)."""
    lines = [k for k in chosen if corpus.units[idx[k]].kind not in ("label", "header")]
    if not lines:
        return chosen
    last = max(lines)
    return [k for k in chosen if k < last or corpus.units[idx[k]].kind != "label" or k == last]


def read_under(units: Sequence[Unit], span: list[int], idx: list[int]) -> list[int]:
    """The labels and table headers the span's units are read under."""
    out: set[int] = set()
    for k in span:
        group = units[idx[k]].group
        j = k
        while j > 0 and units[idx[j - 1]].group == group:
            j -= 1
        for h in (j, j - 1):
            if 0 <= h < len(idx) and h not in span and units[idx[h]].kind in ("label", "header"):
                out.add(h)
    # The nearest label before the span that heads labels rather than a list ("The Layered Learning
    # Approach:" over "Layer 1 - …", "Layer 2 - …") says what the span is part of.
    for h in range(min(span) - 1, -1, -1):
        if units[idx[h]].kind == "label" and h + 1 < len(idx) and units[idx[h + 1]].kind == "label":
            out.add(h)
            break
    return sorted(out)


def in_sequence(words: list[str], chunk: Chunk) -> bool:
    """``words`` appear one after another in a line of the passage's text."""
    n = len(words)
    lines = [tokens(line) for line in chunk.text.splitlines()]
    return any(line[k : k + n] == words for line in lines for k in range(len(line) - n + 1))


def stated_of(statement: str, chunk: Chunk, corpus: Corpus, span: list[int], idx: list[int]) -> str:
    """The statement less the figures that only name the document (``facts.without_name_figures``) or a
    heading the passage is under (``facts.without_heading_names``), and
    the counts the span's lines make (``facts.without_counts``): the sizes of the passage's lists it
    draws on, and how far its lines are numbered."""
    statement = without_name_figures(statement, f"{chunk.title} {chunk.doc.replace('-', ' ')}")
    statement = without_heading_names(statement, chunk.section)
    listed = {corpus.units[i].group for i in span if corpus.units[i].kind in ("item", "row")}
    sizes = [sum(1 for i in idx if corpus.units[i].group == g and corpus.units[i].kind == "item") for g in listed]
    return without_counts(statement, [corpus.unit_text(i) for i in span], sizes)


def joined(chunks: list[Chunk], lines_by_chunk: dict[str, list[int]], lines: dict[str, list[int]]) -> Chunk | None:
    """Two or more passages of one document as one passage, in the document's order; its lines (the
    passages' ``lines_by_chunk``) are put in ``lines`` under its id."""
    if len(chunks) < 2 or len({c.doc for c in chunks}) > 1:
        return None
    parts = sorted(set(chunks), key=lambda c: c.start)
    key = "+".join(c.id for c in parts)
    lines.setdefault(key, [i for c in parts for i in lines_by_chunk.get(c.id, [])])
    first, text = parts[0], "\n".join(c.text for c in parts)
    return Chunk(key, first.doc, first.title, first.section, first.stages, first.start, parts[-1].end, text)


def from_other_code(
    corpus: Corpus, span: list[int], idx: list[int], missing: set[str], unit_stems: Callable[[int], frozenset[str]]
) -> bool:
    """Whether a statement drawn on lines of code read as words ("if sentiment.is_negative:", "return
    self.escalation_manager.route_to_human(query)") takes what one branch does for another's: it says a
    word those lines lack (``missing``, stemmed) that another such line of the block has, or draws on a
    condition without the action under it and on another condition's action."""
    units = [corpus.units[i] for i in span]
    if not units or not all(u.read_only and u.group < 0 for u in units):
        return False
    block = units[0].group // 1000
    code = [i for i in idx if corpus.units[i].read_only and corpus.units[i].group // 1000 == block]
    if any(missing & unit_stems(i) for i in code if i not in span):
        return True
    conditions = [k for k, i in enumerate(code) if _CONDITION.match(corpus.unit_text(i))]
    acted = [
        k + 1 < len(code) and code[k + 1] in span and not _CONDITION.match(corpus.unit_text(code[k + 1]))
        for k in conditions
    ]
    drawn = [code[k] in span for k in conditions]
    return any(d and not a for d, a in zip(drawn, acted, strict=True)) and any(a for a in acted)


_CONDITION = re.compile(r"^\s*(?:\}\s*)?(?:if|elif|else\s+if|case|when)\b")
