"""A small OpenAI-compatible chat server on loopback that misbehaves on purpose, for tests and
``make bench``: it answers with a fixed text (or the text ``reply`` gives for the request), or fails
the way real endpoints fail (HTTP errors, a refused key, an unknown model, a reply that is not JSON,
or no reply in time)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODES = ("ok", "500", "429", "401", "404", "garbage", "slow")


class FakeLLM:
    def __init__(
        self,
        mode: str = "ok",
        text: str = "A pilot runs 4-8 weeks [1].",
        delay_s: float = 5.0,
        *,
        reply: Callable[[dict[str, Any]], str] | None = None,
        port: int = 0,
    ) -> None:
        self.mode = mode
        self.text = text
        self.reply = reply
        self.delay_s = delay_s
        self.calls: list[dict[str, Any]] = []
        self.modes_by_model: dict[str, str] = {}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.calls.append(body)
                mode = fake.modes_by_model.get(body.get("model", ""), fake.mode)
                if mode == "slow":
                    time.sleep(fake.delay_s)
                if mode in ("500", "429", "401", "404"):
                    self._send(int(mode), {"error": {"message": f"fake {mode}", "type": "fake", "code": mode}})
                    return
                if mode == "garbage":
                    self._raw(200, b"<html>this is not json", "text/html")
                    return
                text = fake.reply(body) if fake.reply else fake.text
                usage = {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}
                if body.get("stream"):
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    for word in text.split(" "):
                        delta = {"index": 0, "delta": {"content": word + " "}, "finish_reason": None}
                        piece = {"id": "x", "object": "chat.completion.chunk", "created": 0, "choices": [delta]}
                        piece["model"] = body.get("model", "")
                        self.wfile.write(f"data: {json.dumps(piece)}\n\n".encode())
                    self.wfile.write(b"data: [DONE]\n\n")
                    return
                self._send(
                    200,
                    {
                        "id": "x",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body.get("model", ""),
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": text},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": usage,
                    },
                )

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                self._raw(status, json.dumps(payload).encode(), "application/json")

            def _raw(self, status: int, data: bytes, ctype: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> FakeLLM:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
