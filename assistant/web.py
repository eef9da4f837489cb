"""The web chat (gradio): a question box, the conversation, numbered sources for the latest answer, a
stage selector, and an ``/ask`` API endpoint that returns the answer JSON contract.

The handlers are plain functions over the ``Coach`` service, so tests call them without a browser.
"""

from __future__ import annotations

import logging
import queue
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from assistant.errors import CoachError, InputError
from assistant.types import Answer

if TYPE_CHECKING:
    import gradio as gr

    from assistant.coach import Coach

log = logging.getLogger("assistant.web")

EXAMPLES = [
    "How long should our AI pilot run?",
    "Who do I need on the team for a small pilot?",
    "What criteria decide whether a pilot goes to production?",
    "How much of an AI project is data preparation?",
    "Let's check our pilot readiness",
    "Go/no-go: 75% weekly active, 70% acceptance, satisfaction 4.1, no critical issues, positive ROI",
]
STAGE_CHOICES = [("Not sure", ""), ("Pilot", "pilot"), ("Prototype", "prototype"), ("Production", "production")]


def sources_markdown(answer: Answer) -> str:
    if answer.abstained or not answer.citations:
        return ""
    lines = ["### Sources"]
    for c in answer.citations:
        quote = " ".join(c.quote.split())
        lines.append(f"**[{c.n}] {c.title}** — _{c.section}_\n\n> {quote}\n")
    return "\n".join(lines)


def answer_markdown(answer: Answer) -> str:
    head = f"_Answering: {answer.standalone_question}_\n\n" if answer.standalone_question else ""
    if answer.notice:
        head = f"> {answer.notice}\n\n" + head
    shows_confidence = not answer.abstained and answer.route == "question"
    confidence = f"\n\n<sub>confidence {answer.confidence:.0%}</sub>" if shows_confidence else ""
    return head + answer.answer + confidence


class WebHandlers:
    def __init__(self, coach: Coach) -> None:
        self.coach = coach

    def respond(
        self,
        question: str,
        history: list[dict[str, Any]] | None,
        session: str | None,
        stage: str | None,
        on_delta: Callable[[str], None] | None = None,
    ) -> tuple[str, list[dict[str, Any]], str, str]:
        """One chat turn: returns (cleared input, conversation, sources panel, session id)."""
        history = list(history or [])
        session = session or uuid.uuid4().hex[:12]
        try:
            # Chat routes: a question, or a checklist walkthrough, go/no-go or ROI ("let's check our pilot readiness").
            answer = self.coach.chat(
                question, session=session, user=f"web:{session}", stage=stage or None, on_delta=on_delta
            )
            reply, sources = answer_markdown(answer), sources_markdown(answer)
        except InputError as exc:
            reply, sources = str(exc), ""
        except CoachError as exc:
            reply, sources = f"Sorry — {exc}", ""
        except Exception:  # never a traceback on the page
            error_id = uuid.uuid4().hex[:8]
            log.exception("web answer failed %s", error_id)
            reply, sources = f"Sorry — something went wrong on our side (error {error_id}). Please try again.", ""
        shown = question if isinstance(question, str) and question.strip() else "(empty question)"
        history += [{"role": "user", "content": shown}, {"role": "assistant", "content": reply}]
        return "", history, sources, session

    def respond_stream(
        self, question: str, history: list[dict[str, Any]] | None, session: str | None, stage: str | None
    ) -> Iterator[tuple[str, list[dict[str, Any]], str, str]]:
        """``respond``, showing the model's draft while it is written (when a model is configured);
        the verified answer replaces the draft at the end."""
        session = session or uuid.uuid4().hex[:12]
        if self.coach.llm is None:
            yield self.respond(question, history, session, stage)
            return
        pieces: queue.Queue[str | None] = queue.Queue()
        result: list[tuple[str, list[dict[str, Any]], str, str]] = []

        def work() -> None:
            try:
                result.append(self.respond(question, history, session, stage, on_delta=pieces.put))
            finally:
                pieces.put(None)

        threading.Thread(target=work, daemon=True).start()
        shown = question if isinstance(question, str) and question.strip() else "(empty question)"
        draft = ""
        while (piece := pieces.get()) is not None:
            draft += piece
            partial = [{"role": "user", "content": shown}, {"role": "assistant", "content": f"_Drafting…_ {draft}"}]
            yield "", [*(history or []), *partial], "", session
        yield result[0]

    def ask(self, question: str, session: str = "", stage: str = "") -> dict[str, Any]:
        """The answer JSON contract (DESIGN.md); bad input comes back as ``{"error": ...}``."""
        try:
            return self.coach.ask(question, session=session or None, stage=stage or None).model_dump()
        except CoachError as exc:
            return {"error": str(exc)}


def build_app(coach: Coach) -> gr.Blocks:
    import gradio as gr

    handlers = WebHandlers(coach)
    with gr.Blocks(title="Playbook Coach") as demo:
        gr.Markdown(
            "# Playbook Coach\nAsk about taking AI from **pilot** to **prototype** to **production**. "
            "Every answer quotes the playbook and shows its sources; when the playbook doesn't cover "
            "something, it says so."
        )
        session = gr.State("")
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="Conversation", height=460)
                question = gr.Textbox(
                    label="Your question", placeholder="e.g. How long should our AI pilot run?", lines=1
                )
                with gr.Row():
                    stage = gr.Dropdown(STAGE_CHOICES, value="", label="Your stage", scale=2)
                    send = gr.Button("Ask", variant="primary", scale=1)
                    new = gr.Button("New conversation", scale=1)
                gr.Examples(EXAMPLES, inputs=question, label="Try one")
            with gr.Column(scale=2):
                sources = gr.Markdown(label="Sources")
        io = dict(inputs=[question, chat, session, stage], outputs=[question, chat, sources, session])
        question.submit(handlers.respond_stream, api_visibility="private", **io)  # type: ignore[arg-type]
        send.click(handlers.respond_stream, api_visibility="private", **io)  # type: ignore[arg-type]
        new.click(lambda: ("", [], "", ""), outputs=[question, chat, sources, session], api_visibility="private")
        gr.api(handlers.ask, api_name="ask")
    return demo
