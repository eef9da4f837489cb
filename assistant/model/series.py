"""The items of a series a sentence lists ("latency, privacy and cost"): where the passage holds the
others word for word, an item of which it holds no word is not the passage's ("accuracy, privacy and
cost" where the line says "latency, privacy, and cost"; a fourth item added to a list of three)."""

from __future__ import annotations

import re

from assistant.index.corpus import tokens
from assistant.model.facts import FUNCTION_WORDS
from assistant.model.meaning import covered

_BREAK = re.compile(r"[;:.!?()\n—]")
_LAST = re.compile(r"^(?:(.+?),?\s+)?(?:and|or)\s+(.+)$", re.I)
ITEM_WORDS = 3  # an item of a series is a few words; a longer piece is a clause of its own


def series(text: str, meta: frozenset[str]) -> list[list[tuple[set[str], bool]]]:
    """Each series the text lists, as its items' content words: the short pieces a comma parts, up to
    the one "and" or "or" brings last; each with whether it is a piece of its own (the first item may be
    the last word of the clause that leads into the series, which may as well name what the items are:
    "two kinds, oven and flour")."""
    out = []
    for piece in _BREAK.split(text):
        parts = [p.strip() for p in piece.split(",")]
        m = _LAST.match(parts[-1]) if len(parts) > 1 else None
        if m is None:
            continue
        items = [*parts[:-1], *(g for g in m.groups() if g)]
        run: list[tuple[set[str], bool]] = []
        for item in reversed(items):
            said = tokens(item)
            words = set(said) - meta - FUNCTION_WORDS  # "whoever trains them" says how, not what
            if not words or any(c.isdigit() for w in words for c in w):
                break  # a figure is the figure checks' to hold
            if len(said) > ITEM_WORDS:
                # The series' first item ends the clause that leads into it ("planned around traffic").
                if len(run) >= 2 and said[-1] in words:
                    run.append(({said[-1]}, False))
                break
            run.append((words, True))
        if len(run) >= 3:
            out.append(run)
    return out


def foreign_item(statement: str, have: set[str], meta: frozenset[str]) -> bool:
    """An item of one of the statement's series of which the passage (``have``, its stems) holds no
    word, where it holds at least two other items whole."""
    for run in series(statement, meta):
        whole = sum(all(covered(w, have) for w in item) for item, _ in run)
        if whole >= 2 and any(own and not any(covered(w, have) for w in item) for item, own in run):
            return True
    return False
