"""The go/no-go criteria and the ROI worked example, parsed from the documents: a criterion by its metric,
comparison and value, whatever label introduces it; the example by its formula's shape."""

from __future__ import annotations

import re

from assistant.index.lexicon import Vocabulary
from assistant.tools.models import (
    Checklist,
    Criterion,
    DecisionFramework,
    RoiExample,
    Source,
)
from assistant.types import Block, CleanDocument

_SHARE = re.compile(r"(\d+(?:\.\d+)?)\s*%(\s*\+)?")


_SCALE = re.compile(r"(\d+(?:\.\d+)?)(\s*\+)?\s*(?:out of|/)\s*(\d+(?:\.\d+)?)")


# How a threshold is compared, from the words just before or after its figure.
_BEFORE = (
    (re.compile(r"(?:at least|no less than|no fewer than|minimum(?: of)?|min\.?|≥|>=)\s*$"), ">="),
    (re.compile(r"(?:at most|no more than|maximum(?: of)?|max\.?|≤|<=)\s*$"), "<="),
    (re.compile(r"(?:more than|greater than|higher than|over|above|exceeds?|exceeding|>)\s*$"), ">"),
    (re.compile(r"(?:less than|fewer than|lower than|below|under|<)\s*$"), "<"),
)


_AFTER = (
    (re.compile(r"^\s*(?:or|and) (?:more|higher|above|better|over)\b"), ">="),
    (re.compile(r"^\s*(?:or|and) (?:less|fewer|lower|below|under|worse)\b"), "<="),
)


def _comparison(low: str, start: int, end: int, plus: bool) -> str | None:
    if plus:
        return ">="
    before = low[max(0, start - 24) : start]
    after = low[end : end + 16]
    for pattern, op in _BEFORE:
        if pattern.search(before):
            return op
    for pattern, op in _AFTER:
        if pattern.search(after):
            return op
    return None


def _threshold(low: str, kind: str) -> tuple[str, float] | None:
    """The comparison and value of a criterion's figure of this kind, or None when it has none."""
    if kind == "share":
        for m in _SHARE.finditer(low):
            if _SCALE.match(low, m.start()) is None and (op := _comparison(low, m.start(), m.end(), bool(m.group(2)))):
                return op, float(m.group(1)) / 100
    elif kind == "scale":
        for m in _SCALE.finditer(low):
            if op := _comparison(low, m.start(), m.end(), bool(m.group(2))):
                return op, float(m.group(1))
    return None


def parse_criterion(text: str, citation: Source, vocabulary: Vocabulary) -> Criterion:
    """Read what a criterion measures and its threshold from its wording: the input it names (the
    vocabulary's words for each input) and a figure with a comparison ("70%+", "at least 70%",
    "below 2.5 out of 5"). A criterion no input measures ("Users actively avoiding the tool"), or
    one that names an input with no threshold this evaluator can check, keeps ``metric=None`` and
    is judged by people."""
    low = text.lower()
    for metric in vocabulary.metrics:
        if not metric.named_in(low):
            continue
        if metric.kind == "flag":
            return Criterion(text=text, metric=metric.name, op="==", value=not metric.denied_in(low), citation=citation)
        if found := _threshold(low, metric.kind):
            op, value = found
            return Criterion(text=text, metric=metric.name, op=op, value=value, citation=citation)
    return Criterion(text=text, citation=citation)


def decision_framework(checklists: list[Checklist], vocabulary: Vocabulary) -> DecisionFramework | None:
    """The go/no-go framework: the first document's criteria lists whose labels name the outcomes
    (a GO list at least), read as metrics and thresholds."""
    by_doc: dict[str, dict[str, Checklist]] = {}
    for c in checklists:
        if c.kind == "criteria" and (outcome := vocabulary.outcome_of(c.title)):
            by_doc.setdefault(c.doc, {}).setdefault(outcome, c)
    found = next((lists for lists in by_doc.values() if "go" in lists), None)
    if found is None:
        return None
    go = found["go"]
    parts = {key: [parse_criterion(i.text, i.citation, vocabulary) for i in c.items] for key, c in found.items()}
    return DecisionFramework(
        title=go.section.split(" > ")[-1],
        go=parts.get("go", []),
        iterate=parts.get("iterate", []),
        stop=parts.get("stop", []),
        citation=go.citation,
    )


_NUM = r"(\d[\d,]*(?:\.\d+)?)"


_TIMES = r"\s*(?:×|\*|\bx\b)\s*"


_UNIT_WORDS = r"[^×*=\n]{0,40}?"  # what a factor counts: "letters/day", "users", "work days a year"


_MIN = r"\s*min(?:ute)?s?\.?"


# The worked example by its formula's shape, whatever it counts: minutes before - minutes after =
# minutes saved × tasks a day × people × days = hours; then hours × $rate an hour = $savings.
_ROI_HOURS = re.compile(
    rf"{_NUM}{_MIN}\s*[-–−]\s*{_NUM}{_MIN}\s*=\s*{_NUM}{_MIN}(?:\s*saved)?"
    rf"{_TIMES}{_NUM}{_UNIT_WORDS}{_TIMES}{_NUM}{_UNIT_WORDS}{_TIMES}{_NUM}{_UNIT_WORDS}=\s*{_NUM}\s*h(?:ou)?rs?",
    re.I,
)


_ROI_MONEY = re.compile(
    rf"{_NUM}\s*h(?:ou)?rs?{_TIMES}\$\s*{_NUM}\s*(?:/\s*h(?:ou)?r|per\s+hour|an\s+hour|/h)[^=\n]*=\s*\$\s*{_NUM}", re.I
)


def _num(s: str) -> float:
    return float(s.replace(",", ""))


def roi_example(
    doc: CleanDocument, sections: list[tuple[str, Block | None, list[Block]]], source: object
) -> RoiExample | None:
    text = doc.text
    m = _ROI_HOURS.search(text)
    if not m:
        return None
    money = _ROI_MONEY.search(text, m.end(), m.end() + 400)
    if not money:
        return None
    section = doc.title
    for name, head, _ in sections:
        if head is not None and head.start <= m.start():
            section = name
    assert callable(source)
    line_start = text.rfind("\n", 0, m.start()) + 1
    while text[line_start].isspace():
        line_start += 1
    formula_end = text.rfind("=", m.start(), m.start(7))  # before the hours it states
    while formula_end > line_start and text[formula_end - 1].isspace():
        formula_end -= 1
    return RoiExample(
        minutes_before=_num(m.group(1)),
        minutes_after=_num(m.group(2)),
        tasks_per_day=_num(m.group(4)),
        users=_num(m.group(5)),
        work_days=_num(m.group(6)),
        hourly_rate=_num(money.group(2)),
        stated_hours=_num(m.group(7)),
        stated_savings=_num(money.group(3)),
        citation=source(section, line_start, money.end()),
        formula_citation=source(section, line_start, formula_end),
    )
