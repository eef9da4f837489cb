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


def _open(page, url: str) -> None:
    """Go to the app and wait until it has loaded: its conversation restored, ready for questions."""
    page.goto(url)
    page.wait_for_function("() => window.coachReady === true", timeout=60_000)


def _page(browser, width: int):
    """A page at a desktop or phone size that records the console's errors."""
    page = browser.new_page(viewport={"width": width, "height": 800 if width > 500 else 844})
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    return page


def _answers(page, n: int, shown: int | None = None) -> list[str]:
    """Wait for the n-th answer with sources (and, when ``shown`` is given, for the page to have brought
    that many answers into view since it loaded); the keys of the answers' markers, in order."""
    if shown is not None:
        page.wait_for_function("n => (window.coachAnswersShown || 0) >= n", arg=shown, timeout=60_000)
    page.wait_for_function(
        "n => new Set(Array.from(document.querySelectorAll('#coach-chat details.coach-src'))"
        ".map(d => d.id.split('-')[2])).size >= n",
        arg=n,
        timeout=60_000,
    )
    ids = page.eval_on_selector_all("#coach-chat details.coach-src", "els => els.map(e => e.id.split('-')[2])")
    return list(dict.fromkeys(ids))


def _in_view(page, selector: str, within: str | None = None) -> bool:
    """Whether the element can be seen: inside the window, the chat's scrolling box when it is in the
    chat, and ``within``'s box when given."""
    return page.evaluate(
        """([sel, within]) => {
          const el = document.querySelector(sel);
          const r = el.getBoundingClientRect();
          const boxes = [{top: 0, bottom: window.innerHeight}];
          const chat = el.closest('#coach-chat .bubble-wrap');
          if (chat) boxes.push(chat.getBoundingClientRect());
          if (within) boxes.push(document.querySelector(within).getBoundingClientRect());
          return r.height > 0 && boxes.every(b => r.top >= b.top - 1 && r.bottom <= b.bottom + 1);
        }""",
        [selector, within],
    )


def _server_log(url: str, settings) -> str:
    port = url.rstrip("/").rsplit(":", 1)[1]
    return (settings.data_dir / f"app-under-test-{port}.log").read_text()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_chat_in_a_browser(server, browser, artifacts, settings, width):
    page = _page(browser, width)
    _open(page, server)
    chat = page.locator("#coach-chat")

    # A welcome, and example questions that send (not only fill the box).
    chat.get_by_text("Welcome to Playbook Coach").wait_for(timeout=60_000)
    page.screenshot(path=str(artifacts / f"welcome-{width}.png"))
    # An empty question gets a message in the chat, not an error; the box clears for the next one.
    page.locator("#coach-send").click()
    chat.get_by_text("(empty question)").wait_for(timeout=20_000)
    page.wait_for_function("() => window.coachAnswersShown >= 1", timeout=20_000)
    page.evaluate("window.coachAnswersShown = 0")  # the answers below count from here
    chat.locator("button[aria-label='Clear']").click()
    chat.get_by_text("Welcome to Playbook Coach").wait_for(timeout=10_000)
    chat.locator(".example").first.click()
    (first,) = _answers(page, 1, shown=1)
    assert "weeks" in chat.inner_text()
    _ask(page, "What does a prototype cost?")
    first_again, second = _answers(page, 2, shown=2)
    assert first_again == first != second

    # Each answer's markers open that answer's own passage, the quote highlighted, in view, as text.
    older = chat.locator(f"a[href='#coach-src-{first}-1']").first
    older.click()
    source = f"#coach-src-{first}-1"
    page.wait_for_function("s => document.querySelector(s).open", arg=source, timeout=10_000)
    assert not page.evaluate(f"document.querySelector('#coach-src-{second}-1').open")
    assert _in_view(page, f"{source} mark", within=f"{source} .passage") and _in_view(page, f"{source} mark")
    passage = page.locator(f"{source} .passage").inner_text()
    assert "weeks" in page.locator(f"{source} mark").inner_text()
    assert "###" not in passage and "**" not in passage and "- [ ]" not in passage
    page.screenshot(path=str(artifacts / f"source-{width}.png"))
    # ...with a way back to where the reader was.
    page.locator(f"{source} .coach-back").click()
    page.wait_for_timeout(300)
    assert _in_view(page, f"#coach-chat a[href='#coach-src-{first}-1']")
    # A later marker of the older answer works too.
    last_n = max(int(h.rsplit("-", 1)[1]) for h in chat.locator(f"a[href^='#coach-src-{first}-']").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))"))  # fmt: skip
    chat.locator(f"a[href='#coach-src-{first}-{last_n}']").first.click()
    page.wait_for_function("s => document.querySelector(s).open", arg=f"#coach-src-{first}-{last_n}", timeout=10_000)

    # Feedback belongs to each answer: 👎 and a reason on the first answer, a comment, nothing on the second.
    chat.locator("button[aria-label='Dislike']").first.click()
    status = page.locator("#coach-feedback-status")
    status.filter(has_text="recorded 👎").wait_for(timeout=10_000)
    chat.locator("button[aria-label='Feedback']").first.click()
    chat.locator(".extra-feedback-option", has_text="missing information").first.click()
    status.filter(has_text="missing information").wait_for(timeout=10_000)
    page.locator("#coach-comment textarea").fill(f"browser test at {width}px")
    page.locator("#coach-comment-send").click()
    status.filter(has_text="comment is recorded").wait_for(timeout=10_000)
    with sqlite3.connect(settings.data_dir / "sessions.sqlite3") as db:
        votes = dict(db.execute("SELECT answer_id, reason FROM feedback WHERE answer_id IN (?, ?)", (first, second)))
        comment = db.execute("SELECT comment FROM feedback WHERE answer_id = ?", (first,)).fetchone()
    assert votes == {first: "missing information"} and comment == (f"browser test at {width}px",)

    # A new answer lands in view even after the reader scrolled up to an older one.
    page.evaluate("document.querySelector('#coach-chat .bubble-wrap').scrollTop = 0")
    _ask(page, "Who should be on the pilot team?")
    *_, third = _answers(page, 3, shown=3)
    assert page.evaluate(
        """() => { const rows = document.querySelectorAll('#coach-chat .message-row.user-row');
                   const asked = rows[rows.length - 1].getBoundingClientRect();
                   const box = document.querySelector('#coach-chat .bubble-wrap').getBoundingClientRect();
                   return asked.top >= box.top - 1 && asked.top < box.bottom - 40
                       && asked.top < window.innerHeight; }"""
    ), "the newest question and its answer are out of view"

    # A reload keeps what was said; the markers still open their passages.
    page.reload()
    page.wait_for_function("() => window.coachReady === true", timeout=60_000)
    assert _answers(page, 3)[-1] == third
    chat.locator(f"a[href='#coach-src-{second}-1']").first.click()
    page.wait_for_function("s => document.querySelector(s).open", arg=f"#coach-src-{second}-1", timeout=10_000)

    # The trash icon starts a new conversation: a follow-up is not read as one to the cleared question.
    chat.locator("button[aria-label='Clear']").click()
    chat.get_by_text("Welcome to Playbook Coach").wait_for(timeout=10_000)
    _ask(page, "And for production?")
    page.locator("#coach-chat .message-row.bot-row").first.wait_for(timeout=60_000)
    page.wait_for_function(
        "() => !document.querySelector('#coach-chat').innerText.includes('Looking in the playbook')", timeout=60_000
    )
    assert "Answering:" not in chat.inner_text() and "prototype cost" not in chat.inner_text()

    # Every tab is reachable at this width, and nothing is wider than the screen.
    tabs = page.get_by_role("tab")
    assert [t for t in tabs.all_inner_texts()] == ["Chat", "Checklists", "Go/no-go & ROI", "Dashboard"]
    assert all(t.is_visible() for t in tabs.all())
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than the {width}px viewport"
    page.screenshot(path=str(artifacts / f"chat-{width}.png"), full_page=True)
    assert page.console_errors == []
    assert "Traceback" not in _server_log(server, settings)
    page.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_checklists_tools_and_dashboard_in_a_browser(server, browser, artifacts, settings, width):
    page = _page(browser, width)
    _open(page, server)

    # Go / no-go: the untouched form is "unknown", never an error; a wrong value gets a message that
    # replaces the previous result.
    page.get_by_role("tab", name="Go/no-go & ROI").click()
    result = page.locator("#coach-gonogo-result")
    page.locator("#coach-gonogo").click()
    result.filter(has_text="Decision:").wait_for(timeout=20_000)
    page.locator("#coach-gonogo-acceptance textarea, #coach-gonogo-acceptance input").first.fill("150")
    page.locator("#coach-gonogo").click()
    result.filter(has_text="from 0 to 100").wait_for(timeout=20_000)
    assert "Decision:" not in result.inner_text()
    page.locator("#coach-gonogo-acceptance textarea, #coach-gonogo-acceptance input").first.fill("70%")
    page.locator("#coach-gonogo-active textarea, #coach-gonogo-active input").first.fill("75")
    page.locator("#coach-gonogo").click()
    result.filter(has_text="Decision:").wait_for(timeout=20_000)
    # ROI: empty fields are named, not computed as 0; the playbook's example fills them.
    roi = page.locator("#coach-roi-result")
    page.locator("#coach-roi").click()
    roi.filter(has_text="fill in").wait_for(timeout=20_000)
    assert "$0" not in roi.inner_text()
    page.get_by_role("button", name="Use the playbook's example").click()
    page.wait_for_timeout(500)
    page.locator("#coach-roi").click()
    roi.filter(has_text="19,200 hours").wait_for(timeout=20_000)
    page.screenshot(path=str(artifacts / f"tools-{width}.png"), full_page=True)
    assert page.locator(".toast-body.error, .toast-wrap .error").count() == 0

    # Dashboard: a date that is not one gets a message; the charts draw (images with a size), and the
    # table's words are not broken.
    page.get_by_role("tab", name="Dashboard").click()
    since = page.get_by_label("From (YYYY-MM-DD)")
    since.fill("last tuesday")
    page.locator("#coach-dashboard-refresh").click()
    page.locator("#coach-dashboard-summary").filter(has_text="not a date").wait_for(timeout=20_000)
    since.fill("2026-01-01")
    page.locator("#coach-dashboard-refresh").click()
    page.locator("#coach-dashboard-summary").filter(has_text="Questions").wait_for(timeout=20_000)
    for chart in ("questions", "latency", "reasons"):
        img = page.locator(f"#coach-chart-{chart} img")
        img.wait_for(timeout=30_000)
        assert img.evaluate("i => i.complete && i.naturalWidth > 100 && i.getBoundingClientRect().height > 50")
    one_line = page.evaluate(
        """() => Array.from(document.querySelectorAll('#coach-dashboard-summary td'))
             .filter(td => td.innerText.trim() === 'Usage')
             .map(td => { const r = document.createRange(); r.selectNodeContents(td);
                          return new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top))).size; })
             .every(lines => lines <= 1)"""
    )
    assert one_line, "a word of the dashboard's table breaks over two lines"
    page.screenshot(path=str(artifacts / f"dashboard-{width}.png"), full_page=True)

    # Checklists: nothing chosen until the user picks; a running score; the export box appears on export;
    # "Your runs" shows the run as it goes.
    page.get_by_role("tab", name="Checklists").click()
    pick = page.locator("#coach-checklist-pick input")
    assert pick.input_value() == ""
    page.locator("#coach-checklist-start").click()  # nothing picked yet
    page.locator("#coach-checklist-item").filter(has_text="Pick a checklist first").wait_for(timeout=20_000)
    assert not page.locator("#coach-export-file").is_visible()
    pick.click()
    page.locator("ul[role='listbox'] li", has_text="Pilot Readiness").first.click()
    page.locator("#coach-checklist-restart").click()
    progress = page.locator("#coach-checklist-progress")
    progress.filter(has_text="Item 1 of 15").wait_for(timeout=20_000)
    assert "Clear problem identified" in page.locator("#coach-checklist-item").inner_text()
    page.locator("#coach-answer-yes").click()
    progress.filter(has_text="1 yes").wait_for(timeout=20_000)
    page.locator("#coach-answer-no").click()
    progress.filter(has_text="1 yes, 1 no").wait_for(timeout=20_000)
    assert "so far" in progress.inner_text() and "Item 3 of 15" in progress.inner_text()
    if width > 500:  # to the end, once: the result and the run's row in "Your runs"
        for k in range(4, 17):
            page.locator("#coach-answer-partial").click()
            progress.filter(has_text=f"Item {k} of 15" if k <= 15 else "15 of 15").wait_for(timeout=20_000)
        page.locator("#coach-checklist-result").filter(has_text="/20").wait_for(timeout=30_000)
        page.locator("#coach-checklist-result").filter(has_text="Gaps").wait_for(timeout=30_000)
        guidance = page.locator("#coach-checklist-result").inner_text()
        labels = [ln for ln in guidance.splitlines() if ln.strip().endswith(":") and not ln.startswith("Gaps (")]
        assert not labels, "a gap's guidance is a fragment"
        page.locator("table", has_text="Started (UTC)").filter(has_text="/20").wait_for(timeout=20_000)
    page.locator("#coach-export").click()
    page.locator("#coach-export-file").wait_for(state="visible", timeout=20_000)
    page.screenshot(path=str(artifacts / f"checklist-{width}.png"), full_page=True)

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than the {width}px viewport"
    assert page.console_errors == []
    assert "Traceback" not in _server_log(server, settings)
    page.close()


def test_chat_roi_in_a_browser(server, browser):
    page = _page(browser, 1280)
    _open(page, server)
    _ask(page, "30 minutes before, 10 after, 12 tasks a day, 6 users, 230 days a year, $40 an hour: our ROI?")
    chat = page.locator("#coach-chat")
    chat.filter(has_text="hours and $").wait_for(timeout=60_000)
    text = chat.inner_text()
    assert "5,520 hours and $220,800" in text and "28,800" not in text
    page.close()


def test_signing_in_then_asking_in_a_browser(coach, browser, artifacts, settings):
    """With ``COACH_WEB__AUTH`` the page asks for a login; a wrong password is turned away, the right
    one opens the chat, and what is logged is the user's pseudonym, never the login name."""
    from assistant.service.guards import Pseudonyms, user_key

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
        _answers(page, 1)
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
