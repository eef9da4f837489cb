"""The web app's forms: checklists walked through one item at a time (with a running score, an export and
the history of runs), the go/no-go and ROI forms, and the dashboard. Plain methods over the ``Coach``
service, so tests call them without a browser; every one of them gives a message for bad input."""

from __future__ import annotations

import datetime as dt
import html
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import InputError
from assistant.interfaces.web_handlers import shielded
from assistant.interfaces.web_view import chart, quote_text
from assistant.service.ledger import parse_day

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from assistant.service.coach import Coach
    from assistant.tools.coaching import Score
    from assistant.tools.walkthrough import Step


def read_number(raw: float | str | None, label: str) -> float | None:
    """A form field as a number: empty is unknown (``None``); "70%", "$35", "1,200" are read as numbers."""
    if raw is None or isinstance(raw, (int, float)):
        return None if raw is None else float(raw)
    text = re.sub(r"[\s,%$]|/h(?:ou)?r$|per hour$", "", str(raw).strip().lower())
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InputError(f"**{label}** should be a number, like 70; you entered “{str(raw).strip()[:40]}”.") from None


ROI_LABELS = {
    "minutes_before": "minutes per task today",
    "minutes_after": "minutes per task with AI",
    "tasks_per_day": "tasks per user per day",
    "users": "users",
    "work_days": "work days per year",
    "hourly_rate": "burdened hourly rate",
}


class WebForms:
    def __init__(self, coach: Coach) -> None:
        self.coach = coach

    # -- checklists -------------------------------------------------------------------------------
    def checklist_choices(self) -> list[tuple[str, str]]:
        ordered = sorted(self.coach.catalog.checklists, key=lambda c: (not c.bands, c.kind != "checklist"))
        return [(f"{c.title} — {len(c.items)} items{' (scored)' if c.bands else ''}", c.id) for c in ordered]

    def _step_view(self, st: Step, scored: Score | None) -> tuple[str, str, str]:
        """(item panel, progress line, result panel) for a walkthrough step."""
        from assistant.interfaces.presenters import Cites, render_score

        checklist = self.coach.checklist(st.checklist)
        message = f"_{st.message}_\n\n" if st.message else ""
        if st.done or st.item is None:
            cites = Cites()
            result = render_score(scored, cites) if scored is not None else ""
            if cites.items:
                result += "\n\n**Sources**\n" + "\n".join(
                    f"{c.n}. {c.title} — _{c.section}_: “{html.escape(quote_text(c.quote, 200))}”" for c in cites.items
                )
            return message + f"**{checklist.title}**: every item is answered.", f"{st.total} of {st.total}", result
        group = f" · {st.item.group}" if st.item.group else ""
        was = f"\n\n_Your answer was: {st.answer}_" if st.answer else ""
        src = st.item.citation
        item = (
            f"{message}**{checklist.title}**{group}\n\n### {st.item.text}{was}\n\n"
            f"<sub>Source: {src.title} — {src.section}</sub>"
        )
        return item, f"Item {st.progress}{self._so_far(st)}", ""

    def _so_far(self, st: Step) -> str:
        """The running tally of a run in progress: its answers so far, and the score they make."""
        run = self.coach.runs.get(st.run_id) if st.run_id else None
        if run is None:
            return ""
        checklist = self.coach.checklist(st.checklist)
        answers = [*run.answers, *[None] * len(checklist.items)][: len(checklist.items)]
        given = [a for a in answers if a and a != "skip"]
        if not given:
            return ""
        counts = ", ".join(f"{given.count(a)} {a}" for a in ("yes", "partial", "no", "unsure") if a in given)
        scored = self.coach.score(st.checklist, answers)
        score = f" → {scored.score:g}/{scored.max} so far" if checklist.bands and scored.score is not None else ""
        band = f" ({scored.band})" if score and scored.band else ""
        return f" · {counts}{score}{band}"

    @shielded(lambda message, *_: (message, "", "", ""))
    def checklist_start(self, checklist_id: str, user: str, restart: bool = False) -> tuple[str, str, str, str]:
        if not checklist_id:
            return "Pick a checklist first.", "", "", ""
        st = self.coach.start_checklist(checklist_id, user=user, restart=restart)
        scored = None
        if st.done:
            run = self.coach.runs.get(st.run_id)
            scored = self.coach.score(st.checklist, list(run.answers)) if run else None
        return (*self._step_view(st, scored), st.run_id)

    @shielded(lambda message, run_id="", *_: (message, "", "", run_id))
    def checklist_command(self, run_id: str, command: str, argument: str = "") -> tuple[str, str, str, str]:
        if not run_id:
            return "Pick a checklist and press Start first.", "", "", ""
        st, scored = self.coach.checklist_reply(run_id, command, argument)
        return (*self._step_view(st, scored), run_id)

    @shielded(lambda *_: None)
    def checklist_export(self, run_id: str) -> str | None:
        """The run as a Markdown file (answers, notes, score, band, gaps with sources)."""
        run = self.coach.runs.get(run_id) if run_id else None
        if run is None:
            return None
        checklist = self.coach.checklist(run.checklist)
        lines = [
            f"# {checklist.title}",
            f"_{checklist.doc_title} — {checklist.section}_  ",
            f"Run {run.run_id}, started {dt.datetime.fromtimestamp(run.started, dt.UTC):%Y-%m-%d %H:%M} UTC",
            "",
            "| # | Group | Item | Answer | Note |",
            "|---|---|---|---|---|",
        ]
        for k, item in enumerate(checklist.items):
            answer = run.answers[k] if k < len(run.answers) else None
            note = (run.notes.get(k) or "").replace("|", "\\|")
            lines.append(f"| {item.n} | {item.group} | {item.text} | {answer or '—'} | {note} |")
        if any(a is not None for a in run.answers):
            from assistant.interfaces.presenters import Cites, render_score

            cites = Cites()
            lines += ["", render_score(self.coach.score(checklist.id, list(run.answers)), cites), "", "## Sources"]
            lines += [f"{c.n}. {c.title} — {c.section}: “{' '.join(c.quote.split())}”" for c in cites.items]
        path = Path(tempfile.mkdtemp(prefix="coach-export-")) / f"{checklist.id}-{run.run_id}.md"
        path.write_text("\n".join(lines) + "\n", "utf-8")
        return str(path)

    @shielded(lambda *_: [])
    def checklist_history(self, checklist_id: str, user: str) -> list[list[Any]]:
        if not checklist_id:
            return []
        rows = []
        for r in self.coach.history(checklist_id, user=user):
            started = dt.datetime.fromtimestamp(r.started, dt.UTC).strftime("%Y-%m-%d %H:%M")
            score = f"{r.score:g}/20" if r.score is not None else "in progress"
            rows.append([started, f"{r.answered}/{len(r.items)}", score, r.band or ""])
        return rows

    # -- tools ------------------------------------------------------------------------------------
    @shielded(lambda message, *_: message)
    def gonogo(
        self,
        active_raw: float | str | None,
        acceptance_raw: float | str | None,
        satisfaction_raw: float | str | None,
        critical: str,
        roi: str,
    ) -> str:
        """The go/no-go form: an empty field is unknown; a value out of range gets a message, never an error."""
        from assistant.interfaces.presenters import Cites, render_decision
        from assistant.tools.coaching import GoNoGoInputs

        active_pct = read_number(active_raw, "Weekly active users")
        acceptance_pct = read_number(acceptance_raw, "Acceptance rate")
        satisfaction = read_number(satisfaction_raw, "User satisfaction")
        checks = (
            ("Weekly active users", active_pct, 0, 100, "a percentage from 0 to 100"),
            ("Acceptance rate", acceptance_pct, 0, 100, "a percentage from 0 to 100"),
            ("User satisfaction", satisfaction, 1, 5, "a score from 1 to 5"),
        )
        for label, value, lo, hi, what in checks:
            if value is not None and not lo <= value <= hi:
                return f"**{label}** is {what}; you entered {value:g}. Correct it, or leave it empty if you don't know."
        inputs = GoNoGoInputs(
            active_users=None if active_pct is None else active_pct / 100,
            acceptance=None if acceptance_pct is None else acceptance_pct / 100,
            satisfaction=satisfaction,
            critical_issues={"yes": True, "no": False}.get(critical),
            roi_positive={"positive": True, "negative": False}.get(roi),
        )
        decision = self.coach.gonogo(inputs)
        cites = Cites()
        text = render_decision(decision, cites)
        return text + "\n\n**Source**: " + "; ".join(f"[{c.n}] {c.title} — _{c.section}_" for c in cites.items[:1])

    @shielded(lambda message, *_: message)
    def roi(self, *raw: float | str | None) -> str:
        """The ROI form: every field is needed; an empty one is named, never taken as 0."""
        from assistant.interfaces.presenters import Cites, render_roi
        from assistant.tools.coaching import RoiInputs

        names = ("minutes_before", "minutes_after", "tasks_per_day", "users", "work_days", "hourly_rate")
        values = [read_number(v, ROI_LABELS[n].capitalize()) for n, v in zip(names, raw, strict=True)]
        missing = [ROI_LABELS[n] for n, v in zip(names, values, strict=True) if v is None]
        if missing:
            return "To calculate, fill in: " + ", ".join(missing) + ". (Or press *Use the playbook's example*.)"
        given = {n: float(v) for n, v in zip(names, values, strict=True) if v is not None}
        result = self.coach.roi(RoiInputs(**given))
        cites = Cites()
        text = render_roi(result, cites)
        for c in cites.items:  # where the formula comes from; its worked example's figures are not these inputs
            text += f"\n\n[{c.n}] {c.title} — _{c.section}_"
        return text

    def roi_example(self) -> list[str]:
        """The worked example's inputs, as the form's fields show them."""
        ex = self.coach.catalog.roi_example
        if ex is None:
            return [""] * 6
        values = [ex.minutes_before, ex.minutes_after, ex.tasks_per_day, ex.users, ex.work_days, ex.hourly_rate]
        return [f"{v:g}" for v in values]

    # -- dashboard --------------------------------------------------------------------------------
    @shielded(lambda message, *_: (message, None, None, None))
    def dashboard(self, since: str, until: str) -> tuple[str, Figure | None, Figure | None, Figure | None]:
        """The summary table and three charts (questions per day, p95 latency per day, 👎 reasons); the
        charts draw with a single day of data, and say so when there is none."""
        s = self.coach.ledger.stats(parse_day(since), parse_day(until, end=True))

        def rate(x: float | None) -> str:
            return "—" if x is None else f"{x:.0%}"

        def ms(x: float | None) -> str:
            return "—" if x is None else f"{x:,.0f} ms"

        summary = "\n".join(
            [
                f"**{s.since or 'first day'} → {s.until or 'today'}**",
                "",
                "| Tier | Metric | Value |",
                "|---|---|---|",
                f"| Usage | Questions | {s.queries:,} |",
                f"| Usage | Users (returning) | {s.users:,} ({s.returning_users:,}) |",
                f"| Usage | Sessions | {s.sessions:,} |",
                f"| Quality | Online acceptance (👍 ÷ rated) | {rate(s.online_acceptance)} of {s.rated:,} rated |",
                f"| Quality | Abstention rate | {rate(s.abstention_rate)} |",
                f"| Quality | Verifier removals | {s.verifier_removals:,} "
                f"({rate(s.verifier_removal_rate)} of sentences) |",
                f"| Quality | Error rate | {rate(s.error_rate)} |",
                f"| Speed | Latency p50 / p95 | {ms(s.latency_ms_p50)} / {ms(s.latency_ms_p95)} |",
                f"| Cost | Model cost | ${s.cost_usd:,.2f} ({s.tokens:,} tokens) |",
                "",
                "**Top 👎 reasons**: "
                + (", ".join(f"{r} ({n})" for r, n in s.down_reasons[:5]) if s.down_reasons else "none yet"),
            ]
        )
        if s.alerts:
            summary += "\n\n" + "\n".join(f"⚠️ {a}" for a in s.alerts)
        days = [(str(d["day"]), d) for d in s.per_day or []]
        per_day = chart("Questions per day", "questions", [(day, d["questions"] or 0) for day, d in days], "bar")
        latency = chart(
            "p95 latency per day (ms)",
            "ms",
            [(day, d["latency_ms_p95"]) for day, d in days if d.get("latency_ms_p95") is not None],
            "line",
        )
        reasons = chart("Reasons given with 👎", "answers", [(r, n) for r, n in s.down_reasons], "barh")
        return summary, per_day, latency, reasons
