"""Opposite words: where a sentence says one of a pair and its passage the other, it swaps, not
paraphrases ("after implementation ends" where the passage says "before implementation begins")."""

from __future__ import annotations

import re
from collections.abc import Callable

import snowballstemmer

from assistant.model.facts import NEGATION

_STEMMER = snowballstemmer.stemmer("english")

# Words whose opposite in the span is a swap, not a paraphrase ("after implementation ends" where the
# passage says "before implementation begins").
OPPOSITES = (("before", "after"), ("early", "late"), ("earlier", "later"), ("increas", "decreas"), ("higher", "lower"),
             ("maximum", "minimum"), ("faster", "slower"), ("larger", "smaller"), ("optional", "requir"),
             ("optional", "mandatori"), ("optional", "insist"), ("succeed", "fail"), ("manual", "automat"),
             ("manual", "autom"), ("internal", "extern"), ("broad", "narrow"), ("wide", "narrow"), ("thin", "thick"),
             ("simpl", "complex"), ("cheap", "expens"), ("includ", "exclud"), ("small", "larg"), ("minor", "major"),
             ("accept", "reject"), ("enabl", "disabl"), ("strict", "loos"), ("posit", "negat"), ("most", "least"),
             ("most", "minim"), ("high", "low"))  # fmt: skip

# Words for a change in one direction, down and up: "denials rose" where the passage says "a reduction in
# denials" turns it round; "fell" where it says "reduced" says the same.
DIRECTIONS = (("reduce", "reduction", "decrease", "fall", "fell", "drop", "lower", "cut", "shrink", "decline"),
              ("increase", "rise", "rose", "grow", "grew", "growth", "raise", "boost", "climb"))  # fmt: skip
_WAYS = tuple(frozenset(_STEMMER.stemWord(w) for w in way) for way in DIRECTIONS)

# Prefixes that make a word's opposite of the same stem: "overestimate" and "underestimate".
_PREFIX_PAIRS = (("over", "under"), ("up", "down"), ("in", "out"))


def _prefix_opposites(said: set[str]) -> list[tuple[str, str]]:
    """Opposite pairs made by prefixing a word of ``said``: "overestim" with "underestim"."""
    out = []
    for word in said:
        for a, b in _PREFIX_PAIRS:
            for x, y in ((a, b), (b, a)):
                if word.startswith(x) and len(word) - len(x) >= 4:
                    out.append((word, y + word[len(x) :]))
    return out


# A comparison one way and the other of the same word: "more common" and "less common", written
# "more~common" and "less~common" (``comparisons``).
_COMPARED = (("more~", "less~"), ("more~", "fewer~"))
_COMPARISON = re.compile(r"\b(more|less|fewer)\s+([a-z]{3,})")


def comparisons(text: str, stem: Callable[[str], str]) -> set[str]:
    """The comparisons the text makes of a word, each as one token: "more~common" for "more common"."""
    return {f"{m[1]}~{stem(m[2])}" for m in _COMPARISON.finditer(text.lower())}


def _compared_opposites(said: set[str]) -> list[tuple[str, str]]:
    """Opposite pairs of the comparisons ``said`` makes: "more~common" with "less~common"."""
    return [(w, b + w[len(a) :]) for w in said for x, y in _COMPARED for a, b in ((x, y), (y, x)) if w.startswith(a)]


def says_opposite(said: set[str], sources: list[set[str]], *, every: bool) -> bool:
    """The clause says one word of an opposite pair and not the other, where the source sentences (every
    one, or together) say the other and never the one."""
    down, up = _WAYS
    for one, other in ((down, up), (up, down)):
        if (
            said & one
            and not said & other
            and not any(f & one for f in sources)
            and (all if every else any)(f & other for f in sources)
        ):
            return True  # "denials rose" where the passage says "a reduction in denials"
    for a, b in [*OPPOSITES, *_prefix_opposites(said), *_compared_opposites(said)]:
        for x, y in ((a, b), (b, a)):
            if x not in said or y in said or any(x in f for f in sources):
                continue
            if (all if every else any)(y in f for f in sources):
                return True
    return False


# A line that sets one thing against another ("6 months actual vs 5 planned") says what "6 months instead
# of the 5 planned" says: the "vs" sets aside what follows it, as "rather than" does.
VERSUS = re.compile(r"\b(?:vs|versus)\b\.?", re.I)
_SET_AGAINST = re.compile(r"\b(?:rather than|instead of)\b", re.I)


def set_against(clause: str, line: str) -> bool:
    """The clause sets one thing against another with "rather than" or "instead of", denying nothing else,
    and the line with "vs"."""
    return bool(_SET_AGAINST.search(clause) and VERSUS.search(line)) and len(NEGATION.findall(clause)) == 1
