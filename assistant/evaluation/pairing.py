"""How the eval's judge reads which word or figure goes with what: two of a passage's words each put in the
other's place, and a figure given to what the passage gives another. The judge's own reading, like
``judging``: it shares no code with the citation verifier it measures."""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.evaluation.judging import FIGURE, STEMMER, as_written, stemmed
from assistant.index.corpus import STOPWORDS, tokens

# Where a sentence's parts part, for reading which words go with which: clauses and list items.
_PART = re.compile(r"\s*(?:[,;:—]|\band\b|\bwhile\b|\bwhereas\b|\bbut\b)\s*", re.I)


def _parts(text: str) -> list[set[str]]:
    return [set(stemmed(p).keys()) for p in _PART.split(text) if p and tokens(p)]


def exchanged(statement: str, lines: list[str], framing: frozenset[str]) -> tuple[str, str] | None:
    """Two words of the passage the statement puts each in the other's place: one part of the statement
    says X with what the passage says of Y, and another says Y with what it says of X ("route simple
    queries to GPT-4o, keeping GPT-4o-mini for complex reasoning" where the passage routes simple queries
    to GPT-4o-mini and keeps GPT-4o for complex reasoning; "monthly in the prototype and bi-weekly in
    production"). Two words side by side ("the cheaper, faster models") are a list, not an exchange."""
    clauses = _parts(statement)
    pieces = [p for line in lines for p in _parts(line)]
    in_passage = set().union(*pieces) if pieces else set()
    terms = sorted({w for c in clauses for w in c if w in in_passage and w not in framing})
    order = [STEMMER.stemWord(t) for t in tokens(statement)]
    beside = {frozenset(order[k : k + 2]) for k in range(len(order) - 1)}

    def closest(said: set[str], among: list[set[str]], pair: set[str]) -> int:
        return max(len((said - pair) & p) for p in among)

    for k, x in enumerate(terms):
        for y in terms[k + 1 :]:
            if frozenset((x, y)) in beside:
                continue
            pair = {x, y}
            says_x = [c for c in clauses if x in c and y not in c]
            says_y = [c for c in clauses if y in c and x not in c]
            of_x = [p for p in pieces if x in p and y not in p]
            of_y = [p for p in pieces if y in p and x not in p]
            if not (says_x and says_y and of_x and of_y):
                continue
            for a in says_x:
                for b in says_y:
                    if closest(a, of_y, pair) > closest(a, of_x, pair) and closest(b, of_x, pair) > closest(
                        b, of_y, pair
                    ):
                        return x, y
    return None


# The units of time a figure may count; one put for another changes the figure ("6 weeks", "6 months").
_TIME_UNITS = frozenset({"day", "week", "month", "year", "hour", "minut", "quarter"})
# Where a sentence's parts part for reading which figure goes with what; a label's colon and a bracket
# keep a figure with what it is of ("Week 8: User adoption >50%", "Tier 1 (60% of questions)").
_FIGURE_PART = re.compile(r"\s*(?:[,;—]|\band\b|\bwhile\b|\bwhereas\b|\bbut\b)\s*", re.I)


# What a figure counts, as a writer may shorten it ("60 min", "20 hrs/week").
_UNIT_NAMES = {"min": "minut", "mins": "minut", "hr": "hour", "hrs": "hour", "h": "hour", "wk": "week", "s": "second"}


def figures_by_unit(text: str) -> dict[str, set[float]]:
    """A text's figures by what they count: the word after each ("6 weeks": week, "50%": %), or where no
    word follows, the word before it ("Week 8": week)."""
    text = as_written(text)
    out: dict[str, set[float]] = {}
    for m in FIGURE.finditer(text):
        after = re.match(r"[\s-]*(%|[a-zA-Z]+)", text[m.end() : m.end() + 12])
        before = re.search(r"([a-zA-Z]+)\W{0,3}$", text[max(0, m.start() - 15) : m.start()])
        # a word that counts nothing ("months 1-2 are…") leaves the figure to the word before it
        found = after if after and after.group(1).lower() not in STOPWORDS else before
        unit = found.group(1).lower() if found else ""
        if unit:
            unit = unit if unit == "%" else STEMMER.stemWord(_UNIT_NAMES.get(unit, unit))
            out.setdefault(unit, set()).add(float(m.group(1).replace(",", "")))
    return out


def figure_moved(statement: str, lines: list[str], framing: frozenset[str], idf: Callable[[str], float]) -> bool:
    """A figure said of what the passage gives another figure of the same kind. The part of the passage
    that says most of what a part of the statement says (its words weighted by how rare they are) gives
    another figure in that unit, and another part states the one claimed ("adoption should pass 50% by
    week 6" where the line is "Week 8: User adoption >50%" and week 6 is another line's); or it gives the
    same figure in another unit of time ("started 6 weeks before" where it says "6 months before")."""
    pieces = [p for line in lines for p in _FIGURE_PART.split(line) if p and tokens(p)]
    held = [figures_by_unit(p) for p in pieces]
    piece_words = [set(stemmed(p).keys()) for p in pieces]
    for clause in (c for c in _FIGURE_PART.split(statement) if c and tokens(c)):
        claimed = figures_by_unit(clause)
        words = {w: t for w, t in stemmed(clause).items() if not any(ch.isdigit() for ch in w) and t not in framing}
        weights = [sum(idf(t) for w, t in words.items() if w in said) for said in piece_words]
        if not claimed or not weights or max(weights) <= 0 or weights.count(max(weights)) > 1:
            continue
        best = held[weights.index(max(weights))]
        for unit, values in claimed.items():
            if unit in best and not values & best[unit] and any(values & h.get(unit, set()) for h in held):
                return True
            if unit in _TIME_UNITS and unit not in best and any(values & best[u] for u in best if u in _TIME_UNITS):
                return True
    return False


# General English words that say the reverse of each other: said where the passage says the other one, a
# claim is turned round ("define metrics after implementation" where the passage says before).
_OPPOSITES = (
    ("before", "after"), ("earlier", "later"), ("early", "late"), ("high", "low"), ("higher", "lower"),
    ("increase", "decrease"), ("increase", "reduce"), ("rise", "fall"), ("rose", "fell"), ("rise", "reduction"),
    ("rose", "reduction"), ("senior", "junior"), ("overestimate", "underestimate"), ("maximum", "minimum"),
    ("large", "small"), ("internal", "external"), ("broad", "narrow"), ("fast", "slow"), ("faster", "slower"),
    ("cheap", "expensive"), ("cheaper", "expensive"), ("accept", "reject"), ("enable", "disable"),
    ("above", "below"), ("over", "under"), ("more", "fewer"), ("start", "end"),
)  # fmt: skip
_OPPOSITE: dict[str, set[str]] = {}
for _a, _b in _OPPOSITES:
    _OPPOSITE.setdefault(STEMMER.stemWord(_a), set()).add(STEMMER.stemWord(_b))
    _OPPOSITE.setdefault(STEMMER.stemWord(_b), set()).add(STEMMER.stemWord(_a))


def opposed(statement: str, lines: list[str], framing: frozenset[str]) -> tuple[str, str] | None:
    """A word of the statement whose opposite the lines say, where they never say the word itself."""
    said = {STEMMER.stemWord(t) for t in re.findall(r"[a-z]+", statement.lower())} - framing
    text = {STEMMER.stemWord(t) for line in lines for t in re.findall(r"[a-z]+", line.lower())}
    for word in sorted(said - text):
        for other in sorted(_OPPOSITE.get(word, set()) & text - said):
            return word, other
    return None
