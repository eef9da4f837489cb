"""A premise the playbook contradicts: "the pilot should run ~6 months, right?" asks to confirm a
figure. When the answer's quotes give figures of the same kind (a share, an amount of money, a
duration, a count) and none of them is the asker's, the answer opens by saying so, before the quotes
that give the playbook's own figures.

Figures are compared as values of one kind (``answer.figures``): a stated range holds every value inside
it ("6 weeks" agrees with "4-8 weeks"); a threshold ("65%+") is its own value, so "95%" does not agree
with it."""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.answer.figures import SPAN, WEEKS, Figure, figures, points
from assistant.answer.quoted import MARKER as _MARKER
from assistant.answer.quoted import is_row, table_cells, under_labels
from assistant.index.corpus import STOPWORDS, tokens
from assistant.model.meaning import stem

# What asks for a confirmation rather than for information: "…, right?", "is that correct?",
# "can you confirm", "I read that…", "my client heard…", "my understanding is…", "the guide says…",
# "…, doesn't it?".
_ASSERTS = re.compile(
    r"\b(?:right|correct|yeah|yes|true|no)\s*\?|\bis (?:that|this|it) (?:right|correct|true|so)\b|\bconfirm\b|"
    r"\bi (?:read|heard|was told|think|thought|believe)\b|\bmy understanding\b|\bsays\b|"
    r"\b(?:isn|doesn|don|aren|wasn|didn)'?t (?:it|they|we)\s*(?:\?|$)|"
    # A tag that ends a message typed without its question mark ("…10% of the work, isnt it", "…, right",
    # "…SLA is 4h right").
    r",\s*(?:right|correct|yeah|true)\s*$|(?<=\S)\s+(?:right|correct|yeah)\s*$|"
    # What someone else read or heard ("my client heard the pilot paid back in 6 months"), and "is that
    # what the methodology reports?".
    r"\b(?:read|heard)\s+(?:that|somewhere|online|the|it|we|our|a|an)\b|\b(?:was|were)\s+told\b|"
    r"\bis (?:that|this|it) what\b",
    re.I,
)
_NAMES_POSITION = re.compile(r"(?:tier|phase|stage|step|level|wave|week|month|day|year)s?\b", re.I)


# Where a quoted line divides into parts that each give their own figure.
_PARTS = re.compile(r"[|;()]|\s[–—-]\s|,\s")


# A terse statement ending in a question mark asks to confirm it ("champions get $1000 a quarter?");
# a question that starts with a question word or an auxiliary asks.
# A follow-up's opening word ("and by when…", "so what…") comes before the question word.
_ASKING_START = re.compile(
    r"^\W*(?:(?:and|so|but|also|then|ok|okay|by|until|till|from|for|in|at|to)\s+)*"
    r"(?:(what|which|who|whom|whose|why|when|where|how)|is|are|was|were|do|does|did|can|could|should|would|"
    r"will|shall|may|might|must|has|have|had)\b",
    re.I,
)


def asks_to_confirm(question: str) -> bool:
    """Whether a message asks to confirm what it states rather than asks for information."""
    if _ASSERTS.search(question):
        return True
    sentences = re.split(r"(?<=[.!?])\s+", question.strip())
    last = sentences[-1]
    # The figure is in the sentence that ends in the question mark ("bot takes 12s. fixes?" asks for fixes),
    # and no sentence or clause asks ("How long is it? 6 months?" asks how long; "our data is in 5 apps,
    # is that a problem?" tells its situation, then asks). A clause of a word or two ("…, is it?") is a tag.
    clauses = [c for sentence in sentences for c in _CLAUSE.split(sentence)]
    return (
        last.endswith("?")
        and bool(figures(last))
        and not any(_ASKING_START.search(sentence) for sentence in sentences)
        and not any(_asks(c) for c in clauses[1:])
    )


def _asks(clause: str) -> bool:
    """Whether a clause after the first asks: one that opens with a question word ("…, which week?"), or
    with an auxiliary and more than a tag's two or three words ("…, is that a problem?" but not "…, is it?")."""
    m = _ASKING_START.search(clause)
    return m is not None and (m.group(1) is not None or len(clause.split()) > 3)


# Where a clause starts: after a comma, a semicolon or a dash set off by spaces.
_CLAUSE = re.compile(r",\s+|;\s+|\s[–—-]\s")


def _stems(text: str) -> set[str]:
    """The stems of a text's words, and the parts it names by number ("tier 2"): what tells "Tier 2" from
    "Tier 3" is the number."""
    text = _MARKER.sub("", text)
    named = {f"{m.group(1).lower()} {m.group(2)}" for m in _NAMED_PART.finditer(text)}
    return named | {stem(p) for t in tokens(text) for p in t.split("-") if p and not p[0].isdigit()}


_NAMED_PART = re.compile(r"\b(tier|phase|stage|step|level|wave|lesson|option)\s*(\d+)\b", re.I)


def claimed(question: str, titles: tuple[str, ...] = ()) -> tuple[Figure, ...]:
    """The figures a message asks to have confirmed; none when it asks for information. A figure of a
    document's title ("the 90-day roadmap") names the document; it is nothing the asker claims."""
    if not asks_to_confirm(question) or _reports_disagreement(question):
        return ()
    # "90 day plan" names "A 90-Day Plan": a title is matched with its hyphens read as spaces.
    named = " ".join(titles).lower().replace("-", " ")
    # Only a terse message leaves open whether a count after "at" is stated or a condition; one that
    # asks in so many words ("…crashed at 5,000 users, didn't it?") states it.
    terse = not _ASSERTS.search(question)
    # A terse message's span of positions ("and months 5 to 8?") names the part of a timeline asked about.
    found = tuple(
        f
        for f in _with_articles(question)
        if f.text.lower().replace("-", " ") not in named
        and not (terse and (_condition(question, f) or _NAMES_POSITION.match(f.text)))
        and not _names_thing(question, f)
        and not _says(question, f)
        and not _is_year(question, f)
    )
    # A point in time the asker puts something at ("paid back by month 12, right?") is what they state
    # when it is all they state; beside another figure it says when that figure holds ("50% by month 3").
    if found or terse:
        return found
    return tuple(
        Figure(f"{m.group(1).lower()} number", float(m.group(2)), float(m.group(2)), f"{m.group(1)} {m.group(2)}")
        for m in _BY_POINT.finditer(question)
    )


# A message that sets what one source says against what another says ("one guide says 5-10 and another says
# four to eight", "i've seen 4-8 weeks in one place and 6-8 in another", "i've read 90 days and i've read a
# year") reports what it has read, to ask which holds: its figures are not the asker's claims.
_ONE_AND_ANOTHER = re.compile(r"\bone\b.*\b(?:another|the other)\b", re.I | re.S)
_A_SPAN = re.compile(r"\s*(?:about|around|like)?\s*an?\s+(?:day|week|month|quarter|year)\b", re.I)
_ATTRIBUTES = re.compile(r"\b(?:says?|said|read|seen|heard|mentions?|gives?)\b", re.I)


def _says(question: str, figure: Figure) -> bool:
    """Whether a count is who says what follows ("one guide says 3-4 testers"), not a figure claimed."""
    return figure.kind == "count" and bool(
        re.search(rf"\b{re.escape(figure.text)}\s+{_ATTRIBUTES.pattern}", question, re.I)
    )


def _reports_disagreement(question: str) -> bool:
    """Whether two things said each give a figure, or one source said is set against another."""
    said = sum(bool(_with_articles(part) or _A_SPAN.match(part)) for part in _ATTRIBUTES.split(question)[1:])
    return said >= 2 or (said == 1 and bool(_ONE_AND_ANOTHER.search(question)))


# A point in time something is put at: "by month 12", "at week 6", "in month 2", "by the end of week 4".
_BY_POINT = re.compile(
    r"\b(?:by|at|in|until|till|before|around|from|on)\s+(?:the\s+)?(?:end\s+of\s+)?"
    r"(day|week|month|quarter|year)\s+(\d+)\b(?!\s*(?:-|–|to|and|or|through)\s*\d)",
    re.I,
)


# A year, by the month or the word before it ("the jan 2026 perf work", "in 2024"): a date, not a count.
_YEAR = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?\s+((?:19|20)\d\d)\b|"
    r"\b(?:in|since|during|early|mid|late|of)\s+((?:19|20)\d\d)\b",
    re.I,
)


def _is_year(question: str, figure: Figure) -> bool:
    years = {float(m.group(1) or m.group(2)) for m in _YEAR.finditer(question)}
    return figure.kind == "count" and figure.low == figure.high and figure.low in years


def _names_thing(question: str, figure: Figure) -> bool:
    """Whether a how-often word is part of what the message speaks of ("daily standups", "the weekly
    report"), not a figure it states ("meets weekly, right?"): it comes right before the thing's name."""
    if figure.kind != "days apart":
        return False
    m = re.search(rf"\b{re.escape(figure.text)}\s+([a-z][\w-]*)", question, re.I)
    return m is not None and m.group(1).lower() not in STOPWORDS | _TAG_WORDS


# The words a tag asking to confirm is made of ("…, right?", "…, isnt it").
_TAG_WORDS = frozenset(
    {"right", "correct", "yeah", "yes", "true", "no", "ok", "okay", "isnt", "isn", "doesnt", "doesn"}
)


# "a year" after a word that sets an amount of time ("after about a year", "takes a month", "within an
# hour") is one year; "once a week" and "$10k a year" are not.
_ONE = re.compile(
    r"\b(?:about|around|roughly|approximately|after|within|in|under|over|than|takes?|took|lasts?|is|be)\s+"
    r"(an?)\s+(?=(?:day|week|month|year|hour|minute)\b)",
    re.I,
)


def _with_articles(question: str) -> list[Figure]:
    """The figures a message states, "a year" among them, each as the message writes it."""
    found = figures(question)
    spelled = _ONE.sub(lambda m: m.group(0)[: m.start(1) - m.start()] + "one ", question)
    if spelled == question:
        return found
    extra = []
    for f in figures(spelled):
        if f.text.lower().startswith("one ") and f.text not in question:
            rest = f.text[4:]
            article = re.search(rf"\b(an?)\s+{re.escape(rest)}", question, re.I)
            if article:
                extra.append(replace(f, text=f"{article.group(1)} {rest}"))
    return found + extra


# A count set as a condition of what is asked ("api cost at 1000 users?", "with 50 users"), not stated; a
# share or an amount after "at" is what is stated ("puts the odds at 40%").
_CONDITION = re.compile(r"\b(?:at|with|per|for every|for each)\s+(?:about|around|roughly|~)?\s*$", re.I)


def _condition(question: str, figure: Figure) -> bool:
    at = question.lower().find(figure.text.lower())
    return figure.kind == "count" and at >= 0 and bool(_CONDITION.search(question[:at]))


def premise_note(
    question: str,
    answer: str,
    titles: tuple[str, ...] = (),
    claims: tuple[Figure, ...] | None = None,
    playbook_words: tuple[str, ...] = (),
) -> str | None:
    """The line that corrects the asker's figure, or None: the question asks to confirm a figure
    (``claims``, read from the question when not given), the answer gives figures of its kind, and
    none of them is it. ``playbook_words`` are what the playbook calls the things the question names
    ("staff" are its "users"): a line in those words is about what the figure is of."""
    claims = claimed(question, titles) if claims is None else claims
    if not claims:
        return None
    # What the answer quotes: its lines with a citation marker, not its framing ("2 playbook documents…").
    # Read in parts: "Duration: 16-32 weeks (Pilot: 6-8 weeks | Hardening: 4-8 weeks)" gives the pilot's
    # figure in its own part, beside the whole's.
    lines = [
        (f"{label} {part}", figures(part) + points(part))
        for label, line in under_labels(answer)
        for part in _PARTS.split(line)
    ]
    lines += [(cell, figures(cell)) for cell in table_cells(answer)]
    # What the question sets its subject beside ("cost the same as the pilot") is not what the figure is of.
    asked = (_stems(question) - _beside(question)) | {stem(w) for w in playbook_words}
    framing = " ".join(
        [*titles, *(line for line in answer.splitlines() if not _MARKER.search(line) and not is_row(line))]
    ).lower()
    for claim in claims:
        if claim.text.lower() in framing:
            continue  # the name of a source ("A 90-Day Plan"), not a figure the asker states
        about = asked - _stems(claim.text)
        # The lines most about what the figure is of ("activation" for "50% activation"), else every line.
        of_kind = [(len(about & _stems(line)), [f for f in found if f.kind == claim.kind]) for line, found in lines]
        best = max((score for score, found in of_kind if found), default=0)
        same = [f for score, found in of_kind if score == best for f in found]
        if best == 0 and not _NUMBERED.search(question):
            # No line says what the figure is of, and the question names no numbered part ("phase 1"): a
            # timeline's parts ("Week 1-2", "Week 3-6", …) are read as the whole they make up, which is what
            # a stage's length is.
            same = _timelines(same)
        if not same:
            continue
        value = claim.low if claim.low == claim.high else None
        if value is None:  # the asker's range: wrong when no figure given overlaps it
            # Ranges that only touch ("$5k-15k" and "$15K-$50K") are two ranges, not one.
            if any(_overlap(claim, f) for f in same):
                continue
        elif any(f.holds(value) for f in same):
            continue
        return f"The playbook does not give {claim.text} here; what it says:"
    return None


def _overlap(claim: Figure, figure: Figure) -> bool:
    if figure.low == figure.high:
        return claim.low - 1e-6 <= figure.low <= claim.high + 1e-6
    return figure.low < claim.high and claim.low < figure.high


# What a question sets its subject beside: "the same as the pilot", "as long as the pilot", "like the pilot",
# "than the pilot", "similar to the pilot".
_BESIDE = re.compile(
    r"\b(?:same\s+as|as\s+\w+\s+as|like|than|similar\s+to)\s+(?:the\s+|a\s+|an\s+|our\s+)?([a-z][\w-]*)",
    re.I,
)


def _beside(question: str) -> set[str]:
    return {stem(m.group(1).lower()) for m in _BESIDE.finditer(question)} - STOPWORDS


_NUMBERED = re.compile(r"\b(?:phase|stage|step|wave|tier|week|month|day)s?\s*\d", re.I)


def _timelines(found: list[Figure]) -> list[Figure]:
    """``found`` with each run of two or more spans that follow on ("Week 1-2", "Week 3-6", "Week 7-10")
    read as the one span they make up ("Week 1-10": 10 weeks)."""
    out: list[Figure] = []
    run: list[tuple[str, int, int, Figure]] = []

    def close() -> None:
        if len(run) >= 2:
            unit, start, end = run[0][0], run[0][1], run[-1][2]
            length = (end - start + 1) * WEEKS[unit]
            out.append(Figure("weeks", length, length, f"{unit} {start}-{end}"))
        else:
            out.extend(f for *_, f in run)
        run.clear()

    for f in found:
        m = SPAN.fullmatch(f.text)
        if not m:
            close()
            out.append(f)
            continue
        unit, start, end = m.group(1).lower(), int(m.group(2)), int(m.group(3))
        if run and (run[-1][0] != unit or start != run[-1][2] + 1):
            close()
        run.append((unit, start, end, f))
    close()
    return out


# What asks for the confirmation, as it is removed from the question that is searched.
_TAGS = re.compile(
    r",?\s*\b(?:right|correct|yeah|yes|true|no)\s*\?|,?\s*\bis (?:that|this|it) (?:right|correct|true|so)\b\??|"
    r"\b(?:can|could) you confirm(?: that)?\b|\bi (?:read|heard|was told|think|thought|believe)(?: that)?\b|"
    r"\bmy understanding is(?: that)?\b|,?\s*\b(?:isn|doesn|don|aren|wasn|didn)'?t (?:it|they|we)\b\??|"
    r",?\s+(?:right|correct|yeah)\s*$",
    re.I,
)
_HEDGE = re.compile(r"(?:\b(?:about|around|roughly|approximately|like|only|just)\s+|~\s*)+$", re.I)
_ASK = {
    "weeks": "how long",
    "seconds": "how long",
    "$": "how much",
    "%": "what percentage",
    "days apart": "how often",
    "x": "how many times",
}


def figure_question(
    question: str, titles: tuple[str, ...] = (), claims: tuple[Figure, ...] | None = None
) -> str | None:
    """A message that asks to confirm a figure, as the question it is about: the figure becomes what is
    asked ("pilot should run ~6 months right?" is "pilot should run how long?"), so that the search
    finds the playbook's figure rather than lines that happen to share the asker's. None for any other
    message."""
    claims = claimed(question, titles) if claims is None else claims
    if not claims:
        return None
    out = question
    for claim in claims:
        at = out.find(claim.text)
        if at < 0:
            continue
        before = _HEDGE.sub("", out[:at])
        if claim.kind == "count":
            noun = claim.text.split()[-1]
            asked = f"how many {noun}"
        elif claim.kind.endswith(" number"):
            continue  # a point in time ("by month 12") is searched as written: the lines of its timeline name points
        else:
            asked = _ASK[claim.kind]
        after = out[at + len(claim.text) :]
        if claim.text.lower() == "half" and not re.match(r"\s+of\b", after):
            asked += " of"  # "half the team" asks "what percentage of the team"
        out = f"{before}{asked}{after}"
    out = _TAGS.sub(lambda m: "?" if "?" in m.group(0) else "", out).strip(" ,")
    out = re.sub(r"[.,]\s*\?", "?", re.sub(r"\s{2,}", " ", out))
    return out if out.endswith("?") else f"{out}?"
