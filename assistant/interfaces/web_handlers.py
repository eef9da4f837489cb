"""The web app's chat, feedback and API handlers: plain methods over the ``Coach`` service, so tests call
them without a browser. Each passes through the web's one error boundary (``shielded``): a user never
sees a traceback."""

from __future__ import annotations

import functools
import logging
import queue
import threading
import uuid
from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar, cast

from assistant.errors import InputError
from assistant.interfaces.boundary import failure
from assistant.interfaces.web_view import answer_markdown
from assistant.service.ledger import REASONS

if TYPE_CHECKING:
    from assistant.service.coach import Coach


log = logging.getLogger("assistant.interfaces.web")
T = TypeVar("T")


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


def shielded(shape: Callable[..., Any]) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """The web's error boundary around a handler: a failure becomes ``shape(message, *args)``, the
    handler's own kind of result with the message in it."""

    def wrap(method: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(method)
        def run(self: Any, *args: Any, **kwargs: Any) -> T:
            try:
                return method(self, *args, **kwargs)
            except Exception as exc:
                return cast(T, shape(failure(self.coach, exc), *args))

        return run

    return wrap


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
        except Exception as exc:  # the chat's message shows what went wrong, never a traceback
            reply = failure(self.coach, exc, question=question, user=user, session=session)
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
    @shielded(lambda message, *_: message)
    def feedback(
        self, answer_id: str, vote: str, reason: str | None, comment: str | None, user: str, session: str | None
    ) -> str:
        if not answer_id:
            return "Ask a question first; feedback is about an answer."
        self.coach.ledger.feedback(
            answer_id, vote, user=user, session=session, reason=reason or None, comment=comment or None
        )
        if vote == "up":
            return "Thanks — recorded 👍 for that answer."
        if not reason:
            return (
                "Thanks — recorded 👎 for that answer. What was wrong? Pick a reason in its ⚑ menu, or add a comment."
            )
        return f"Thanks — recorded 👎 ({reason}) for that answer. You can change your vote."

    @shielded(lambda message, *_: message)
    def rate(self, answer_id: str, choice: bool | str, user: str, session: str | None) -> str:
        """A choice in an answer's own feedback menu: 👍 (``True``), 👎 (``False``), a reason (a 👎 with that
        reason), or ``""`` when the user unselects their choice."""
        if not answer_id:
            return "This message has no answer to rate."
        if choice == "":
            self.coach.ledger.retract(answer_id, user=user)
            return "Your vote on that answer was taken back."
        if choice is True or choice == "Like":
            return self.feedback(answer_id, "up", None, None, user, session)
        reason = choice if isinstance(choice, str) and choice in REASONS else None
        return self.feedback(answer_id, "down", reason, None, user, session)

    # -- API --------------------------------------------------------------------------------------
    @shielded(lambda message, *_: {"error": message})
    def ask(self, question: str, session: str = "", stage: str = "") -> dict[str, Any]:
        """The answer JSON contract (DESIGN.md); bad input comes back as ``{"error": ...}``."""
        return self.coach.ask(question, session=session or None, stage=stage or None, channel="api").model_dump()

    def chat_stream(self, question: str, session: str = "", stage: str = "") -> Iterator[str]:
        """The answer as it is written: the model's draft pieces when a model is configured, then the
        verified answer (Markdown with citation markers). Offline, the answer comes in one piece."""

        def run(on_delta: Callable[[str], None]) -> str:
            try:
                chat = self.coach.chat
                return chat(
                    question, session=session or None, stage=stage or None, on_delta=on_delta, channel="api"
                ).answer
            except Exception as exc:
                return failure(self.coach, exc, question=question)

        for draft, final in _streamed(run):
            yield final if final is not None else draft

    @shielded(lambda message, *_: {"error": message})
    def api_feedback(
        self, answer_id: str, vote: str, reason: str = "", comment: str = "", user: str = ""
    ) -> dict[str, Any]:
        """Record a vote ("up"/"down", reason code on "down") for an answer id."""
        self.coach.ledger.feedback(answer_id, vote, user=user or "api", reason=reason or None, comment=comment or None)
        return {"ok": True, "answer_id": answer_id, "vote": vote, "reason": reason or None}
