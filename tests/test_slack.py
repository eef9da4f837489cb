"""The real Bolt app served on loopback (Bolt's ASGI adapter on uvicorn), with Slack played by the
test: signed Events API and interactivity requests in, and a fake Slack Web API on loopback
(``COACH_SLACK__API_URL``) that records ``chat.postMessage`` and friends."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

SECRET = "test-signing-secret"
TOKEN = "xoxb-test-token"
ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class FakeSlack:
    """The Slack Web API on loopback: every call is recorded; replies are what Slack would say."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any], float]] = []
        self.ws_url = ""
        self._ts = 1000
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                method = self.path.rsplit("/", 1)[-1]
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                if "json" in (self.headers.get("Content-Type") or ""):
                    params = json.loads(raw or "{}")
                else:
                    params = {k: v[0] for k, v in urllib.parse.parse_qs(raw).items()}
                for key in ("blocks",):
                    if isinstance(params.get(key), str):
                        params[key] = json.loads(params[key])
                with fake._lock:
                    fake.calls.append((method, params, time.perf_counter()))
                    fake._ts += 1
                    ts = f"{fake._ts}.000100"
                reply: dict[str, Any] = {"ok": True}
                if method == "auth.test":
                    reply.update(user_id="UBOT", bot_id="BBOT", team_id="T1", user="coach", team="Test")
                elif method == "chat.postMessage":
                    reply.update(ts=ts, channel=params.get("channel"))
                elif method == "apps.connections.open":
                    reply.update(url=fake.ws_url)  # Socket Mode: where the WebSocket is
                body = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def posts(self, channel: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [
                p for m, p, _ in self.calls if m == "chat.postMessage" and (channel is None or p["channel"] == channel)
            ]

    def wait_posts(self, channel: str, n: int, timeout: float = 30) -> list[dict[str, Any]]:
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = self.posts(channel)
            if len(found) >= n:
                return found
            time.sleep(0.02)
        raise AssertionError(f"expected {n} posts in {channel}, got {self.posts(channel)}")

    def close(self) -> None:
        self.server.shutdown()


class SlackHarness:
    def __init__(self, url: str) -> None:
        self.url = url

    def send(
        self,
        body: bytes,
        content_type: str,
        *,
        signed: bool = True,
        age: int = 0,
        headers: dict[str, str] | None = None,
    ):
        ts = str(int(time.time()) - age)
        h = {"Content-Type": content_type, **(headers or {})}
        if signed:
            base = f"v0:{ts}:{body.decode()}".encode()
            h["X-Slack-Request-Timestamp"] = ts
            h["X-Slack-Signature"] = "v0=" + hmac.new(SECRET.encode(), base, hashlib.sha256).hexdigest()
        request = urllib.request.Request(self.url, data=body, headers=h, method="POST")
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=10) as r:
                return r.status, time.perf_counter() - started
        except urllib.error.HTTPError as exc:
            return exc.code, time.perf_counter() - started

    def event(self, event: dict[str, Any], event_id: str, **kw: Any):
        body = {"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": event_id,
                "event_time": int(time.time()), "event": event}  # fmt: skip
        return self.send(json.dumps(body).encode(), "application/json", **kw)

    def action(self, action_id: str, value: str, channel: str, thread_ts: str, user: str = "U1"):
        payload = {
            "type": "block_actions",
            "team": {"id": "T1"},
            "user": {"id": user},
            "api_app_id": "A1",
            "channel": {"id": channel},
            "container": {"type": "message", "channel_id": channel, "message_ts": "1.0"},
            "message": {"ts": "1.0", "thread_ts": thread_ts},
            "actions": [{"action_id": action_id, "value": value, "block_id": "b", "type": "button"}],
            "trigger_id": "t",
            "response_url": "http://127.0.0.1:9/unused",
        }
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        return self.send(body, "application/x-www-form-urlencoded")


@pytest.fixture(scope="module")
def slack(coach, settings):
    import uvicorn
    from slack_bolt.adapter.asgi import SlackRequestHandler

    from assistant.interfaces.slack import SlackCredentials, build_app

    fake = FakeSlack()
    custom = settings.model_copy(
        update={"slack": settings.slack.model_copy(update={"api_url": fake.url, "rate_limit": "6/minute"})}
    )
    app = build_app(coach, custom, SlackCredentials(bot_token=TOKEN, signing_secret=SECRET))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(SlackRequestHandler(app), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    yield SlackHarness(f"http://127.0.0.1:{port}/slack/events"), fake
    server.should_exit = True
    thread.join(timeout=10)
    fake.close()


def _texts(post: dict[str, Any]) -> str:
    parts = [post.get("text", "")]
    for b in post.get("blocks") or []:
        if b.get("type") == "section":
            parts.append(b["text"]["text"])
        for e in b.get("elements", []):
            parts.append(e.get("text", "") if isinstance(e.get("text"), str) else "")
    return "\n".join(parts)


def _answer_id(post: dict[str, Any]) -> str:
    for b in post.get("blocks") or []:
        for e in b.get("elements", []):
            if e.get("action_id") == "feedback_down":
                return str(e["value"])
    raise AssertionError("no feedback buttons")


def test_mention_gets_a_threaded_answer_with_sources(slack):
    h, fake = slack
    event = {
        "type": "app_mention",
        "user": "U1",
        "text": "<@UBOT> How long should a pilot run?",
        "channel": "C1",
        "ts": "100.1",
    }
    sent = time.perf_counter()
    status, ack = h.event(event, "Ev1")
    assert status == 200
    (post,) = fake.wait_posts("C1", 1)
    answered = time.perf_counter() - sent
    assert post["thread_ts"] == "100.1"
    text = _texts(post)
    assert "Sources" in text and "[1]" in text and "weeks" in text
    assert any(m == "reactions.add" for m, _, _ in fake.calls)
    out = Path(os.environ.get("COACH_ARTIFACTS", ROOT / ".artifacts"))
    out.mkdir(parents=True, exist_ok=True)
    (out / "slack-timings.json").write_text(json.dumps({"ack_s": round(ack, 3), "answer_s": round(answered, 3)}))


def test_direct_message_and_thread_follow_up(slack):
    h, fake = slack
    assert h.event({"type": "message", "channel_type": "im", "user": "U2", "text": "What does a pilot cost?",
                    "channel": "D1", "ts": "200.1"}, "Ev2")[0] == 200  # fmt: skip
    (dm,) = fake.wait_posts("D1", 1)
    assert "$" in _texts(dm)
    h.event(
        {
            "type": "app_mention",
            "user": "U2",
            "text": "<@UBOT> How much does the pilot stage cost?",
            "channel": "C2",
            "ts": "300.1",
        },
        "Ev3",
    )
    fake.wait_posts("C2", 1)
    h.event({"type": "app_mention", "user": "U2", "text": "<@UBOT> And for production?", "channel": "C2", "ts": "300.5",
             "thread_ts": "300.1"}, "Ev4")  # fmt: skip
    posts = fake.wait_posts("C2", 2)
    assert posts[1]["thread_ts"] == "300.1" and "Answering:" in _texts(posts[1]) and "production" in _texts(posts[1])


def test_retries_never_answer_twice_and_bots_are_ignored(slack):
    h, fake = slack
    event = {
        "type": "app_mention",
        "user": "U3",
        "text": "<@UBOT> Who is on a pilot team?",
        "channel": "C3",
        "ts": "400.1",
    }
    assert h.event(event, "Ev5")[0] == 200
    assert h.event(event, "Ev5", headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})[0] == 200
    fake.wait_posts("C3", 1)
    time.sleep(1.0)
    assert len(fake.posts("C3")) == 1
    h.event(
        {"type": "message", "channel_type": "im", "bot_id": "BOTHER", "text": "hello", "channel": "D3", "ts": "1.1"},
        "Ev6",
    )
    h.event(
        {"type": "message", "channel_type": "im", "user": "UBOT", "text": "my own", "channel": "D3", "ts": "1.2"}, "Ev7"
    )
    time.sleep(1.0)
    assert fake.posts("D3") == []


def test_unsigned_and_stale_requests_are_rejected(slack):
    h, fake = slack
    event = {"type": "app_mention", "user": "U4", "text": "<@UBOT> hi", "channel": "C4", "ts": "500.1"}
    assert h.event(event, "Ev8", signed=False)[0] == 401
    assert h.event(event, "Ev9", age=600)[0] == 401
    time.sleep(0.5)
    assert fake.posts("C4") == []


def test_thumbs_down_with_a_reason_is_recorded(slack, coach):
    h, fake = slack
    h.event(
        {
            "type": "app_mention",
            "user": "U5",
            "text": "<@UBOT> What goes into a model card?",
            "channel": "C5",
            "ts": "600.1",
        },
        "Ev10",
    )
    (post,) = fake.wait_posts("C5", 1)
    answer_id = _answer_id(post)
    assert h.action("feedback_down", answer_id, "C5", "600.1", user="U5")[0] == 200
    assert h.action("feedback_reason_3", f"{answer_id}|wrong source", "C5", "600.1", user="U5")[0] == 200
    deadline = time.time() + 10
    while time.time() < deadline and not any(v["reason"] for v in coach.ledger.votes(answer_id)):
        time.sleep(0.05)
    (vote,) = coach.ledger.votes(answer_id)
    # The Slack user is stored as its pseudonym, never as the id itself.
    assert vote == {"user": coach.pseudonym("slack:T1:U5"), "vote": "down", "reason": "wrong source", "comment": None}
    assert vote["user"].startswith("u-") and "U5" not in vote["user"]


def test_a_checklist_runs_in_a_thread_with_buttons(slack):
    h, fake = slack
    h.event(
        {
            "type": "app_mention",
            "user": "U6",
            "text": "<@UBOT> let's check our pilot readiness",
            "channel": "C6",
            "ts": "700.1",
        },
        "Ev11",
    )
    (first,) = fake.wait_posts("C6", 1)
    assert "item 1 of 15" in _texts(first)
    buttons = [e for b in first["blocks"] if b["type"] == "actions" for e in b["elements"]]
    yes = next(e for e in buttons if e["action_id"] == "checklist_yes")
    assert h.action("checklist_yes", yes["value"], "C6", "700.1", user="U6")[0] == 200
    second = fake.wait_posts("C6", 2)[1]
    assert (
        second["thread_ts"] == "700.1"
        and "item 2 of 15" in _texts(second)
        and "Business case defined" in _texts(second)
    )


def test_rate_limit_replies_politely(slack):
    h, fake = slack
    for k in range(7):
        message = {"type": "message", "channel_type": "im", "user": "U7", "text": f"What is a pilot? ({k})"}
        h.event({**message, "channel": "D7", "ts": f"800.{k}"}, f"Ev-rate-{k}")
    posts = fake.wait_posts("D7", 7)
    assert sum("faster than I can keep up" in p["text"] for p in posts) == 1


def test_socket_mode_takes_an_event_over_the_websocket_acks_it_and_answers(coach, settings):
    """Socket Mode end to end: the handler asks the (fake) Web API for a WebSocket URL, takes an
    app mention from a WebSocket server on loopback, acknowledges its envelope and answers in the thread."""
    from websockets.sync.server import serve

    from assistant.interfaces.slack import SlackCredentials, build_app, socket_handler

    fake = FakeSlack()
    received: list[dict[str, Any]] = []
    event = {"type": "app_mention", "user": "U9", "text": "<@UBOT> How long should a pilot run?", "channel": "CS",
             "ts": "900.1"}  # fmt: skip
    envelope = {
        "envelope_id": "env-1",
        "type": "events_api",
        "accepts_response_payload": False,
        "retry_attempt": 0,
        "retry_reason": "",
        "payload": {
            "type": "event_callback",
            "team_id": "T1",
            "api_app_id": "A1",
            "event_id": "EvSocket1",
            "event_time": int(time.time()),
            "event": event,
        },
    }

    def session(ws: Any) -> None:
        ws.send(json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}}))
        ws.send(json.dumps(envelope))
        for message in ws:
            received.append(json.loads(message))

    server = serve(session, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    fake.ws_url = f"ws://127.0.0.1:{server.socket.getsockname()[1]}/link"
    custom = settings.model_copy(update={"slack": settings.slack.model_copy(update={"api_url": fake.url})})
    credentials = SlackCredentials(bot_token=TOKEN, signing_secret=SECRET, app_token="xapp-test")
    handler = socket_handler(build_app(coach, custom, credentials), credentials)
    try:
        handler.connect()
        (post,) = fake.wait_posts("CS", 1)
        assert post["thread_ts"] == "900.1"
        text = _texts(post)
        assert "Sources" in text and "[1]" in text and "weeks" in text
        deadline = time.time() + 10
        while not any(m.get("envelope_id") == "env-1" for m in received) and time.time() < deadline:
            time.sleep(0.02)
        assert any(m.get("envelope_id") == "env-1" for m in received), received  # the envelope was acked
        assert any(m == "apps.connections.open" for m, _, _ in fake.calls)
    finally:
        handler.close()
        server.shutdown()
        fake.close()


def test_failures_are_answered_where_they_were_asked_with_an_error_id(slack, coach, monkeypatch, caplog):
    """Slack's one error boundary: an unexpected failure in a mention, a button press or a slash command
    is answered in its thread (or the command's own reply) with an error id that the ledger keeps, and
    the log holds neither the message nor a secret; a service error says what is wrong; a malformed
    event is acknowledged and answered by nothing."""
    from assistant.errors import ProviderError

    h, fake = slack

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the store went away")

    monkeypatch.setattr(coach, "chat", broken)
    monkeypatch.setattr(coach, "checklist_reply", broken)
    since = time.time()
    with caplog.at_level("ERROR"):
        secret = "my card 4111 1111 1111 1111"
        event = {"type": "app_mention", "user": "U9", "text": f"<@UBOT> {secret}", "channel": "C9", "ts": "900.1"}
        assert h.event(event, "Ev-fail-1")[0] == 200
        (post,) = fake.wait_posts("C9", 1)
    error_id = re.search(r"error ([0-9a-f]{8})", post["text"]).group(1)
    assert post["thread_ts"] == "900.1" and "Traceback" not in post["text"]
    assert secret not in caplog.text and error_id in caplog.text
    assert coach.ledger.stats(since=since).routes.get("error") == 1  # the ledger counts it

    assert h.action("checklist_yes", "run-1|yes", "C9", "900.1")[0] == 200
    pressed = fake.wait_posts("C9", 2)[1]
    assert pressed["thread_ts"] == "900.1" and re.search(r"error [0-9a-f]{8}", pressed["text"])

    def down(*args: object, **kwargs: object) -> None:
        raise ProviderError("The language model endpoint is not answering.")

    monkeypatch.setattr(coach, "chat", down)
    h.event({**event, "ts": "900.2", "text": "<@UBOT> How long is a pilot?"}, "Ev-fail-2")
    assert fake.wait_posts("C9", 3)[2]["text"] == "The language model endpoint is not answering."

    form = {"command": "/coach", "text": "ask How long is a pilot?", "team_id": "T1", "user_id": "U9",
            "channel_id": "C9", "response_url": fake.url + "respond", "trigger_id": "t"}  # fmt: skip
    assert h.send(urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded")[0] == 200
    deadline = time.time() + 20
    while time.time() < deadline and not [p for m, p, _ in fake.calls if m == "respond"]:
        time.sleep(0.05)
    (responded,) = [p for m, p, _ in fake.calls if m == "respond"]
    assert responded["text"] == "The language model endpoint is not answering."
    assert responded["response_type"] == "ephemeral"

    # No channel to answer in: acknowledged, logged, nothing posted.
    before = len(fake.posts())
    assert h.event({"type": "app_mention", "user": "U9", "text": "<@UBOT> hi", "ts": "900.3"}, "Ev-fail-3")[0] == 200
    time.sleep(1)
    assert len(fake.posts()) == before
