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

from assistant.errors import CoachError, InputError, RateLimitError
from assistant.ledger import REASONS, parse_day
from assistant.types import Answer

if TYPE_CHECKING:
    import gradio as gr
    from matplotlib.figure import Figure

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

WELCOME = (
    "**Welcome to Playbook Coach.** Ask about taking AI from pilot to prototype to production — timelines, "
    "team, costs, go/no-go criteria — or say *let's check our pilot readiness*. Every answer quotes the "
    "playbook: click a marker like [1] to see the passage it comes from."
)

# A citation marker opens its own answer's source (under that answer), scrolls the quoted text into view and
# remembers where it was clicked, so "Back to the answer" can return there (on a phone, the source may sit
# far below the marker).
HEAD = """
<script>
(function () {
  // The marker last clicked, by its link and its place among the links alike (the chat may redraw it).
  var last = null;
  document.addEventListener('click', function (e) {
    var a = e.target.closest && e.target.closest('a[href^="#coach-src-"], a[href="#coach-back"]');
    if (!a) return;
    e.preventDefault();
    e.stopPropagation();
    var href = a.getAttribute('href');
    if (href === '#coach-back') {
      var marker = last && document.querySelectorAll('a[href="' + last.href + '"]')[last.index];
      if (marker) marker.scrollIntoView({block: 'center', behavior: 'instant'});
      else (a.closest('.message-row, .message') || a).scrollIntoView({block: 'start', behavior: 'instant'});
      return;
    }
    var el = document.getElementById(href.slice(1));
    if (!el) return;
    last = {href: href, index: Array.prototype.indexOf.call(document.querySelectorAll('a[href="' + href + '"]'), a)};
    el.open = true;
    var passage = el.querySelector('.passage'), mark = el.querySelector('mark');
    if (passage && mark) passage.scrollTop = Math.max(0, mark.offsetTop - 24);
    // Instant, whatever the page's scroll behaviour: every box the quote sits in scrolls to show it.
    (mark || el).scrollIntoView({block: mark ? 'center' : 'nearest', behavior: 'instant'});
  }, true);
})();
</script>
"""
# After a question is sent, the conversation shows its newest turn, even if the reader had scrolled up.
SHOW_NEWEST = """
() => {
  // After the chat's own scrolling (it follows an update ~300 ms later, and only when already at the bottom).
  setTimeout(function () {
    // The newest question at the top of the conversation, its answer starting under it.
    var box = document.querySelector('#coach-chat .bubble-wrap');
    var asked = document.querySelectorAll('#coach-chat .message-row.user-row');
    var question = asked.length ? asked[asked.length - 1] : null;
    if (box && question) {
      box.scrollTop += question.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
    } else if (box) {
      box.scrollTop = box.scrollHeight;
    }
    var chat = document.getElementById('coach-chat');
    if (chat) chat.scrollIntoView({block: 'nearest', behavior: 'instant'});
    window.coachAnswersShown = (window.coachAnswersShown || 0) + 1;
  }, 450);
}
"""
CSS = """
.coach-src { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 2px 8px; margin: 4px 0; }
.coach-src summary { cursor: pointer; font-weight: 600; font-size: 0.85em !important; line-height: 1.4; }
.coach-src .passage { position: relative; font-size: 0.92em; max-height: 240px; overflow-y: auto; margin: 4px 0; }
.coach-src mark { background: #ffe58a; color: inherit; padding: 0 1px; }
.coach-back { font-size: 0.85em; }
.coach-path { font-size: 0.8em; opacity: 0.75; margin-top: 2px; }
.coach-sources-title { font-size: 0.9em; font-weight: 600; margin-top: 6px; }
.coach-confidence { font-size: 0.85em; opacity: 0.8; }
#coach-dashboard-summary table td, #coach-dashboard-summary table th { word-break: normal; overflow-wrap: normal; }
#coach-dashboard-summary { overflow-x: auto; }
@media (max-width: 480px) {
  .gradio-container { padding: 4px !important; }
  .tab-wrapper .tab-container button { padding: 4px 7px !important; font-size: 0.85em !important; }
  #coach-chat .examples .example:nth-child(n+5) { display: none; }
  #coach-chat .examples .example { padding: 6px 10px !important; min-height: 0 !important; }
  #coach-dashboard-summary table { font-size: 0.85em; }
}
"""


def _anchor(answer: Answer) -> str:
    """The key of an answer's sources in the page: each answer's markers open that answer's passages."""
    key = re.sub(r"[^a-z0-9]", "", (answer.id or "").lower())[:12]
    return key or uuid.uuid4().hex[:12]


def _cite_links(text: str, key: str) -> str:
    return re.sub(r"\[(\d+)\]", rf"[[\1]](#coach-src-{key}-\1)", text)


def confidence_label(answer: Answer) -> str:
    if answer.abstained or answer.route != "question":
        return ""
    level = "high" if answer.confidence >= 0.8 else "medium" if answer.confidence >= 0.5 else "low"
    return f"\n\n<span class='coach-confidence'>Confidence: {level} ({answer.confidence:.0%})</span>"


def answer_markdown(coach: Coach, answer: Answer) -> str:
    """The answer as a chat message: notice, the answer with clickable markers, confidence, and the
    answer's own sources under it."""
    key = _anchor(answer)
    head = f"_Answering: {answer.standalone_question}_\n\n" if answer.standalone_question else ""
    if answer.notice:
        head = f"> {answer.notice}\n\n" + head
    sources = sources_html(coach, answer, key)
    return head + _cite_links(answer.answer, key) + confidence_label(answer) + (f"\n\n{sources}" if sources else "")


_MD_LINE = re.compile(r"(?m)^[ \t]*(?:#{1,6}[ \t]+|>[ \t]?)")
_MD_BOX = re.compile(r"(?m)^([ \t]*)[-*+][ \t]+\[([ xX])\][ \t]*")
_MD_BULLET = re.compile(r"(?m)^([ \t]*)[-*+][ \t]+")
_MD_RULE = re.compile(r"(?m)^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$\n?")
_MD_FENCE = re.compile(r"(?m)^[ \t]*(?:```|~~~).*$\n?")
_MD_EMPHASIS = re.compile(r"\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])|`")


def _plain(segment: str, at_line_start: bool) -> str:
    """Markdown syntax taken out of a piece of a passage (headings, emphasis, checkboxes, bullets, table rules);
    a piece that starts mid-line keeps its first line's start as it is."""
    if at_line_start:
        head, rest = "", segment
    else:
        first, newline, rest = segment.partition("\n")
        head = first + newline
    rest = _MD_FENCE.sub("", _MD_RULE.sub("", rest))
    rest = _MD_BOX.sub(lambda m: m.group(1) + ("☑ " if m.group(2).strip() else "☐ "), rest)
    rest = _MD_BULLET.sub(lambda m: m.group(1) + "• ", _MD_LINE.sub("", rest))
    return _MD_EMPHASIS.sub("", head + rest)


def quote_text(quote: str, limit: int | None = None) -> str:
    """A quote on one line, as text: its Markdown taken out, its whitespace collapsed, cut at ``limit``."""
    text = " ".join(_plain(quote, True).split())
    return text if limit is None or len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _passage_html(*pieces: tuple[str, bool], start_of_line: bool = True) -> str:
    """Pieces of a passage as text (``True`` = highlighted), with the passage's Markdown taken out; one line
    of HTML, so that it stays one block inside a chat message."""
    out = []
    at_line_start = start_of_line
    for text, highlighted in pieces:
        shown = html.escape(_plain(text, at_line_start)).replace("\n", "<br>")
        out.append(f"<mark>{shown}</mark>" if highlighted else shown)
        if text:
            at_line_start = text.endswith("\n")
    return "".join(out)


def sources_html(coach: Coach, answer: Answer, key: str | None = None) -> str:
    """The answer's cited passages, each in its section with the quoted text highlighted, closed until its
    marker is clicked. One line of HTML."""
    if answer.abstained or not answer.citations:
        return ""
    key = key or _anchor(answer)
    parts = ['<div class="coach-sources"><div class="coach-sources-title">Sources</div>']
    for c in answer.citations:
        text = coach.corpus.texts.get(c.doc, "")
        chunk = next(
            (ch for ch in coach.corpus.chunks.values() if ch.doc == c.doc and ch.start <= c.start and c.end <= ch.end),
            None,
        )
        lo, hi = (chunk.start, chunk.end) if chunk else (max(0, c.start - 300), min(len(text), c.end + 300))
        if text and lo <= c.start <= c.end <= hi:
            passage = _passage_html(
                (text[lo : c.start], False),
                (text[c.start : c.end], True),
                (text[c.end : hi], False),
                start_of_line=lo == 0 or text[lo - 1] == "\n",
            )
        else:
            passage = _passage_html((c.quote, True))
        parts.append(
            f'<details class="coach-src" id="coach-src-{key}-{c.n}">'
            # The summary stays short (the section's own name); the whole path heads the passage.
            f"<summary>[{c.n}] {html.escape(c.title)} — <em>{html.escape(c.section.split(' > ')[-1])}</em></summary>"
            f'<div class="coach-path">{html.escape(c.section)}</div><div class="passage">{passage}</div>'
            f'<a class="coach-back" href="#coach-back">↑ Back to the answer</a></details>'
        )
    parts.append("</div>")
    return "".join(parts)


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


def _chart(title: str, unit: str, points: list[tuple[str, float]], kind: str) -> Figure:
    """One small chart (matplotlib): bars from zero with whole-number ticks, a line with its points marked
    (one day is one visible point), or a note that there is nothing to draw yet."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(6, 2.8), dpi=100, layout="constrained")
    ax = fig.subplots()
    ax.set_title(title.replace("👎", "not helpful"), fontsize=11)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if not points:
        ax.text(0.5, 0.5, "No data in this period yet", ha="center", va="center", transform=ax.transAxes)
        ax.set_xticks([])
        ax.set_yticks([])
        return fig
    labels, values = [p[0] for p in points], [float(p[1]) for p in points]
    value_axis = ax.xaxis if kind == "barh" else ax.yaxis
    value_axis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    if kind == "barh":
        ax.barh(labels, values, color="#e07b39")
        ax.invert_yaxis()
        ax.set_xlabel(unit)
        ax.set_xlim(0, max(values) * 1.15 or 1)
    else:
        shown = [label[5:] if len(label) == 10 else label for label in labels]  # MM-DD for dates
        if kind == "bar":
            ax.bar(shown, values, color="#3b82f6", width=0.6 if len(values) > 1 else 0.3)
        else:
            ax.plot(shown, values, marker="o", color="#3b82f6")
        ax.set_ylabel(unit)
        ax.set_ylim(0, max(values) * 1.15 or 1)
        if len(shown) > 8:
            ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    return fig


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


_ROI_LABELS = {
    "minutes_before": "minutes per task today",
    "minutes_after": "minutes per task with AI",
    "tasks_per_day": "tasks per user per day",
    "users": "users",
    "work_days": "work days per year",
    "hourly_rate": "burdened hourly rate",
}


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
    ) -> tuple[str, list[dict[str, Any]], str, str]:
        """One chat turn: (cleared input, conversation, session id, answer id). The answer's message
        carries its own sources."""
        history = list(history or [])
        session = session or uuid.uuid4().hex[:12]
        answer_id = ""
        try:
            # A question, or a checklist walkthrough, go/no-go or ROI ("let's check our pilot readiness").
            answer = self.coach.chat(
                question, session=session, user=user or f"web:{session}", stage=stage or None, on_delta=on_delta,
                channel="web",
            )  # fmt: skip
            reply, answer_id = answer_markdown(self.coach, answer), answer.id or ""
        except InputError as exc:
            reply = str(exc)
        except CoachError as exc:
            reply = f"Sorry — {exc}"
        except Exception:  # never a traceback on the page
            error_id = uuid.uuid4().hex[:8]
            log.exception("web answer failed %s", error_id)
            with contextlib.suppress(CoachError):
                self.coach.ledger.log_error(error_id, question=str(question), user=user, session=session, channel="web")
            reply = f"Sorry — something went wrong on our side (error {error_id}). Please try again."
        shown = question if isinstance(question, str) and question.strip() else "(empty question)"
        history += [{"role": "user", "content": shown}, {"role": "assistant", "content": reply}]
        return "", history, session, answer_id

    def respond_stream(
        self,
        question: str,
        history: list[dict[str, Any]] | None,
        session: str | None,
        stage: str | None,
        user: str = "",
    ) -> Iterator[tuple[str, list[dict[str, Any]], str, str]]:
        """``respond``, showing the model's draft while it is written (when a model is configured);
        the verified answer replaces the draft at the end."""
        session = session or uuid.uuid4().hex[:12]
        shown = question if isinstance(question, str) and question.strip() else "(empty question)"
        thinking = [{"role": "user", "content": shown}, {"role": "assistant", "content": "_Looking in the playbook…_"}]
        yield "", [*(history or []), *thinking], session, ""
        if self.coach.llm is None:
            yield self.respond(question, history, session, stage, user)
            return
        run = partial(self.respond, question, history, session, stage, user)
        for draft, final in _streamed(run):
            if final is not None:
                yield final
            else:
                turn = [{"role": "user", "content": shown}, {"role": "assistant", "content": f"_Drafting…_ {draft}"}]
                yield "", [*(history or []), *turn], session, ""

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
            return "Thanks — recorded 👍 for that answer."
        if not reason:
            return (
                "Thanks — recorded 👎 for that answer. What was wrong? Pick a reason in its ⚑ menu, or add a comment."
            )
        return f"Thanks — recorded 👎 ({reason}) for that answer. You can change your vote."

    def rate(self, answer_id: str, choice: bool | str, user: str, session: str | None) -> str:
        """A choice in an answer's own feedback menu: 👍 (``True``), 👎 (``False``), a reason (a 👎 with that
        reason), or ``""`` when the user unselects their choice."""
        if not answer_id:
            return "This message has no answer to rate."
        if choice == "":
            try:
                self.coach.ledger.retract(answer_id, user=user)
            except CoachError as exc:
                return str(exc)
            return "Your vote on that answer was taken back."
        if choice is True or choice == "Like":
            return self.feedback(answer_id, "up", None, None, user, session)
        reason = choice if isinstance(choice, str) and choice in REASONS else None
        return self.feedback(answer_id, "down", reason, None, user, session)

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
        from assistant.presenters import Cites, render_score

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
            from assistant.presenters import Cites, render_score

            cites = Cites()
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
        active_raw: float | str | None,
        acceptance_raw: float | str | None,
        satisfaction_raw: float | str | None,
        critical: str,
        roi: str,
    ) -> str:
        """The go/no-go form: an empty field is unknown; a value out of range gets a message, never an error."""
        from assistant.coaching import GoNoGoInputs
        from assistant.presenters import Cites, render_decision

        try:
            active_pct = read_number(active_raw, "Weekly active users")
            acceptance_pct = read_number(acceptance_raw, "Acceptance rate")
            satisfaction = read_number(satisfaction_raw, "User satisfaction")
        except InputError as exc:
            return str(exc)
        checks = (
            ("Weekly active users", active_pct, 0, 100, "a percentage from 0 to 100"),
            ("Acceptance rate", acceptance_pct, 0, 100, "a percentage from 0 to 100"),
            ("User satisfaction", satisfaction, 1, 5, "a score from 1 to 5"),
        )
        for label, value, lo, hi, what in checks:
            if value is not None and not lo <= value <= hi:
                return f"**{label}** is {what}; you entered {value:g}. Correct it, or leave it empty if you don't know."
        try:
            inputs = GoNoGoInputs(
                active_users=None if active_pct is None else active_pct / 100,
                acceptance=None if acceptance_pct is None else acceptance_pct / 100,
                satisfaction=satisfaction,
                critical_issues={"yes": True, "no": False}.get(critical),
                roi_positive={"positive": True, "negative": False}.get(roi),
            )
            decision = self.coach.gonogo(inputs)
        except CoachError as exc:
            return str(exc)
        cites = Cites()
        text = render_decision(decision, cites)
        return text + "\n\n**Source**: " + "; ".join(f"[{c.n}] {c.title} — _{c.section}_" for c in cites.items[:1])

    def roi(self, *raw: float | str | None) -> str:
        """The ROI form: every field is needed; an empty one is named, never taken as 0."""
        from assistant.coaching import RoiInputs
        from assistant.presenters import Cites, render_roi

        names = ("minutes_before", "minutes_after", "tasks_per_day", "users", "work_days", "hourly_rate")
        try:
            values = [read_number(v, _ROI_LABELS[n].capitalize()) for n, v in zip(names, raw, strict=True)]
        except InputError as exc:
            return str(exc)
        missing = [_ROI_LABELS[n] for n, v in zip(names, values, strict=True) if v is None]
        if missing:
            return "To calculate, fill in: " + ", ".join(missing) + ". (Or press *Use the playbook's example*.)"
        try:
            given = {n: float(v) for n, v in zip(names, values, strict=True) if v is not None}
            result = self.coach.roi(RoiInputs(**given))
        except CoachError as exc:
            return str(exc)
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
    def dashboard(self, since: str, until: str) -> tuple[str, Figure | None, Figure | None, Figure | None]:
        """The summary table and three charts (questions per day, p95 latency per day, 👎 reasons); the
        charts draw with a single day of data, and say so when there is none."""
        try:
            s = self.coach.ledger.stats(parse_day(since), parse_day(until, end=True))
        except CoachError as exc:
            return str(exc), None, None, None

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
        per_day = _chart("Questions per day", "questions", [(day, d["questions"] or 0) for day, d in days], "bar")
        latency = _chart(
            "p95 latency per day (ms)",
            "ms",
            [(day, d["latency_ms_p95"]) for day, d in days if d.get("latency_ms_p95") is not None],
            "line",
        )
        reasons = _chart("Reasons given with 👎", "answers", [(r, n) for r, n in s.down_reasons], "barh")
        return summary, per_day, latency, reasons


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
        # The visible conversation survives a reload: kept in the browser, with its server session.
        saved = gr.BrowserState({"chat": [], "ids": {}, "session": ""}, storage_key="playbook-coach-chat")
        user = gr.State("")
        session = gr.State("")
        ids = gr.State({})  # message index -> answer id, for each answer's own feedback
        rated = gr.State({})  # the answer a 👎 was just given to, for an optional comment

        def identify(stored: str, request: gr.Request) -> tuple[str, str]:
            bid = stored or uuid.uuid4().hex[:16]
            return bid, user_id(request, bid)

        identify.__annotations__["request"] = gr.Request  # gradio finds the request by its (evaluated) type
        demo.load(identify, inputs=[browser_id], outputs=[browser_id, user], api_visibility="private")

        with gr.Tab("Chat"):
            chat = gr.Chatbot(
                label="Conversation",
                height=540,
                elem_id="coach-chat",
                placeholder=WELCOME,
                examples=[{"text": q} for q in EXAMPLES],
                feedback_options=["Like", "Dislike", *REASONS],
                buttons=["copy"],
            )
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
            feedback_status = gr.Markdown("", elem_id="coach-feedback-status")
            with gr.Group(visible=False) as why:
                comment = gr.Textbox(
                    label="Anything to add about that answer? (optional)", lines=1, elem_id="coach-comment"
                )
                send_comment = gr.Button("Send comment", size="sm", elem_id="coach-comment-send")

            def restore(stored: dict[str, Any] | None) -> tuple[list[dict[str, Any]], str, dict[str, str]]:
                stored = stored if isinstance(stored, dict) else {}
                history = stored.get("chat") if isinstance(stored.get("chat"), list) else []
                known = stored.get("ids") if isinstance(stored.get("ids"), dict) else {}
                return history or [], str(stored.get("session") or ""), known or {}

            demo.load(restore, inputs=[saved], outputs=[chat, session, ids], api_visibility="private").then(
                None, js="() => { window.coachReady = true; }", api_visibility="private"
            )  # the page has its conversation back and takes questions (browser tests wait for it)

            def ask(
                question: str,
                history: Any,
                session: str | None,
                stage: str | None,
                user: str,
                known: dict[str, str] | None,
                request: gr.Request,
            ) -> Iterator[tuple[str, list[dict[str, Any]], str, dict[str, str], str]]:
                # A question sent before the page's load event has named the user is still theirs.
                name = getattr(request, "username", None) if request is not None else None
                who = user or (str(name) if name else "")
                known = dict(known or {})
                for cleared, turns, sess, answer_id in h.respond_stream(question, history, session, stage, who):
                    if answer_id:
                        known[str(len(turns) - 1)] = answer_id
                    yield cleared, turns, sess, known, ""

            def ask_example(
                history: Any,
                session: str | None,
                stage: str | None,
                user: str,
                known: dict[str, str] | None,
                picked: gr.SelectData,
                request: gr.Request,
            ) -> Iterator[tuple[str, list[dict[str, Any]], str, dict[str, str], str]]:
                value = picked.value
                text = value.get("text", "") if isinstance(value, dict) else str(value or "")
                yield from ask(text, history, session, stage, user, known, request)

            ask.__annotations__["request"] = gr.Request
            ask_example.__annotations__.update(request=gr.Request, picked=gr.SelectData)
            outputs = [question, chat, session, ids, feedback_status]
            chat_inputs = [chat, session, stage, user, ids]

            def keep(history: Any, sess: str, known: dict[str, str]) -> dict[str, Any]:
                return {"chat": history or [], "ids": known or {}, "session": sess or ""}

            # Named, so that they do not take the names the API documents ("/ask" is the API's, below).
            for event, name in ((question.submit, "chat_submit"), (send.click, "chat_send")):
                event(ask, [question, *chat_inputs], outputs, api_name=name, api_visibility="private").then(
                    keep, [chat, session, ids], [saved], api_visibility="private"
                ).then(None, js=SHOW_NEWEST, api_visibility="private")
            chat.example_select(ask_example, chat_inputs, outputs, api_visibility="private").then(
                keep, [chat, session, ids], [saved], api_visibility="private"
            ).then(None, js=SHOW_NEWEST, api_visibility="private")

            def forget() -> tuple[Any, ...]:
                """A new conversation: no messages, no session (follow-ups start afresh), no pending feedback."""
                return "", [], "", {}, "", gr.update(visible=False), {}, {"chat": [], "ids": {}, "session": ""}

            cleared = [question, chat, session, ids, feedback_status, why, rated, saved]
            new.click(forget, outputs=cleared, api_visibility="private")
            chat.clear(forget, outputs=cleared, api_visibility="private")

            def on_like(
                known: dict[str, str] | None, user: str, sess: str, data: gr.LikeData
            ) -> tuple[str, Any, dict[str, str], str]:
                index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
                answer_id = (known or {}).get(str(index), "")
                status = h.rate(answer_id, data.liked, user, sess)
                down = answer_id and data.liked is not True and data.liked not in ("", "Like")
                reason = data.liked if isinstance(data.liked, str) and data.liked in REASONS else ""
                memo = {"id": answer_id, "reason": reason} if down else {}
                return status, gr.update(visible=bool(down)), memo, ""

            on_like.__annotations__["data"] = gr.LikeData
            chat.like(on_like, [ids, user, session], [feedback_status, why, rated, comment], api_visibility="private")

            def send_note(memo: dict[str, str] | None, text: str, user: str, sess: str) -> tuple[str, Any, str]:
                memo = memo or {}
                if not (text or "").strip():
                    return "Write a comment first, or leave it: your vote is already recorded.", gr.update(), text
                status = h.feedback(memo.get("id", ""), "down", memo.get("reason") or None, text, user, sess)
                if status.startswith("Thanks"):
                    status = "Thanks — your comment is recorded with your 👎 on that answer."
                return status, gr.update(visible=False), ""

            send_comment.click(
                send_note, [rated, comment, user, session], [feedback_status, why, comment], api_visibility="private"
            )

        with gr.Tab("Checklists"):
            run_id = gr.State("")
            with gr.Row():
                pick = gr.Dropdown(
                    h.checklist_choices(), value=None, label="Checklist", scale=3, elem_id="coach-checklist-pick"
                )
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
            result = gr.Markdown("", elem_id="coach-checklist-result", line_breaks=True)
            with gr.Row():
                export = gr.Button("Export as Markdown", size="sm", elem_id="coach-export")
                exported = gr.File(label="Export", interactive=False, visible=False, elem_id="coach-export-file")
            past = gr.Dataframe(
                headers=["Started (UTC)", "Answered", "Score", "Band"], label="Your runs", interactive=False
            )
            view = [item, progress, result, run_id]
            private: dict[str, Any] = {"api_visibility": "private"}

            def then_history(event: Any) -> None:
                """ "Your runs" follows every step, so a run that has just finished shows its score."""
                event.then(h.checklist_history, [pick, user], [past], **private)

            then_history(start.click(lambda c, u: h.checklist_start(c, u), [pick, user], view, **private))
            then_history(restart.click(lambda c, u: h.checklist_start(c, u, True), [pick, user], view, **private))
            for button, value in answer_buttons:
                then_history(
                    button.click(lambda r, v=value: h.checklist_command(r, "answer", v), [run_id], view, **private)
                )
            then_history(back.click(lambda r: h.checklist_command(r, "back"), [run_id], view, **private))
            add_note.click(
                lambda r, t: (*h.checklist_command(r, "note", t), ""), [run_id, note], [*view, note], **private
            )

            def export_run(run: str) -> Any:
                path = h.checklist_export(run)
                return gr.update(value=path, visible=path is not None)

            export.click(export_run, [run_id], [exported], **private)
            pick.change(
                lambda c, u: (h.checklist_history(c, u), gr.update(value=None, visible=False)),
                [pick, user],
                [past, exported],
                api_visibility="private",
            )

        with gr.Tab("Go/no-go & ROI"), gr.Row():
            with gr.Column(min_width=280):
                gr.Markdown(
                    "### Go / no-go\nThe methodology's GO / ITERATE / STOP criteria, from your pilot's figures."
                )
                gr.Markdown("_Leave a field empty if you don't know it yet._")
                # Empty means unknown: no default 0, and ranges are checked by the handler, with a message.
                # Text fields: gradio's number fields show 0 when empty, and 0 is not "unknown".
                active = gr.Textbox(
                    label="Weekly active users (% of target users)",
                    placeholder="e.g. 75",
                    elem_id="coach-gonogo-active",
                )
                accept = gr.Textbox(
                    label="Acceptance rate (%)", placeholder="e.g. 70", elem_id="coach-gonogo-acceptance"
                )
                sat = gr.Textbox(
                    label="User satisfaction (1-5)", placeholder="e.g. 4.1", elem_id="coach-gonogo-satisfaction"
                )
                critical = gr.Radio(["unknown", "no", "yes"], value="unknown", label="Critical security issues found?")
                roi_sign = gr.Radio(["unknown", "positive", "negative"], value="unknown", label="ROI projection")
                evaluate = gr.Button("Evaluate", variant="primary", elem_id="coach-gonogo")
                decision = gr.Markdown("", elem_id="coach-gonogo-result", line_breaks=True)
                evaluate.click(
                    h.gonogo, [active, accept, sat, critical, roi_sign], [decision], api_visibility="private"
                )
            with gr.Column(min_width=280):
                gr.Markdown("### ROI\nThe scope template's formula: hours and money saved per year.")
                roi_inputs = [
                    gr.Textbox(label=label[0].upper() + label[1:] + (" ($)" if "rate" in label else ""),
                               placeholder=f"e.g. {example}", elem_id=f"coach-roi-{name.replace('_', '-')}")
                    for (name, label), example in zip(_ROI_LABELS.items(), (30, 10, 12, 5, 230, 40), strict=True)
                ]  # fmt: skip
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
                per_day = gr.Plot(label="Questions per day", min_width=280, elem_id="coach-chart-questions")
                latency = gr.Plot(label="p95 latency per day", min_width=280, elem_id="coach-chart-latency")
            reasons_plot = gr.Plot(label="Not-helpful reasons", elem_id="coach-chart-reasons")
            outs = [summary, per_day, latency, reasons_plot]
            # One at a time, in order: a refresh is never overwritten by the tab's own (slower) first load.
            serial: dict[str, Any] = {
                "concurrency_id": "dashboard",
                "concurrency_limit": 1,
                "api_visibility": "private",
            }
            dash_tab.select(h.dashboard, [since, until], outs, **serial)
            refresh.click(h.dashboard, [since, until], outs, **serial)

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
        except RateLimitError as exc:
            return JSONResponse({"error": str(exc)}, status_code=429)
        except InputError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
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
