"""The CLI contract: ``coach ask --json``, ``--jsonl`` with sessions, ``config show``, errors."""

from __future__ import annotations

import json

from assistant.config import Settings
from assistant.interfaces.cli import run

CONTRACT_KEYS = {
    "id", "answer", "abstained", "citations", "confidence", "generator", "verification", "stage", "session",
    "prompt_version", "latency_ms",
}  # fmt: skip


def test_ask_json_contract(cli, capsys):
    assert cli("ask", "--json", "How many pilot users should we recruit?") == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= CONTRACT_KEYS
    assert data["generator"] == "extractive" and not data["abstained"]
    citation = data["citations"][0]
    assert {"n", "doc", "title", "section", "quote", "start", "end", "verified", "support"} <= set(citation)
    assert data["verification"]["sentences"] >= 1


def test_ask_markdown_lists_numbered_sources(cli, capsys):
    assert cli("ask", "What", "goes", "into", "a", "model", "card?") == 0
    out = capsys.readouterr().out
    assert "Sources:" in out and "[1] " in out


def test_jsonl_sessions_in_order_and_bad_lines_reported(cli, tmp_path, capsys):
    lines = [
        {"id": "q1", "question": "How much does a prototype cost?", "session": "s"},
        {"id": "q2", "question": "And for production?", "session": "s"},
        {"id": "q3", "question": "What about the weather on Mars?"},
    ]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n" + json.dumps({"id": "q5"}) + "\n")
    code = cli("ask", "--jsonl", str(path))
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert code == 1  # some lines failed, and said so
    assert [r["id"] for r in rows] == ["q1", "q2", "q3", "4", "q5"]
    assert rows[1]["session"] == "s" and "production" in rows[1]["standalone_question"].lower()
    assert rows[2]["abstained"] is True
    assert "not valid JSON" in rows[3]["error"] and "question" in rows[4]["error"]


def test_config_show_masks_secrets(tmp_path, capsys):
    settings = Settings(data_dir=tmp_path, llm={"api_key": "sk-secret-value"})
    assert run(["config", "show"], load=lambda: settings) == 0
    out = capsys.readouterr().out
    assert "sk-secret-value" not in out and "********" in out


def test_errors_are_sentences_not_tracebacks(tmp_path, capsys):
    settings = Settings(data_dir=tmp_path / "d", knowledge_dir=tmp_path / "missing")
    assert run(["ingest"], load=lambda: settings) == 2
    err = capsys.readouterr().err
    assert err.startswith("coach: The knowledge folder") and "Traceback" not in err


def test_bad_setting_is_a_clear_message(monkeypatch, capsys):
    monkeypatch.setenv("COACH_LLM__PROVIDER", "magic")
    assert run(["config", "show"]) == 2
    assert "COACH_LLM__PROVIDER" in capsys.readouterr().err
