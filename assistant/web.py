"""The web app (gradio): chat with highlighted sources and feedback, checklists, go/no-go and ROI
tools, and a dashboard of the assistant's own usage, quality and speed. API endpoints ``/ask`` (the
answer JSON contract) and ``/feedback``.

The handlers are plain methods over the ``Coach`` service, so tests call them without a browser.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import logging
import queue
import re
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from fastapi import Request
from pydantic import BaseModel

from assistant.errors import CoachError, InputError
from assistant.ledger import REASONS, parse_day
from assistant.types import Answer

if TYPE_CHECKING:
    import gradio as gr
    import pandas as pd

    from assistant.coach import Coach
    from assistant.coaching import Score
    from assistant.walkthrough import Step

log = logging.getLogger("assistant.web")
T = TypeVar("T")

EXAMPLES = [
    "How long should our AI pilot run?",
    "Who do I need on the team for a small pilot?",
    "What criteria decide whether a pilot goes to production?",
    "How much of an AI project is data preparation?",
    "Let's check our pilot readiness",
    "Go/no-go: 75% weekly active, 70% acceptance, satisfaction 4.1, no critical issues, positive ROI",
]
STAGE_CHOICES = [("Not sure", ""), ("Pilot", "pilot"), ("Prototype", "prototype"), ("Production", "production")]
ANSWER_BUTTONS = (("Yes", "yes"), ("Partial", "partial"), ("No", "no"), ("Unsure", "unsure"), ("Skip", "skip"))

# Citation links open and highlight their source in the panel beside the chat.
HEAD = """
<script>
document.addEventListener('click', function (e) {
  var a = e.target.closest && e.target.closest('a[href^="#coach-src-"]');
  if (!a) return;
  e.preventDefault();
  e.stopPropagation();
  var el = document.getElementById(a.getAttribute('href').slice(1));
  if (el) { el.open = true; el.scrollIntoView({behavior: 'smooth', block: 'nearest'}); }
}, true);
</script>
"""
CSS = """
.coach-src { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 4px 8px; margin: 4px 0; }
.coach-src summary { cursor: pointer; font-weight: 600; }
.coach-src .passage { white-space: pre-wrap; font-size: 0.92em; max-height: 320px; overflow-y: auto; }
.coach-src mark { background: #ffe58a; color: inherit; padding: 0 1px; }
.coach-confidence { font-size: 0.85em; opacity: 0.8; }
@media (max-width: 480px) { .gradio-container { padding: 4px !important; } }
"""


def _cite_links(text: str) -> str:
    return re.sub(r"\[(\d+)\]", r"[[\1]](#coach-src-\1)", text)


def confidence_label(answer: Answer) -> str:
    if answer.abstained or answer.route != "question":
        return ""
    level = "high" if answer.confidence >= 0.8 else "medium" if answer.confidence >= 0.5 else "low"
    return f"\n\n<span class='coach-confidence'>Confidence: {level} ({answer.confidence:.0%})</span>"


def answer_markdown(answer: Answer) -> str:
    head = f"_Answering: {answer.standalone_question}_\n\n" if answer.standalone_question else ""
    if answer.notice:
        head = f"> {answer.notice}\n\n" + head
    return head + _cite_links(answer.answer) + confidence_label(answer)


def sources_html(coach: Coach, answer: Answer) -> str:
    """Each cited passage in its section, the quoted text highlighted; the first one open."""
    if answer.abstained or not answer.citations:
        return ""
    parts = ['<div class="coach-sources"><h3>Sources</h3>']
    for c in answer.citations:
        text = coach.corpus.texts.get(c.doc, "")
        chunk = next(
            (ch for ch in coach.corpus.chunks.values() if ch.doc == c.doc and ch.start <= c.start and c.end <= ch.end),
            None,
        )
        lo, hi = (chunk.start, chunk.end) if chunk else (max(0, c.start - 300), min(len(text), c.end + 300))
        if text and lo <= c.start <= c.end <= hi:
            passage = (
                html.escape(text[lo : c.start])
                + f"<mark>{html.escape(text[c.start : c.end])}</mark>"
                + html.escape(text[c.end : hi])
            )
        else:
            passage = f"<mark>{html.escape(c.quote)}</mark>"
        parts.append(
            f'<details class="coach-src" id="coach-src-{c.n}"{" open" if c.n == 1 else ""}>'
            f"<summary>[{c.n}] {html.escape(c.title)} — <em>{html.escape(c.section)}</em></summary>"
            f'<div class="passage">{passage}</div></details>'
        )
    parts.append("</div>")
    return "\n".join(parts)


def _streamed(run: Callable[..., T]) -> Iterator[tuple[str, T | None]]:
    """Run ``run(on_delta=...)`` in a thread and yield (draft so far, None) for each piece the model
    writes, then ("", result) once it returns."""
    pieces: queue.Queue[str | None] = queue.Queue()
    result: list[T] = []

    def work() -> None:
        try:
            result.append(run(on_delta=pieces.put))
        finally:
            pieces.put(None)

    threading.Thread(target=work, daemon=True).start()
    draft = ""
    while (piece := pieces.get()) is not None:
        draft += piece
        yield draft, None
    if result:
        yield "", result[0]


def parse_auth(raw: str | None) -> list[tuple[str, str]] | None:
    """``COACH_WEB__AUTH`` ("alice:pw,bob:pw") as gradio's list of (user, password)."""
    if not raw:
        return None
    pairs = []
    for part in raw.split(","):
        name, sep, password = part.strip().partition(":")
        if not sep or not name or not password:
            raise InputError("COACH_WEB__AUTH must look like 'alice:password,bob:password'.")
        pairs.append((name, password))
    return pairs


def user_id(request: Any, browser_id: str | None) -> str:
    """The login name when the app has logins, else the browser's anonymous id."""
    name = getattr(request, "username", None) if request is not None else None
    if name:
        return str(name)
    return f"anon:{browser_id}" if browser_id else "anon"


class WebHandlers:
    def __init__(self, coach: Coach) -> None:
        self.coach = coach

    # -- chat -------------------------------------------------------------------------------------
    def respond(
        self,
        question: str,
        history: list[dict[str, Any]] | None,
        session: str | None,
        stage: str | None,
        user: str = "",
        on_delta: Callable[[str], None] | None = None,
    ) -> tuple[str, list[dict[str, Any]], str, str, str]:
        """One chat turn: (cleared input, conversation, sources panel, session id, answer id)."""
        history = list(history or [])
        session = session or uuid.uuid4().hex[:12]
        answer_id = ""
        try:
            # A question, or a checklist walkthrough, go/no-go or ROI ("let's check our pilot readiness").
            answer = self.coach.chat(
                question, session=session, user=user or f"web:{session}", stage=stage or None, on_delta=on_delta,
                channel="web",
            )  # fmt: skip
            reply, sources, answer_id = answer_markdown(answer), sources_html(self.coach, answer), answer.id or ""
        except InputError as exc:
            reply, sources = str(exc), ""
        except CoachError as exc:
            reply, sources = f"Sorry — {exc}", ""
        except Exception:  # never a traceback on the page
            error_id = uuid.uuid4().hex[:8]
            log.exception("web answer failed %s", error_id)
            with contextlib.suppress(CoachError):
                self.coach.ledger.log_error(error_id, question=str(question), user=user, session=session, channel="web")
            reply, sources = f"Sorry — something went wrong on our side (error {error_id}). Please try again.", ""
        shown = question if isinstance(question, str) and question.strip() else "(empty question)"
        history += [{"role": "user", "content": shown}, {"role": "assistant", "content": reply}]
        return "", history, sources, session, answer_id

    def respond_stream(
        self,
        question: str,
        history: list[dict[str, Any]] | None,
        session: str | None,
        stage: str | None,
        user: str = "",
    ) -> Iterator[tuple[str, list[dict[str, Any]], str, str, str]]:
        """``respond``, showing the model's draft while it is written (when a model is configured);
        the verified answer replaces the draft at the end."""
        session = session or uuid.uuid4().hex[:12]
        shown = question if isinstance(question, str) and question.strip() else "(empty question)"
        thinking = [{"role": "user", "content": shown}, {"role": "assistant", "content": "_Looking in the playbook…_"}]
        yield "", [*(history or []), *thinking], "", session, ""
        if self.coach.llm is None:
            yield self.respond(question, history, session, stage, user)
            return
        run = partial(self.respond, question, history, session, stage, user)
        for draft, final in _streamed(run):
            if final is not None:
                yield final
            else:
                turn = [{"role": "user", "content": shown}, {"role": "assistant", "content": f"_Drafting…_ {draft}"}]
                yield "", [*(history or []), *turn], "", session, ""

    # -- feedback ---------------------------------------------------------------------------------
    def feedback(
        self, answer_id: str, vote: str, reason: str | None, comment: str | None, user: str, session: str | None
    ) -> str:
        if not answer_id:
            return "Ask a question first; feedback is about an answer."
        try:
            self.coach.ledger.feedback(
                answer_id, vote, user=user, session=session, reason=reason or None, comment=comment or None
            )
        except CoachError as exc:
            return str(exc)
        if vote == "up":
            return "Thanks — recorded 👍 for the last answer."
        return f"Thanks — recorded 👎 ({reason or 'no reason given'}). You can change your vote."

    # -- API --------------------------------------------------------------------------------------
    def ask(self, question: str, session: str = "", stage: str = "") -> dict[str, Any]:
        """The answer JSON contract (DESIGN.md); bad input comes back as ``{"error": ...}``."""
        try:
            answer = self.coach.ask(question, session=session or None, stage=stage or None, channel="api")
            return answer.model_dump()
        except CoachError as exc:
            return {"error": str(exc)}

    def chat_stream(self, question: str, session: str = "", stage: str = "") -> Iterator[str]:
        """The answer as it is written: the model's draft pieces when a model is configured, then the
        verified answer (Markdown with citation markers). Offline, the answer comes in one piece."""

        def run(on_delta: Callable[[str], None]) -> str:
            try:
                chat = self.coach.chat
                return chat(
                    question, session=session or None, stage=stage or None, on_delta=on_delta, channel="api"
                ).answer
            except CoachError as exc:
                return str(exc)
            except Exception:
                error_id = uuid.uuid4().hex[:8]
                log.exception("streamed answer failed %s", error_id)
                return f"Sorry — something went wrong on our side (error {error_id})."

        for draft, final in _streamed(run):
            yield final if final is not None else draft

    def api_feedback(
        self, answer_id: str, vote: str, reason: str = "", comment: str = "", user: str = ""
    ) -> dict[str, Any]:
        """Record a vote ("up"/"down", reason code on "down") for an answer id."""
        try:
            self.coach.ledger.feedback(
                answer_id, vote, user=user or "api", reason=reason or None, comment=comment or None
            )
        except CoachError as exc:
            return {"error": str(exc)}
        return {"ok": True, "answer_id": answer_id, "vote": vote, "reason": reason or None}

    # -- checklists -------------------------------------------------------------------------------
    def checklist_choices(self) -> list[tuple[str, str]]:
        ordered = sorted(self.coach.catalog.checklists, key=lambda c: (not c.bands, c.kind != "checklist"))
        return [(f"{c.title} — {len(c.items)} items{' (scored)' if c.bands else ''}", c.id) for c in ordered]

    def _step_view(self, st: Step, scored: Score | None) -> tuple[str, str, str]:
        """(item panel, progress line, result panel) for a walkthrough step."""
        from assistant.coach import _Cites, render_score

        checklist = self.coach.checklist(st.checklist)
        message = f"_{st.message}_\n\n" if st.message else ""
        if st.done or st.item is None:
            cites = _Cites()
            result = render_score(scored, cites) if scored is not None else ""
            if cites.items:
                result += "\n\n**Sources**\n" + "\n".join(
                    f"{c.n}. {c.title} — _{c.section}_: “{' '.join(c.quote.split())[:200]}”" for c in cites.items
                )
            return message + f"**{checklist.title}**: every item is answered.", f"{st.total} of {st.total}", result
        group = f" · {st.item.group}" if st.item.group else ""
        was = f"\n\n_Your answer was: {st.answer}_" if st.answer else ""
        src = st.item.citation
        item = (
            f"{message}**{checklist.title}**{group}\n\n### {st.item.text}{was}\n\n"
            f"<sub>Source: {src.title} — {src.section}</sub>"
        )
        return item, f"Item {st.progress}", ""

    def checklist_start(self, checklist_id: str, user: str, restart: bool = False) -> tuple[str, str, str, str]:
        if not checklist_id:
            return "Pick a checklist first.", "", "", ""
        try:
            st = self.coach.start_checklist(checklist_id, user=user, restart=restart)
        except CoachError as exc:
            return str(exc), "", "", ""
        scored = None
        if st.done:
            run = self.coach.runs.get(st.run_id)
            scored = self.coach.score(st.checklist, list(run.answers)) if run else None
        return (*self._step_view(st, scored), st.run_id)

    def checklist_command(self, run_id: str, command: str, argument: str = "") -> tuple[str, str, str, str]:
        if not run_id:
            return "Pick a checklist and press Start first.", "", "", ""
        try:
            st, scored = self.coach.checklist_reply(run_id, command, argument)
        except CoachError as exc:
            return str(exc), "", "", run_id
        return (*self._step_view(st, scored), run_id)

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
            from assistant.coach import _Cites, render_score

            cites = _Cites()
            lines += ["", render_score(self.coach.score(checklist.id, list(run.answers)), cites), "", "## Sources"]
            lines += [f"{c.n}. {c.title} — {c.section}: “{' '.join(c.quote.split())}”" for c in cites.items]
        path = Path(tempfile.mkdtemp(prefix="coach-export-")) / f"{checklist.id}-{run.run_id}.md"
        path.write_text("\n".join(lines) + "\n", "utf-8")
        return str(path)

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
    def gonogo(
        self,
        active_pct: float | None,
        acceptance_pct: float | None,
        satisfaction: float | None,
        critical: str,
        roi: str,
    ) -> str:
        from assistant.coach import _Cites, render_decision
        from assistant.coaching import GoNoGoInputs

        try:
            inputs = GoNoGoInputs(
                active_users=None if active_pct is None else active_pct / 100,
                acceptance=None if acceptance_pct is None else acceptance_pct / 100,
                satisfaction=satisfaction or None,
                critical_issues={"yes": True, "no": False}.get(critical),
                roi_positive={"positive": True, "negative": False}.get(roi),
            )
            decision = self.coach.gonogo(inputs)
        except CoachError as exc:
            return str(exc)
        cites = _Cites()
        text = render_decision(decision, cites)
        return text + "\n\n**Source**: " + "; ".join(f"[{c.n}] {c.title} — _{c.section}_" for c in cites.items[:1])

    def roi(self, *values: float | None) -> str:
        from assistant.coach import _Cites, render_roi
        from assistant.coaching import RoiInputs

        names = ("minutes_before", "minutes_after", "tasks_per_day", "users", "work_days", "hourly_rate")
        missing = [n.replace("_", " ") for n, v in zip(names, values, strict=True) if v is None]
        if missing:
            return "Fill in: " + ", ".join(missing) + "."
        try:
            given = {n: float(v) for n, v in zip(names, values, strict=True) if v is not None}
            result = self.coach.roi(RoiInputs(**given))
        except CoachError as exc:
            return str(exc)
        cites = _Cites()
        text = render_roi(result, cites)
        for c in cites.items:
            text += f"\n\n[{c.n}] {c.title} — _{c.section}_\n> {' '.join(c.quote.split())}"
        return text

    def roi_example(self) -> list[float | None]:
        ex = self.coach.catalog.roi_example
        if ex is None:
            return [None] * 6
        return [ex.minutes_before, ex.minutes_after, ex.tasks_per_day, ex.users, ex.work_days, ex.hourly_rate]

    # -- dashboard --------------------------------------------------------------------------------
    def dashboard(self, since: str, until: str) -> tuple[str, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        import pandas as pd

        try:
            s = self.coach.ledger.stats(parse_day(since), parse_day(until, end=True))
        except CoachError as exc:
            empty = pd.DataFrame({"day": [], "value": []})
            return str(exc), empty, empty, empty

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
        days = pd.DataFrame(s.per_day or [], columns=["day", "questions", "latency_ms_p95", "thumbs_up", "thumbs_down"])
        reasons = pd.DataFrame(s.down_reasons, columns=["reason", "count"])
        return summary, days[["day", "questions"]], days[["day", "latency_ms_p95"]], reasons


def build_app(coach: Coach) -> gr.Blocks:
    import gradio as gr

    h = WebHandlers(coach)
    today = dt.datetime.now(dt.UTC).date()
    with gr.Blocks(title="Playbook Coach") as demo:
        gr.Markdown(
            "# Playbook Coach\nTaking AI from **pilot** to **prototype** to **production**. Every answer quotes "
            "the playbook and shows its sources; when the playbook doesn't cover something, it says so."
        )
        browser_id = gr.BrowserState("", storage_key="playbook-coach-browser-id")
        user = gr.State("")
        session = gr.State("")
        last_answer = gr.State("")

        def identify(stored: str, request: gr.Request) -> tuple[str, str]:
            bid = stored or uuid.uuid4().hex[:16]
            return bid, user_id(request, bid)

        identify.__annotations__["request"] = gr.Request  # gradio finds the request by its (evaluated) type
        demo.load(identify, inputs=[browser_id], outputs=[browser_id, user], api_visibility="private")

        with gr.Tab("Chat"):
            with gr.Row():
                with gr.Column(scale=3, min_width=300):
                    chat = gr.Chatbot(label="Conversation", height=460, elem_id="coach-chat")
                    question = gr.Textbox(
                        label="Your question",
                        placeholder="e.g. How long should our AI pilot run?",
                        lines=1,
                        max_lines=6,
                        elem_id="coach-question",
                    )
                    with gr.Row():
                        stage = gr.Dropdown(STAGE_CHOICES, value="", label="Your stage", scale=2, min_width=120)
                        send = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="coach-send")
                        new = gr.Button("New conversation", scale=1, min_width=120, elem_id="coach-new")
                    with gr.Row():
                        up = gr.Button("👍 Helpful", size="sm", min_width=80, elem_id="coach-up")
                        down = gr.Button("👎 Not helpful", size="sm", min_width=80, elem_id="coach-down")
                    with gr.Group(visible=False) as why:
                        reason = gr.Radio(list(REASONS), label="What was wrong?", elem_id="coach-reason")
                        comment = gr.Textbox(label="Comment (optional)", lines=1, elem_id="coach-comment")
                        send_down = gr.Button("Send feedback", size="sm", elem_id="coach-feedback-send")
                    feedback_status = gr.Markdown("", elem_id="coach-feedback-status")
                    gr.Examples(EXAMPLES, inputs=question, label="Try one")
                with gr.Column(scale=2, min_width=280):
                    sources = gr.HTML("", elem_id="coach-sources")
            io = dict(
                inputs=[question, chat, session, stage, user], outputs=[question, chat, sources, session, last_answer]
            )

            def ask(
                question: str, history: Any, session: str | None, stage: str | None, user: str, request: gr.Request
            ) -> Iterator[tuple[str, list[dict[str, Any]], str, str, str]]:
                # A question sent before the page's load event has named the user is still theirs.
                name = getattr(request, "username", None) if request is not None else None
                yield from h.respond_stream(question, history, session, stage, user or (str(name) if name else ""))

            ask.__annotations__["request"] = gr.Request
            # Named, so that they do not take the names the API documents ("/ask" is the API's, below).
            question.submit(ask, api_name="chat_submit", api_visibility="private", **io)  # type: ignore[arg-type]
            send.click(ask, api_name="chat_send", api_visibility="private", **io)  # type: ignore[arg-type]
            new.click(
                lambda: ("", [], "", "", "", ""),
                outputs=[question, chat, sources, session, last_answer, feedback_status],
                api_visibility="private",
            )
            up.click(
                lambda a, u, s: (h.feedback(a, "up", None, None, u, s), gr.update(visible=False)),
                inputs=[last_answer, user, session],
                outputs=[feedback_status, why],
                api_visibility="private",
            )
            down.click(lambda: gr.update(visible=True), outputs=[why], api_visibility="private")
            send_down.click(
                lambda a, r, c, u, s: (h.feedback(a, "down", r, c, u, s), gr.update(visible=False)),
                inputs=[last_answer, reason, comment, user, session],
                outputs=[feedback_status, why],
                api_visibility="private",
            )

        with gr.Tab("Checklists"):
            run_id = gr.State("")
            with gr.Row():
                pick = gr.Dropdown(h.checklist_choices(), label="Checklist", scale=3, elem_id="coach-checklist-pick")
                start = gr.Button("Start or resume", variant="primary", scale=1, elem_id="coach-checklist-start")
                restart = gr.Button("Start over", scale=1, elem_id="coach-checklist-restart")
            progress = gr.Markdown("", elem_id="coach-checklist-progress")
            item = gr.Markdown("Pick a checklist and press **Start or resume**.", elem_id="coach-checklist-item")
            with gr.Row():
                answer_buttons = [
                    (gr.Button(label, min_width=70, elem_id=f"coach-answer-{value}"), value)
                    for label, value in ANSWER_BUTTONS
                ]
                back = gr.Button("Back", min_width=70, elem_id="coach-answer-back")
            with gr.Row():
                note = gr.Textbox(label="Note on this item", lines=1, scale=4, elem_id="coach-note")
                add_note = gr.Button("Add note", scale=1, min_width=80)
            result = gr.Markdown("", elem_id="coach-checklist-result")
            with gr.Row():
                export = gr.Button("Export as Markdown", size="sm", elem_id="coach-export")
                exported = gr.File(label="Export", interactive=False)
            past = gr.Dataframe(
                headers=["Started (UTC)", "Answered", "Score", "Band"], label="Your runs", interactive=False
            )
            view = [item, progress, result, run_id]
            start.click(lambda c, u: h.checklist_start(c, u), [pick, user], view, api_visibility="private")
            restart.click(lambda c, u: h.checklist_start(c, u, True), [pick, user], view, api_visibility="private")
            for button, value in answer_buttons:
                button.click(
                    lambda r, v=value: h.checklist_command(r, "answer", v), [run_id], view, api_visibility="private"
                )
            back.click(lambda r: h.checklist_command(r, "back"), [run_id], view, api_visibility="private")
            add_note.click(
                lambda r, t: (*h.checklist_command(r, "note", t), ""),
                [run_id, note],
                [*view, note],
                api_visibility="private",
            )
            export.click(h.checklist_export, [run_id], [exported], api_visibility="private")
            for trigger in (start.click, restart.click, pick.change):
                trigger(h.checklist_history, [pick, user], [past], api_visibility="private")

        with gr.Tab("Go / no-go and ROI"), gr.Row():
            with gr.Column(min_width=280):
                gr.Markdown(
                    "### Go / no-go\nThe methodology's GO / ITERATE / STOP criteria, from your pilot's figures."
                )
                active = gr.Number(label="Weekly active users (% of target users)", minimum=0, maximum=100)
                accept = gr.Number(label="Acceptance rate (%)", minimum=0, maximum=100)
                sat = gr.Number(label="User satisfaction (1-5)", minimum=1, maximum=5)
                critical = gr.Radio(["unknown", "no", "yes"], value="unknown", label="Critical security issues found?")
                roi_sign = gr.Radio(["unknown", "positive", "negative"], value="unknown", label="ROI projection")
                evaluate = gr.Button("Evaluate", variant="primary", elem_id="coach-gonogo")
                decision = gr.Markdown("", elem_id="coach-gonogo-result")
                evaluate.click(
                    h.gonogo, [active, accept, sat, critical, roi_sign], [decision], api_visibility="private"
                )
            with gr.Column(min_width=280):
                gr.Markdown("### ROI\nThe scope template's formula: hours and money saved per year.")
                roi_inputs = [
                    gr.Number(label="Minutes per task today", minimum=0),
                    gr.Number(label="Minutes per task with AI", minimum=0),
                    gr.Number(label="Tasks per user per day", minimum=0),
                    gr.Number(label="Users", minimum=0),
                    gr.Number(label="Work days per year", minimum=0),
                    gr.Number(label="Burdened hourly rate ($)", minimum=0),
                ]
                with gr.Row():
                    example = gr.Button("Use the playbook's example", size="sm")
                    calculate = gr.Button("Calculate", variant="primary", elem_id="coach-roi")
                roi_result = gr.Markdown("", elem_id="coach-roi-result")
                example.click(h.roi_example, outputs=roi_inputs, api_visibility="private")
                calculate.click(h.roi, roi_inputs, [roi_result], api_visibility="private")

        with gr.Tab("Dashboard") as dash_tab:
            gr.Markdown("The playbook's three metric tiers, applied to this assistant: usage, quality, speed.")
            with gr.Row():
                since = gr.Textbox(str(today - dt.timedelta(days=30)), label="From (YYYY-MM-DD)", min_width=140)
                until = gr.Textbox(str(today), label="To (YYYY-MM-DD)", min_width=140)
                refresh = gr.Button("Refresh", min_width=80, elem_id="coach-dashboard-refresh")
            summary = gr.Markdown("", elem_id="coach-dashboard-summary")
            with gr.Row():
                per_day = gr.BarPlot(x="day", y="questions", title="Questions per day", min_width=280)
                latency = gr.LinePlot(x="day", y="latency_ms_p95", title="p95 latency (ms) per day", min_width=280)
            reasons_plot = gr.BarPlot(x="reason", y="count", title="👎 reasons")
            outs = [summary, per_day, latency, reasons_plot]
            refresh.click(h.dashboard, [since, until], outs, api_visibility="private")
            dash_tab.select(h.dashboard, [since, until], outs, api_visibility="private")

        gr.api(h.ask, api_name="ask")
        gr.api(h.api_feedback, api_name="feedback")
        gr.api(h.chat_stream, api_name="chat_stream", stream_every=0.05)
    return demo


class AskBody(BaseModel):
    question: Any = None
    session: str | None = None
    stage: str | None = None


class FeedbackBody(BaseModel):
    answer_id: str = ""
    vote: str = ""
    reason: str | None = None
    comment: str | None = None
    user: str | None = None


def build_server(coach: Coach, auth: list[tuple[str, str]] | None = None) -> Any:
    """The web app on FastAPI: gradio at ``/`` and a plain JSON API beside it — ``POST /v1/ask``
    ({"question", "session"?, "stage"?} → the answer contract), ``POST /v1/feedback`` and
    ``GET /healthz``. Served by uvicorn (``app.py``)."""
    import gradio as gr
    from fastapi import FastAPI
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse

    api = FastAPI(title="Playbook Coach", docs_url="/v1/docs", openapi_url="/v1/openapi.json")

    @api.exception_handler(RequestValidationError)
    def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            {"error": 'The request body must be JSON like {"question": "How long should a pilot run?"}.'},
            status_code=400,
        )

    @api.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {"ok": True, "index_version": coach.corpus.index_version, "checklists": len(coach.catalog.checklists)}

    @api.post("/v1/ask")
    def v1_ask(body: AskBody, request: Request) -> JSONResponse:
        client = request.client.host if request.client else "unknown"
        user = f"api:{body.session}" if body.session else f"api-ip:{client}"
        try:
            answer = coach.ask(body.question, session=body.session, stage=body.stage, user=user, channel="api")
        except InputError as exc:
            return JSONResponse({"error": str(exc)}, status_code=429 if "faster than" in str(exc) else 400)
        except CoachError as exc:
            return JSONResponse({"error": str(exc)}, status_code=503)
        except Exception:
            error_id = uuid.uuid4().hex[:8]
            log.exception("api answer failed %s", error_id)
            with contextlib.suppress(CoachError):
                coach.ledger.log_error(error_id, question=str(body.question), user=user, channel="api")
            return JSONResponse({"error": f"Something went wrong on our side (error {error_id})."}, status_code=500)
        return JSONResponse(answer.model_dump(mode="json"))

    @api.post("/v1/feedback")
    def v1_feedback(body: FeedbackBody) -> JSONResponse:
        result = WebHandlers(coach).api_feedback(
            body.answer_id, body.vote, body.reason or "", body.comment or "", body.user or "api"
        )
        return JSONResponse(result, status_code=400 if "error" in result else 200)

    demo = build_app(coach).queue(default_concurrency_limit=4)
    return gr.mount_gradio_app(
        api,
        demo,
        path="/",
        auth=auth,
        auth_message="Sign in to Playbook Coach" if auth else None,
        show_error=False,
        **launch_kwargs(),
    )


def launch_kwargs() -> dict[str, Any]:
    """What ``launch`` needs beyond host and port: the page's script and style (gradio 6 takes them here)."""
    return {"head": HEAD, "css": CSS}
