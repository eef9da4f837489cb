"""How the eval's judge reads a text: its sentences and figures, what it denies, the stages, roles and names it
mentions, and the forms a word may take. The judge's own reading: it shares no code with the citation
verifier it measures (``assistant.model``)."""

from __future__ import annotations

import re
from collections.abc import Callable

import Stemmer

from assistant.index.corpus import STOPWORDS, tokens

# A sentence ends at its full stop, or after the closing quote or bracket that follows it ('…on AI.” Six').
SENT = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’)\]]))\s+(?=[A-Z0-9\"“(*])|\n+")


# Words that say where a claim comes from or how it is put, not what it claims.
FRAMING_WORDS = frozenset(
    [
        "playbook",
        "guide",
        "document",
        "source",
        "according",
        "note",
        "notes",
        "recommend",
        "recommends",
        "suggest",
        "suggests",
        "state",
        "states",
        "say",
        "says",
        "explain",
        "explains",
        "mention",
        "mentions",
        "describe",
        "describes",
        "advise",
        "advises",
        # how a writer joins or puts facts, not what they claim ("Finally, …", "The guide puts…")
        "also",
        "finally",
        "next",
        "then",
        "separately",
        "simply",
        "alone",
        "put",
        "puts",
        "take",
        "takes",
        "list",
        "lists",
        "use",
        "uses",
        "treat",
        "treats",
        "treating",
        "want",
        "wants",
        "ask",
        "asks",
        "advice",
        "author",
        "practitioner",
        "experience",
        "view",
    ]
)
STEMMER = Stemmer.Stemmer("english")
SCALES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "mm": 1e6, "b": 1e9, "billion": 1e9}
FIGURE = re.compile(
    r"(?<![\w.])[pP]?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(thousand|million|billion|mm|[kmb])?(?![a-wyz]|x[a-z])", re.I
)
SPELLED = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "hundred": 100, "half": 0.5, "twice": 2, "double": 2, "triple": 3,
}  # fmt: skip
SPELLED_FIGURE = re.compile(r"\b(" + "|".join(SPELLED) + r")\b", re.I)
DENIAL = re.compile(
    r"(?<![-/])\b(?:not|no|never|none|nothing|nobody|cannot|can't|won't|don't|doesn't|didn't|isn't|aren't|wasn't|"
    r"shouldn't|mustn't|couldn't|wouldn't|without|neither|nor|avoid|(?:advis|recommend|warn)\w*\s+against)\b(?![-/])|❌",
    re.I,
)
# What denies nothing: both ways at once ("what AI can and can't do"), and the alternative set aside
# before the reason given ("not because the technology fails but because…").
NOT_DENIED = re.compile(
    r"\b(\w+)\s+(?:and|or)\s+(?:\1\s*not|\1n't|can't|cannot)\b|\bnot because\b[^.;]*?\bbut\b"
    r"|\bnot (?=(?:just|only|merely|simply)\b)",
    re.I,
)
# A word denied by its prefix ("unmeasurable"), read as "not measurable" where the other text says the word.
PREFIX = re.compile(r"\b(?:un|non-?|in|im)([a-z]{5,})\b", re.I)


# A contrast: what is put first and what is set aside ("A rather than B", "A instead of B", "A, not B"), or
# set aside first ("not A but B").
_SET_ASIDE = re.compile(r"\s*(?:\brather than\b|\binstead of\b|,\s*not\b(?!\s+(?:just|only|merely)\b))\s*", re.I)
_NOT_BUT = re.compile(r"\bnot\s+(?!(?:just|only|merely|because)\b)(.+?),?\s+but\s+(.+)", re.I)


# What a line puts before another it does not set aside, only ranks below ("judgment, not just operation";
# "recognition (not just compensation)"): one who puts the second first has turned the line round.
_RANKED_BELOW = re.compile(r"\s*[,(]\s*not\s+(?:just|only|merely)\b\s*", re.I)


def contrast_sides(text: str, ranked: bool = False) -> tuple[str, str] | None:
    """What a sentence prefers and what it sets aside, when it contrasts the two; None when it does not.
    With ``ranked``, also what it puts first and what it ranks below ("A, not just B")."""
    m = _NOT_BUT.search(text)
    if m:
        return m.group(2), m.group(1)
    parts = _SET_ASIDE.split(text, maxsplit=1)
    if ranked and len(parts) < 2:
        parts = _RANKED_BELOW.split(text, maxsplit=1)
    if len(parts) == 2 and tokens(parts[0]) and tokens(parts[1]):
        return parts[0], parts[1]
    return None


def turned_round(statement: str, lines: list[str], framing: frozenset[str]) -> bool:
    """A contrast a line of the passage makes the other way round: what the statement puts first is what
    the line sets aside, and what it sets aside is what the line puts first ("1.5x, not 3x" where the
    passage says "3x, not 1.5x")."""
    sides = contrast_sides(statement)
    if sides is None:
        return False
    first, aside = ({t for w, t in stemmed(x).items() if t not in framing} for x in sides)
    first, aside = first - aside, aside - first
    for line in lines:
        theirs = contrast_sides(line, ranked=True)
        if theirs is None:
            continue
        their_first, their_aside = (set(stemmed(x).values()) for x in theirs)
        if first & their_aside and aside & their_first:
            return True
    return False


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


def denials(text: str, other: str) -> int:
    """How many times the text denies something, read against the other text it is compared with."""
    text = NOT_DENIED.sub(lambda m: m.group(1) or " ", text)
    theirs = stemmed(other).keys()
    prefixed = sum(
        1
        for m in PREFIX.finditer(text)
        if STEMMER.stemWord(m.group(1).lower()) in theirs and STEMMER.stemWord(m.group(0).lower()) not in theirs
    )
    return len(DENIAL.findall(text)) + prefixed


# A capitalised word inside a sentence: a name, a tool, a stage written as a proper noun.
NAME = re.compile(r"(?<=[a-z,;]\s)([A-Z][A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)")
# Where a statement's parts part, each a claim that must be half in the passage: an aside after a comma
# ("…filters, reviewed by an external auditor every quarter") as much as a clause after "and" or "but".
JOINED = re.compile(r",\s+(?:and\s+|but\s+)?|;\s+|\s+(?:but|whereas|while)\s+", re.I)


def as_written(text: str) -> str:
    """A text with the figures of code read as prose: digits grouped by underscores are one figure
    ("2_417_000"), and a name joining words and a figure is words ("total_28_months": total 28 months)."""
    text = re.sub(r"(?<=\d)(ms|s|h)\b", r" \1", text)  # a unit written on the figure: "1.8s", "24h"
    return re.sub(r"(?<=\d)_(?=\d{3}\b|\d{3}_)", "", text).replace("_", " ")


def all_figures(text: str) -> set[float]:
    """Every figure a text states, as written and scaled ("50K": 50 and 50000; "four": 4; "p95": 95),
    and a share also as its fraction ("50%": 0.5, said as "half")."""
    text = as_written(text)
    out: set[float] = set()
    for m in FIGURE.finditer(text):
        value = float(m.group(1).replace(",", ""))
        out.add(value)
        if m.group(2):
            out.add(value * SCALES[m.group(2).lower()])
        if text[m.end() : m.end() + 1] == "%":
            out.add(value / 100)
    out.update(float(SPELLED[m.group(1).lower()]) for m in SPELLED_FIGURE.finditer(text))
    return out


def claimed_figures(text: str, names: frozenset[str] = frozenset()) -> set[float]:
    """The figures a statement asserts, each at the scale it is written in ("50K" is 50000 only). A
    figure that is part of a document's name (``names``: "the 90-day roadmap") asserts nothing, nor does
    "one" said as a word ("one more step"), which counts nothing."""
    text = " ".join(w for w in re.split(r"(\s+)", as_written(text)) if w.strip(".,;:()").lower() not in names)
    out: set[float] = set()
    for m in FIGURE.finditer(text):
        value = float(m.group(1).replace(",", ""))
        out.add(value * (SCALES[m.group(2).lower()] if m.group(2) else 1.0))
    out.update(float(SPELLED[m.group(1).lower()]) for m in SPELLED_FIGURE.finditer(text) if m.group(1).lower() != "one")
    return out


def stemmed(text: str) -> dict[str, str]:
    """A text's content words by their stem ("reduced" and "reduction" are one word), each with the
    word it was written as, whose weight it carries."""
    return {STEMMER.stemWord(t): t for t in tokens(text)}


def word_parts(word: str) -> set[str]:
    """A word with the parts of a hyphenated compound ("pilot-ready": pilot, ready)."""
    return {word, *(p for p in word.split("-") if len(p) > 1)}


def names_in(statement: str, held: frozenset[str]) -> set[str]:
    """What a statement names that a passage must name too: held words (stages, roles) and names."""
    statement = re.sub(
        r"\bleads to\b|\b(?:can|could|will|would|may|might|often|that|which|and|to) lead to\b",
        " ",
        statement,
        flags=re.I,
    )  # the verb, not the role
    found = {p for w in tokens(statement) for p in word_parts(w) if p in held}
    for m in NAME.finditer(statement):
        found.update(tokens(m.group(1)))
    return found


# Comparison symbols of a passage ("Error rate > 10%") and the words an answer writes them as.
SYMBOL_WORDS = {
    ">": ("exceed", "over", "above", "more", "greater", "higher", "beyond", "pass"),
    " vs": ("against", "versus", "compared"),
    "<": ("under", "below", "less", "fewer", "lower", "within"),
    "+": ("least", "more", "over", "minimum"),
}


def said_stems(text: str) -> set[str]:
    """The stems a text says, in the forms an answer may write them: the parts of its compounds
    ("three-tier"), its figures as words ("2-3x": two, three, times) and its comparison symbols as
    words ("<1%": below)."""
    out = set(stemmed(text).keys())
    for t in tokens(text):
        if "-" in t:
            out |= {STEMMER.stemWord(p) for p in t.split("-") if p}
    figures = all_figures(text)
    out |= {STEMMER.stemWord(w) for w, v in SPELLED.items() if v in figures}
    if re.search(r"\d(?:x|×)\b", text):
        out |= {"time", "fold"}
    for symbol, words in SYMBOL_WORDS.items():
        if symbol in text:
            out |= {STEMMER.stemWord(w) for w in words}
    return out


def said_in(stem: str, word: str, said: set[str]) -> bool:
    """A claimed word is said: by its stem, by each part of a compound, or as another form of a long
    word ("reduced", "reduction")."""
    if stem in said:
        return True
    parts = [p for p in word.split("-") if p]
    if len(parts) > 1 and all(STEMMER.stemWord(p) in said for p in parts):
        return True
    return len(word) >= 7 and any(len(h) >= 5 and h[:5] == word[:5] for h in said)


def denied_scopes(text: str) -> list[set[str]]:
    """What each denial of the text denies: the stems of the words after it, up to the next break."""
    text = NOT_DENIED.sub(lambda m: m.group(1) or " ", text)
    out = []
    for m in DENIAL.finditer(text):
        scope = set(stemmed(re.split(r"[,;:.!?—()]|\bbut\b", text[m.end() :], maxsplit=1)[0]).keys())
        if scope:
            out.append(scope)
    return out


def _denied_heads(text: str) -> set[str]:
    """The word each denial of a text is about: the first after it ("Don't retrofit": retrofit)."""
    text = NOT_DENIED.sub(lambda m: m.group(1) or " ", text)
    out = set()
    for m in DENIAL.finditer(text):
        said = tokens(re.split(r"[,;:.!?—()]|\bbut\b", text[m.end() :], maxsplit=1)[0])
        if said:
            out.add(STEMMER.stemWord(said[0]))
    return out


def asserts_denied(statement: str, lines: list[str], framing: frozenset[str]) -> set[str]:
    """The words a statement asserts that the passage only ever denies ("controls can be retrofitted after
    launch" where it says "Don't retrofit"; "headcount reduction was the driver" where it says "not
    headcount reduction"). A word the statement denies itself, anywhere after its first denial, or sets
    aside in a contrast, is not asserted."""
    denied = set().union(*(_denied_heads(line) for line in lines)) - framing
    if not denied:
        return set()
    for line in lines:
        scopes = denied_scopes(line)
        denied -= set(stemmed(line).keys()) - set().union(*scopes)
    sides = contrast_sides(statement)
    text = NOT_DENIED.sub(lambda m: m.group(1) or " ", statement)
    first = DENIAL.search(text)
    not_asserted = set(stemmed(text[first.end() :]).keys()) if first else set()
    if sides:
        not_asserted |= set(stemmed(sides[1]).keys())
    return (set(stemmed(statement).keys()) - not_asserted) & denied


def held_in(text: str, held: frozenset[str]) -> set[str]:
    return {p for w in tokens(text) for p in word_parts(w)} & held


def passage_lines(passage: str) -> list[str]:
    """The passage's sentences; a question is read with the answer that follows it ("Do we need…? …,
    no."): together they make one claim. Not in a list, whose items each stand alone."""
    out: list[str] = []
    item = re.compile(r"^(?:[-*•]|\d+[.)])\s")
    for s in (s.strip() for s in SENT.split(passage) if tokens(s)):
        if out and out[-1].endswith("?") and not item.match(out[-1]) and not item.match(s):
            out[-1] += " " + s
        else:
            out.append(s)
    return out or [passage]
