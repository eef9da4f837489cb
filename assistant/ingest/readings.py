"""Other readings of a line, each embedded as a vector of its own that stands for the line: a table row's
values, each with its row and column names (chunking.row_cells), and a fix read with the problem it
answers.

A fix says little by itself ("- Start with what you have"); an owner asks in the words of the problem
("getting our data sorted is taking forever"). The playbook states the problem just above its fix: a
label or heading ('**Challenge 4: "Data preparation takes too long"**', "### Pitfall 2: Perfectionism"),
often with a list of its own ("**Problem:** - Wait for perfect data"). Each item of the remedy list is
also read as "<the problem>: <the item>", its number ("Challenge 4:") left out: the number orders the
playbook's problems and says nothing of what one is.
"""

from __future__ import annotations

import re

from assistant.answer.rendering import is_bare_label
from assistant.answer.scoring import PROBLEM_LABEL, REMEDY_LABEL
from assistant.ingest.chunking import row_cells
from assistant.types import CleanDocument, Unit

# What numbers a problem among its kind: "Challenge 4:", "Gap 5:", "Pitfall 2:", "3.", "B)".
_NUMBERED = re.compile(r"^(?:[A-Z][\w-]*\s+)?(?:\d{1,2}|[A-Z])\s*[:.)]\s+")
_MARKUP = re.compile(r"^\s*(?:[-*+•]|\d{1,2}[.)])\s+|\*\*|[\"“”]")


def other_readings(doc: CleanDocument, units: list[Unit], sections: dict[str, str]) -> list[tuple[int, str]]:
    """Every other reading of the document's lines: (index of the line in ``units``, text)."""
    return row_cells(doc, units, sections) + remedy_readings(doc.text, units, sections)


def _plain(text: str) -> str:
    return " ".join(_MARKUP.sub("", text).split()).rstrip(":")


def _statement(text: str) -> str:
    return _NUMBERED.sub("", _plain(text)).strip()


def remedy_readings(text: str, units: list[Unit], sections: dict[str, str]) -> list[tuple[int, str]]:
    """Each item of a remedy list in ``text`` (a document's cleaned text) read with the problem it answers,
    as (index of the item in ``units``, reading). The problem is the last label above the list that states
    one, else the passage's own heading, with the items of a problem list ("**Symptoms:**") between them."""
    out: list[tuple[int, str]] = []
    problems: list[str] = []
    chunk, statement, mode, remedy_group = "", "", "", -1
    for k, u in enumerate(units):
        if u.read_only:
            continue
        line = text[u.start : u.end]
        if u.chunk_id != chunk:
            chunk, problems, mode, remedy_group = u.chunk_id, [], "", -1
            statement = _statement(sections.get(u.chunk_id, "").rsplit(" > ", 1)[-1])
        if u.kind == "label":
            own = _plain(line)
            if REMEDY_LABEL.search(own) and is_bare_label(own):
                mode, remedy_group = "remedy", u.group
            elif PROBLEM_LABEL.search(own) and is_bare_label(own):
                mode, problems = "problem", []
            elif is_bare_label(own):  # "**Results:**", "**A:**": a list of another kind, under the same problem
                mode = ""
            else:
                statement, problems, mode = _statement(line), [], ""
        elif u.kind == "item" and mode == "problem":
            problems.append(_plain(line))
        elif u.kind == "item" and mode == "remedy" and u.group == remedy_group + 1 and statement:
            said = ". ".join([statement, *problems])
            out.append((k, f"{said}: {_plain(line)}"))
        elif u.kind != "item":
            mode = ""
    return out
