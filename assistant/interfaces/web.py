"""The web app (gradio): chat with highlighted sources and feedback, checklists, go/no-go and ROI
tools, and a dashboard of the assistant's own usage, quality and speed. API endpoints ``/ask`` (the
answer JSON contract) and ``/feedback``.

The handlers are plain methods over the ``Coach`` service, so tests call them without a browser.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from fastapi import Request
from pydantic import BaseModel

from assistant.errors import CoachError, InputError, RateLimitError
from assistant.interfaces.boundary import failure
from assistant.interfaces.web_forms import ROI_LABELS, WebForms
from assistant.interfaces.web_handlers import WebHandlers, user_id
from assistant.interfaces.web_view import ANSWER_BUTTONS, CSS, EXAMPLES, HEAD, SHOW_NEWEST, STAGE_CHOICES, WELCOME
from assistant.service.ledger import REASONS

if TYPE_CHECKING:
    import gradio as gr

    from assistant.service.coach import Coach

log = logging.getLogger("assistant.interfaces.web")


def build_app(coach: Coach) -> gr.Blocks:
    import gradio as gr

    h = WebHandlers(coach)
    forms = WebForms(coach)
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
                    forms.checklist_choices(), value=None, label="Checklist", scale=3, elem_id="coach-checklist-pick"
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
                event.then(forms.checklist_history, [pick, user], [past], **private)

            then_history(start.click(lambda c, u: forms.checklist_start(c, u), [pick, user], view, **private))
            then_history(restart.click(lambda c, u: forms.checklist_start(c, u, True), [pick, user], view, **private))
            for button, value in answer_buttons:
                then_history(
                    button.click(lambda r, v=value: forms.checklist_command(r, "answer", v), [run_id], view, **private)
                )
            then_history(back.click(lambda r: forms.checklist_command(r, "back"), [run_id], view, **private))
            add_note.click(
                lambda r, t: (*forms.checklist_command(r, "note", t), ""), [run_id, note], [*view, note], **private
            )

            def export_run(run: str) -> Any:
                path = forms.checklist_export(run)
                return gr.update(value=path, visible=path is not None)

            export.click(export_run, [run_id], [exported], **private)
            pick.change(
                lambda c, u: (forms.checklist_history(c, u), gr.update(value=None, visible=False)),
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
                    forms.gonogo, [active, accept, sat, critical, roi_sign], [decision], api_visibility="private"
                )
            with gr.Column(min_width=280):
                gr.Markdown("### ROI\nThe scope template's formula: hours and money saved per year.")
                roi_inputs = [
                    gr.Textbox(label=label[0].upper() + label[1:] + (" ($)" if "rate" in label else ""),
                               placeholder=f"e.g. {example}", elem_id=f"coach-roi-{name.replace('_', '-')}")
                    for (name, label), example in zip(ROI_LABELS.items(), (30, 10, 12, 5, 230, 40), strict=True)
                ]  # fmt: skip
                with gr.Row():
                    example = gr.Button("Use the playbook's example", size="sm")
                    calculate = gr.Button("Calculate", variant="primary", elem_id="coach-roi")
                roi_result = gr.Markdown("", elem_id="coach-roi-result")
                example.click(forms.roi_example, outputs=roi_inputs, api_visibility="private")
                calculate.click(forms.roi, roi_inputs, [roi_result], api_visibility="private")

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
            dash_tab.select(forms.dashboard, [since, until], outs, **serial)
            refresh.click(forms.dashboard, [since, until], outs, **serial)

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


# The HTTP status of a failed API request, by its error (the first that fits); anything else is a 500.
_STATUS: tuple[tuple[type[Exception], int], ...] = ((RateLimitError, 429), (InputError, 400), (CoachError, 503))


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
        except Exception as exc:  # the API's error boundary: the message, with the status that fits it
            status = next((code for kind, code in _STATUS if isinstance(exc, kind)), 500)
            return JSONResponse(
                {"error": failure(coach, exc, question=body.question, user=user, channel="api")}, status
            )
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
