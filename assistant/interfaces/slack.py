"""The Slack bot (slack-bolt): answers app mentions in their thread and direct messages in the DM,
with numbered sources and 👍 / 👎 buttons wired to the same feedback store as the web app; runs
checklists in a thread with buttons; a ``/coach`` slash command (ask, checklist, help).

Events are acknowledged at once (Bolt answers Slack's request before the listener runs) and the bot
reacts with 👀 so people see it is working; the answer follows in the thread. Retries of an event
(``X-Slack-Retry-Num``) never produce a second answer: event ids are remembered in SQLite, so a
restart does not forget them. The bot ignores its own and other bots' messages, and each user has a
rate limit (the ``limits`` library) with a polite reply. Errors become a short thread reply with an
error id; the log has the detail, never the message text.
"""

from __future__ import annotations

import functools
import logging
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.errors import ConfigError
from assistant.interfaces.boundary import failure
from assistant.service.ledger import REASONS
from assistant.types import Answer

if TYPE_CHECKING:
    from slack_bolt import App
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from assistant.config import Settings
    from assistant.service.coach import Coach

log = logging.getLogger("assistant.interfaces.slack")
SECTION_LIMIT = 2900  # Slack's section text limit is 3000 characters


class SlackCredentials(BaseSettings):
    """``SLACK_BOT_TOKEN``, ``SLACK_SIGNING_SECRET`` and (Socket Mode) ``SLACK_APP_TOKEN``."""

    model_config = SettingsConfigDict(env_prefix="SLACK_", env_file=".env", extra="ignore")

    bot_token: SecretStr | None = None
    signing_secret: SecretStr | None = None
    app_token: SecretStr | None = None


class SeenEvents:
    """Event ids already handled, in SQLite (a retry after a restart is still recognised)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS slack_events (event_id TEXT PRIMARY KEY, ts REAL NOT NULL)")
        self._lock = threading.Lock()

    def first_time(self, event_id: str) -> bool:
        with self._lock, self._db:
            cur = self._db.execute("INSERT OR IGNORE INTO slack_events VALUES (?, ?)", (event_id, time.time()))
            # Forget ids older than a day: Slack retries within minutes.
            self._db.execute("DELETE FROM slack_events WHERE ts < ?", (time.time() - 86400,))
            return cur.rowcount == 1


def mrkdwn(text: str) -> str:
    """The answer's Markdown in Slack's mrkdwn: bold, links, headings."""
    text = re.sub(r"\*\*(.+?)\*\*", r"*\1*", text)
    text = re.sub(r"^#{1,6}\s+(.+)$", r"*\1*", text, flags=re.M)
    text = re.sub(r"\[([^\]]+)\]\((https?://[^)]+)\)", r"<\2|\1>", text)
    return text


def _sections(text: str) -> list[dict[str, Any]]:
    blocks, current = [], ""
    for line in text.split("\n"):
        if len(current) + len(line) + 1 > SECTION_LIMIT and current:
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": current}})
            current = ""
        current += ("\n" if current else "") + line[:SECTION_LIMIT]
    if current.strip():
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": current}})
    return blocks


def answer_blocks(answer: Answer) -> list[dict[str, Any]]:
    """Block Kit for an answer: the text, numbered sources with quotes, and feedback buttons."""
    blocks: list[dict[str, Any]] = []
    if answer.notice:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"_{answer.notice}_"}]})
    if answer.standalone_question:
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"_Answering: {answer.standalone_question}_"}]}
        )
    blocks += _sections(mrkdwn(answer.answer))
    if answer.citations and not answer.abstained:
        lines = []
        for c in answer.citations[:10]:
            quote = " ".join(c.quote.split())
            quote = quote if len(quote) <= 220 else quote[:217] + "…"
            lines.append(f"*[{c.n}]* {c.title} — _{c.section}_\n> {quote}")
        blocks.append({"type": "divider"})
        blocks += _sections("*Sources*\n" + "\n".join(lines))
    if answer.id and answer.route == "question":
        blocks.append(
            {
                "type": "actions",
                "block_id": f"feedback:{answer.id}",
                "elements": [
                    _button("👍 Helpful", "feedback_up", answer.id),
                    _button("👎 Not helpful", "feedback_down", answer.id),
                ],
            }
        )
    return blocks


def _button(label: str, action_id: str, value: str) -> dict[str, Any]:
    return {"type": "button", "text": {"type": "plain_text", "text": label}, "action_id": action_id, "value": value}


CHECKLIST_BUTTONS = (("Yes", "yes"), ("Partial", "partial"), ("No", "no"), ("Skip", "skip"), ("Back", "back"))


def checklist_buttons(run_id: str) -> dict[str, Any]:
    return {
        "type": "actions",
        "block_id": f"checklist:{run_id}",
        "elements": [_button(label, f"checklist_{value}", f"{run_id}|{value}") for label, value in CHECKLIST_BUTTONS],
    }


def reason_blocks(answer_id: str) -> list[dict[str, Any]]:
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Thanks. What was wrong with the answer?"}},
        {
            "type": "actions",
            "block_id": f"reasons:{answer_id}",
            "elements": [_button(r, f"feedback_reason_{k}", f"{answer_id}|{r}") for k, r in enumerate(REASONS)],
        },
    ]


HELP = (
    "Ask me about taking AI from pilot to prototype to production — mention me in a channel or DM me. "
    "I answer from the playbook only, with sources. Try: `/coach ask How long should a pilot run?`, "
    '`/coach checklist pilot-readiness` (run it in a thread), or say "let\'s check our pilot readiness".'
)


def build_app(coach: Coach, settings: Settings, credentials: SlackCredentials | None = None) -> App:
    from limits import parse as parse_limit
    from limits.storage import MemoryStorage
    from limits.strategies import MovingWindowRateLimiter
    from slack_bolt import App, BoltResponse
    from slack_sdk import WebClient

    creds = credentials or SlackCredentials()
    if creds.bot_token is None or creds.signing_secret is None:
        raise ConfigError(
            "The Slack bot needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (see the README's Slack setup)."
        )
    client = WebClient(
        token=creds.bot_token.get_secret_value(),
        base_url=(settings.slack.api_url.rstrip("/") + "/") if settings.slack.api_url else WebClient.BASE_URL,
    )
    app = App(
        client=client,
        signing_secret=creds.signing_secret.get_secret_value(),
        process_before_response=False,  # acknowledge first, answer after
        raise_error_for_unhandled_request=False,
    )
    seen = SeenEvents(settings.data_dir / "sessions.sqlite3")
    limiter = MovingWindowRateLimiter(MemoryStorage())
    rate = parse_limit(settings.slack.rate_limit)

    @app.middleware
    def dedupe(body: dict[str, Any], next: Any) -> Any:
        event_id = body.get("event_id") if isinstance(body, dict) else None
        if event_id and not seen.first_time(str(event_id)):
            return BoltResponse(status=200, body="")  # a retry of an event already answered
        return next()

    def allowed(user: str) -> bool:
        return limiter.hit(rate, "slack", user)

    def reply(channel: str, thread_ts: str | None, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text[:3000], blocks=blocks)

    def report(error: BaseException, body: Any, respond: Any = None) -> None:
        """Slack's one error boundary: a failure is answered where the request came from (the thread,
        or the slash command's own reply), as ``boundary.failure`` words it."""
        body = body if isinstance(body, dict) else {}
        team, user, channel, thread_ts = _origin(body)
        message = failure(coach, error, user=f"slack:{team}:{user}" if user else "", channel="slack")
        try:
            if body.get("command") and respond is not None:
                respond(text=message, response_type="ephemeral")
            elif channel:
                reply(channel, thread_ts, message)
        except Exception:
            log.error("could not report a failed request to Slack")

    def shielded(listener: Callable[..., None]) -> Callable[..., None]:
        """A listener whose failures are reported (Bolt's own handler would see the request as never
        acknowledged once the listener has acknowledged it)."""

        @functools.wraps(listener)
        def run(**kwargs: Any) -> None:
            try:
                listener(**kwargs)
            except Exception as exc:
                report(exc, kwargs.get("body") or kwargs.get("command"), kwargs.get("respond"))

        return run

    def handle_message(event: dict[str, Any], team: str, text: str) -> None:
        channel, user = event["channel"], event.get("user", "")
        thread_ts = event.get("thread_ts") or event.get("ts")
        if not allowed(user):
            reply(channel, thread_ts, "You're asking faster than I can keep up — please wait a minute and try again.")
            return
        try:
            client.reactions_add(channel=channel, timestamp=event["ts"], name="eyes")
        except Exception:  # a missing scope must not stop the answer
            log.info("could not add the acknowledgement reaction")
        session = f"slack:{team}:{channel}:{thread_ts}"
        answer = coach.chat(text, session=session, user=f"slack:{team}:{user}", channel="slack")
        blocks = answer_blocks(answer)
        step = (answer.tool or {}).get("step") if answer.route == "checklist" else None
        if isinstance(step, dict) and not step.get("done") and step.get("run_id"):
            blocks.append(checklist_buttons(str(step["run_id"])))
        reply(channel, thread_ts, answer.answer, blocks)

    def is_bot(event: dict[str, Any], context: Any) -> bool:
        return bool(
            event.get("bot_id")
            or event.get("subtype") in ("bot_message", "message_changed", "message_deleted")
            or (context.get("bot_user_id") and event.get("user") == context.get("bot_user_id"))
        )

    @app.event("app_mention")
    @shielded
    def on_mention(event: dict[str, Any], body: dict[str, Any], context: Any) -> None:
        if is_bot(event, context):
            return
        text = re.sub(r"<@[A-Z0-9]+>", "", event.get("text", "")).strip()
        if not text:
            reply(event["channel"], event.get("thread_ts") or event["ts"], HELP)
            return
        handle_message(event, str(body.get("team_id", "")), text)

    @app.event("message")
    @shielded
    def on_message(event: dict[str, Any], body: dict[str, Any], context: Any) -> None:
        if event.get("channel_type") != "im" or is_bot(event, context):
            return  # channel messages are answered only when they mention the bot
        handle_message(event, str(body.get("team_id", "")), event.get("text", ""))

    def _action_context(body: dict[str, Any]) -> tuple[str, str | None, str, str]:
        team, user, channel, thread_ts = _origin(body)
        return channel, thread_ts, user, team

    def vote(body: dict[str, Any], answer_id: str, direction: str, reason: str | None, **reply: Any) -> None:
        """A 👍 or 👎 pressed under an answer: recorded against it, and acknowledged to the voter only."""
        channel, thread_ts, user, team = _action_context(body)
        coach.ledger.feedback(answer_id, direction, user=f"slack:{team}:{user}", session=None, reason=reason)
        client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, **reply)

    @app.action("feedback_up")
    @shielded
    def on_up(ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        vote(body, action["value"], "up", None, text="Thanks — recorded 👍.")

    @app.action("feedback_down")
    @shielded
    def on_down(ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        vote(body, action["value"], "down", None, text="What was wrong?", blocks=reason_blocks(action["value"]))

    @app.action(re.compile(r"^feedback_reason_\d+$"))
    @shielded
    def on_reason(ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        answer_id, _, reason = action["value"].partition("|")
        vote(body, answer_id, "down", reason, text=f"Thanks — recorded 👎 ({reason}).")

    @app.action(re.compile(r"^checklist_(yes|partial|no|skip|back)$"))
    @shielded
    def on_checklist(ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        from assistant.interfaces.presenters import Cites, render_step

        channel, thread_ts, _user, _team = _action_context(body)
        run_id, _, value = action["value"].partition("|")
        command, argument = ("back", "") if value == "back" else ("answer", value)
        st, scored = coach.checklist_reply(run_id, command, argument)
        checklist = coach.checklist(st.checklist)
        text = render_step(st, checklist, Cites(), scored)
        blocks = _sections(mrkdwn(text))
        if not st.done:
            blocks.append(checklist_buttons(run_id))
        reply(channel, thread_ts, text, blocks)

    @app.command("/coach")
    @shielded
    def on_command(ack: Any, command: dict[str, Any], respond: Any) -> None:
        ack()
        text = (command.get("text") or "").strip()
        verb, _, rest = text.partition(" ")
        user = f"slack:{command.get('team_id', '')}:{command.get('user_id', '')}"
        if not text or verb.lower() == "help":
            respond(text=HELP, response_type="ephemeral")
            return
        if not allowed(command.get("user_id", "")):
            respond(text="You're asking faster than I can keep up — please wait a minute.", response_type="ephemeral")
            return
        if verb.lower() == "checklist":
            if not rest.strip():
                ids = ", ".join(c.id for c in coach.catalog.checklists)
                respond(text=f"Which checklist? One of: {ids}", response_type="ephemeral")
                return
            message = f"let's check our {rest.strip().replace('-', ' ')}"
        else:
            message = rest if verb.lower() == "ask" else text
        answer = coach.chat(message, session=f"slack-cmd:{uuid.uuid4().hex[:8]}", user=user, channel="slack")
        respond(text=answer.answer[:3000], blocks=answer_blocks(answer), response_type="in_channel")

    @app.error
    def on_error(error: Exception, body: dict[str, Any], respond: Any) -> None:
        report(error, body, respond)

    return app


def _origin(body: dict[str, Any]) -> tuple[str, str, str, str | None]:
    """Team, user, channel and thread of an event, a button press or a slash command ("" when absent)."""
    event = body.get("event")
    if isinstance(event, dict):
        return (str(body.get("team_id", "")), str(event.get("user", "")), str(event.get("channel", "")),
                event.get("thread_ts") or event.get("ts"))  # fmt: skip
    if body.get("command"):
        return str(body.get("team_id", "")), str(body.get("user_id", "")), str(body.get("channel_id", "")), None
    team, user, channel, message = (_part(body, key) for key in ("team", "user", "channel", "message"))
    return (str(team.get("id", "")), str(user.get("id", "")), str(channel.get("id", "")),
            message.get("thread_ts") or message.get("ts"))  # fmt: skip


def _part(body: dict[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key)
    return value if isinstance(value, dict) else {}


def serve_http(app: App, host: str, port: int) -> None:
    """Events API and interactivity at ``POST /slack/events``, through Bolt's ASGI adapter on uvicorn."""
    import uvicorn
    from slack_bolt.adapter.asgi import SlackRequestHandler

    uvicorn.run(SlackRequestHandler(app), host=host, port=port, log_level="warning")


def socket_handler(app: App, credentials: SlackCredentials | None = None) -> SocketModeHandler:
    """Bolt's Socket Mode handler for ``app``: it asks Slack's Web API (``apps.connections.open``, at the
    app's own API address) for a WebSocket URL and takes events and button presses from there."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    creds = credentials or SlackCredentials()
    if creds.app_token is None:
        raise ConfigError("Socket Mode needs SLACK_APP_TOKEN (an app-level token with connections:write).")
    return SocketModeHandler(app, creds.app_token.get_secret_value())


def serve_socket(app: App, credentials: SlackCredentials | None = None) -> None:
    socket_handler(app, credentials).start()
