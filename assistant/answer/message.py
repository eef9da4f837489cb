"""How a typed message is read before it is searched: courtesy set aside, the part that asks found
apart from what the asker tells of themselves, and the message checked to be a question at all."""

from __future__ import annotations

import re
import unicodedata

from assistant.answer.followup import INTENT_WORDS, condense
from assistant.errors import InputError
from assistant.index.corpus import tokens

# A sentence ends at its stop before a capital; a question or exclamation mark ends it before any word,
# as chat messages are typed ("what tools do we need? we're not techy").
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])|(?<=[?!])\s+(?=[a-z])")


_BACK_REFERENCE = re.compile(r"\b(?:it|this|that|these|those|them|him|her|he|she)\b(?!\s+(?:is|are)\b)", re.I)


# A clause that asks after one that tells, in one sentence: "we're a 40-person broker — what checks…",
# "our bot takes 12 seconds, how do we fix it".
_CLAUSE_ASKS = re.compile(
    r"(?:\s+[—–-]+\s+|[,;:]\s+)(?=(?:what|how|which|who|when|where|why|should|can|could|do|does|is|are|will)\b)"
    # "how long is the pilot, and how much does it cost?": a second question joined by "and".
    r"|,?\s+and\s+(?=(?:what|how|which|who|when|where|why)\b)",
    re.I,
)


_ASK_START = re.compile(r"^(?:what|what's|how|which|who|when|where|why|should|can|could|do|does|is|are|will)\b", re.I)


# Who the asker is ("We're a 20-person firm", "I run a shop", "Our team of 40 at an insurer"), as
# against what their project, data or people do ("Our acceptance rate is under 40%"), which is asked about.
_IDENTITY = re.compile(
    # "we're a 40-person broker" tells who they are; "we're spending on support" what their project does.
    r"^(?:hi[,!.]?\s+)?(?:(?:we(?:'re| are)|i(?:'m| am))"
    r"(?!\s+(?!(?:getting|running|owning|managing|working|starting)\b)\w+ing\b)|"
    r"(?:i|we) (?:run|own|manage|work (?:at|for|in))|"
    r"(?:our|my) (?:company|firm|business|shop|store|team|organi[sz]ation|practice|agency|studio|startup)\b"
    r"(?: [\w,-]+){0,6}? (?:is|are|of|has|have|does|runs|makes|sells)\b|"
    r"(?:i|we)'?m? (?:just )?(?:getting started|new to|starting))",
    re.I,
)


# Courtesy carries no question: a greeting or a mention first, "could you tell me", "please", thanks.
_COURTESY = (
    re.compile(
        r"^(?:(?:@[\w.-]+|hi|hello|hey|dear \w+|good (?:morning|afternoon|evening))\b"
        r"(?:\s+(?:there|team|all|coach|everyone|folks))?[\s,!.:;-]*)+",
        re.I,
    ),
    re.compile(
        r"^(?:(?:could|can|would) you(?: please)?|please)\s+(?:tell me|explain|let me know|help me understand)\b"
        r"(?:\s+(?:if|whether))?[\s,:;-]*|^i was wondering(?: if| whether)?\b[\s,:;-]*",
        re.I,
    ),
    re.compile(r"[\s,.!-]*\b(?:many |thanks|thank you|thx|cheers|ty)\b(?: so much| a lot| in advance)?[\s!.]*$", re.I),
    re.compile(r"\bplease\b[\s,]*", re.I),
)


def without_courtesy(question: str) -> str:
    """The message without its greeting, "could you please tell me" and thanks."""
    text = question.strip()
    for pattern in _COURTESY:
        text = pattern.sub("", text).strip()
    return text[:1].upper() + text[1:] if text else question


def _parts(question: str) -> tuple[list[str], list[int]]:
    parts = [p.strip() for s in _SENTENCE.split(question.strip()) for p in _CLAUSE_ASKS.split(s) if p.strip()]
    return parts, [k for k, p in enumerate(parts) if p.endswith("?") or _ASK_START.match(p)]


def _stands_alone(asked: str) -> bool:
    """ "What should we do?", "How do we fix it?" are about what was told before them."""
    return bool(set(tokens(asked)) - INTENT_WORDS) and not _BACK_REFERENCE.search(asked)


# A few words that name a topic, without a subject or verb of their own ("k8s", "enterprise case wave 3").
_TOPIC_LEAD = re.compile(
    r"^(?!.*\b(?:i|we|our|my|us|me|they|their|it|is|are|was|were|am|have|has|had|do|does|did)\b)(?!.*['’])"
    r"\W*[\w/+-]+(?:\s+[\w/+-]+){0,3}\W*$",
    re.I,
)


def bare_ask(question: str) -> str | None:
    """Only the sentences that ask, when they stand on their own and something else was told; else None.
    A topic the message leads with ("k8s: how many nodes?") is part of what it asks, not something told."""
    parts, asks = _parts(question)
    lead = {k for k, p in enumerate(parts) if k + 1 in asks and _TOPIC_LEAD.match(p)}
    asked = " ".join(parts[k] for k in sorted({*asks, *lead}))
    return asked if asks and len(asks) + len(lead) < len(parts) and _stands_alone(asked) else None


def asked_part(question: str) -> str | None:
    """What a message asks, without what the asker tells of who they are ("We're a 12-person firm.
    Where do we start?" asks "Where do we start?"); None when nothing is set aside. What their
    project or people do stays ("Staff are resisting.", "Our data is out of date."), and so does the
    line an ask refers back to or cannot stand without."""
    parts, keep = _kept(question)
    return " ".join(parts[k] for k in sorted(keep)) if len(keep) < len(parts) else None


def situation(question: str) -> tuple[str, ...]:
    """What ``asked_part`` sets aside: the asker's own situation, context for the answer, not searched."""
    parts, keep = _kept(question)
    return tuple(p for k, p in enumerate(parts) if k not in keep)


def asks(question: str) -> tuple[str, ...]:
    """The sentences and clauses of a message that ask something, in order."""
    parts, asking = _parts(question)
    return tuple(parts[k] for k in asking)


def separate_asks(question: str) -> tuple[str, ...]:
    """The questions a message asks, when it asks more than one, each made to stand on its own ("How long
    is the pilot, and how much does it cost?" asks how long the pilot is and how much the pilot costs);
    else none."""
    asked = list(asks(question))
    if len(asked) < 2 or not _stands_alone(asked[0]):
        return ()
    for k in range(1, len(asked)):
        if not _stands_alone(asked[k]):
            # "How long is the pilot? How much does it cost?": the later question is about the earlier's topic.
            asked[k] = condense(asked[k], asked[:k])
            if asked[k] == asks(question)[k]:
                return ()
    # What the message tells before its first question, other than who the asker is, is asked with it
    # ("For a client with fewer than 200 users, which rollout option…").
    parts, _ = _parts(question)
    first = parts.index(asked[0]) if asked[0] in parts else 0
    told = [p for p in parts[:first] if not _IDENTITY.match(p)]
    return tuple([" ".join([*told, asked[0]]), *asked[1:]])


def _kept(question: str) -> tuple[list[str], set[int]]:
    parts, asking = _parts(question)
    everything = set(range(len(parts)))
    if not asking or len(asking) == len(parts):
        return parts, everything
    keep = set(asking) | {k for k, p in enumerate(parts) if not _IDENTITY.match(p)}
    if not _stands_alone(" ".join(parts[k] for k in asking)):
        if asking[0] == 0:
            return parts, everything
        keep.add(asking[0] - 1)
    return parts, keep


def validate_question(question: object, max_chars: int) -> str:
    """Return the cleaned question, or raise ``InputError`` saying what is wrong with it."""
    if not isinstance(question, str):
        raise InputError("The question must be text. Type it as a sentence.")
    if "\x00" in question or sum(unicodedata.category(c) == "Cc" and c not in "\n\t\r" for c in question) > 3:
        raise InputError("The question contains binary data, not text. Type the question as plain text.")
    text = " ".join(question.split())
    if not text:
        raise InputError(
            "The question is empty. Type a question about the playbook, e.g. 'How long should a pilot run?'"
        )
    if len(text) > max_chars:
        raise InputError(
            f"The question is {len(text):,} characters long; the limit is {max_chars:,}. "
            "Shorten it to the part you want answered."
        )
    return text
