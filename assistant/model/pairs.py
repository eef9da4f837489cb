"""Which figure goes with what: a cited sentence may state every figure of its span and still pair
them wrongly ("technical debt accounts for 25%" where the line gives technical debt 35% and lack of
ROI 25%), or turn round a figure the span rules out ("test at 1.5x, not 3x" where it says "3x, not
1.5x")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.index.corpus import tokens
from assistant.model.facts import CLAUSE_JOIN, NUMBER, frequencies, numbers, period_spots
from assistant.model.meaning import TIME_STEMS, stem
from assistant.model.names import name_moved, parts_of

# A figure ruled out by the words just before it: "not 1.5x", "rather than 6 weeks", "instead of 10%".
_DENIED = re.compile(
    r"\b(?:not|never|rather than|instead of|in (?:place|lieu) of)\s+(?:at\s+|just\s+|only\s+|an?\s+)?"
    r"[$~]?(\d+(?:[.,]\d+)*)",
    re.I,
)


def _figures(text: str) -> list[tuple[float, bool]]:
    """Each figure of the text, in order, with whether the words just before it rule it out."""
    denied = {m.start(1) for m in _DENIED.finditer(text)}
    out = []
    for m in NUMBER.finditer(text):
        value = _value(m.group(1))
        if value is not None:
            out.append((value, m.start(1) in denied))
    return out


def denial_turned(statement: str, span_text: str) -> bool:
    """A figure the span only rules out, stated as one that holds, or one it states as holding, stated
    as ruled out: "load test at 1.5x, not 3x" where the span says "3x, not 1.5x"."""
    span = _figures(span_text)
    if not any(d for _, d in span):
        return False
    ruled_out = {v for v, d in span if d} - {v for v, d in span if not d}
    holding = {v for v, d in span if not d} - {v for v, d in span if d}
    said = _figures(statement)
    return any(v in ruled_out for v, d in said if not d) or any(v in holding for v, d in said if d)


def _value(raw: str) -> float | None:
    try:
        return float(raw.replace(",", ""))
    except ValueError:
        return None


def _own_words(clause: str, meta: frozenset[str]) -> dict[float | str, set[str]]:
    """Each figure of a clause, and each period it says something happens in ("weekly": "week"), with
    the clause's words nearest to it, as stems: the words that say what it is a figure of."""
    # Where each figure stands, from its first word to its last ("$1.26M": "1", "26m"), with its values
    # ("4-8": 4 and 8).
    spots: list[tuple[int, int, list[float | str]]] = []
    end = -1
    for m in NUMBER.finditer(clause):
        value = _value(m.group(1))
        if value is None:
            continue
        last = len(tokens(clause[: m.end()])) - 1
        if spots and re.fullmatch(r"\s*(?:-|–|to)\s*", clause[end : m.start()]):
            spots[-1] = (spots[-1][0], last, [*spots[-1][2], value])
        else:
            spots.append((len(tokens(clause[: m.start()])), last, [value]))
        end = m.end()
    for at, period in period_spots(clause):
        spots.append((len(tokens(clause[:at])), len(tokens(clause[:at])), [period]))
    if not spots:
        return {}
    out: dict[float | str, set[str]] = {v: set() for *_, vs in spots for v in vs}
    for k, word in enumerate(tokens(clause)):
        if word in meta or any(c.isdigit() for c in word) or stem(word) in TIME_STEMS or frequencies(word):
            continue
        gap = min(max(at - k, k - last, 0) for at, last, _ in spots)
        nearest = [vs for at, last, vs in spots if max(at - k, k - last, 0) == gap]
        if len(nearest) == 1:
            for v in nearest[0]:
                out[v].add(stem(word))
    return out


@dataclass(frozen=True)
class Segment:
    """A part of a line of the span: its words (stems) and figures, and those of the label above it."""

    stems: frozenset[str]
    figures: frozenset[float | str]  # its figures, and the periods of what it says happens regularly
    label_stems: frozenset[str] = frozenset()
    label_figures: frozenset[float | str] = frozenset()


def figure_moved(statement: str, segments: Sequence[Segment], meta: frozenset[str]) -> bool:
    """A figure the statement pairs with words that a part of the span pairs with another figure of its
    own, where no part of the span that states the figure, read with its label, says anything the
    statement's clause says."""
    for clause in _pieces(statement):
        said = {stem(w) for w in tokens(clause) if w not in meta and not any(c.isdigit() for c in w)} - TIME_STEMS
        for value, words in _own_words(clause, meta).items():
            if not words:
                continue
            holding = [s for s in segments if value in s.figures | s.label_figures]
            if not holding:
                continue
            held = set().union(*(s.stems | s.label_stems for s in holding))
            if said & held and not any(
                len(words & s.stems - held) >= 2
                and not words & held - s.stems
                and value not in s.figures
                and any(type(f) is type(value) for f in s.figures)
                for s in segments
            ):
                # A part of the span that states the figure says something the clause does, unless another
                # part says more of what the clause pairs with it, and nothing less ("8-11: mostly ready"
                # where that is 12-15's).
                continue
            if any(
                words & s.stems
                and value not in s.figures | s.label_figures
                and any(type(f) is type(value) for f in s.figures)
                for s in segments
            ):
                return True
    return False


def segments_of(line: str, label: str = "") -> list[Segment]:
    """A line's parts, each read with the label it sits under."""
    label_stems = frozenset(stem(w) for w in tokens(label))
    # A comma that ends an entry of code is not one that parts it from its comment ("…, # $3.3M").
    line = re.sub(r",(\s*(?:#|//))", r"\1", line)
    label_figures: frozenset[float | str] = frozenset([*numbers(label), *frequencies(label)])
    return [
        Segment(frozenset(stem(w) for w in tokens(part)), frozenset([*numbers(part), *frequencies(part)]), label_stems,
                label_figures)
        for part in _pieces(line)
    ]  # fmt: skip


def _pieces(text: str) -> list[str]:
    """The text's clauses and parts, each holding a figure: a part without one is read with the next
    ("Q&A and troubleshooting (15 min)" gives both 15 minutes), or the last with the one before."""
    out: list[str] = []
    carry = ""
    for piece in (p for clause in CLAUSE_JOIN.split(text) for p in parts_of(clause)):
        if NUMBER.search(piece) or frequencies(piece):
            out.append(carry + piece)
            carry = ""
        else:
            carry += piece + " "
    if carry and out:
        out[-1] += " " + carry
    elif carry:
        out.append(carry)
    return out


# An item of a numbered series: "Tier 1: Self-Service (deflect 60% of questions)", "- Phase 2: Department A
# mandatory (Week 3-4)", "Week 1-2: Region A (100 users)". Its series is the word before the number.
_SERIES_ITEM = re.compile(
    r"^\s*(?:[-*+]\s+|\d+\.\s+)?(?:\*\*)?([A-Z][a-z]+)\s+(\d+(?:\s*[-–]\s*\d+)?)(?:\*\*)?\s*:\s*(?:\*\*)?\s*([^(\n]*)"
)
# An item of a labelled list: "- **Prototype:** Bi-weekly updates".
_LABELLED_ITEM = re.compile(r"^\s*[-*+]\s+\*\*([^*:\n]{1,40}?):?\*\*:?\s*(.*)")


@dataclass(frozen=True)
class SeriesItem:
    """An item of a numbered series or a labelled list, with what it states: its figures (a numbered
    series' own) and how often what it names happens ("week", "2 week", "month")."""

    series: str
    label: str  # "Tier 1", "Phase 2"; a labelled item's label: "Prototype"
    name: tuple[str, ...]  # the words of its name, in order: "Department", "A", "mandatory"
    values: frozenset[float | str]


def series_items(lines: Sequence[str]) -> list[SeriesItem]:
    """The items of numbered series and labelled lists among ``lines``. A labelled list's items state
    only how often: a label names its line's subject less surely than a series' name does ("**Users:**
    5-10 early adopters" beside "**Investment:** $5K-$15K")."""
    out = []
    run = -1  # where the labelled list a line belongs to starts
    for k, line in enumerate(lines):
        m = _SERIES_ITEM.match(line)
        if m:
            name = tuple(re.findall(r"[A-Za-z][\w'-]*", re.sub(r"[*_`]", " ", m.group(3))))
            label = f"{m.group(1)} {m.group(2)}"
            # What it states follows its label: "Phase 4" holds no 4.
            rest = line[m.end(2) :]
            values: frozenset[float | str] = frozenset([*numbers(rest), *frequencies(rest)])
            out.append(SeriesItem(m.group(1).lower(), label, name, values))
            continue
        m = _LABELLED_ITEM.match(line)
        if not m:
            run = -1
            continue
        run = k if run < 0 else run
        label = m.group(1).strip()
        name = tuple(re.findall(r"[A-Za-z][\w'-]*", label))
        out.append(SeriesItem(f"list {run}", label, name, frozenset(frequencies(m.group(2)))))
    return out


def _terms(item: SeriesItem, other: SeriesItem) -> list[str]:
    """What sets ``item`` apart from ``other`` in the series: its label, and each word of its name the
    other's lacks; a one-letter word with the word before it ("Department A", not "A")."""
    out = [item.label]
    for k, w in enumerate(item.name):
        if w.lower() in {v.lower() for v in other.name}:
            continue
        if len(w) == 1:
            if k:
                out.append(f"{item.name[k - 1]} {w}")
        else:
            out.append(w)
    return out


def _names(clause: str, terms: list[str]) -> bool:
    """Whether the clause holds any of ``terms`` as words of its own (one-letter ones as written)."""
    for term in terms:
        flags = 0 if re.search(r"(?:^|\s)\w$", term) else re.I
        if re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])", clause, flags):
            return True
    return False


def item_swapped(statement: str, items: Sequence[SeriesItem]) -> bool:
    """A figure or a frequency said of one item of a series where the passage gives it to another:
    "Department B becomes mandatory in weeks 3-4" where "Phase 2: Department A mandatory (Week 3-4)"
    and "Phase 3: Department B mandatory (Week 5-6)"; "the self-service tier handles 30%" where 30% is
    Tier 2's; "monthly reviews in the prototype" where "**Prototype:** Bi-weekly updates". The clause
    names the other item by what sets it apart from the item that holds the figure, and names nothing
    that sets that item apart."""
    if not items:
        return False
    labels = re.compile(
        "|".join(rf"\b{re.escape(i.label)}\b" for i in items if any(c.isdigit() for c in i.label)) or "$^", re.I
    )
    said: list[tuple[str, set[float | str]]] = [
        (clause, set(numbers(labels.sub(" ", clause)))) for clause in _pieces(statement)
    ]
    said += [(part, set(frequencies(part))) for clause in CLAUSE_JOIN.split(statement) for part in parts_of(clause)]
    for clause, values in said:
        for value in values:
            for holder in (i for i in items if value in i.values):
                for other in items:
                    if other.series != holder.series or other.label == holder.label or value in other.values:
                        continue
                    if _names(clause, _terms(other, holder)) and not _names(clause, _terms(holder, other)):
                        return True
    return False


def _word_stems(text: str) -> set[str]:
    return {stem(w) for w in tokens(text) if not any(c.isdigit() for c in w)}


def name_swapped(statement: str, items: Sequence[SeriesItem], lines: Sequence[str]) -> bool:
    """A clause naming one item of a numbered series where the line of the span it draws on names
    another of the same series and not it: "junior staff go first and become champions" where the
    lines are "Phase 1: Senior staff (learn first, become champions)" and "Phase 3: Junior staff";
    "seniors may resent the delayed access" where the line says "juniors may resent delayed access".
    An item is named by the words of its name no other item of its series has."""
    by_series: dict[str, list[SeriesItem]] = {}
    for item in items:
        if not item.series.startswith("list "):
            by_series.setdefault(item.series, []).append(item)
    clauses = [_word_stems(clause) for clause in CLAUSE_JOIN.split(statement)]
    line_stems = [_word_stems(line) for line in lines]
    counters = {stem(i.series) for i in items}  # "Phase", "Week": what numbers items, not what names one
    for members in by_series.values():
        words = [
            {stem(w.lower()) for w in m.name if len(w) > 1 and w.replace("-", "").isalpha()} - counters for m in members
        ]
        own = [w - set().union(*(x for j, x in enumerate(words) if j != k)) for k, w in enumerate(words)]
        own = [w for w in own if w]
        if len(own) >= 2 and _one_for_another(clauses, line_stems, own):
            return True
    return False


def _one_for_another(clauses: list[set[str]], lines: list[set[str]], own: list[set[str]]) -> bool:
    """A clause that names one item (by its ``own`` words) where the lines naming one item that speak
    most of the clause's other words all name another."""
    names = set().union(*own)
    read = [(s, [k for k, w in enumerate(own) if w & s]) for s in lines]
    read = [(s, named_in) for s, named_in in read if len(named_in) == 1]
    for said in clauses:
        named = {k for k, w in enumerate(own) if w & said}
        overlap = [len((said - names) & s) for s, _ in read]
        if len(named) != 1 or not overlap or max(overlap) < 2:
            continue  # a clause that names several items is not one item said for another
        best = [n for (_, n), o in zip(read, overlap, strict=True) if o == max(overlap)]
        if all(not named & set(n) for n in best):
            return True
    return False


def _part_words(text: str, meta: frozenset[str]) -> list[set[str]]:
    """The stems of each clause and part of a text; names with a figure in them ("GPT-4o") are words."""
    return [
        {stem(w) for w in tokens(part) if w not in meta and not w.replace(".", "").isdigit()}
        for clause in CLAUSE_JOIN.split(text)
        for part in parts_of(clause)
    ]


def words_exchanged(statement: str, lines: Sequence[str], meta: frozenset[str]) -> bool:
    """Two words of the span, each put where the other stands: one part of the statement says X with what
    the span's parts say of Y, and another says Y with what they say of X ("route simple queries to
    GPT-4o, keeping GPT-4o-mini for complex reasoning" where the span routes simple queries to
    GPT-4o-mini and keeps GPT-4o for complex reasoning). Two words side by side in the statement ("the
    cheaper, faster models") are a list in any order."""
    said = _part_words(statement, meta)
    held = [p for line in lines for p in _part_words(line, meta)]
    if len(said) < 2 or len(held) < 2:
        return False
    in_span = set().union(*held)
    words = sorted({w for p in said for w in p} & in_span)
    order = [stem(w) for w in tokens(statement)]
    side_by_side = {frozenset(order[k : k + 2]) for k in range(len(order) - 1)}

    def nearest(part: set[str], among: list[set[str]], pair: set[str]) -> int:
        return max((len((part - pair) & p) for p in among), default=0)

    for k, x in enumerate(words):
        for y in words[k + 1 :]:
            pair = {x, y}
            if pair in side_by_side:
                continue
            with_x = [p for p in held if x in p and y not in p]
            with_y = [p for p in held if y in p and x not in p]
            if not with_x or not with_y:
                continue
            for a in (p for p in said if x in p and y not in p):
                for b in (p for p in said if y in p and x not in p):
                    if nearest(a, with_y, pair) > nearest(a, with_x, pair) and nearest(b, with_x, pair) > nearest(
                        b, with_y, pair
                    ):
                        return True
    return False


def paired_wrongly(
    stated: str, span_lines: list[str], segments: Sequence[Segment], items: Sequence[SeriesItem], meta: frozenset[str]
) -> bool:
    """A figure or name given to what the span gives another, a figure it rules out said to hold, or one
    item of a series said for another: the checks above and ``names``', for the lines of a span
    (``segments``: its parts, each read with its label; ``items``: the series of its passage)."""
    return (
        denial_turned(stated, "\n".join(span_lines))
        or figure_moved(stated, segments, meta)
        or item_swapped(stated, items)
        or name_swapped(stated, items, span_lines)
        or words_exchanged(stated, span_lines, meta)
        or name_moved(stated, span_lines, meta)
    )
