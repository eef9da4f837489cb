"""What a question asks, read once: the kind of figure it wants, whether it wants a list, a remedy or
what not to do, the quantities it states about the asker's situation, the journey stage it names and
whether it asks for a document's outline. Every later stage of the offline answer reads this, not the
question's text."""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

import Stemmer

from assistant.index.corpus import tokens
from assistant.index.lexicon import Vocabulary

_LIST_QUESTION = re.compile(
    r"\b(what are|which|list|steps|checklist|criteria|signs|signals|roles|tips|examples|mistakes|pitfalls|"
    r"components|elements|phases|metrics|deliverables|prerequisites|requirements|questions|risks|"
    r"what should|how (?:do|should|can|did) (?:i|we|they|the)|what do (?:i|we)|what does|when (?:should|do|must)|"
    r"what happens|what (?:goes|went) (?:into|in|wrong)|what (?:are|were) the|"
    r"what (?:\w+ )?\w+[^s\W]s (?:does|do|are|should|can|did|would))\b",
    re.I,
)
# Questions that want a figure: units carrying one are preferred.
_QUANTITY_QUESTION = re.compile(
    r"\b(how (?:much|many|long|big|small|often|soon|fast)|cost|costs|budget|price|percent|percentage|"
    r"timeline|duration|what size|how large|rate|ratio|threshold)\b",
    re.I,
)
# What kind of figure a question asks for, and what such a figure looks like in the text.
_SPELLED = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|fifty|hundred)"
_PEOPLE = r"(?:users|people|employees|staff|adopters|participants|pilots|testers)\b"
PEOPLE_COUNT = re.compile(
    rf"(?:\d[\d,+–-]*|\b{_SPELLED}(?:\s+to\s+{_SPELLED})?)\s+(?:[a-z]+\s+)?{_PEOPLE}|{_PEOPLE}\s+\(\d", re.I
)
_ANSWER_TYPES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (
        # "How soon" asks how long until: "3-6 months" answers it.
        re.compile(r"\bhow (?:long|soon)\b|\bduration\b|\btimeline\b|\bhow many (?:weeks|months|days)\b", re.I),
        re.compile(
            r"\b(?:\d+|one|two|three|four|five|six|eight|ten|twelve)(?:\s*(?:[-–]|to)\s*\w+)?\+?\s*"
            r"(?:weeks?|months?|days?|years?|wks?)\b(?!\s*/)",
            re.I,
        ),
    ),
    (re.compile(r"\bhow much\b|\bcost|\bbudget|\bprice|\bspend", re.I), re.compile(r"\$\s?\d|\d\s?[kKmM]\b")),
    # "How many of my people…" counts them; "how many of the users are active" asks a share.
    (re.compile(r"\bpercent|\bshare\b|\brate\b|\bhow many of\b(?!\s+(?:my|our)\b)", re.I), re.compile(r"\d\s?%")),
    (
        re.compile(r"\bhow many\b(?:\s+[\w-]+){0,3}?\s+(?:users|people|employees|staff)\b|\busers\b", re.I),
        # A count of people, as the playbook writes one: "20-50 users", "5-10 early adopters", "Four to eight
        # users", "Recruit 15-25 pilots", "number of users (5-25 for pilot)".
        PEOPLE_COUNT,
    ),
)
# The period a question asks an amount for, and how the text writes each period.
PERIODS = {
    "year": (
        re.compile(r"\b(?:per year|a year|yearly|annual(?:ly)?|each year|every year|per annum)\b", re.I),
        re.compile(r"\b(?:annual(?:ly)?|per year|a year|yearly|per annum)\b|/\s*(?:year|yr)\b", re.I),
    ),
    "month": (
        re.compile(r"\b(?:per month|a month|monthly|each month|every month)\b", re.I),
        re.compile(r"\b(?:per month|a month|monthly)\b|/\s*(?:month|mo)\b", re.I),
    ),
    "quarter": (
        re.compile(r"\b(?:per quarter|a quarter|quarterly|each quarter|every quarter)\b", re.I),
        re.compile(r"\b(?:per quarter|a quarter|quarterly)\b", re.I),
    ),
}
# Questions that ask what to do about something: the playbook's remedies answer them.
_REMEDY_QUESTION = re.compile(
    r"\b(?:how (?:do|can|should|to|would) (?:we|i|you)|what (?:should|can|do|must) (?:we|i|you) do|what to do|"
    r"fix(?:es|ing)?|solv(?:e|es|ing)|handl(?:e|es|ing)|deal(?:s|ing)? with|prevent(?:s|ing)?|stop(?:s|ping)?|"
    r"avoid(?:s|ing)?|reduc(?:e|es|ing)|cut(?:s|ting)?|improv(?:e|es|ing)|defend(?:s|ing)?|protect(?:s|ing)?|"
    r"mitigat(?:e|es|ing)|overcom(?:e|es|ing)|"
    r"bring .{0,20} down|get .{0,30} to)\b",
    re.I,
)
# A question about what not to do, skip or hold back ("what should we avoid building?").
_NEGATIVE_QUESTION = re.compile(
    # "what should we NOT bother building": a verb of making, after "not" or "n't" and a "bother (with)".
    r"\b(?:avoid|hold off|hold back|skip|"
    r"(?:not|n't) (?:to )?(?:bother (?:with |to )?)?(?:do|build|add|include)(?:ing)?|"
    r"leave out|shouldn't|should not|don't)\b",
    re.I,
)
# A question for several things of a kind: "what rollout strategies…", "which options…", "list the…".
_PLURAL_ASK = re.compile(
    r"\b(?:(?:what|which) (?:\w+ )?(?!(?:does|has|is|was|this)\b)\w+[^s\W]s|list|options|kinds|types)\b", re.I
)
# A number the question gives about the user's own situation ("about 50,000 customer records"), and
# the ranges the playbook sizes things by ("**Medium Dataset (10K-100K records):**", "<200 users").
_NUM = r"\$?(\d[\d,]*(?:\.\d+)?)\s*([kKmM]\b)?"
_QUESTION_NUMBER = re.compile(_NUM + r"\+?\s+((?:[a-z-]+\s+){0,2}[a-z-]+)")
_RANGE = re.compile(
    r"(?:" + _NUM + r"\s*(?:[-–]|to)\s*" + _NUM + r"|" + _NUM + r"\+|(<)\s*" + _NUM + r")"
    r"\s*\)?\s*((?:[a-z-]+\s*){1,2})",
    re.I,
)
# A question for the phases (stages, steps) a document is laid out in, not for one of them.
_OUTLINE_ASK = re.compile(
    r"\b(?:what|which|list|name|outline|walk (?:me|us) through|tell (?:me|us))\b[^?]*?"
    r"(?:\b(phase|stage|step)s\b|\b(?:each|every) (phase|stage|step)\b)",
    re.I,
)
_ONE_PART = re.compile(
    r"\b(?:phase|stage|step)\s+\d|\b(?:first|second|third|fourth|fifth|sixth|last|final|next)\s+(?:phase|stage|step)\b",
    re.I,
)
# A request to pick or recommend one thing of a kind: "which accounting software should we use?", "a good
# laptop for running models", "what's the recommended architecture for fine-tuning": the kind is the
# phrase before the verb, its head the last word before any "of".
_KIND = r"((?:[\w-]+\s+){0,3}?[\w-]+)"
_CHOICE = (
    re.compile(
        r"\b(?:which|what)(?:'s| is| are)?\s+(?:the\s+|a\s+|an\s+)?(?:(?:\w+\s+)?(?:kinds?|types?|sorts?) of\s+)?"
        + _KIND
        + r"\s+(?:should|would you recommend|do you recommend"
        + r"|(?:is|are|has|have|works?|gives?)\s+(?:the\s+)?(?:best|better|cheapest|fastest|top|most reliable)\b)",
        re.I,
    ),
    re.compile(
        r"\b(?:best|good|recommended|recommend (?:a|an|the|some))\s+(?!(?:to|for|at|with|in|on|enough)\b)"
        + _KIND
        + r"\s*(?:\b(?:for|to|that|who|which|should|i|we)\b|\?|$)",
        re.I,
    ),
)
# What is expected or aimed at, not picked ("what monthly bill should I expect", "what uptime should we hit").
# A request to the assistant to make something: "can you draft…", "could you please write us…", "write me…".
_MAKE = re.compile(
    r"^\W*(?:(?:hi|hey|ok|so|please)\W+)*(?:(?:can|could|would|will) you\s+(?:please\s+)?(?:help (?:me|us)\s+)?"
    r"|please\s+)?(?:(?:write|draft|compose)(?:\s+up)?|set up|put together)\s+(?:(?:me|us)\s+)?"
    r"(?:(?:a|an|the|our|my|some)\s+)?"
    r"((?:[\w'/-]+\s+){0,3}?[\w'/-]+)(?=\s+(?:for|to|that|so|which|when|i|we|about|on|with)\b|\s*[?.!]|\s*$)",
    re.I,
)
_EXPECTED = re.compile(r"\bshould\b[^?]*?\b(?:expect|see|hit|reach|aim|target|pay|budget|spend|cost|take|last)\b", re.I)
# A kind that is itself a figure ("what response time should…"): the figure answers it.
_FIGURE_KIND = re.compile(r"\btimes?\b", re.I)
_STEMMER = Stemmer.Stemmer("english")

Numbers = tuple[tuple[float, frozenset[str]], ...]


@dataclass(frozen=True)
class Asked:
    """A question as the offline answer reads it."""

    text: str
    words: frozenset[str]  # the question's words
    extra: frozenset[str]  # the playbook's words for what it asks ("how long": timeline), not its own
    wants_figure: bool  # an amount, a duration, a share, a threshold
    figure_shapes: tuple[re.Pattern[str], ...]  # what the figure asked for looks like in the text
    asks_duration: bool
    periods: frozenset[str]  # the period an amount is asked for ("per year": year)
    wants_list: bool
    plural: bool  # several things of a kind
    remedy: bool  # what to do about something
    negative: bool  # what not to do
    numbers: Numbers  # the quantities it states about the asker's situation
    stage: str | None  # the one journey stage it names
    outline: str | None  # "phase", "stage" or "step" when it asks for a document's outline
    choice: str | None = None  # the kind of thing it asks to have picked or recommended ("accounting software")
    made: str | None = None  # the thing it asks the assistant to write or set up for the asker ("welcome email")
    documents: frozenset[str] = frozenset()  # the documents it names ("smb guide vs methodology")


def read_question(question: str, vocabulary: Vocabulary) -> Asked:
    words = frozenset(tokens(question))
    extra = frozenset(tokens(" ".join(vocabulary.expansion_words(question)))) - words
    stages = vocabulary.journey_stages_in(question)
    outline = _OUTLINE_ASK.search(question)
    return Asked(
        text=question,
        words=words,
        extra=extra,
        wants_figure=wants_figure(question, vocabulary),
        figure_shapes=figure_shapes(question, vocabulary),
        asks_duration=timed(question, vocabulary),
        periods=frozenset(name for name, (asks, _) in PERIODS.items() if asks.search(question)),
        wants_list=bool(_LIST_QUESTION.search(question)),
        plural=bool(_PLURAL_ASK.search(question)),
        remedy=bool(_REMEDY_QUESTION.search(question)),
        negative=bool(_NEGATIVE_QUESTION.search(question)),
        numbers=question_numbers(question),
        stage=stages.pop() if len(stages) == 1 else None,
        outline=(outline.group(1) or outline.group(2)).lower() if outline and not _ONE_PART.search(question) else None,
        choice=choice(question, vocabulary),
        made=made(question),
    )


def made(question: str) -> str | None:
    """The thing a message asks the assistant itself to write, draft or set up ("can you draft a statement
    of work for…": statement of work); none for a question of how to do it ("how do I write…")."""
    m = _MAKE.search(question)
    thing = m.group(1).strip().lower() if m else ""
    thing = re.sub(r"^(?:this|that|these|those|it|them|one)\b\s*|\s*\bup$", "", thing)
    # "can you write it up?" points back at something: what it is is not known here.
    return thing if tokens(re.split(r"\s+of\s+", thing, maxsplit=1)[0]) else None


def choice(question: str, vocabulary: Vocabulary) -> str | None:
    """The kind of thing a question asks to have picked or recommended ("which accounting software should
    we hook up?": accounting software); none when it asks for a figure, or names the kind in a word the
    vocabulary reads as another ("length": a duration)."""
    if wants_figure(question) or figure_shapes(question) or _EXPECTED.search(question):
        return None
    for pattern in _CHOICE:
        m = pattern.search(question)
        if not m:
            continue
        kind = re.split(r"\s+of\s+", m.group(1).strip(), maxsplit=1, flags=re.I)[0]
        kind = re.sub(r"^(?:(?:good|best|great|decent|recommended)\s+)+", "", kind, flags=re.I)
        kind = re.sub(r"(?:\s+(?:we|i|you|they|my|our|your))+$", "", kind, flags=re.I)
        words = tokens(kind)
        if words and not _FIGURE_KIND.search(kind) and not vocabulary.expansion_words(words[-1]):
            return kind.lower()
    return None


def wants_figure(question: str, vocabulary: Vocabulary | None = None) -> bool:
    """Whether a question asks for a figure: an amount, a duration, a share, a threshold."""
    return bool(_QUANTITY_QUESTION.search(question)) or timed(question, vocabulary)


def figure_shapes(question: str, vocabulary: Vocabulary | None = None) -> tuple[re.Pattern[str], ...]:
    """What the kind of figure a question asks for looks like ("how much": an amount of money)."""
    shapes = tuple(shape for asks, shape in _ANSWER_TYPES if asks.search(question))
    duration = _ANSWER_TYPES[0][1]
    return shapes if duration in shapes or not timed(question, vocabulary) else (duration, *shapes)


def timed(question: str, vocabulary: Vocabulary | None) -> bool:
    """Whether a question asks for a length of time: in the words "how long" or "how soon", or in words
    the playbook's vocabulary reads as asking one, adding "duration" for them ("pilot length?")."""
    if _ANSWER_TYPES[0][0].search(question):
        return True
    return vocabulary is not None and "duration" in vocabulary.expansion_words(question)


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The word's stem (Snowball), for matching another form of it."""
    return _STEMMER.stemWord(word)


def _number(digits: str, scale: str | None) -> float:
    value = float(digits.replace(",", ""))
    return value * {"k": 1e3, "m": 1e6}.get((scale or "").lower(), 1.0)


def question_numbers(question: str) -> Numbers:
    """The quantities a question states, each with the words that follow it ("50,000 customer records":
    50000, {customer, record})."""
    return tuple(
        (_number(m.group(1), m.group(2)), frozenset(tokens(m.group(3)))) for m in _QUESTION_NUMBER.finditer(question)
    )


def in_stated_range(text: str, numbers: Numbers) -> bool:
    """Whether ``text`` states a range of the same thing that holds one of the question's quantities."""
    for m in _RANGE.finditer(text):
        g = m.groups()
        if g[0] is not None:
            low, high = _number(g[0], g[1]), _number(g[2], g[3])
        elif g[4] is not None:
            low, high = _number(g[4], g[5]), math.inf
        else:
            low, high = 0.0, _number(g[7], g[8])
        what = set(tokens(g[9] or ""))
        if any(low <= value <= high and what & nouns for value, nouns in numbers):
            return True
    return False
