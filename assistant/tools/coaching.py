"""Coaching tools over the checklist catalog: checklist scoring, the go/no-go evaluator and the ROI
calculator. Pure functions of the catalog and the user's inputs; the Coach adds retrieved guidance.

Scoring: yes = 1, partial = 0.5, no and unsure = 0; a skipped item leaves the denominator. The
playbook's bands are on a 20-point scale while its lists have 15-18 items, so points are scaled to
20 (points ÷ answered items × 20) and the result says so ("12 of 15 → 16/20"). A scaled score that
falls between two bands (17.5 between "15-17" and "18-20") counts in the lower one: a band is
reached only when its lower bound is.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from assistant.errors import InputError
from assistant.tools.models import (
    MAX_POINTS,
    Band,
    Checklist,
    Criterion,
    DecisionFramework,
    Item,
    RoiExample,
    RoiFigures,
    Source,
)

ANSWERS = ("yes", "no", "partial", "unsure", "skip")
POINTS = {"yes": 1.0, "partial": 0.5, "no": 0.0, "unsure": 0.0}
_ALIASES = {
    "y": "yes",
    "yes": "yes",
    "yep": "yes",
    "yeah": "yes",
    "done": "yes",
    "true": "yes",
    "1": "yes",
    "n": "no",
    "no": "no",
    "nope": "no",
    "false": "no",
    "0": "no",
    "p": "partial",
    "partial": "partial",
    "partly": "partial",
    "partially": "partial",
    "somewhat": "partial",
    "half": "partial",
    "u": "unsure",
    "unsure": "unsure",
    "?": "unsure",
    "not sure": "unsure",
    "dont know": "unsure",
    "don't know": "unsure",
    "maybe": "unsure",
    "s": "skip",
    "skip": "skip",
    "-": "skip",
    "n/a": "skip",
    "na": "skip",
}


def normalise_answer(raw: str) -> str | None:
    """``yes``/``no``/``partial``/``unsure``/``skip`` for what a person typed, or None."""
    key = " ".join(raw.lower().strip().strip(".!").split())
    return _ALIASES.get(key)


def parse_answers(raw: str, expected: int) -> list[str]:
    """A comma-separated answer list, one per item in order; raises ``InputError`` saying what is wrong."""
    parts = [p.strip() for p in raw.split(",")]
    if len(parts) == 1 and not parts[0]:
        parts = []
    if len(parts) != expected:
        raise InputError(
            f"Expected {expected} answers, one per item in order, separated by commas; got {len(parts)}. "
            f"Each answer is one of: {', '.join(ANSWERS)}."
        )
    out = []
    for n, part in enumerate(parts, 1):
        answer = normalise_answer(part)
        if answer is None:
            raise InputError(f"Answer {n} is '{part}'; it must be one of: {', '.join(ANSWERS)}.")
        out.append(answer)
    return out


class Gap(BaseModel):
    item: str
    n: int
    group: str = ""
    answer: str
    guidance: str = ""
    citations: list[Source] = Field(default_factory=list)
    item_citation: Source


class Score(BaseModel):
    checklist: str
    title: str
    score: float | None  # on the 20-point scale; None when nothing was answered
    max: int = MAX_POINTS
    raw: float  # points: yes 1, partial 0.5
    answered: int  # items answered (not skipped)
    total: int
    skipped: int
    band: str | None = None
    band_range: str | None = None
    band_citation: Source | None = None
    scaling: str  # "12 of 15 → 16/20", said in every result
    gaps: list[Gap] = Field(default_factory=list)
    citation: Source


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def band_for(bands: Sequence[Band], score: float) -> Band | None:
    """The highest band whose lower bound the score reaches."""
    for band in sorted(bands, key=lambda b: -b.low):
        if score >= band.low:
            return band
    return None


def score_checklist(checklist: Checklist, answers: Sequence[str | None]) -> Score:
    """Score answers given in item order (None or "skip" for an item not answered). Gaps are the
    items answered no, partial or unsure, without guidance (the Coach retrieves it)."""
    if len(answers) != len(checklist.items):
        raise InputError(f"'{checklist.id}' has {len(checklist.items)} items; got {len(answers)} answers.")
    raw = 0.0
    answered = 0
    gaps: list[Gap] = []
    for item, answer in zip(checklist.items, answers, strict=True):
        if answer is None or answer == "skip":
            continue
        if answer not in POINTS:
            raise InputError(f"Answer '{answer}' for item {item.n} must be one of: {', '.join(ANSWERS)}.")
        answered += 1
        raw += POINTS[answer]
        if answer != "yes":
            gaps.append(Gap(item=item.text, n=item.n, group=item.group, answer=answer, item_citation=item.citation))
    skipped = len(checklist.items) - answered
    if answered == 0:
        score = None
        scaling = f"No item was answered ({skipped} skipped), so there is nothing to score."
    else:
        score = round(raw / answered * MAX_POINTS, 1)
        scaling = (
            f"{_fmt(raw)} of {answered} → {_fmt(score)}/{MAX_POINTS} "
            f"(the playbook's bands are out of {MAX_POINTS}; this list has {len(checklist.items)} items"
            + (f", {skipped} skipped and left out" if skipped else "")
            + ")"
        )
    band = band_for(checklist.bands, score) if score is not None else None
    return Score(
        checklist=checklist.id,
        title=checklist.title,
        score=score,
        raw=raw,
        answered=answered,
        total=len(checklist.items),
        skipped=skipped,
        band=band.label if band else None,
        band_range=band.range if band else None,
        band_citation=band.citation if band else None,
        scaling=scaling,
        gaps=gaps,
        citation=checklist.citation,
    )


# ---------------------------------------------------------------------------------- go / no-go


class GoNoGoInputs(BaseModel):
    active_users: float | None = None  # share of target users active weekly, 0-1
    acceptance: float | None = None  # share of outputs accepted, 0-1
    satisfaction: float | None = None  # 1-5
    critical_issues: bool | None = None  # critical security/compliance issues found
    roi_positive: bool | None = None

    def check(self) -> None:
        for name in ("active_users", "acceptance"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 1:
                hint = f" (did you mean {value / 100:g}?)" if 1 < value <= 100 else ""
                raise InputError(
                    f"{name.replace('_', ' ')} is a share between 0 and 1, e.g. 0.75 for 75%; got {value:g}{hint}."
                )
        if self.satisfaction is not None and not 1 <= self.satisfaction <= 5:
            raise InputError(f"satisfaction is a score from 1 to 5; got {self.satisfaction:g}.")


class CriterionResult(BaseModel):
    kind: str  # "go" or "stop": a GO criterion is met when it holds; a STOP criterion is met when it holds too
    text: str
    metric: str | None
    status: str  # "met", "unmet" or "unknown"
    value: float | bool | None = None
    threshold: str | None = None
    citation: Source


class Decision(BaseModel):
    decision: str  # GO | ITERATE | STOP
    reason: str
    criteria: list[CriterionResult]
    iterate: list[CriterionResult] = Field(default_factory=list)  # what the playbook says ITERATE means
    missing: list[str] = Field(default_factory=list)
    citation: Source


def _holds(c: Criterion, value: float | bool) -> bool:
    assert c.value is not None
    if c.op == ">=":
        return float(value) >= float(c.value)
    if c.op == "<":
        return float(value) < float(c.value)
    if c.op == ">":
        return float(value) > float(c.value)
    if c.op == "<=":
        return float(value) <= float(c.value)
    return bool(value) == bool(c.value)


def _threshold(c: Criterion) -> str | None:
    if c.op is None or c.value is None:
        return None
    if isinstance(c.value, bool):
        return f"{c.metric} is {str(c.value).lower()}"
    shown = f"{c.value:.0%}" if c.metric in ("active_users", "acceptance") else f"{c.value:g}"
    return f"{c.metric} {c.op} {shown}"


def shown_value(metric: str | None, value: float | bool | None) -> str:
    """An input as a person reads it."""
    if value is None:
        return "not given"
    if metric in ("active_users", "acceptance"):
        return f"{float(value):.0%}"
    if metric == "satisfaction":
        return f"{float(value):g}/5"
    if metric == "critical_issues":
        return "critical issues found" if value else "no critical issues"
    if metric == "roi_positive":
        return "ROI positive" if value else "ROI negative"
    return str(value)


def _judge(kind: str, c: Criterion, inputs: GoNoGoInputs) -> CriterionResult:
    value = getattr(inputs, c.metric) if c.metric else None
    status = "unknown" if c.metric is None or value is None else "met" if _holds(c, value) else "unmet"
    return CriterionResult(
        kind=kind,
        text=c.text,
        metric=c.metric,
        status=status,
        value=value,
        threshold=_threshold(c),
        citation=c.citation,
    )


def evaluate_gonogo(framework: DecisionFramework, inputs: GoNoGoInputs) -> Decision:
    """STOP when a measurable STOP criterion holds; GO only when every GO criterion is met (an
    unknown input never gives GO); otherwise ITERATE."""
    inputs.check()
    go = [_judge("go", c, inputs) for c in framework.go]
    stop = [_judge("stop", c, inputs) for c in framework.stop]
    iterate = [_judge("iterate", c, inputs) for c in framework.iterate]
    missing = sorted({r.metric for r in go + stop if r.metric and r.value is None})
    triggered = [r for r in stop if r.status == "met"]
    if triggered:
        decision = "STOP"
        reason = "A STOP criterion holds: " + "; ".join(r.text for r in triggered) + "."
    elif go and all(r.status == "met" for r in go):
        decision = "GO"
        reason = "Every GO criterion is met."
    else:
        decision = "ITERATE"
        unmet = [r.text for r in go if r.status == "unmet"]
        unknown = [r.text for r in go if r.status == "unknown"]
        parts = []
        if unmet:
            parts.append("not yet met: " + "; ".join(unmet))
        if unknown:
            parts.append("not measured (give the input): " + "; ".join(unknown))
        reason = "GO needs every GO criterion; " + " and ".join(parts) + "."
    people = [r.text for r in stop if r.metric is None]
    if people and decision != "STOP":
        reason += " Check yourselves the STOP signals no number measures: " + "; ".join(people) + "."
    return Decision(
        decision=decision,
        reason=reason,
        criteria=go + stop,
        iterate=iterate,
        missing=missing,
        citation=framework.citation,
    )


# ------------------------------------------------------------------------------------------ ROI


class RoiInputs(RoiFigures):
    def check(self) -> None:
        for name, value in self.model_dump().items():
            if value < 0:
                raise InputError(f"{name.replace('_', ' ')} cannot be negative; got {value:g}.")
        if self.work_days > 366:
            raise InputError(f"work days is days per year (at most 366); got {self.work_days:g}.")
        if self.minutes_before > 24 * 60 or self.minutes_after > 24 * 60:
            raise InputError("minutes before and after are minutes per task (at most 1,440, a whole day).")


class RoiResult(BaseModel):
    minutes_saved_per_task: float
    hours_saved_per_year: float
    savings_per_year: float
    formula: str
    notes: list[str] = Field(default_factory=list)
    citation: Source | None = None
    playbook_example: dict[str, float] | None = None


def _money(x: float) -> str:
    return f"${x:,.0f}" if abs(x - round(x)) < 0.005 else f"${x:,.2f}"


def _n(x: float) -> str:
    return f"{x:,.0f}" if abs(x - round(x)) < 1e-9 else f"{x:,.2f}".rstrip("0").rstrip(".")


def compute_roi(inputs: RoiInputs, example: RoiExample | None = None) -> RoiResult:
    """Hours and money saved per year, by the scope template's formula:
    (minutes before − minutes after) × tasks a day × users × work days ÷ 60 × hourly rate."""
    inputs.check()
    saved = inputs.minutes_before - inputs.minutes_after
    hours = inputs.hours_per_year()
    money = hours * inputs.hourly_rate
    formula = (
        f"({_n(inputs.minutes_before)} min − {_n(inputs.minutes_after)} min) = {_n(saved)} min saved × "
        f"{_n(inputs.tasks_per_day)} tasks/day × {_n(inputs.users)} users × {_n(inputs.work_days)} work days ÷ 60 "
        f"= {_n(hours)} hours/year; {_n(hours)} hours × {_money(inputs.hourly_rate)}/hour = {_money(money)}/year"
    )
    notes = []
    if saved < 0:
        notes.append("The task takes longer after than before: this is a loss, not a saving.")
    result = RoiResult(
        minutes_saved_per_task=saved,
        hours_saved_per_year=round(hours, 2),
        savings_per_year=round(money, 2),
        formula=formula,
        notes=notes,
        citation=example.citation if example else None,
    )
    if example is not None and inputs.figures() != example.figures():
        # Other inputs: cite where the formula comes from, not the figures the worked example states.
        result.citation = example.formula_citation or example.citation
    if example is not None:
        ex_hours = example.hours_per_year()
        result.playbook_example = {
            "stated_hours": example.stated_hours,
            "stated_savings": example.stated_savings,
            "computed_hours": round(ex_hours, 2),
            "computed_savings": round(ex_hours * example.hourly_rate, 2),
        }
        same = inputs.figures() == example.figures()
        if same and abs(ex_hours - example.stated_hours) > 0.5:
            per_task = example.stated_hours * 60 / max(example.tasks_per_day * example.users * example.work_days, 1)
            result.notes.append(
                f"These are the inputs of the playbook's worked example, which states {_n(example.stated_hours)} "
                f"hours and {_money(example.stated_savings)} a year. Its own formula gives {_n(ex_hours)} hours and "
                f"{_money(ex_hours * example.hourly_rate)}; the stated figure would need {_n(per_task)} minutes saved "
                "per task. The figures above follow the formula."
            )
    return result


def item_label(item: Item) -> str:
    return f"{item.group}: {item.text}" if item.group else item.text
