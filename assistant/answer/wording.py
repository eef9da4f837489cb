"""Words of a question that name something the playbook never mentions.

"How do we set up SSO with Okta?" or "What does the EU AI Act require?" name a product, a body or a
technique; when the playbook never uses that word, its quotes about setting things up or about
requirements answer a different question, and the honest answer is to decline and say which word the
playbook does not know. A word counts as such a name when the playbook's vocabulary lacks it and it is
written as one (an acronym, a capitalised word inside a sentence) or, written in lower case as chat
messages are ("jira workflow?"), when it is rare in English (below ``RARE_ZIPF`` on ``wordfreq``'s Zipf
scale, where 3 is a word met once in a million). Everyday words the playbook does not use ("scared",
"flops") say how the asker talks; a slip of the hand ("conifrmed": two letters of a common word
swapped), a contraction written without its apostrophe ("shouldn t"), lower-case shorthand of three
letters ("txn") and a word with a digit ("12s", "p95") are not names either.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from rapidfuzz.distance import OSA
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from wordfreq import top_n_list, zipf_frequency

RARE_ZIPF = 3.0

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-'’][A-Za-z0-9]+)*")
_SENTENCE_END = re.compile(r"(?:^|[.!?:;\n])\s*$")


def unknown_names(question: str, known: Callable[[str], bool]) -> list[str]:
    """The question's words, as written, that are names and that ``known`` (the playbook's vocabulary)
    lacks."""
    return [word for word, is_known in _names(question, known) if not is_known]


def known_names(question: str, known: Callable[[str], bool]) -> list[str]:
    """The question's words that are written as names (an acronym, a capitalised word inside a sentence:
    "GDPR", "HIPAA") and that the playbook's vocabulary has. A rare word in lower case ("onboarded") is
    not taken for one here: the playbook using it makes it one of its own words."""
    return [word for word, is_known in _names(question, known, written=True) if is_known]


# Words that, before a name, make the word after its phrase the question's verb ("What does GDPR
# require"), not a noun of the name's phrase ("Which CAPTCHA provider").
_AUXILIARY = re.compile(
    r"(?:^\W*|\b(?:what|which|how|when|where|why|who)\b(?:\W+\w+){0,2}?\W+)"
    r"(?:do|does|did|can|could|should|will|would|has|have|had|must)\b",
    re.I,
)
_PHRASE_END = re.compile(r"[^\w\s'’-]")


def named_things(question: str, known: Callable[[str], bool], stop: frozenset[str]) -> dict[str, list[str]]:
    """The names of ``known_names``, and words rare in English the playbook knows, however written ("grafana",
    "neo4j"), each with the words that follow it in its phrase: "Which CAPTCHA provider should…" asks for
    a provider, "neo4j schema for…" for a schema, "grafana dashboard json" for a file. The phrase ends
    at a word of ``stop``, at punctuation or at the end; after an auxiliary ("What does GDPR require")
    the word that follows is the question's verb, and the phrase is the name alone."""
    names = set(known_names(question, known))
    words = list(_WORD.finditer(question))
    for m in words:
        word = m.group(0)
        inner_digit = re.search(r"[a-z]\d+[a-z]", word.lower()) is not None
        if known(word) and (inner_digit or (_rare(word.lower()) and "'" not in word)):
            names.add(word)
    out: dict[str, list[str]] = {}
    for k, m in enumerate(words):
        if m.group(0) not in names or m.group(0) in out:
            continue
        phrase: list[str] = []
        if not _AUXILIARY.search(question[: m.start()]):
            end = m.end()
            for nxt in words[k + 1 :]:
                between = question[end : nxt.start()]
                if _PHRASE_END.search(between) or nxt.group(0).lower() in stop or nxt.group(0) in names:
                    break
                if any(c.isdigit() for c in nxt.group(0)):
                    break
                phrase.append(nxt.group(0))
                end = nxt.end()
        out[m.group(0)] = phrase
    return out


def _names(question: str, known: Callable[[str], bool], written: bool = False) -> list[tuple[str, bool]]:
    out: dict[str, bool] = {}
    for m in _WORD.finditer(question):
        word = re.sub(r"['’]s$", "", m.group(0))  # "Okta's" names Okta
        inner_digit = re.search(r"[a-z]\d+[a-z]", word.lower()) is not None  # "k8s", "neo4j": a name
        if "'" in word or "’" in word or (any(c.isdigit() for c in word) and not inner_digit):
            continue  # a contraction ("We're") is not a name, nor is a figure ("12s", "p95")
        parts = [p for p in word.split("-") if p]
        is_known = known(word) or (not inner_digit and all(known(p) or any(c.isdigit() for c in p) for p in parts))
        acronym = len(word) >= 2 and word.isupper()
        capitalised = word[0].isupper() and not _SENTENCE_END.search(question[: m.start()])
        rare = inner_digit or _rare(word.lower(), question[m.end() : m.end() + 3])
        if acronym or capitalised or (not written and rare):
            out.setdefault(word, is_known)
    return list(out.items())


@functools.lru_cache(maxsize=8192)
def _rare(word: str, after: str = "") -> bool:
    """A lower-case word rare in English that is neither a slip of a common word nor a contraction
    written without its apostrophe ("shouldn t")."""
    if len(word) <= 3 or zipf_frequency(word, "en") >= RARE_ZIPF:
        return False
    if re.match(r"\s?t\b", after) or zipf_frequency(f"{word}'t", "en") >= RARE_ZIPF:
        return False
    return not _slip_of_common(word)


def _slip_of_common(word: str) -> bool:
    """Two neighbouring letters of a common word swapped, or, in a word of six letters or more, one
    letter of a common word dropped, added or changed."""
    common = _common_words()
    for other in common.get(len(word), ()):
        if sorted(other) == sorted(word) and OSA.distance(word, other, score_cutoff=1) <= 1:
            return True
    if len(word) >= 6:
        for n in range(len(word) - 1, len(word) + 2):
            if any(OSA.distance(word, other, score_cutoff=1) <= 1 for other in common.get(n, ())):
                return True
    return False


@functools.lru_cache(maxsize=1)
def _common_words() -> dict[int, tuple[str, ...]]:
    by_length: dict[int, list[str]] = {}
    for w in top_n_list("en", 40000):
        if w.isalpha():
            by_length.setdefault(len(w), []).append(w)
    return {n: tuple(ws) for n, ws in by_length.items()}


# What a question asks about: the phrase after "what"/"which" ("what hourly wage should…", "which cyber
# insurance policy would…"), or the object of "how do I <verb>" ("how do I register a trademark for…"). The
# phrase ends before a verb, pronoun or preposition, or at punctuation.
_THING_END = (
    r"(?=\s+(?:should|would|could|can|will|must|do|does|did|is|are|was|were|has|have|had|for|to|if|when|that"
    r"|which|who|i|we|you|they|he|she|my|our|your|their|in|on|at|with|from|before|after|and|or|but|like|so|it"
    r"|as|of|i'd|we'd|i'm|we're)\b|\s*[?,.;:!]|\s*$)"
)
_THING = (
    re.compile(
        r"\b(?:what|which)(?:['’]s|\s+is|\s+are|\s+was|\s+were)?\s+((?:the|a|an)\s+)?"
        r"(?:(?:kinds?|types?|sorts?)\s+of\s+)?((?:[\w-]+\s+){0,5}?[\w-]+)" + _THING_END,
        re.I,
    ),
    re.compile(
        r"\bhow\s+(?:do|can|should|would|could|to)\s+(?:(?:i|we|you|they)\s+)?\w+\s+(?:(?:up|off|out)\s+)?"
        r"((?:a|an|the|my|our|their|his|her|your|this|that)\s+)?((?:[\w-]+\s+){0,3}?[\w-]+)" + _THING_END,
        re.I,
    ),
)
_VERB_FIRST = re.compile(
    r"^(?:do|does|did|can|could|should|will|would|must|is|are|was|were|has|have|had|\w+ed|\w+ing)\b", re.I
)
_KIND_WORDS = frozenset({"kind", "kinds", "type", "types", "sort", "sorts"})


def asked_things(question: str) -> list[str]:
    """The phrases naming what a question asks about ("hourly wage", "trademark", "cyber insurance
    policy"); none where the word after "what" is the question's verb ("what does the guide say",
    "what's supposed to happen")."""
    out = []
    for pattern in _THING:
        for m in pattern.finditer(question):
            phrase = m.group(2)
            if not m.group(1) and _VERB_FIRST.match(phrase):
                continue
            out.append(phrase)
    return out


def unheard_things(question: str, known: Callable[[str], bool], read_as: Callable[[str], object]) -> list[str]:
    """The words, among the first three of what the question asks about (``asked_things``), that the
    playbook never uses in any form (``known`` lacks them) and that the vocabulary does not read as one of
    its own (``read_as`` gives nothing): "wage" of "what hourly wage should I pay", "trademark" of "how do
    I register a trademark". English stop words say nothing of their own."""
    out: list[str] = []
    for phrase in asked_things(question):
        for word in re.split(r"[\s-]+", phrase.lower())[:3]:
            if len(word) < 2 or word in ENGLISH_STOP_WORDS or word in _KIND_WORDS or word.isdigit():
                continue
            if not known(word) and not read_as(word):
                out.append(word)
    return list(dict.fromkeys(out))
