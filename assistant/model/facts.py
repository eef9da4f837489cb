"""The hard facts of a sentence, which a paraphrase may not change: its figures (as values, and shares,
multiples and durations with their unit), the periods of what it says happens regularly, its negations,
and the stages, roles and names it mentions."""

from __future__ import annotations

import re
from collections.abc import Callable

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from assistant.index.corpus import tokens

NUMBER = re.compile(r"(?<![\w.])(\d+(?:[.,_]\d+)*)\s*([kKmM]\b|million\b|thousand\b|billion\b)?")
# A name in code joins words with underscores ("total_28_months"): read as words, its figures are the text's.
# A figure's own underscores group its digits ("2_417_000").
_IDENTIFIER = re.compile(r"(?<=[A-Za-z])_|_(?=[A-Za-z])")
_PERCENT = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*%")
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "hundred": 100, "half": 0.5, "double": 2, "twice": 2, "triple": 3,
}  # fmt: skip
_NUMBER_WORD = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", re.I)
NEGATION = re.compile(
    r"(?<![-/])(?:\b(?:not|no|never|none|nothing|nobody|cannot|without|neither|nor|avoid|don't|doesn't|didn't|won't|"
    r"isn't|aren't|wasn't|shouldn't|mustn't|can't|couldn't|wouldn't)\b|n't\b"
    r"|\b(?:advis|recommend|warn|caution|argu)\w*\s+against\b|\bhold(?:s|ing)? off\b|\brefrain\w* from\b"
    r"|\brather than\b|\binstead of\b|\bin (?:place|lieu) of\b"  # what follows is denied: "rather than PowerPoint"
    r"|\bsteer(?:s|ing)? clear of\b|\black(?:s|ed|ing)?\b(?:\s+of\b)?|\b(?:the\s+)?absence of\b|❌)(?![-/])",
    re.I,
)
_CAPITALIZED = re.compile(r"(?<![.!?:]\s)(?<!^)\b([A-Z][A-Za-z0-9]+(?:[-/][A-Za-z0-9]+)*)")

# Words that say where a claim comes from, not what it claims.
ATTRIBUTION = frozenset(
    [
        "playbook",
        "guide",
        "source",
        "document",
        "according",
        "note",
        "notes",
        "recommend",
        "recommends",
        "suggest",
        "suggests",
        "state",
        "states",
        "explain",
        "explains",
        "mention",
        "mentions",
        # verbs that report what a document says ("the guide expects…", "describing his project as…")
        "says",
        "expect",
        "expects",
        "estimate",
        "estimates",
        "describes",
        "describing",
        "describe",
        "calls",
        "warn",
        "warns",
        "advise",
        "advises",
        "argue",
        "argues",
        "contrast",
        "contrasts",
    ]
)


# English function words say how a sentence is put, not what it claims ("during this stretch", "his
# project", "keep in mind"); those of them that can carry a claim stay: a quantity or an order ("most",
# "only", "first", "before"), a comparison ("above", "within"), and words that are content words in
# other uses ("system", "call", "fill", "back").
_CLAIMING = frozenset(
    [
        "all", "most", "more", "less", "least", "few", "many", "several", "only", "some", "none", "much", "whole",
        "same", "both", "either", "neither", "each", "enough", "alone", "together", "always", "never", "once", "first",
        "last", "next", "third", "before", "after", "already", "again", "former", "latter", "afterwards", "beforehand",
        "until", "since", "above", "below", "over", "under", "within", "beyond", "between", "up", "down", "off", "out",
        "without", "except", "almost", "bill", "call", "fire", "interest", "system", "amount", "detail", "describe",
        "serious", "empty", "full", "thick", "thin", "top", "bottom", "front", "back", "move", "name", "show", "find",
        "found", "give", "take", "mill", "cry", "fill", "sincere", "de", "con", "co", "un", "inc", "ltd",
    ]
)  # fmt: skip
FUNCTION_WORDS = frozenset(ENGLISH_STOP_WORDS) - _CLAIMING


def numbers(text: str) -> set[float]:
    """The figures a text states, at each scale it may be read at ("50K": 50 and 50,000); a share is
    also the fraction it is ("50%": 0.5, said "half")."""
    text = _IDENTIFIER.sub(" ", text)
    found: set[float] = {float(m.group(1)) / 100 for m in _PERCENT.finditer(text)}
    for m in NUMBER.finditer(text):
        raw = m.group(1).replace(",", "").replace("_", "")
        try:
            value = float(raw)
        except ValueError:
            continue
        scale = (m.group(2) or "").lower()
        found.add(value)
        if scale in ("k", "thousand"):
            found.add(value * 1_000)
        elif scale in ("m", "million"):
            found.add(value * 1_000_000)
        elif scale == "billion":
            found.add(value * 1_000_000_000)
    for m in _NUMBER_WORD.finditer(text):
        found.add(float(NUMBER_WORDS[m.group(1).lower()]))
    found.update(float(m.group(1)) for m in _P_NUMBER.finditer(text))
    found.update(_quarters(text))
    return found


def stated_numbers(text: str) -> set[float]:
    """Numbers a statement asserts: as written (50K is 50000; "four" is 4)."""
    found: set[float] = set()
    for m in NUMBER.finditer(_IDENTIFIER.sub(" ", text)):
        try:
            value = float(m.group(1).replace(",", "").replace("_", ""))
        except ValueError:
            continue
        scale = (m.group(2) or "").lower()
        factor = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "billion": 1e9}.get(scale, 1.0)
        found.add(value * factor)
    for m in _NUMBER_WORD.finditer(text):
        found.add(float(NUMBER_WORDS[m.group(1).lower()]))
    found.update(float(m.group(1)) for m in _P_NUMBER.finditer(text))
    found.update(_quarters(text))
    return found


_P_NUMBER = re.compile(r"\b[pP](\d{2})\b")  # a percentile: p95
# A quarter of the year, numbered or said: "Q4" is "the fourth quarter".
_QUARTER = re.compile(r"\b[qQ]([1-4])\b|\b(first|second|third|fourth)\s+quarter\b", re.I)
_QUARTER_ORDINALS = {"first": 1.0, "second": 2.0, "third": 3.0, "fourth": 4.0}


def _quarters(text: str) -> set[float]:
    return {float(m.group(1)) if m.group(1) else _QUARTER_ORDINALS[m.group(2).lower()] for m in _QUARTER.finditer(text)}


_ENUMERATOR = re.compile(r"^[\s#>*-]*(?:\*\*)?\d{1,2}[.)]\s", re.M)
_MEASURE = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)(?:\s*(?:-|–|to)\s*(\d+(?:\.\d+)?))?[\s-]*(?:(?:business|working|calendar)\s+)?"
    r"(%|x\b|×|(?:wk|week|day|month|mo|year|yr|hour|hr|minute|min)s?\b)",
    re.I,
)


_POSITION = re.compile(r"\b(week|month|day|year|phase|stage|tier|wave)s?\s+(\d+)(?:\s*(?:-|–|to)\s*(\d+))?", re.I)


def measures(text: str) -> set[tuple[float, str]]:
    """Shares, multiples and durations with their unit: "30-50%" is 30% and 50%, "1.5x" a multiple,
    "4–6 wks" 4 and 6 weeks, "4 business hours" 4 hours."""
    out: set[tuple[float, str]] = set()
    text = _IDENTIFIER.sub(" ", text)
    for m in _MEASURE.finditer(text):
        raw = m.group(3).lower().rstrip("s")
        unit = {"×": "x", "wk": "week", "mo": "month", "yr": "year", "hr": "hour", "min": "minute"}.get(raw, raw)
        out.update((float(v), unit) for v in m.group(1, 2) if v)
    for m in _POSITION.finditer(text):  # "week 6" is a point in time, not "6 weeks"
        if m.group(3) is None and re.match(r"\w+s\s", m.group(0)):
            continue  # "in 6 months 5 departments": a plural unit is the figure's before it, a point is singular
        out.update((float(v), m.group(1).lower() + "#") for v in m.group(2, 3) if v)
    return out


_COUNT_WORD = re.compile(r"\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b(?=\s+[a-z])", re.I)
_NUMBERED = re.compile(r"^[\s#>*-]*(?:\*\*)?(\d{1,2})[.)]\s", re.M)


def without_counts(statement: str, lines: list[str], lists: list[int]) -> str:
    """The statement less the counts its lines make: "three root causes" where the span holds a list of
    three (``lists``: the sizes of the lists it draws on), "four kinds" where its lines are numbered
    up to 4. A count written in digits is a figure like any other."""
    counted = set(lists) | {max((int(n) for n in _NUMBERED.findall("\n".join(lines))), default=0)}
    return _COUNT_WORD.sub(lambda m: " " if NUMBER_WORDS[m.group(1).lower()] in counted else m.group(0), statement)


def figures_missing(statement: str, source: str) -> bool:
    """A figure of the statement the source does not state: as a value (list numbering is not a
    figure), and a share, multiple or duration as one ("2x" is not the "2" of "Lesson 2")."""
    source = _ENUMERATOR.sub(" ", source)
    # "One lever is…", "a one-time cost": not a figure
    statement = re.sub(r"^\W*one\b|\bone of\b|\bone-(?:time|off)\b", " ", statement, flags=re.I)
    if stated_numbers(statement) - numbers(source):
        return True
    unmatched = measures(statement) - measures(source)
    if not unmatched:
        return False
    unitless = {float(v.replace("_", "")) for pair in _CODE_VALUE.findall(source) for v in pair if v}
    return any(v not in unitless for v, _ in unmatched)


# A value in code, whose unit is in its name or nowhere: '"year_1_roi": -27.1,', 'weeks = 6  # pilot', and
# an object's member ('wave: 1,').
_CODE_VALUE = re.compile(
    r"""(?:["'][\w &-]+["']|\b[a-z]\w*_\w+)\s*[:=]\s*-?\$?(\d[\d_]*(?:\.\d+)?)\s*(?:[,}#]|//|$)"""
    r"""|^\s*[a-z]\w*:\s*-?\$?(\d[\d_]*(?:\.\d+)?),""",
    re.M,
)


# A range: "8-12", "$5K-$15K", "30%–50%", "4 to 6", "between 8 and 12".
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "billion": 1e9}
_END = r"\$?(\d+(?:[.,]\d+)*)\s*(k\b|m\b|thousand\b|million\b|billion\b)?\s*%?"
_RANGE = re.compile(rf"(?<![\w.$]){_END}\s*(?:-|–|—|to)\s*{_END}|\bbetween\s+{_END}\s+and\s+{_END}", re.I)


def ranges(text: str) -> set[tuple[float, float]]:
    """The ranges the text states, as their two ends ("$5K-$15K" is 5,000 to 15,000; a scale written
    only after the second end is the first's too)."""
    out: set[tuple[float, float]] = set()
    for m in _RANGE.finditer(text):
        groups = m.groups()[:4] if m.group(1) else m.groups()[4:]
        try:
            lo, hi = float(groups[0].replace(",", "")), float(groups[2].replace(",", ""))
        except ValueError:
            continue
        hi_scale = _SCALE.get((groups[3] or "").lower(), 1.0)
        lo_scale = _SCALE.get((groups[1] or "").lower(), 0.0) or (hi_scale if lo * hi_scale <= hi * hi_scale else 1.0)
        if lo * lo_scale < hi * hi_scale:
            out.add((round(lo * lo_scale, 6), round(hi * hi_scale, 6)))
    return out


def ranges_missing(statement: str, source: str) -> bool:
    """A range the statement states that the source neither states as one nor has both ends of on one
    line: "12-16" where the source has "12-15" and "16-20" on lines of their own ("from 8 to 200" is
    the source's where one line says "from 8 users to 200+ users")."""
    held = ranges(source)
    lines = [numbers(line) for line in source.splitlines()]
    return any(r not in held and not any(r[0] in n and r[1] in n for n in lines) for r in ranges(statement))


# How often something happens is a hard fact, like a figure: "weekly" where the passage says "monthly" is a
# swap. A period the statement states as a frequency must be named in the quoted text, in any form.
_FREQUENCY = re.compile(
    r"\b(?:(hour|dai|day|week|month|quarter|year|annual)(?:ly|y)\b|(?:bi-?weekly|fortnightly)\b|"
    r"(?:every|each|per|once a|twice a)\s+(day|week|month|quarter|year|hour))",
    re.I,
)
_PERIOD = {"hour": "hour", "dai": "day", "day": "day", "week": "week", "month": "month", "quarter": "quarter",
           "year": "year", "annual": "year"}  # fmt: skip
_PERIOD_WORDS = {
    "hour": r"hour|hr", "day": r"day|daily", "week": r"week|wk", "month": r"month|mo\b",
    "quarter": r"quarter|q[1-4]\b", "year": r"year|yr|annual",
}  # fmt: skip


def without_name_figures(statement: str, name: str) -> str:
    """The statement less the figures that only name a document ("the 90-day roadmap"): a figure-word
    of the document's name, followed by another word of that name."""
    name_l = name.lower()
    words = set(tokens(name))

    def keep(m: re.Match[str]) -> str:
        named = m.group(1).lower() in name_l and m.group(2).lower().rstrip("s") in words
        return " " + m.group(2) if named else m.group(0)

    return re.sub(r"\b(\d+(?:-[a-z]+)+)\s+([A-Za-z]+)", keep, statement)


def without_heading_names(statement: str, section: str) -> str:
    """The statement less the numbers that name a heading its passage is under ("in phase 2" under
    "Phase 2 (Days 31–60): Build and validate"): a heading that starts with a noun and its number is
    named by them, and the citation shows that heading with its quote. A figure elsewhere in a heading
    ("Trial Stage (Weeks 1-6)") is a quantity, and stays the statement's to show."""
    for part in section.split(" > "):
        m = re.match(r"\W*([A-Za-z]+)\s+(\d+)\b(?![.,:]?\d|\s*[-–])", part)
        if m:
            said = rf"\b{re.escape(m.group(1))}s?\s+{m.group(2)}\b(?!\s*[-–]\s*\d|[.,]\d)"
            statement = re.sub(said, m.group(1), statement, flags=re.I)
    return statement


# Which way a figure is compared: "> 10 seconds", "99%+", "at least 99%", "under 1 minute".
_ABOVE = r"above|over|more than|greater than|higher than|exceed(?:s|ing)?|beyond|at least|upwards of"
_BELOW = r"under|below|less than|fewer than|lower than|within|at most|up to|no more than"
_SYMBOL = re.compile(r"(<=?|>=?|≤|≥)\s*\$?(\d+(?:\.\d+)?)")
_PLUS = re.compile(r"(?<![\w.])\$?(\d+(?:\.\d+)?)\s*%?\+")
_WORDED = re.compile(rf"\b(?:(no more than|{_BELOW})|({_ABOVE}))\s+\$?(\d+(?:\.\d+)?)", re.I)


def directions(text: str) -> dict[float, set[str]]:
    """Each compared figure of the text, with the way it is compared: below (<) or above (>)."""
    out: dict[float, set[str]] = {}
    for m in _SYMBOL.finditer(text):
        out.setdefault(float(m.group(2)), set()).add("<" if m.group(1) in ("<", "<=", "≤") else ">")
    for m in _PLUS.finditer(text):
        out.setdefault(float(m.group(1)), set()).add(">")
    for m in _WORDED.finditer(text):
        out.setdefault(float(m.group(3)), set()).add("<" if m.group(1) else ">")
    return out


def comparison_flipped(statement: str, source: str) -> bool:
    """A figure the statement compares one way ("above 1%") where the source compares it only the other
    way ("<1%")."""
    said, held = directions(statement), directions(source)
    return any(v in held and not ways & held[v] for v, ways in said.items())


def frequencies(text: str) -> set[str]:
    """How often the text says things happen, as periods: "week" for "weekly" or "every week", "2 week"
    for "bi-weekly" or "fortnightly"."""
    out = set()
    for m in _FREQUENCY.finditer(text):
        word = (m.group(1) or m.group(2) or "").lower()
        out.add(_PERIOD[word] if word else "2 week")
    return out


def period_spots(text: str) -> list[tuple[int, str]]:
    """Where the text says how often, with the period: "weekly updates" gives (0, "week")."""
    return [(m.start(), _PERIOD[w] if (w := (m.group(1) or m.group(2) or "").lower()) else "2 week")
            for m in _FREQUENCY.finditer(text)]  # fmt: skip


def periods(text: str) -> set[str]:
    """The periods of the frequencies a text states ("weekly": week, "every quarter": quarter)."""
    return {_PERIOD.get((m.group(1) or m.group(2) or "week").lower(), "week") for m in _FREQUENCY.finditer(text)}


def periods_missing(statement: str, source: str) -> bool:
    """A frequency of the statement ("weekly", "every quarter") whose period the source never names."""
    return any(not re.search(rf"\b(?:{_PERIOD_WORDS[p]})", source, re.I) for p in periods(statement))


def headed(after: str) -> str:
    """What follows a denial; where the denial ends a label ("**Too Cold (Avoid):** Skeptics who…"),
    what the label heads."""
    label = re.match(r"[)\]*_ ]*:", after)
    return after[label.end() :] if label else after


def negated(text: str) -> bool:
    return bool(NEGATION.search(text))


def negations(text: str) -> int:
    return len(NEGATION.findall(text))


def parts(text: str) -> set[str]:
    """Content words, with hyphenated compounds also split ("pilot-ready": pilot, ready)."""
    out = set()
    for tok in tokens(text):
        out.add(tok)
        if "-" in tok:
            out.update(tokens(tok.replace("-", " ")))
    return out


# Where a sentence joins another claim to the first: "…, and …", "…; …", "…, but …".
CLAUSE_JOIN = re.compile(
    r",?\s+(?:and|but|while|whereas|even though|although)\s+|,\s+(?:though|because|since)\s+|;\s+", re.I
)
MIN_CLAUSE_COVERAGE = 0.5  # idf-weighted share of a joined clause's content words found in the passage


def foreign_clause(statement: str, passage: set[str], idf: Callable[[str], float]) -> bool:
    """Whether a clause joined to the statement ("…, and solution: start simple") speaks of what the
    passage does not: a sentence can be mostly supported and still carry one claim that is not."""
    for clause in CLAUSE_JOIN.split(statement)[1:]:
        words = set(tokens(clause)) - ATTRIBUTION
        if len(words) < 2:
            continue
        weight = sum(idf(w) for w in words)
        if sum(idf(w) for w in words & passage) / weight < MIN_CLAUSE_COVERAGE:
            return True
    return False


# A role's word used as a verb ("customer service leads at 4.2x", "can lead to"), not the role.
LEAD_VERB = re.compile(
    r"\bleads (?:to|at|in|with|by|on|off|all|the)\b|\b(?:can|could|will|would|may|might|often|that|which|and|to) "
    r"lead to\b",
    re.I,
)


def entities(text: str, held: frozenset[str]) -> set[str]:
    """The stages and roles (of ``held``) and the capitalised names ``text`` names."""
    text = LEAD_VERB.sub(" ", text)
    found = {t for t in parts(text) if t in held}
    for m in _CAPITALIZED.finditer(text):
        word = m.group(1)
        if len(word) > 1:
            found.update(tokens(word))
    return found
