"""The figures a text states, each as a value of one kind: durations in weeks ("six-month" is 26 weeks),
short durations in seconds, money in dollars ("$10k" is 10,000), shares in percent, multiples, counts, and
how often something is done in days apart. A stated range holds every value inside it ("6 weeks" agrees
with "4-8 weeks"); a threshold ("65%+") is its own value."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.answer.quoted import MARKER as _MARKER

_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "fifty": 50, "hundred": 100,
}  # fmt: skip
_VALUE = r"(\d+(?:[.,]\d+)*|" + "|".join(_WORD_NUMBERS) + r")"
WEEKS = {"day": 1 / 7, "week": 1.0, "wk": 1.0, "month": 52 / 12, "mo": 52 / 12, "year": 52.0, "yr": 52.0}
_DURATION = re.compile(
    rf"(?<![\w.$]){_VALUE}(?:\s*(?:-|–|to)\s*{_VALUE})?[\s-]*(day|week|wk|month|mo|year|yr)s?\b(?!\s*\d)", re.I
)
# A short duration (a response time, an effort): seconds, "10s", "90 minutes", "20-40 hours", "a 24-hour SLA",
# "4 business hours".
_SECONDS = {"ms": 0.001, "s": 1.0, "sec": 1.0, "second": 1.0, "min": 60.0, "minute": 60.0, "h": 3600.0, "hr": 3600.0}
_SECONDS["hour"] = 3600.0
_SHORT = re.compile(
    rf"(?<![\w.$]){_VALUE}(?:\s*(?:-|–|to)\s*{_VALUE})?(?:\s*|-|\s+(?:business|working)\s+)"
    r"(ms|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?)\b",
    re.I,
)
# A span of positions is a duration too: "Days 1–30" is 30 days, "Week 3-4" two weeks.
SPAN = re.compile(r"\b(day|week|month)s?\s+(\d+)\s*(?:-|–|to)\s*(\d+)\b", re.I)
_SHARE = re.compile(r"(?<![\w.$])(\d+(?:\.\d+)?)(?:\s*%?\s*(?:-|–|to)\s*(\d+(?:\.\d+)?))?\s*%", re.I)
# A multiple: "1.5x", "2-3x", "3×".
_MULTIPLE = re.compile(r"(?<![\w.$])(\d+(?:\.\d+)?)(?:\s*(?:-|–|to)\s*(\d+(?:\.\d+)?))?\s*[x×](?![\w])", re.I)
# A share or a multiple in words: "half the team" is 50% of it, "twice the time" 2x; "half an hour" and
# "twice a week" are not.
_IN_WORDS = re.compile(
    r"\b(?:half|twice)\b(?!\s+(?:an?\s+)?(?:hour|day|week|month|quarter|year|minute)s?\b)(?!-)", re.I
)
_MONEY = re.compile(
    r"\$\s?(\d+(?:[.,]\d+)*)\s*([kKmM]\b)?(?:\s*(?:-|–|to)\s*\$?\s?(\d+(?:[.,]\d+)*)\s*([kKmM]\b)?)?", re.I
)
_COUNT = re.compile(
    rf"(?<![\w.$-]){_VALUE}(?:\s*(?:-|–|to)\s*{_VALUE})?\+?\s+"
    r"(?!%|percent|day|week|wk|month|mo|year|yr|hour|hr|min|sec)([a-z]{3,})",
    re.I,
)
# How often, in days apart: "meets monthly", "quarterly business reviews".
_EVERY = {"daily": 1.0, "weekly": 7.0, "biweekly": 14.0, "fortnightly": 14.0, "monthly": 30.0, "quarterly": 91.0,
          "annually": 365.0, "yearly": 365.0, "annual": 365.0}  # fmt: skip
_HOW_OFTEN = re.compile(r"\b(daily|weekly|bi-?weekly|fortnightly|monthly|quarterly|annually|yearly|annual)\b", re.I)
# A number that names a position ("Tier 1", "Phase 2", "Week 6") counts nothing.
_POSITION = re.compile(
    r"\b(?:tier|phase|stage|step|level|wave|lesson|option|case|week|month|day|year|version|v)\s*$", re.I
)


@dataclass(frozen=True)
class Figure:
    kind: str  # "weeks", "seconds", "%", "$", "x" (a multiple), "count", "days apart" (how often)
    low: float
    high: float
    text: str  # as written

    def holds(self, value: float) -> bool:
        return self.low - 1e-6 <= value <= self.high + 1e-6


def _value(raw: str | None) -> float | None:
    if not raw:
        return None
    word = _WORD_NUMBERS.get(raw.lower())
    if word is not None:
        return float(word)
    try:
        return float(raw.replace(",", ""))
    except ValueError:
        return None


def _scaled(raw: str | None, scale: str | None) -> float | None:
    value = _value(raw)
    if value is None:
        return None
    return value * {"k": 1e3, "m": 1e6}.get((scale or "").lower(), 1.0)


# Three or more figures joined by "to" are steps, not a range: "5% to 25% to 50%" gives 5%, 25% and 50%.
_STEPS = re.compile(r"\$?\d[\d,.]*\s*[%kKmM]?(?:\s+to\s+\$?\d[\d,.]*\s*[%kKmM]?){2,}")


def figures(text: str) -> list[Figure]:
    """The durations, shares, amounts of money, multiples and counts a text states."""
    text = _STEPS.sub(lambda m: re.sub(r"\s+to\s+", ", ", m.group(0)), _MARKER.sub("", text))
    out: list[Figure] = []
    taken: list[tuple[int, int]] = []
    for m in _MONEY.finditer(text):
        low = _scaled(m.group(1), m.group(2) or m.group(4))
        high = _scaled(m.group(3), m.group(4)) if m.group(3) else low
        if low is not None and high is not None:
            out.append(Figure("$", low, high, m.group(0).strip()))
            taken.append(m.span())
    for m in _SHARE.finditer(text):
        low, high = _value(m.group(1)), _value(m.group(2))
        if low is not None:
            out.append(Figure("%", low, high if high is not None else low, m.group(0).strip()))
            taken.append(m.span())
    for m in _IN_WORDS.finditer(text):
        kind, value = ("%", 50.0) if m.group(0).lower() == "half" else ("x", 2.0)
        out.append(Figure(kind, value, value, m.group(0)))
    for m in _MULTIPLE.finditer(text):
        low, high = _value(m.group(1)), _value(m.group(2))
        if low is not None:
            out.append(Figure("x", low, high if high is not None else low, m.group(0).strip()))
            taken.append(m.span())
    for m in _DURATION.finditer(text):
        if _POSITION.search(text[: m.start()]):
            continue  # "phase 2 days?" asks of phase 2: its 2 is no duration
        unit = WEEKS[m.group(3).lower()]
        low, high = _value(m.group(1)), _value(m.group(2))
        if low is not None:
            out.append(Figure("weeks", low * unit, (high if high is not None else low) * unit, m.group(0).strip()))
            taken.append(m.span())
    for m in _SHORT.finditer(text):
        if any(s <= m.start() < e for s, e in taken) or _POSITION.search(text[: m.start()]):
            continue
        name = m.group(3).lower()
        unit = _SECONDS.get(name) or _SECONDS[name.rstrip("s")]
        low, high = _value(m.group(1)), _value(m.group(2))
        if low is not None:
            out.append(Figure("seconds", low * unit, (high if high is not None else low) * unit, m.group(0).strip()))
            taken.append(m.span())
    for m in SPAN.finditer(text):
        length = (float(m.group(3)) - float(m.group(2)) + 1) * WEEKS[m.group(1).lower()]
        if length > 0:
            out.append(Figure("weeks", length, length, m.group(0).strip()))
            taken.append(m.span())
    for m in _HOW_OFTEN.finditer(text):
        days = _EVERY[m.group(1).lower().replace("-", "")]
        out.append(Figure("days apart", days, days, m.group(0)))
    for m in _COUNT.finditer(text):
        if any(s <= m.start() < e for s, e in taken) or _POSITION.search(text[: m.start()]):
            continue
        low, high = _value(m.group(1)), _value(m.group(2))
        if low is not None:
            out.append(Figure("count", low, high if high is not None else low, m.group(0).strip()))
    return out


# A point in a timeline: "Month 19", "Week 6", and each point of a span ("Month 3-4", "Days 31–60").
_AT = re.compile(r"\b(day|week|month|quarter|year)s?\s+(\d+)(?:\s*(?:-|–|to)\s*(\d+))?\b", re.I)


def points(text: str) -> list[Figure]:
    """The points of a timeline a text names, each of its unit's kind ("month number"): "Month 19" is
    month 19, "Month 3-4" holds months 3 and 4."""
    out = []
    for m in _AT.finditer(_MARKER.sub("", text)):
        low = float(m.group(2))
        high = float(m.group(3)) if m.group(3) else low
        if high >= low:
            out.append(Figure(f"{m.group(1).lower()} number", low, high, m.group(0)))
    return out
