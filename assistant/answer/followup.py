"""Follow-up questions: rewrite a question that leans on the conversation into a standalone one.

Deterministic: a follow-up that names another stage ("And for production?") takes the previous
question with the stage swapped; a short or pronoun-led follow-up ("How many hours does that take?")
is asked together with the previous question's topic.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from assistant.index.corpus import tokens

_STAGE_WORDS = ("pilot", "prototype", "production")
_STAGE = re.compile(r"\b(pilot|prototype|production)(s)?\b", re.I)
# A numbered item of a series the playbook counts through: "phase 2", "week 6", "tier 3", "year 1".
_NUMBERED = re.compile(r"\b([a-z]+?)s?\s+(\d+)\b", re.I)
# A follow-up that points back at the stage the previous question named: "that stage", "at that point",
# or a closing "there" or "then" ("what does success look like there?").
_THAT_STAGE = re.compile(
    r"\b(?:(?:that|this|the same|same)\s+(?:stage|phase)|(?:at\s+)?(?:that|this)\s+point)\b"
    r"|\b(?:there|then)(?=\s*[?.!]*\s*$)",
    re.I,
)
_LEADS = re.compile(r"^\s*(and|but|also|so|what about|how about|then|ok|okay)\b", re.I)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’/-]*")
# Words of what a question asks rather than what it is about (question words are already stopwords).
INTENT_WORDS = frozenset(
    [
        "much",
        "many",
        "long",
        "often",
        "soon",
        "budget",
        "cost",
        "costs",
        "price",
        "take",
        "takes",
        "taking",
        "time",
        "need",
        "needs",
        "describe",
        "explain",
        "mean",
        "means",
        "tell",
        "list",
        "give",
        "say",
        "says",
    ]
)
# The words that make a phrase a question of its own ("which area gets the most?").
_ASKS = re.compile(
    r"\b(?:what|whats|how|which|who|whom|when|where|why|is|are|does|do|did|can|could|should|would|will)\b", re.I
)
_PRONOUNS = re.compile(r"\b(it|that|this|those|these|they|them|its|their|there|one)\b", re.I)


def _stage_preposition(said: str) -> str:
    """What goes before "the … stage" in place of ``said``: "in" for "there", "at" for "at that point"."""
    low = said.lower()
    return "in " if low == "there" else "at " if low.startswith("at ") else "during " if low == "then" else ""


def is_follow_up(question: str) -> bool:
    content = tokens(question)
    return bool(_LEADS.match(question)) or len(content) <= 2 or (bool(_PRONOUNS.search(question)) and len(content) <= 5)


def condense(
    question: str,
    history: list[str],
    roles: frozenset[str] = frozenset(),
    siblings: Mapping[str, frozenset[str]] | None = None,
) -> str:
    """``history`` holds the previous standalone questions of the session, oldest first; ``roles`` are
    the vocabulary's stages and roles (``vocabulary.held``), for "and the tech lead?" after a question
    about the subject matter expert; ``siblings`` the words of names the playbook lays out side by side
    (``siblings.sibling_words``), for "and simple?" after a question about the complex tier."""
    if not history or not is_follow_up(question):
        return question
    previous = history[-1]
    new_stages = [m.group(1).lower() for m in _STAGE.finditer(question)]
    old_stages = [m.group(1).lower() for m in _STAGE.finditer(previous)]
    if new_stages and old_stages and new_stages[0] != old_stages[0]:
        target = new_stages[0]
        return _STAGE.sub(lambda m: _match_case(m.group(1), target) + (m.group(2) or ""), previous)
    # "phase 3?" after "roadmap phase 2 days?": the previous question, of the other item of that series.
    new_items = [(m.group(1).lower(), m.group(2)) for m in _NUMBERED.finditer(question)]
    if len(new_items) == 1 and not tokens(_NUMBERED.sub(" ", _LEADS.sub("", question))):
        series, number = new_items[0]
        old = [m for m in _NUMBERED.finditer(previous) if m.group(1).lower() == series and m.group(2) != number]
        if len(old) == 1:
            m = old[0]
            return f"{previous[: m.start(2)]}{number}{previous[m.end(2) :]}"
    if old_stages and _THAT_STAGE.search(question):
        # "whats the budget for that stage" asks of the stage the previous question named, not of the
        # rest of what it asked ("the readiness checklist before the prototype").
        return _THAT_STAGE.sub(lambda m: f"{_stage_preposition(m.group(0))}the {old_stages[-1]} stage", question)
    rest = _LEADS.sub("", question).strip(" ,?.!") or question
    swapped = _role_swapped(rest, previous, roles) or _sibling_swapped(rest, previous, siblings or {})
    if swapped:
        return swapped
    # A follow-up that brings its own intent ("how long", "how do we fix") takes only the previous
    # question's topic, without what it asked ("What budget should a prototype have?" lends "prototype");
    # a bare phrase ("and the training?") asks what the previous question asked, of it.
    own_intent = bool(_ASKS.search(rest)) or any(w.lower() in INTENT_WORDS for w in _WORD.findall(rest))
    topic = [w for w in _WORD.findall(previous) if tokens(w) and not (own_intent and w.lower() in INTENT_WORDS)]
    if not topic:
        return f"{previous.rstrip(' ?.!')}: {rest}?"
    return f"{rest[:1].upper()}{rest[1:]} ({' '.join(topic)})?"


def _role_swapped(rest: str, previous: str, roles: frozenset[str]) -> str | None:
    """A bare phrase that names a role ("the tech lead") asks what the previous question asked of the
    role it named: the previous question with that role's phrase ("the subject matter expert": the role
    word and the words before it back to a stop word) put in its place. ``None`` when the phrase asks of
    its own, names no role, or the previous question names none other."""
    if _ASKS.search(rest) or any(w.lower() in INTENT_WORDS for w in _WORD.findall(rest)):
        return None
    phrase = [w for w in _WORD.findall(rest) if tokens(w)]
    new = {t for w in phrase for t in tokens(w)} & roles
    if not new or len(phrase) > 4:
        return None
    words = list(_WORD.finditer(previous))
    at = next((k for k, m in enumerate(words) if set(tokens(m.group(0))) & roles - new - set(_STAGE_WORDS)), None)
    if at is None:
        return None
    start = at
    while start > 0 and tokens(words[start - 1].group(0)) and not _ASKS.fullmatch(words[start - 1].group(0)):
        if set(tokens(words[start - 1].group(0))) & roles or words[start - 1].group(0).lower() in INTENT_WORDS:
            break
        start -= 1
    a, b = words[start].start(), words[at].end()
    return f"{previous[:a]}{' '.join(phrase)}{previous[b:]}"


def _sibling_swapped(rest: str, previous: str, siblings: Mapping[str, frozenset[str]]) -> str | None:
    """A bare phrase that names one of several things the playbook lays out side by side ("and for a
    large one?" after "…for a medium-sized dataset") asks the previous question of it: the previous
    question with the word that names the other put in its place. ``None`` when the phrase asks of its
    own, or no one word of the previous question is its sibling."""
    if _ASKS.search(rest) or any(w.lower() in INTENT_WORDS for w in _WORD.findall(rest)):
        return None
    said = [w for w in _WORD.findall(rest) if tokens(w)]
    if not said or len(said) > 4:
        return None
    before = set(tokens(previous))
    for word in said:
        new = tokens(word)[0]
        if new in before or not siblings.get(new):
            continue
        # Each word of the previous question, or part of a hyphenated one ("medium-sized"), that names a sibling.
        at = [
            (m.start() + part.start(), m.start() + part.end())
            for m in _WORD.finditer(previous)
            for part in re.finditer(r"[^-]+", m.group(0))
            if set(tokens(part.group(0))) & siblings[new]
        ]
        if len(at) == 1:
            a, b = at[0]
            return f"{previous[:a]}{_match_case(previous[a:b], word)}{previous[b:]}"
    return None


def _match_case(original: str, word: str) -> str:
    return word.capitalize() if original[:1].isupper() else word
