"""How the coaching tools' results read, in every interface: numbered citations (``Cites``), a checklist
step, a score with its cited gaps, a go/no-go decision and an ROI result, as Markdown with ``[n]``
markers. Interfaces (chat, web, CLI, Slack) use these; none of it decides anything."""

from __future__ import annotations

import re
from functools import partial
from typing import TYPE_CHECKING

from assistant.tools.coaching import shown_value
from assistant.types import Citation

if TYPE_CHECKING:
    from assistant.tools.coaching import Decision, RoiResult, Score
    from assistant.tools.models import Checklist, Source
    from assistant.tools.walkthrough import Step


class Cites:
    """Numbered citations for a tool reply; every quote is verbatim document text."""

    def __init__(self) -> None:
        self.items: list[Citation] = []

    def add(self, src: Source) -> int:
        for c in self.items:
            if (c.doc, c.start, c.end) == (src.doc, src.start, src.end):
                return c.n
        n = len(self.items) + 1
        self.items.append(
            Citation(
                n=n, doc=src.doc, title=src.title, section=src.section, quote=src.quote, start=src.start, end=src.end
            )
        )
        return n


def render_step(st: Step, checklist: Checklist, cites: Cites, scored: Score | None) -> str:
    lines = [st.message] if st.message else []
    if scored is not None:
        lines.append(render_score(scored, cites))
    elif st.item is not None:
        n = cites.add(st.item.citation)
        group = f" — {st.item.group}" if st.item.group else ""
        lines.append(f"**{checklist.title}**, item {st.progress}{group}:")
        lines.append(f"> {st.item.text} [{n}]")
        if st.answer:
            lines.append(f"(Your answer was: {st.answer}.)")
        if not st.paused:
            lines.append("Answer yes / no / partial / unsure / skip; or say back, note <text>, stop.")
    return "\n\n".join(lines)


_LABEL_END = re.compile(r":\**\s*$")
_MARKERS = re.compile(r"\s*\[\d+\]")


def _compact(guidance: str, limit: int = 3) -> list[str]:
    """The first statements of a guidance answer, without its per-document lead-ins. A label that only
    introduces what follows ("Standardize formats:") is never shown alone: it leads its first item."""
    out: list[str] = []
    label, label_markers = "", []
    for line in guidance.splitlines():
        line = line.strip()
        if not line or line.startswith("From *") or "playbook documents speak to this" in line:
            continue
        found = re.findall(r"\[\d+\]", line)
        if not found:
            continue  # a bare group label; its items follow
        text = _MARKERS.sub("", line).strip()
        if text.startswith("(table:"):
            continue
        if _LABEL_END.search(text):
            label = re.sub(r"^(?:[-*]\s+)?(?:[QA]:\s*)?", "", text.replace("**", "")).rstrip(": ").strip()
            label_markers = found
            continue
        if label:
            item = re.sub(r"^[-*]\s+", "", text)
            text = f"- {label}: {item}"
            found = [*label_markers, *found]
            label = ""
        markers = " ".join(dict.fromkeys(found))
        out.append(f"{text} {markers}")
        if len(out) >= limit:
            break
    return out


def _renumber(mapping: dict[str, str], m: re.Match[str]) -> str:
    return f"[{mapping.get(m.group(1), m.group(1))}]"


def render_score(scored: Score, cites: Cites) -> str:
    head = f"**{scored.title}**: "
    if scored.score is None:
        return head + scored.scaling
    n = cites.add(scored.citation)
    head += f"{scored.score:g}/{scored.max}"
    if scored.band and scored.band_citation is not None:
        head += f" — {scored.band} ({scored.band_range}) [{cites.add(scored.band_citation)}]"
    else:
        head += f" [{n}]"
    lines = [head, scored.scaling + "."]
    if scored.gaps:
        lines.append(f"Gaps ({len(scored.gaps)}):")
        for gap in scored.gaps:
            marker = cites.add(gap.item_citation)
            lines.append(f"- **{gap.item}** ({gap.answer}) [{marker}]")
            if gap.citations:
                shown = _compact(gap.guidance)
                used = sorted({int(m) for ln in shown for m in re.findall(r"\[(\d+)\]", ln)})
                renumber = {str(k): str(cites.add(gap.citations[k - 1])) for k in used if 0 < k <= len(gap.citations)}
                lines.extend("  " + re.sub(r"\[(\d+)\]", partial(_renumber, renumber), ln) for ln in shown)
            else:
                lines.append(f"  {gap.guidance}")
    else:
        lines.append("No gaps: every answered item is a yes.")
    return "\n".join(lines)


def render_decision(decision: Decision, cites: Cites) -> str:
    marks = {"met": "✔", "unmet": "✘", "unknown": "?"}
    lines = [f"**Decision: {decision.decision}** [{cites.add(decision.citation)}]", decision.reason]
    for kind, header in (("go", "GO criteria (all must be met):"), ("stop", "STOP criteria (any one met means stop):")):
        lines += ["", header]
        for r in decision.criteria:
            if r.kind == kind:
                value = "" if r.value is None else f" — yours: {shown_value(r.metric, r.value)}"
                lines.append(f"- {marks[r.status]} {r.text}{value} [{cites.add(r.citation)}]")
    return "\n".join(lines)


def render_roi(result: RoiResult, cites: Cites) -> str:
    marker = f" [{cites.add(result.citation)}]" if result.citation else ""
    lines = [
        f"**{result.hours_saved_per_year:,.0f} hours and ${result.savings_per_year:,.0f} saved per year**",
        f"Formula (the playbook's scope template){marker}: {result.formula}",
    ]
    lines += result.notes
    return "\n\n".join(lines)


ROI_NAMES = {
    "minutes_before": "minutes per task before",
    "minutes_after": "minutes per task with AI",
    "tasks_per_day": "tasks per day per user",
    "users": "users",
    "work_days": "work days per year",
    "hourly_rate": "burdened hourly rate ($/hour)",
}
