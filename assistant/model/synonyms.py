"""The house vocabulary read the other way: a sentence put in the words askers use ("how often the
documents are updated") is covered where the passage says what the vocabulary maps them to ("Update
frequency matters"). Only the words of the phrase the vocabulary names are covered, and only where
the passage has one of the playbook's words for it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from assistant.index.corpus import tokens
from assistant.model.meaning import stem, stem_set

_PHRASE_WORDS = 4


@lru_cache(maxsize=512)
def _stems_of(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(stem_set({t for w in words for t in tokens(w)}))


def said_otherwise(
    statement: str, have: set[str], expansions: Sequence[tuple[re.Pattern[str], tuple[str, ...]]]
) -> set[str]:
    """The stems of the statement's words that a vocabulary phrase of it covers: the phrase matches the
    statement, and the passage (``have``, its stems) holds a word the vocabulary adds for it."""
    low = statement.lower()
    out: set[str] = set()
    for pattern, added in expansions:
        if not _stems_of(added) & have:
            continue
        for m in pattern.finditer(low):
            said = tokens(m.group(0))
            if len(said) <= _PHRASE_WORDS:  # a phrase, not a pattern's run up to its cue ("^.*how much")
                out |= {stem(t) for t in said}
    return out
