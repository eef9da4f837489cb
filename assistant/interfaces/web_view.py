"""What the web app shows: the welcome, examples and styles, an answer as Markdown with its citation
links and confidence, its sources as highlighted passages, and the dashboard's charts."""

from __future__ import annotations

import html
import re
import uuid
from typing import TYPE_CHECKING

from assistant.types import Answer

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from assistant.service.coach import Coach


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


def passage_html(*pieces: tuple[str, bool], start_of_line: bool = True) -> str:
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
            passage = passage_html(
                (text[lo : c.start], False),
                (text[c.start : c.end], True),
                (text[c.end : hi], False),
                start_of_line=lo == 0 or text[lo - 1] == "\n",
            )
        else:
            passage = passage_html((c.quote, True))
        parts.append(
            f'<details class="coach-src" id="coach-src-{key}-{c.n}">'
            # The summary stays short (the section's own name); the whole path heads the passage.
            f"<summary>[{c.n}] {html.escape(c.title)} — <em>{html.escape(c.section.split(' > ')[-1])}</em></summary>"
            f'<div class="coach-path">{html.escape(c.section)}</div><div class="passage">{passage}</div>'
            f'<a class="coach-back" href="#coach-back">↑ Back to the answer</a></details>'
        )
    parts.append("</div>")
    return "".join(parts)


def chart(title: str, unit: str, points: list[tuple[str, float]], kind: str) -> Figure:
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
