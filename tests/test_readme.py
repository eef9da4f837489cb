"""The README's command-line examples run as written, and the answer it shows is the answer given."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

README = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
# Examples that wait for a person (chat, a walkthrough) or stand for any value ("…", ID, FILE).
_NOT_RUN = re.compile(r"…|\bID\b|\bFILE\b|^chat\b|^checklist run\b|^ingest\b")


def _section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end > 0 else len(README)]


def _commands() -> list[list[str]]:
    """Every ``coach …`` command the command-line section gives, its optional parts (``[…]``) left out."""
    found = []
    for m in re.finditer(r"`coach ([^`]+)`", _section("Command line")):
        command = " ".join(re.sub(r"\[[^\]]*\]", " ", m.group(1)).split())
        if not _NOT_RUN.search(command):
            found.append(shlex.split(command))
    return found


def test_every_command_the_readme_gives_runs(cli, capsys):
    commands = _commands()
    assert {c[0] for c in commands} >= {"checklist", "gonogo", "roi", "config"}, commands
    for argv in commands:
        assert cli(*argv) == 0, argv
        assert capsys.readouterr().out.strip(), argv


def test_the_answer_the_readme_shows_is_the_answer_given(cli, capsys):
    block = re.search(r"```console\n\$ \.venv/bin/coach (.+?)\n(.*?)```", _section("Command line"), re.S)
    assert block is not None
    assert cli(*shlex.split(block.group(1))) == 0
    shown = [line.rstrip() for line in block.group(2).strip().splitlines()]
    given = [line.rstrip() for line in capsys.readouterr().out.strip().splitlines()]
    assert given == shown
