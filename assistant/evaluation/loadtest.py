"""The load test's simulated users (locust): each asks questions from the gold set through the JSON
API, as one conversation per user, with a few seconds between questions. Run by ``make bench``."""

from __future__ import annotations

import json
import os
import random
import uuid
from pathlib import Path

from locust import HttpUser, between, task

GOLD = Path(os.environ.get("COACH_LOAD_QUESTIONS", "eval/gold_starter.jsonl"))
QUESTIONS = [json.loads(line)["question"] for line in GOLD.read_text("utf-8").splitlines() if line.strip()]


class PlaybookUser(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.session = uuid.uuid4().hex[:12]

    @task
    def ask(self) -> None:
        question = random.choice(QUESTIONS)
        with self.client.post(
            "/v1/ask", json={"question": question, "session": self.session}, name="/v1/ask", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
            elif "answer" not in response.json():
                response.failure("no answer in the reply")
