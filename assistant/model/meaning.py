"""What a sentence means against the passage it cites, beyond its hard facts: the same words in another
form (stems, abbreviations, comparison symbols written as words), the connective wording a writer adds,
opposite words that make a swap, what a negation is about, and the clauses a sentence joins."""

from __future__ import annotations

import re
from itertools import pairwise

import snowballstemmer

from assistant.index.corpus import tokens
from assistant.model.facts import CLAUSE_JOIN, NEGATION, NUMBER_WORDS, headed, numbers
from assistant.model.opposites import DIRECTIONS, comparisons, says_opposite, set_against

_STEMMER = snowballstemmer.stemmer("english")
# How a writer points at a source or joins its facts, not what the source claims: "The guide puts…",
# "Finally, …", "The practitioner notes…", and the light verbs a claim is put in ("make it to production",
# "keep in mind"). General English; what a document is called comes from its title.
CONNECTIVE = frozenset([
    "also", "finally", "first", "firstly", "second", "secondly", "then", "so", "thus", "therefore", "overall",
    "instead", "rather", "typically", "usually", "generally", "essentially", "basically", "simply", "specifically",
    "particularly", "especially", "likewise", "similarly", "additionally", "furthermore", "moreover", "meanwhile",
    "put", "puts", "give", "gives", "take", "takes", "list", "lists", "lay", "lays", "set", "sets", "call",
    "calls", "name", "names", "advise", "advises", "insist", "insists", "add", "adds", "agree", "agrees", "describe",
    "describes", "want", "wants", "treat", "treats", "frame", "frames", "base", "bases", "trace", "traces",
    "cover", "covers", "point", "points", "view", "author", "practitioner", "writer", "advice", "rule", "thumb",
    "here", "key", "main", "way", "out", "up", "down", "another", "alone", "behind", "else", "whether", "ask", "asks",
    "table", "make", "makes", "made", "making", "keep", "keeps", "get", "gets", "got", "go", "goes", "come", "comes",
    "bring", "brings", "brought", "came", "third", "thirdly", "fourth", "fourthly", "last", "lastly", "beforehand",
    "afterwards", "afterward",
])  # fmt: skip
TIME_STEMS = frozenset(["week", "day", "month", "year", "hour", "minut", "quarter", "wk"])
MAX_SPAN_UNITS = 6  # units of one passage a sentence may draw on together
SPAN_WINDOW = 5  # ...lying within this many units of one another: one list with its label, not the next list
CODE_WINDOW = 2  # a line of code read as words joins a span only if it stays within this many units
# (coverage, meaning) pairs, any of which supports: the stemmed, idf-weighted share of the content words
# found in the span, and the cosine of the sentence with the span (or its best unit). Nearly the span's
# words needs little of its meaning; a paraphrase in other words needs more.
ACCEPT = ((0.85, 0.3), (0.7, 0.5), (0.55, 0.7))
CLAUSE_COVERAGE, CLAUSE_MEANING = 0.5, 0.85  # each joined clause; or all but a word, in a sentence this close


_ABBREVIATIONS = {"wk": "week", "wks": "week", "hr": "hour", "hrs": "hour", "min": "minute", "mins": "minute",
                  "yr": "year", "yrs": "year", "mo": "month", "mos": "month"}  # fmt: skip
# Comparisons written as symbols in the playbook ("Error rate > 10%") and as words in an answer; money is a cost.
_COMPARISONS = {">": ("exceed", "over", "above", "more", "greater", "higher", "beyond", "pass"), " + ": ("plus",),
                "<": ("under", "below", "less", "fewer", "lower", "within"), " vs": ("against", "versus", "compared"),
                "$": ("cost", "price", "spend", "paid", "pay"), " week": ("took",), " month": ("took",)}  # fmt: skip
_PLUS = re.compile(r"\d%?\+")
_WAY_STEMS = tuple(frozenset(_STEMMER.stemWord(w) for w in way) for way in DIRECTIONS)
_AGENT = re.compile(r"(?:ant|ent|er|or|ist)s?")  # who does a thing ("claimant") is not the thing ("claim")
_MULTIPLE = re.compile(r"\d(?:x|×)\b")


_ORDINALS = {"first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5", "sixth": "6", "seventh": "7",
             "eighth": "8", "ninth": "9", "tenth": "10"}  # fmt: skip


def stem(word: str) -> str:
    word = _ABBREVIATIONS.get(word, word)
    if word in NUMBER_WORDS and NUMBER_WORDS[word] >= 1:
        return str(int(NUMBER_WORDS[word]))
    if word in _ORDINALS:
        return _ORDINALS[word]  # "the first week" is "Week 1"
    return str(_STEMMER.stemWord(word))


def comparison_stems(text: str) -> set[str]:
    """The words the text's figures may be written as: its comparison symbols ("> 10%": over, above),
    a figure and more ("99%+": at least), a multiple ("2-3x": three times) and its numbers as digits and as
    words."""
    out = {stem(w) for sym, words in _COMPARISONS.items() if sym in text for w in words}
    if _PLUS.search(text):
        out |= {stem(w) for w in _COMPARISONS[">"] + ("least", "minimum")}
    if _MULTIPLE.search(text):
        out |= {"time", "fold"}
    said = stem_set(set(tokens(text)))
    out |= set().union(*(way for way in _WAY_STEMS if said & way))  # "fell": "reduced"
    figures = numbers(text)
    out |= {str(int(n)) for n in figures if n >= 1 and n == int(n)}
    return out | {stem(w) for w, v in NUMBER_WORDS.items() if v in figures}  # "half" where it says 50%


def covered(word: str, have: set[str] | frozenset[str]) -> bool:
    """A word is in the span by its stem, or, hyphenated ("three-tier"), by each of its parts."""
    if stem(word) in have:
        return True
    if any(p + stem(word) in have for p in ("un", "non", "in", "im")) or stem(word) + "ship" in have:
        return True  # "not measured" where it says "unmeasurable" (negation is checked apart); "leader": "leadership"
    if len(word) >= 7 and any(len(h) >= 5 and h[:5] == word[:5] and h[:1].isalpha() and not _AGENT.fullmatch(
        word.removeprefix(h)) for h in have):  # fmt: skip
        return True  # "reduced" and "reduction", "overran" and "overrun"; not "claimants" and "claims"
    parts = [p for p in word.split("-") if p]
    return len(parts) > 1 and all(stem(p) in have for p in parts)


def stem_set(words: set[str] | frozenset[str]) -> set[str]:
    out = set()
    for w in words:
        out.add(stem(w))
        if re.fullmatch(r"q[1-4]", w):
            out |= {w[1], "quarter"}  # "Q4" says "the fourth quarter"
        if "-" in w:
            out.update(stem(p) for p in w.split("-") if p)
    return out


def word_forms(text: str) -> set[str]:
    """The text's words and their stems, and the comparisons it makes ("more~common": ``comparisons``)."""
    return stem_set(set(tokens(text))) | set(re.findall(r"[a-z]+", text.lower())) | comparisons(text, stem)


# A word negated by its prefix ("unmeasurable": not measurable), counted against one with the word itself.
_PREFIXED = re.compile(r"\b(?:un|non-?|in|im)([a-z]{5,})\b", re.I)
# Both ways at once is not a negation: "what the model can and cannot do", "do's and don'ts", "not just
# operation but judgment", and "rather than only" or "instead of just" said for "not just". "Not just"
# a count ("3 executives, not just 1") still denies it: the count is replaced, not added to.
_BOTH_WAYS = re.compile(
    r"\b(\w+)\s+(?:and|or)\s+(?:\1\s*not|\1n't|can't|cannot)\b"
    r"|\b(?:not|(?:does|do|did|is|are|was|were)n['’]t|rather than|instead of|in place of)"
    r" (?=(?:just|only|merely|simply)\b(?!\s+(?:one\b|\d)))",
    re.I,
)


def prefixed_negations(text: str, stems: set[str]) -> int:
    """Words of the text negated by a prefix whose rest the other sentence says as itself."""
    return sum(
        1
        for m in _PREFIXED.finditer(text)
        if stem(m.group(1).lower()) in stems and stem(m.group(0).lower()) not in stems
    )


def both_ways(text: str) -> str:
    return _BOTH_WAYS.sub(r"\1", text)


def negations_about(sentence: str, stems: set[str]) -> int:
    """Negations of the sentence whose scope — the words after it, up to the next comma, "but" or
    stop — speaks of the clause: "not because the technology fails but because…" negates the
    technology failing, not what follows; "what it is not for," negates the words before it; a
    closing "no." answers what came before it."""
    # A denial repeated down a list is counted once, where any of its items speaks of the clause.
    about = sum(any(_about(sentence, m, stems) for m in group) for group in denial_groups(sentence))
    return about + prefixed_negations(sentence, stems)


def denial_groups(text: str) -> list[list[re.Match[str]]]:
    """The text's denials, the same one repeated down a comma list taken together: "couldn't access
    the data, couldn't ask questions" denies the list once, as "could not see the data or ask
    questions" does."""
    groups: list[list[re.Match[str]]] = []
    for m in NEGATION.finditer(text):
        last = groups[-1][-1] if groups else None
        if last is not None and m.group(0).lower() == last.group(0).lower() and "," in text[last.end() : m.start()]:
            groups[-1].append(m)
        else:
            groups.append([m])
    return groups


def _about(sentence: str, m: re.Match[str], stems: set[str]) -> bool:
    """Whether the denial ``m`` of the sentence speaks of ``stems``."""
    after = headed(sentence[m.end() :])
    scope = re.split(r"[,;:.!?—()]|\bbut\b", after, maxsplit=1)[0]
    # A denial of two things joined by "and" or "or" denies each ("without understanding and buy-in");
    # a hyphenated word is one word here ("buy-in"), matched by itself or by any of its parts.
    for piece in [scope, *re.split(r"\b(?:and|or|nor)\b", scope)]:
        own = {stem(t) for t in tokens(piece)}
        if own and 2 * sum(w in stems or ("-" in w and bool(stem_set({w}) & stems)) for w in own) >= len(own):
            return True
    words = stem_set(set(tokens(scope)))
    if not words:
        if not tokens(after) and m.group(0).lower() in ("no", "nope"):
            return True  # "…from scratch — no.": the answer to what came before
        # "…what it is not for, …", "…, assume nothing": the words before it, back to the last break
        words = stem_set(set(tokens(re.split(r"[,;:.!?—()]", sentence[: m.start()])[-1])))
    return bool(words) and 2 * len(words & stems) >= len(words)


def _after(text: str, m: re.Match[str]) -> set[str]:
    """What the denial ``m`` denies: the stems of the words after it, up to the next break."""
    return stem_set(set(tokens(re.split(r"[,;:.!?—()]|\bbut\b", headed(text[m.end() :]), maxsplit=1)[0])))


def _denied(clause: str, sentences: list[str], sent_stems: list[set[str]]) -> list[tuple[set[str], list[str]]]:
    """Each denial of the clause, by what it denies (the words after it, up to the next break), with
    the span's sentences that speak most of those words, where they speak of at least half of them."""
    out = []
    for m in NEGATION.finditer(clause):
        scope = stem_set(set(tokens(re.split(r"[,;:.!?—()]|\bbut\b", clause[m.end() :], maxsplit=1)[0])))
        shared = [len(scope & ss) for ss in sent_stems]
        if scope and 2 * max(shared) >= len(scope):
            out.append((scope, [s for n, s in zip(shared, sentences, strict=True) if n == max(shared)]))
    return out


def denied_anywhere(scope: set[str], sentences: list[str]) -> bool:
    """Some sentence denies a word of ``scope`` itself: "don't get approved or get cancelled early" is
    not said against "Projects get cancelled early" where "Projects don't get approved" is a line too."""
    return any(_after(s, m) & scope for s in sentences for m in NEGATION.finditer(s))


def clauses(statement: str) -> list[str]:
    """The statement's clauses; one of under two content words stays with the one before it."""
    return [clause for clause, _ in _joined(statement)]


def _joined(statement: str, joins: re.Pattern[str] = CLAUSE_JOIN) -> list[tuple[str, str]]:
    """The statement's clauses, each with the words that join it to the one before ("" for the first)."""
    out: list[tuple[str, str]] = []
    pos, join = 0, ""
    for m in [*joins.finditer(statement), None]:
        piece = statement[pos : m.start() if m else len(statement)]
        if out and len(tokens(piece)) < 2:
            # Kept with the clause before it, still set apart by a contrast ("not to wait, but to start"):
            # a denial does not run on past it.
            sep = ", " if re.search(r"\b(?:but|while|whereas)\b|[;:]", join, re.I) else " "
            out[-1] = (out[-1][0] + sep + piece, out[-1][1])
        else:
            out.append((piece, join))
        if m:
            pos, join = m.end(), m.group(0)
    return out


# A joined part that opens with its own subject or verb ("…, and it was real") is a clause of its own.
_OWN_CLAUSE = re.compile(
    r"^(?:it|we|you|they|he|she|this|that|there|these|those|i)\b|"
    r"\b(?:is|are|was|were|be|been|should|must|can|could|will|would|do|does|did|has|have|had)\b",
    re.I,
)


_RELATIVE = re.compile(r"\w\s+(?:that|which|who)\b", re.I)  # "…resources that are not allocated"
# What a colon sets apart is a clause of its own for what it denies: "don't build it in isolation:
# involve users from day 1" denies the first part only; so is what ", which" goes on to tell.
_POLARITY_JOIN = re.compile(rf"{CLAUSE_JOIN.pattern}|:\s+|,\s+(?=which\b)", re.I)


def denials_carried(statement: str) -> list[str]:
    """The statement's clauses, where a denial that runs to the end of one ("hold off on new features")
    also denies what "and" joins to it without a subject or verb of its own ("and new use cases"): the
    joined part is read with the denial before it. A denial after two commas of its clause ("one click…,
    the tool built in…, inside Salesforce rather than in a separate app") belongs to one item of a series,
    and what "and" adds is the series' next item, not the denial's; so does one of a relative clause
    ("resources that are not allocated and support that wanes")."""
    out: list[str] = []
    carry = ""
    for clause, join in _joined(statement, _POLARITY_JOIN):
        and_joined = re.search(r"\band\b", join, re.I) is not None
        if carry and and_joined and not NEGATION.search(clause) and not _OWN_CLAUSE.search(clause):
            clause = f"{carry} {clause}"
        last = list(NEGATION.finditer(clause))
        runs_on = bool(last) and not re.search(r"[,;:.!?—()]|\bbut\b", clause[last[-1].end() :].rstrip(" .!?"))
        before = clause[: last[-1].start()] if last else ""
        runs_on = runs_on and before.count(",") < 2 and not _RELATIVE.search(before.rsplit(",", 1)[-1])
        carry = last[-1].group(0) if runs_on else ""
        out.append(clause)
    return out


# A yes to the asker that opens the sentence ("Yes: the guide says…"): what it answers, not what the
# playbook says.
AGREEING_REPLY = re.compile(r"^\W*(?:yes|yeah|yep)\b\s*[,:;.!—–-]", re.I)
# A reply to the asker that opens the sentence, set off by a stop or dash ("Not really: the guide says…",
# "No — …"): it answers the question, and does not deny what the sentence goes on to say.
_REPLY = re.compile(
    r"^\W*(?:no|nope|not (?:really|quite|exactly|necessarily|at all))\s*[,:;.!—–]\s*|^\W*(?:no|nope)\s+-\s+", re.I
)


# A preference said as a comparison: "better to extend the prototype than rush to production" denies
# the second, as "rather than" does.
_BETTER_THAN = re.compile(r"\bbetter\s+(to\s+[^.;:!?\n]+?)\s+than\b", re.I)
# ...and as a wish: "I'd rather prove one thing than fail to prove ten" holds the first, as "rather than" does.
_RATHER_THAN = re.compile(r"(?:'d|\bwould|\bhad)\s+rather\s+([^.;:!?\n]+?)\s+than\b", re.I)
_LABEL_LINE = re.compile(r"^\W*[^\n]{1,80}:\W*$")


def normalized(text: str) -> str:
    """The text with what only looks like a denial undone ("can and cannot", "not just") and a
    preference said as a comparison read as one ("better to A than B": A rather than B)."""
    return _RATHER_THAN.sub(r" \1 rather than", _BETTER_THAN.sub(r"\1 rather than", both_ways(text)))


def span_sentences(span_text: str) -> list[str]:
    """The span's sentences, and each item of a list read with its label ("If Power User Concentration
    (20% doing 80% of uses): Not necessarily bad"): the label says what the item is said of. A label
    that denies ("Don't Build:") is not joined to items that deny again ("❌ Multiple use cases")."""
    lines = [ln for ln in span_text.splitlines() if tokens(ln)]
    out = [s for ln in lines for s in re.split(r"(?<=[.!?])\s+", ln) if tokens(s)]
    label = ""
    for ln in lines:
        if _LABEL_LINE.match(ln):
            label = ln.strip()
        elif label and re.match(r"^\s*(?:[-*+]|\d+[.)])\s", ln):
            if not (NEGATION.search(label) and NEGATION.search(ln)):
                out.append(f"{label} {ln.strip()}")
        else:
            label = ""
    return out


# A line that names what goes wrong ("**Problem:** Quick fixes accumulate", "Pitfall: skipping tests") may
# be said as it is or as advice against it ("so that quick fixes don't accumulate"): either way agrees.
_TROUBLE = re.compile(
    r"^\W*(?:problem|pitfall|mistake|symptom|risk|challenge|root cause|red flag|warning sign|anti-pattern)s?\W*:",
    re.I,
)

_ADVISED = re.compile(r"\b(?:advice|advises?|advised|recommend(?:s|ed|ation)?|should|ought|best to|urges?)\b", re.I)


def _advises(clause: str, line: str) -> bool:
    """The clause advises doing what the line says: the words after its "advice is to", "should",
    "recommends" (up to the next break) are mostly the line's."""
    said = stem_set(set(tokens(line)))
    for m in _ADVISED.finditer(clause):
        scope = stem_set(set(tokens(re.split(r"[,;:.!?—()]|\bbut\b", clause[m.end() :], maxsplit=1)[0])))
        if scope and 2 * len(scope & said) >= len(scope):
            return True
    return False


def polarity_agrees(statement: str, span_text: str, meta: frozenset[str] = frozenset()) -> bool:
    """Each clause is negated exactly when a sentence of the span it is closest to is, and says
    "before" where that sentence does ("after" is a swap): "can be external" is not "cannot be
    external", and "no. What you need is…" does not negate the sentence after it. Words that name the
    document or say how the sentence is put (``meta``) do not count towards which sentence is closest."""
    statement, span_text = normalized(_REPLY.sub("", statement, count=1)), normalized(span_text)
    sentences = span_sentences(span_text)
    if not sentences:
        return True
    sent_stems = [stem_set(set(tokens(s))) for s in sentences]
    # A heading over a line that names what goes wrong ("Premature Scaling" over "Problem: Scale
    # before validating") names it too: warning against it agrees.
    troubles = {s for s, after in pairwise(sentences) if _TROUBLE.match(after)}
    for clause in denials_carried(statement):
        stems = stem_set(set(tokens(clause)) - meta)
        if not stems:
            continue
        overlap = [len(stems & ss) for ss in sent_stems]
        top = max(overlap)
        if 2 * top < len(stems):
            # No one sentence of the span speaks of this clause (the coverage checks judge it), but
            # an opposite word is still a swap where the sentences it draws on say the other one.
            near = [s for o, s in zip(overlap, sentences, strict=True) if o >= max(2, len(stems) // 3)]
            if near and says_opposite(word_forms(clause), [word_forms(s) for s in near], every=False):
                return False
            # Nor may it deny what the sentence it denies of asserts ("the ROI does not need to look
            # promising" where a line says "ROI looks promising").
            if any(
                all(negations_about(s, scope) == 0 and not _TROUBLE.match(s) and s not in troubles for s in best)
                and not denied_anywhere(scope, sentences)
                for scope, best in _denied(clause, sentences, sent_stems)
            ):
                return False
            # Nor assert all that a line it draws on denies ("wait for perfect data" where a line says
            # "Don't wait for perfection"); a question, or a line that names a problem, denies nothing.
            if not NEGATION.search(clause) and any(
                len(scope) >= 2 and scope <= stems
                for s in near
                if "?" not in s and not _TROUBLE.match(s)
                for scope in (_after(s, m) for m in NEGATION.finditer(s))
            ):
                return False
            continue
        closest = [s for o, s in zip(overlap, sentences, strict=True) if o == top]
        # A denial of what another sentence of the span denies is that sentence's, not the closest's
        # ("…, which was not sexy or transformative" beside "Not sexy. Not transformative."; "rather than
        # talk about RAG" beside "❌ We'll use RAG…"). One of what the closest sentence speaks of, read
        # with its label or without, is the closest's, however many others deny it too.
        elsewhere = sum(
            1
            for scope, best in _denied(clause, sentences, sent_stems)
            if not any(c.strip() in s for s in best for c in closest) and any(NEGATION.search(s) for s in best)
        )
        parity = (
            len(denial_groups(clause))
            - elsewhere
            + prefixed_negations(clause, set().union(*(word_forms(s) for s in closest)))
        ) % 2
        # What the clause says itself, not the parts of a compound it names: "a one-size-fits-all
        # approach" says nothing of what "doesn't fit all use cases" denies.
        own = {stem(t) for t in tokens(clause)}
        # A line that names what goes wrong agrees with the clause either way, unless the clause
        # advises doing it ("the advice is to wait for perfect data" where the problem is waiting for it).
        if parity == 0 and all((_TROUBLE.match(s) or s in troubles) and _advises(clause, s) for s in closest):
            return False
        if not any(
            negations_about(s, own) % 2 == parity or _TROUBLE.match(s) or s in troubles or set_against(clause, s)
            for s in closest
        ):
            return False
        if says_opposite(word_forms(clause), [word_forms(s) for s in closest], every=True):
            return False  # "after implementation ends" where the passage says "before … begins"
    return True
