"""Which of two things a sentence holds and which it sets aside: "real scenarios rather than
PowerPoint", "recognition, not just compensation", "adds noise without adding much signal", "before
the pilot begins — not after results come in". A paraphrase may move a denial about; it may not turn a
contrast round, denying what the passage holds or holding what it sets aside."""

from __future__ import annotations

import re

from assistant.index.corpus import tokens
from assistant.model.facts import NEGATION
from assistant.model.meaning import denials_carried, normalized, span_sentences, stem_set
from assistant.model.opposites import VERSUS, set_against

# What a denial denies runs to here: a stop, "but", or a verb of its own that "or"/"and" brings in
# ("not approved or are cancelled early": the cancelling is held, not denied).
_SCOPE_END = re.compile(r"[,;:.!?—()]|\bbut\b|\b(?:or|and)\s+(?=(?:is|are|was|were|get|gets|got)\b)", re.I)
_STOP = re.compile(r"[.;:!?\n]")  # what it is set against runs back to here
_TITLED = re.compile(r"(?:[A-Z][\w'-]*\s*)+")  # words of a label: each capitalised ("Intended For")


_DENYING_LABEL = re.compile(r"[)\]*_ ]*:[^\n.;!?]*")


def held_and_denied(text: str, meta: frozenset[str]) -> tuple[set[str], set[str], bool]:
    """The stems the text holds (outside every denial's scope), those it denies (the words after a
    denial, up to the next break), and whether a denial is set against words before it in its sentence
    (a contrast: "A, not B"; "Not every team…" denies without a contrast)."""
    denied: set[str] = set()
    cuts: list[tuple[int, int]] = []
    contrast = False
    for m in NEGATION.finditer(text):
        if cuts and m.start() < cuts[-1][1]:
            continue  # inside what a denial before it denies
        scope = _SCOPE_END.split(text[m.end() :], maxsplit=1)[0]
        if label := _DENYING_LABEL.match(text, m.end()):
            # A denial that ends a label ("**Too Hot (Avoid):** Early adopters…") denies what it heads.
            scope = label.group(0)
            denied |= stem_set(set(tokens(scope)) - meta)
            cuts.append((m.start(), m.end() + len(scope)))
            continue
        if text[m.end() + len(scope) : m.end() + len(scope) + 1] == ":" and _TITLED.fullmatch(scope.strip()):
            # A label that denies ("Not Intended For: final letters, …") denies what its line goes on to;
            # a sentence that denies before a colon ("Don't wait for perfect data: start…") does not.
            after = text[m.end() + len(scope) + 1 :]
            scope += ":" + re.split(r"[\n.;!?]", after, maxsplit=1)[0]
        denied |= stem_set(set(tokens(scope)) - meta)
        opens = not set(tokens(_STOP.split(text[: m.start()])[-1])) - meta
        contrast = contrast or not opens
        end = m.end() + len(scope)
        if opens and text[end : end + 1] == ",":
            # "Without AI, we'd need 120 more reps": what follows holds only where the denial does.
            end += len(_STOP.split(text[end:], maxsplit=1)[0])
        cuts.append((m.start(), end))
    rest = text
    for a, b in reversed(cuts):
        rest = rest[:a] + " . " + rest[b:]
    return stem_set(set(tokens(rest)) - meta), denied, contrast


def contrast_turned(statement: str, span_text: str, meta: frozenset[str] = frozenset()) -> bool:
    """A clause of the statement that sets aside what the span's sentences closest to it hold, or
    holds what they set aside, where the clause sets a thing against another: "motivated by
    compensation rather than recognition" where the line says "recognition (not just compensation)".
    A clause that only holds is the polarity check's: "not" in a line is not always about its word."""
    if _emphasis_turned(statement, span_text, meta):
        return True
    statement = normalized(statement)
    ordered = _ORDER_CUE.search(statement) is not None
    if not ordered and not NEGATION.search(statement):
        return False  # nothing set against anything, nothing put in order
    sentences = span_sentences(normalized(span_text))
    read = [stem_set(set(tokens(s))) for s in sentences]
    for clause in denials_carried(statement):
        stems = stem_set(set(tokens(clause)) - meta)
        overlap = [len(stems & ss) for ss in read]
        if not stems or not overlap or 2 * max(overlap) < len(stems):
            continue
        nearest = [s for s, o in zip(sentences, overlap, strict=True) if o == max(overlap)]
        if ordered and _order_turned(clause, nearest, meta):
            return True
        closest = [
            held_and_denied(VERSUS.sub("rather than", s) if set_against(clause, s) else s, meta) for s in nearest
        ]
        held = set().union(*(h for h, _, _ in closest))
        denied = set().union(*(d for _, d, _ in closest))
        span_contrast = any(c for _, _, c in closest)
        own_held, own_denied, own_contrast = held_and_denied(clause, meta)
        given = own_contrast and (own_denied - own_held) & (held - denied)  # what the span holds, denied
        taken = own_contrast and span_contrast and (denied - held) & (own_held - own_denied)  # the other way
        if own_denied & denied:
            # Both deny one thing ("people don't adopt the system" where the line has "systems people do
            # not adopt"): turned only where words cross both ways ("adds signal without adding noise").
            given = given and taken
        if given or taken:
            return True
    return False


# Two steps in order: "validate first, optimize later", "plan, then build", "test before you launch".
_ORDER_CUE = re.compile(r"\b(?:first|then|before)\b", re.I)
_STEP = r"([^,;.:!?\n]+?)"
_ORDERED = (
    re.compile(rf"{_STEP}\s+first\b[,;]?\s*(?:and\s+)?(?:then\s+)?{_STEP}(?=[,;.:!?\n]|$)", re.I),
    re.compile(rf"{_STEP},?\s+(?:and\s+)?then\s+{_STEP}(?=[,;.:!?\n]|$)", re.I),
    re.compile(rf"{_STEP}\s+before\s+{_STEP}(?=[,;.:!?\n]|$)", re.I),
)


def steps(text: str, meta: frozenset[str]) -> list[tuple[set[str], set[str]]]:
    """The pairs of steps the text puts in order, each as its stems: the earlier, then the later."""
    out = []
    for pattern in _ORDERED:
        for m in pattern.finditer(text):
            a, b = (stem_set(set(tokens(g)) - meta) - _ORDER_WORDS for g in m.groups())
            if a and b:
                out.append((a, b))
    return out


_ORDER_WORDS = frozenset(["first", "1", "then", "later", "befor", "after", "next"])


def _order_turned(clause: str, sentences: list[str], meta: frozenset[str]) -> bool:
    """Two steps the clause puts in the order the sentences turn round: "optimize first, then validate"
    where the line says "Validate first, optimize later"."""
    said = steps(clause, meta)
    held = [pair for s in sentences for pair in steps(s, meta)]
    return any(a & b2 and b & a2 and not (a & a2 and b & b2) for a, b in said for a2, b2 in held)


# What a sentence puts first and what it only adds: "representative users (not just enthusiastic adopters)".
_NOT_JUST = re.compile(r"([^,;:.!?()\n—]+?)\s*[,(]?\s*\bnot (?:just|only|merely)\s+([^,;:.!?()\n—]+)", re.I)


def _emphasis_turned(statement: str, span_text: str, meta: frozenset[str]) -> bool:
    """What the span puts first said as what is only added, and the other way round: "enthusiastic
    adopters, not just representative users" where the line says "representative users (not just
    enthusiastic adopters)". Both are held either way; which one the passage insists on is turned."""

    def pairs(text: str) -> list[tuple[set[str], set[str]]]:
        found = [tuple(stem_set(set(tokens(g)) - meta) for g in m.groups()) for m in _NOT_JUST.finditer(text)]
        return [(a, b) for a, b in found if a and b]

    said = pairs(statement)
    held = pairs(span_text) if said else []
    return any((a - a2) & b2 and b & (a2 - a) for a, b in said for a2, b2 in held)


# "Just X" or "only X", and whether it is denied ("not just X", "more than just X", "rather than only X").
_RESTRICTED = re.compile(
    r"(\b(?:not|(?:does|do|did|is|are|was|were)n['’]t|rather than|instead of|in place of|more than|beyond)\s+)?"
    r"\b(?:just|only|merely|solely)\s+([^,;:.!?()\n—]+)",
    re.I,
)


def restriction_turned(statement: str, span_text: str, meta: frozenset[str] = frozenset()) -> bool:
    """ "Just X" where the span says "not just X", or the reverse: "name a workflow owner, just a technical
    owner" where the line says "not just a technical owner". Only X and more than X are opposite claims,
    though the words are the same but for "not"."""

    def found(text: str) -> list[tuple[bool, set[str]]]:
        out = [(m.group(1) is not None, stem_set(set(tokens(m.group(2))) - meta)) for m in _RESTRICTED.finditer(text)]
        return [(denied, words) for denied, words in out if words]

    said = found(statement)
    held = found(span_text) if said else []
    return any(d != d2 and 2 * len(w & w2) >= max(len(w), len(w2)) for d, w in said for d2, w2 in held)


# Where a sentence joins two statements of its own ("…, and a technical owner for how it is used").
_JOINED = re.compile(r",\s+(?:and|but|while|whereas)\s+|;\s+|\s+(?:whereas|while)\s+", re.I)


# Where a sentence moves from one part to the next, lists included ("validate at prototype, scale in
# production"): read so only for the stages and roles a sentence cannot swap.
_PARTS = re.compile(r",\s+(?:and\s+|but\s+)?|[;:]\s+|\s+(?:and|but|while|whereas)\s+", re.I)


def pairing_turned(statement: str, near: str, meta: frozenset[str], held: frozenset[str] = frozenset()) -> bool:
    """Two things the passage gives each its own part, said each with the other's: "a workflow owner
    for performance and reliability, and a technical owner for how it is used" where the passage's
    technical owner is the one responsible for performance. Each of the statement's two joined clauses
    is told apart by a word the other lacks; where one clause of the passage holds the first word and
    another the second, each of the statement's clauses shares more with the other's clause than with
    its own. With ``held``, the parts of a list or of clauses set side by side by a comma, told apart by
    a stage or role: "validate in production and scale at the prototype stage" where the line says
    "Validate at prototype, scale in production"."""
    split = _PARTS.split if held else _JOINED.split
    said = [stem_set(set(tokens(c)) - meta) for c in split(statement)]
    if len(said) < 2:
        return False
    named = stem_set(set(held))
    held_parts = [stem_set(set(tokens(c)) - meta) for s in span_sentences(near) for c in split(s)]
    holding: dict[str, list[int]] = {}
    for k, clause in enumerate(held_parts):
        for w in clause:
            holding.setdefault(w, []).append(k)
    for i, first in enumerate(said):
        for second in said[i + 1 :]:
            for x in first - second if not held else (first - second) & named:
                for y in second - first if not held else (second - first) & named:
                    own_x = [k for k in holding.get(x, ()) if y not in held_parts[k]]
                    own_y = [k for k in holding.get(y, ()) if x not in held_parts[k]]
                    if not own_x or not own_y:
                        continue
                    of_x = set().union(*(held_parts[k] for k in own_x))
                    of_y = set().union(*(held_parts[k] for k in own_y))
                    only_x, only_y = of_x - of_y, of_y - of_x
                    rest_first, rest_second = first - {x}, second - {y}
                    if len(rest_first & only_y) > len(rest_first & only_x) and len(rest_second & only_x) > len(
                        rest_second & only_y
                    ):
                        return True
    return False
