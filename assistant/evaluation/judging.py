"""How the eval's judge reads a text: its sentences and figures, what it denies, the stages, roles and names it
mentions, and the forms a word may take. The judge's own reading: it shares no code with the citation
verifier it measures (``assistant.model``)."""

from __future__ import annotations

import re

import Stemmer

from assistant.index.corpus import tokens

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
        # the light verbs a claim is put in ("make it to production", "keep in mind", "brought in")
        "make",
        "makes",
        "made",
        "making",
        "keep",
        "keeps",
        "get",
        "gets",
        "got",
        "go",
        "goes",
        "come",
        "comes",
        "bring",
        "brings",
        "brought",
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
# A line that names what goes wrong ("**Problem:** Quick fixes accumulate", "### Pitfall 4: No User Involvement"):
# advice against it, said with a denial ("so that quick fixes don't accumulate"), agrees with it.
TROUBLE = re.compile(
    r"^\W*(?:problem|pitfall|mistake|symptom|risk|red flag|warning sign|anti-pattern)s?\b[^:\n]{0,12}:", re.I
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


def denials(text: str, other: str, about: bool = False) -> int:
    """How many times the text denies something, read against the other text it is compared with;
    ``about``: only its denials of something the other text speaks of ("it is not voiced openly; it shows
    up as low usage", read against "it shows up as low usage", denies nothing of it)."""
    text = NOT_DENIED.sub(lambda m: m.group(1) or " ", text)
    theirs = stemmed(other).keys()
    prefixed = sum(
        1
        for m in PREFIX.finditer(text)
        if STEMMER.stemWord(m.group(1).lower()) in theirs and STEMMER.stemWord(m.group(0).lower()) not in theirs
    )
    if about:
        scopes = [stemmed(_SCOPE_END.split(text[m.end() :], maxsplit=1)[0]).keys() for m in DENIAL.finditer(text)]
        return sum(1 for scope in scopes if not scope or scope & theirs) + prefixed
    return len(DENIAL.findall(text)) + prefixed


_SCOPE_END = re.compile(r"[,;:.!?—()]|\bbut\b")  # what a denial denies runs to here


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


# A range of figures: "6-12 weeks", "10K–100K", "$10K to $40K", "10-15%", "1.5-2x".
RANGE = re.compile(
    r"(?<![\w.])\$?(\d+(?:\.\d+)?)\s*([kmb])?\s*(?:-|–|—|\bto\b)\s*\$?(\d+(?:\.\d+)?)([kmb])?(?![a-wyz0-9_]|\.\d|x[a-z]|-\d)",
    re.I,
)


def ranges(text: str) -> list[set[tuple[float, float]]]:
    """The ranges a text states, each read at its ends' scales; an end written without one is read as
    written and at the other's ("10-15K": 10 to 15,000 and 10,000 to 15,000)."""
    out = []
    for m in RANGE.finditer(as_written(text).replace(",", "")):
        lo, hi = float(m.group(1)), float(m.group(3))
        lo_scale, hi_scale = (SCALES[g.lower()] if g else 0.0 for g in (m.group(2), m.group(4)))
        high = hi * (hi_scale or 1.0)
        out.append({(lo * (lo_scale or hi_scale or 1.0), high), (lo * (lo_scale or 1.0), high)})
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
        r"\bleads (?:to|up to|at|with)\b|\b(?:can|could|will|would|may|might|often|that|which|and|to) lead to\b",
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
        scope = set(stemmed(_SCOPE_END.split(text[m.end() :], maxsplit=1)[0]).keys())
        if scope:
            out.append(scope)
    return out


def _denied_heads(text: str) -> set[str]:
    """The word each denial of a text is about: the first after it ("Don't retrofit": retrofit)."""
    text = NOT_DENIED.sub(lambda m: m.group(1) or " ", text)
    out = set()
    for m in DENIAL.finditer(text):
        said = tokens(_SCOPE_END.split(text[m.end() :], maxsplit=1)[0])
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


_ITEM = re.compile(r"^(?:[-*•]|\d+[.)])\s")


def lists_whole(lines: list[str], chosen: list[int]) -> list[int]:
    """The chosen lines with the rest of each list that most of them belong to (as its items or the label
    over it, "**Resource Risks:**"): a claim that draws on a list reads it whole, however long."""
    out = set(chosen)
    for k in chosen:
        if not _ITEM.match(lines[k]) and not lines[k].rstrip("*").endswith(":"):
            continue
        whole = {k}
        j = k + 1
        while j < len(lines) and _ITEM.match(lines[j]):
            whole.add(j)
            j += 1
        j = k - 1
        while _ITEM.match(lines[k]) and j >= 0 and _ITEM.match(lines[j]):
            whole.add(j)
            j -= 1
        if len(whole & set(chosen)) >= MIN_DRAWN:
            out |= whole
    return sorted(out)


MIN_DRAWN = 3  # closest lines of one list that show a claim draws on the list, not on one of its items
