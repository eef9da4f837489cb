"""End to end in a real browser: ``app.py`` on a free port, driven by Debian's headless Chromium
through Playwright. Screenshots go to ``COACH_ARTIFACTS`` (default ``.artifacts/``)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Chromium is not installed (make test installs Debian's chromium package)"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _app(settings, **env_extra: str):
    """``app.py`` on a free port over the session's index; yields its URL."""
    port = _free_port()
    env = {
        **os.environ,
        "COACH_DATA_DIR": str(settings.data_dir),
        "COACH_KNOWLEDGE_DIR": str(settings.knowledge_dir),
        "GRADIO_SERVER_PORT": str(port),
        "GRADIO_SERVER_NAME": "127.0.0.1",
        "HF_HUB_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        **env_extra,
    }
    log_path = settings.data_dir / f"app-under-test-{port}.log"
    log = open(log_path, "w")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 180
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app.py exited: {log_path.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        raise RuntimeError("app.py did not start within 180 s")
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def server(coach, settings):
    """The real app on the session's index (already ingested by the ``coach`` fixture)."""
    with _app(settings) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def artifacts() -> Path:
    out = Path(os.environ.get("COACH_ARTIFACTS", ROOT / ".artifacts"))
    out.mkdir(parents=True, exist_ok=True)
    return out


def _ask(page, question: str) -> None:
    box = page.locator("#coach-question textarea")
    box.wait_for(timeout=60_000)
    box.fill(question)
    box.press("Enter")


@pytest.mark.parametrize("width", [1280, 375])
def test_chat_sources_feedback_and_checklist_in_a_browser(server, browser, artifacts, settings, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(server)
    _ask(page, "How long should a pilot run?")
    answer = page.locator("#coach-chat a[href='#coach-src-2']").first
    answer.wait_for(timeout=60_000)
    assert "4-8 weeks" in page.locator("#coach-chat").inner_text()
    page.screenshot(path=str(artifacts / f"chat-{width}.png"), full_page=True)

    # Opening a citation shows its passage with the quoted text highlighted.
    assert page.locator("#coach-src-2").get_attribute("open") is None
    answer.click()
    mark = page.locator("#coach-src-2 mark")
    mark.wait_for(state="visible", timeout=10_000)
    assert "weeks" in mark.inner_text()
    page.screenshot(path=str(artifacts / f"source-{width}.png"), full_page=True)

    # A thumbs-down with a reason lands in the store.
    page.locator("#coach-down").click()
    page.locator("#coach-reason label", has_text="missing information").click()
    page.locator("#coach-comment textarea").fill(f"browser test at {width}px")
    page.locator("#coach-feedback-send").click()
    page.locator("#coach-feedback-status", has_text="recorded").wait_for(timeout=10_000)
    with sqlite3.connect(settings.data_dir / "sessions.sqlite3") as db:
        rows = db.execute(
            "SELECT vote, reason FROM feedback WHERE comment = ?", (f"browser test at {width}px",)
        ).fetchall()
    assert rows == [(-1, "missing information")]

    # Two checklist items with the buttons.
    page.get_by_role("tab", name="Checklists").click()
    pick = page.locator("#coach-checklist-pick input")
    pick.click()
    page.locator("ul[role='listbox'] li", has_text="Pilot Readiness").first.click()
    page.locator("#coach-checklist-restart").click()
    progress = page.locator("#coach-checklist-progress")
    progress.filter(has_text="Item 1 of 15").wait_for(timeout=20_000)
    assert "Clear problem identified" in page.locator("#coach-checklist-item").inner_text()
    page.locator("#coach-answer-yes").click()
    progress.filter(has_text="Item 2 of 15").wait_for(timeout=20_000)
    page.locator("#coach-answer-no").click()
    progress.filter(has_text="Item 3 of 15").wait_for(timeout=20_000)
    assert "Champion committed" in page.locator("#coach-checklist-item").inner_text()
    page.screenshot(path=str(artifacts / f"checklist-{width}.png"), full_page=True)

    # Usable at this width: nothing wider than the viewport.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than the {width}px viewport"
    page.close()


def test_signing_in_then_asking_in_a_browser(coach, browser, artifacts, settings):
    """With ``COACH_WEB__AUTH`` the page asks for a login; a wrong password is turned away, the right
    one opens the chat, and what is logged is the user's pseudonym, never the login name."""
    from assistant.guards import Pseudonyms, user_key

    login, password = "owner@bakery-example.com", "pw-browser-7731"
    with _app(settings, COACH_WEB__AUTH=f"{login}:{password}") as url:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        page.get_by_label("username").fill(login)
        page.get_by_label("password").fill("not-the-password")
        page.get_by_role("button", name="Login").click()
        page.get_by_text("Incorrect Credentials").wait_for(timeout=20_000)
        assert page.locator("#coach-question").count() == 0
        page.get_by_label("username").fill(login)  # the form comes back empty
        page.get_by_label("password").fill(password)
        page.get_by_role("button", name="Login").click()
        _ask(page, "What does a pilot cost for a small business?")
        page.locator("#coach-chat a[href='#coach-src-1']").first.wait_for(timeout=60_000)
        assert "$" in page.locator("#coach-chat").inner_text()
        page.screenshot(path=str(artifacts / "signed-in.png"), full_page=True)
        page.close()
    pseudonym = Pseudonyms(user_key(None, settings.data_dir))
    with sqlite3.connect(settings.data_dir / "sessions.sqlite3") as db:
        users = {u for (u,) in db.execute("SELECT user FROM interactions WHERE channel = 'web'")}
    assert pseudonym(login) in users
    assert not any(login in u for u in users)


def test_the_readme_python_api_example_runs_as_written(server):
    """The README's gradio_client example, against the real app: "/ask" is the API's own endpoint."""
    from gradio_client import Client

    client = Client(server, verbose=False)
    answer = client.predict("How long should our AI pilot run?", "", "", api_name="/ask")  # question, session, stage
    assert not answer["abstained"] and answer["citations"][0]["verified"], answer
    assert {"id", "answer", "citations", "confidence", "verification"} <= set(answer)
    done = client.predict(
        answer["id"], "down", "missing information", "no enterprise figure", "alice", api_name="/feedback"
    )
    assert done["ok"] and done["answer_id"] == answer["id"] and done["vote"] == "down", done
