"""Routing a chat message: a question for the playbook, a checklist walkthrough, a go/no-go
evaluation or an ROI calculation. Out-of-scope questions take the question route and are declined
there, by the playbook's coverage.

Rules, in order:
- a message that starts like a question ("what", "which", "how", "why", "does", ...) is a question,
  unless it asks to calculate an ROI or evaluate a go/no-go with numbers;
- "go/no-go" (or "should we go / proceed / scale") with an intent to decide, or with measured
  figures, is the go/no-go route;
- "ROI" / "savings" with an intent to calculate, or with minute figures, is the ROI route;
- a checklist named by its title words ("pilot readiness", "data readiness", "before production")
  with an intent to run it ("check", "assess", "walk us through", "start", "score") is a walkthrough.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.tools.models import Catalog

_QUESTION_START = re.compile(
    r"^\s*(what|which|who|whom|whose|why|when|where|how|is|are|does|do|did|can|could|should|would|will|"
    r"tell me|explain|describe|list)\b",
    re.I,
)
_CHECK_INTENT = re.compile(
    r"\b(check|assess|evaluate|score|rate|run|start|begin|take|do|walk (?:me|us) through|go through|work through|"
    r"checklist|assessment|audit)\b",
    re.I,
)
_GONOGO = re.compile(r"\bgo\s*/\s*no[\s-]*go\b|\bgo[\s-]+or[\s-]+no[\s-]*go\b|\bgo-no-go\b|\bgonogo\b", re.I)
_SHOULD_PROCEED = re.compile(r"\bshould we (?:go|proceed|scale|move to production|stop|kill|continue)\b", re.I)
_DECIDE_INTENT = re.compile(r"\b(evaluate|decide|decision|assess|check|score|run|judge|should we|are we)\b", re.I)
_ROI = re.compile(r"\broi\b|\breturn on investment\b|\bsavings?\b|\bsave\b", re.I)
_CALC_INTENT = re.compile(r"\b(calculate|calculator|compute|estimate|work out|figure out|project|run)\b", re.I)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@dataclass
class Route:
    kind: str  # "question" | "checklist" | "gonogo" | "roi"
    checklist: str | None = None
    values: dict[str, float | bool] = field(default_factory=dict)


def _norm_words(text: str) -> set[str]:
    words = set(re.findall(r"[a-z0-9]+", text.lower()))
    if words & {"ready", "readiness", "prepared"}:
        words.add("readiness")
    if "prod" in words:
        words.add("production")
    return words


def match_checklist(text: str, catalog: Catalog) -> str | None:
    """The checklist whose id words the message contains (the most specific one)."""
    words = _norm_words(text)
    best: tuple[int, str] | None = None
    for c in catalog.checklists:
        need = set(c.id.split("-")) - {"criteria"} if c.kind == "criteria" else set(c.id.split("-"))
        if need and need <= words:
            score = len(need)
            if best is None or score > best[0]:
                best = (score, c.id)
    return best[1] if best else None


def _pct(x: str) -> float:
    value = float(x)
    return value / 100 if value > 1 else value


_ACTIVE = (
    re.compile(
        r"(\d+(?:\.\d+)?)\s*%?\s*(?:of\s+(?:the\s+)?(?:target\s+)?users\s+)?(?:weekly\s+)?(?:active|using|adoption|usage)",
        re.I,
    ),
    re.compile(
        r"(?:active users?|weekly active|adoption|usage)\s*(?:rate|share)?\s*"
        r"(?:is|was|of|at|:|=)?\s*(\d+(?:\.\d+)?)\s*%?",
        re.I,
    ),
)
_ACCEPT = (
    re.compile(r"(\d+(?:\.\d+)?)\s*%?\s*acceptance", re.I),
    re.compile(r"acceptance(?:\s+rate)?\s*(?:is|was|of|at|:|=)?\s*(\d+(?:\.\d+)?)\s*%?", re.I),
)
_SATISFACTION = (
    re.compile(r"satisfaction(?:\s+score)?\s*(?:is|was|of|at|:|=)?\s*(\d(?:\.\d+)?)", re.I),
    re.compile(r"(\d(?:\.\d+)?)\s*(?:/|out of)\s*5\b", re.I),
)


def gonogo_values(text: str) -> dict[str, float | bool]:
    """Measured figures named in a message: shares as 0-1, satisfaction 1-5, and the two yes/no inputs."""
    out: dict[str, float | bool] = {}
    for key, patterns in (("active_users", _ACTIVE), ("acceptance", _ACCEPT)):
        for p in patterns:
            if m := p.search(text):
                out[key] = _pct(m.group(1))
                break
    for p in _SATISFACTION:
        if m := p.search(text):
            out["satisfaction"] = float(m.group(1))
            break
    low = text.lower()
    if re.search(
        r"\bno (?:critical |major )?(?:security|compliance|critical)[\w\s/]*issues?\b|\bno critical issues?\b", low
    ):
        out["critical_issues"] = False
    elif re.search(r"\bcritical (?:security |compliance )?issues?\b", low):
        out["critical_issues"] = True
    if re.search(r"\b(?:positive roi|roi (?:is |looks )?positive)\b", low):
        out["roi_positive"] = True
    elif re.search(r"\b(?:negative roi|roi (?:is |looks )?negative)\b", low):
        out["roi_positive"] = False
    return out


_MIN = r"min(?:ute)?s?\.?"
_NOW = r"(?:before|today|now|currently|manually|by hand|without (?:ai|it))\b"
_PER_TASK = r"(?:\s+(?:per|a|each|for (?:a|each))\s+\w+)?"
_ROI_FIELDS: dict[str, tuple[re.Pattern[str], ...]] = {
    "minutes_before": (
        # "30 minutes before", "20 min per quote today", "takes 20 minutes now"
        re.compile(rf"(\d+(?:\.\d+)?)\s*{_MIN}{_PER_TASK}\s*{_NOW}", re.I),
        re.compile(rf"(?:from|before[:\s]*|takes?|currently)\s*(\d+(?:\.\d+)?)\s*{_MIN}", re.I),
    ),
    "minutes_after": (
        # "10 after", "5 minutes with AI", "to 5 min"
        re.compile(
            rf"(\d+(?:\.\d+)?)\s*(?:{_MIN})?{_PER_TASK}\s*(?:after|with (?:the )?(?:ai|tool|assistant|bot|it))\b", re.I
        ),
        re.compile(rf"(?:to|after[:\s]*|down to)\s*(\d+(?:\.\d+)?)\s*{_MIN}", re.I),
    ),
    "tasks_per_day": (
        re.compile(
            r"(\d+(?:\.\d+)?)\s*(?:\w+\s)?(?:tasks?|letters?|times?|items?|tickets?|cases?)?\s*(?:a|per|/|each)\s*day",
            re.I,
        ),
    ),
    "users": (re.compile(r"(\d+(?:\.\d+)?)\s*(?:users?|people|employees|staff|adjusters|agents|colleagues)", re.I),),
    "work_days": (
        re.compile(
            r"(\d+(?:\.\d+)?)\s*(?:work(?:ing)?\s*)?days?\s*(?:a|per)?\s*(?:year|yr)?(?!\s*(?:a|per)?\s*day)", re.I
        ),
    ),
    "hourly_rate": (
        re.compile(r"\$\s*(\d+(?:\.\d+)?)\s*(?:/|an?|per)\s*h(?:ou)?r", re.I),
        re.compile(r"(\d+(?:\.\d+)?)\s*(?:\$|dollars?|usd)\s*(?:/|an?|per)\s*h(?:ou)?r", re.I),
        re.compile(r"(?:hourly rate|rate per hour|hourly cost)\s*(?:is|of|at|:|=)?\s*\$?\s*(\d+(?:\.\d+)?)", re.I),
    ),
}


def roi_values(text: str) -> dict[str, float | bool]:
    """The ROI formula's inputs named in a message, however it words them (the first wording that matches)."""
    out: dict[str, float | bool] = {}
    for key, patterns in _ROI_FIELDS.items():
        for pattern in patterns:
            if m := pattern.search(text):
                out[key] = float(m.group(1))
                break
    return out


def route(text: str, catalog: Catalog) -> Route:
    is_question = bool(_QUESTION_START.match(text))
    if _GONOGO.search(text) or _SHOULD_PROCEED.search(text):
        values = gonogo_values(text)
        if values or (_DECIDE_INTENT.search(text) and not re.match(r"^\s*what\b", text, re.I)):
            return Route("gonogo", values=values)
    if _ROI.search(text):
        values = roi_values(text)
        if len(values) >= 3 or (_CALC_INTENT.search(text) and not is_question):
            return Route("roi", values=values)
    if not is_question or re.match(r"^\s*(?:can|could|shall|will) (?:you|we)\b", text, re.I):
        checklist = match_checklist(text, catalog)
        if checklist and _CHECK_INTENT.search(text):
            return Route("checklist", checklist=checklist)
    return Route("question")
