"""How the playbook's lines sit in their passages: what a line continues, announces or introduces, the
labels above it, and the shapes of the lines that matter for an answer (figures with their measure,
numbered and parallel labels). Pure functions of the corpus."""

from __future__ import annotations

import functools
import re

from assistant.index.corpus import Corpus, tokens
from assistant.types import Hit

# A line that introduces what follows: it ends with a colon, in bold or not ("1. **Start Small (Pilot):**").
INTRODUCES = re.compile(r":[*_]*\s*$")
FIGURE = re.compile(r"\d|\$|%|\b(?:one|two|three|four|five|six|seven|eight|nine|ten)\b", re.I)
# A figure with its measure ("4-6 hours/week", "$15K-$50K"), and the measure alone.
_UNITS = r"(%|hours?/week|hours?|weeks?|months?|days?|users?)(?![a-z])"
MEASURED = re.compile(r"\$?\d[\d,.]*[kKmM]?(?:\s*[-–]\s*\$?\d[\d,.]*[kKmM]?)?\+?\s*" + _UNITS)
MEASURE = re.compile(r"(?<=\d)\+?\s*" + _UNITS)
# An amount per period of time ("2-4 hours/week", "10 hours per week"): effort or a rate, not a duration.
RATE = re.compile(r"\d\+?\s*(?:hours?|hrs?|days?|minutes?|mins?)\s*(?:/|per\s+|a\s+)(?:week|month|day|wk)\b", re.I)
# A line that counts what follows ("against 5 primary attack vectors", "three conditions"), and the
# numbered labels of what it counts ("**1. Prompt Injection Attacks:**").
COUNT_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
ANNOUNCE = re.compile(
    r"\b(\d{1,2}|" + "|".join(COUNT_WORDS) + r")\s+(?:[a-z-]+\s+){0,2}"
    r"(?!(?:minute|hour|day|week|month|year|user|people|person|dollar|percent|time)s\b)[a-z-]+s\b",
    re.I,
)
NUMBERED_LABEL = re.compile(r"^\W*(\d{1,2})[.)]\s+\S")
ORDINAL_LEAD = re.compile(r"^\W*(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|finally)\b", re.I)
# A label that numbers one of several parallel blocks: "**Option 2: Role-Based Rollout**", "**Step 3:**".
PARALLEL_LABEL = re.compile(r"^\W*([A-Za-z]+) \d{1,2}\b")
# A heading that numbers one of a document's parallel sections: "Phase 2 (Days 31–60): Build and validate",
# "3. Phase 2: The Hardening".
NUMBERED_HEADING = re.compile(r"^(?:\d{1,2}\.\s*)?(phase|stage|step)\s+\d{1,2}\b", re.I)
_MONEY = re.compile(r"\$\s?\d|\d\s?(?:usd|dollars?)\b", re.I)
_TIME = re.compile(r"\d\+?\s*(?:hours?|hrs?|weeks?|wks?|months?|days?|years?)\b", re.I)
_SHARE = re.compile(r"\d\s?%|\bpercent")


_SPELLED = {**COUNT_WORDS, "one": 1, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "fifty": 50}
_SPELLED_WORD = re.compile(r"\b(" + "|".join(_SPELLED) + r")\b", re.I)
_SPELLED_RANGE = re.compile(r"(\d+)\s+to\s+(\d+)")


def in_digits(text: str) -> str:
    """The text with its figures in digits, as the playbook mostly writes them: "Four to eight users"
    reads "4-8 users"."""
    digits = _SPELLED_WORD.sub(lambda m: str(_SPELLED[m.group(1).lower()]), text)
    return _SPELLED_RANGE.sub(r"\1-\2", digits)


def figure_kinds(text: str) -> set[str]:
    """What a line's figures measure: money, time, a share."""
    found = {"money": _MONEY, "time": _TIME, "share": _SHARE}
    return {kind for kind, pattern in found.items() if pattern.search(text)}


def comparable(a: set[str], b: set[str]) -> bool:
    """Two lines' figures can answer the same question: they share a measure, or one gives none."""
    return not a or not b or bool(a & b)


def context_tokens(corpus: Corpus, i: int) -> set[str]:
    """The words a unit states, with its section path and the labels above it."""
    out = set(corpus.unit_tokens[i]) | set(tokens(corpus.chunks[corpus.units[i].chunk_id].section))
    for k in context_before(corpus, i) + table_header(corpus, i):
        out |= corpus.unit_tokens[k]
    return out


def continuation(corpus: Corpus, i: int, limit: int = 2) -> list[int]:
    """Up to ``limit`` sentences that follow a short or opening sentence in its paragraph."""
    unit = corpus.units[i]
    idx = corpus.units_by_chunk[unit.chunk_id]
    same = [j for j in idx if corpus.units[j].group == unit.group]
    pos = same.index(i)
    if pos > 0 and len(corpus.unit_text(i)) > 90:
        return []
    if pos == 0 and sum(len(corpus.unit_text(j).split()) for j in same) <= _SHORT_PARAGRAPH_WORDS:
        return same[1:]  # a short paragraph is read whole from its opening, as a short list is
    return same[pos + 1 : pos + 1 + limit]


_SHORT_PARAGRAPH_WORDS = 100


_MARKUP = re.compile(r"^\s*#|\*\*", re.M)
_RUN_IN_WORDS = 10


def run_in(corpus: Corpus, i: int) -> list[int]:
    """The short first sentence of ``i``'s paragraph where its document has no markup: plain text heads a
    paragraph with its opening sentence ("The trust gap.", "Name a workflow owner, not just a technical
    owner."), as Markdown does with a bold label. Empty for that sentence itself, for a longer or
    figured one, and in a document with headings or bold, whose short openings are its story."""
    unit = corpus.units[i]
    if unit.kind != "sentence" or _marked_up(corpus, unit.doc):
        return []
    idx = corpus.units_by_chunk[unit.chunk_id]
    same = [j for j in idx if corpus.units[j].group == unit.group and corpus.units[j].kind == "sentence"]
    first = same[0]
    text = corpus.unit_text(first).strip()
    if first == i or len(text.split()) > _RUN_IN_WORDS or not text.endswith(".") or re.search(r"\d", text):
        return []
    return [first]


def _marked_up(corpus: Corpus, doc: str) -> bool:
    return _has_markup(corpus.texts.get(doc, ""))


@functools.lru_cache(maxsize=64)
def _has_markup(text: str) -> bool:
    return bool(_MARKUP.search(text))


def announced(corpus: Corpus, i: int, limit: int) -> list[int]:
    """What a line announces when it counts it ("We design defenses against 5 primary attack vectors.")
    and its section goes on with that many numbered labels ("**1. Prompt Injection Attacks:**", …): the
    labels, each with its one-line summary. Empty otherwise."""
    m = ANNOUNCE.search(corpus.unit_text(i))
    if not m:
        return []
    count = int(m.group(1)) if m.group(1).isdigit() else COUNT_WORDS[m.group(1).lower()]
    if not 2 <= count <= limit:
        return []
    unit = corpus.units[i]
    section = (unit.doc, corpus.chunks[unit.chunk_id].section)
    after = [
        j
        for c in corpus.chunks.values()
        if (c.doc, c.section) == section
        for j in corpus.units_by_chunk.get(c.id, [])
        if corpus.units[j].start > unit.start
    ]
    after.sort(key=lambda j: corpus.units[j].start)
    # "Three conditions must hold. First, … Second, … Third, …": the paragraph through its last ordinal.
    same = [j for j in after if corpus.units[j].group == unit.group]
    ordinals = [k for k, j in enumerate(same) if ORDINAL_LEAD.match(corpus.unit_text(j))]
    if len(ordinals) >= count:
        return same[: ordinals[count - 1] + 1]
    leads = _paragraph_leads(corpus, unit.doc, [j for j in after if corpus.units[j].group != unit.group], count)
    if leads:
        return leads
    numbered = [
        (j, int(m.group(1)))
        for j in after
        if corpus.units[j].kind == "label" and (m := NUMBERED_LABEL.match(corpus.unit_text(j)))
    ]
    if [n for _, n in numbered[:count]] != list(range(1, count + 1)):
        return []
    out: list[int] = []
    for j, _ in numbered[:count]:
        nxt = after[after.index(j) + 1 : after.index(j) + 2]
        short = [k for k in nxt if corpus.units[k].kind == "sentence" and len(corpus.unit_text(k)) <= 120]
        out += [j, *short]
    return out


def _paragraph_leads(corpus: Corpus, doc: str, after: list[int], count: int) -> list[int]:
    """In plain text, what a counting line announces as the paragraphs that follow it ("Three adoption
    obstacles appear consistently." then "The trust gap. …", "The friction tax. …"): the next ``count``
    paragraphs' short opening sentences, each with the sentence after it when that is short too. Empty
    unless each of them opens with one."""
    if _marked_up(corpus, doc):
        return []
    groups: list[list[int]] = []
    for j in after:
        if not groups or corpus.units[groups[-1][0]].group != corpus.units[j].group:
            groups.append([])
        groups[-1].append(j)
    out: list[int] = []
    for group in groups[:count]:
        text = corpus.unit_text(group[0]).strip()
        if len(text.split()) > _RUN_IN_WORDS or not text.endswith(".") or re.search(r"\d", text):
            return []
        out += [group[0], *[k for k in group[1:2] if len(corpus.unit_text(k)) <= 140]]
    return out if len(groups) >= count else []


def content_after(corpus: Corpus, i: int, limit: int) -> list[int]:
    """What a label or an introducing sentence introduces: the next list, table or paragraph in its
    passage (and the list an introducing paragraph leads into)."""
    unit = corpus.units[i]
    idx = corpus.units_by_chunk[unit.chunk_id]
    pos = idx.index(i)
    if pos + 1 >= len(idx):
        return []
    nxt = corpus.units[idx[pos + 1]]
    level = md_level(corpus.unit_text(i))
    if level:
        # A heading inside a fenced document ("# Model Card: …"): everything under it, down to the next
        # heading of its level, its sub-headings ("## Intended Use") included.
        out: list[int] = []
        for j in idx[pos + 1 :]:
            sub = md_level(corpus.unit_text(j))
            if (sub and sub <= level) or len(out) >= 3 * limit:
                break
            out.append(j)
        return out
    if nxt.kind == "label":  # "**Q: ...**" / "**A:**" / "**Minimum Team:**": follow the labels down
        rest = content_after(corpus, idx[pos + 1], limit)
        return [idx[pos + 1], *rest] if rest else []
    if nxt.group == unit.group:  # the rest of the introducing paragraph, then what it leads into
        rest = [j for j in idx[pos + 1 :] if corpus.units[j].group == unit.group]
        if unit.kind == "item":  # "- When new model versions release, test:": the rest of its list
            return rest[:limit]
        return rest[:3] + (content_after(corpus, rest[-1], limit) if rest else [])
    group = [j for j in idx if corpus.units[j].group == nxt.group][:limit]
    if nxt.kind == "sentence" and group and corpus.unit_text(group[-1]).rstrip().endswith(":"):
        group += content_after(corpus, group[-1], limit)
    elif unit.kind == "label" and nxt.kind == "sentence" and len(group) == 1 and len(corpus.unit_text(group[0])) <= 160:
        # A short note under the label ("(For regulated industries: …)") and then what the label heads.
        group += content_after(corpus, group[0], limit)
    return group


def lead_line(corpus: Corpus, i: int) -> list[int]:
    """The one-line paragraph right above ``i``'s paragraph when it opens with a bold label and so heads
    it ("**Biggest ROI driver** (38% of total benefit): **Efficiency gains**" above "Not headcount
    reduction. …"); empty otherwise."""
    unit = corpus.units[i]
    idx = corpus.units_by_chunk[unit.chunk_id]
    pos = idx.index(min(j for j in idx if corpus.units[j].group == unit.group)) - 1
    if pos < 0:
        return []
    above = idx[pos]
    lone = pos == 0 or corpus.units[idx[pos - 1]].group != corpus.units[above].group
    text = corpus.unit_text(above)
    if corpus.units[above].kind == "sentence" and lone and text.startswith("**") and len(text) <= 160:
        return [above]
    return []


def md_level(text: str) -> int:
    """The level of a Markdown heading line ("## Intended Use": 2), 0 for any other line."""
    m = re.match(r"^(#{1,6})\s", text)
    return len(m.group(1)) if m else 0


def block_label(corpus: Corpus, i: int, reach: int = 8) -> list[int]:
    """For a label that says something of its own ("**Cons:** High support burden"), the label of the
    parallel block it closes ("**Option 4: "Big Bang" Rollout**"), when one stands within ``reach``
    units above it in its passage; else nothing."""
    unit = corpus.units[i]
    text = corpus.unit_text(i)
    if unit.kind not in ("label", "sentence") or not re.match(r"^\W*\*\*[^*]+:\*\*\s*\S", text):
        return []
    idx = corpus.units_by_chunk[unit.chunk_id]
    at = idx.index(i)
    for j in reversed(idx[max(0, at - reach) : at]):
        if corpus.units[j].kind == "label" and PARALLEL_LABEL.match(corpus.unit_text(j)):
            return [j]
    return []


def block_title(corpus: Corpus, i: int) -> list[int]:
    """For a line of a fenced document (a model card, a scope document), that document's title above it
    ("# Model Card: Claims Letter Assistant v2.0"): its lines are about what the title names, as a
    section's are about its heading. Empty outside a fenced document or where it has no title."""
    unit = corpus.units[i]
    if unit.group >= 0 or unit.kind not in ("item", "sentence"):
        return []
    block = -unit.group // 1000
    for j in corpus.units_by_chunk[unit.chunk_id]:
        if j >= i:
            break
        if (
            corpus.units[j].group < 0
            and -corpus.units[j].group // 1000 == block
            and re.match(r"#\s", corpus.unit_text(j))
        ):
            return [j]
    return []


def object_key(corpus: Corpus, i: int) -> list[int]:
    """For an entry of a code object that is an item of a list (``{wave: 3, duration: "6 weeks", …}``),
    the object's first entry, which says which one it is ("wave: 3,"): the object's other entries are of
    it, as a table's values are of their row. Empty for its first entry and outside code."""
    unit = corpus.units[i]
    if unit.group >= 0 or unit.kind != "item":
        return []
    first = next(j for j in corpus.units_by_chunk[unit.chunk_id] if corpus.units[j].group == unit.group)
    return [first] if first != i and _KEYED_ENTRY.match(corpus.unit_text(first)) else []


# A code entry that names a key and its value ("wave: 3,", "'tier': 'gold',").
_KEYED_ENTRY = re.compile(r"""^\s*["']?[A-Za-z_][\w -]*["']?\s*[:=]\s*\S""")


def table_header(corpus: Corpus, i: int) -> list[int]:
    """For a table row, its table's header: a value is of its row and of its column ("Pilot: 3–4 wks")."""
    unit = corpus.units[i]
    if unit.kind != "row":
        return []
    return [j for j in corpus.units_by_chunk[unit.chunk_id] if corpus.units[j].group == unit.group][:1]


def context_before(corpus: Corpus, i: int, limit: int = 3) -> list[int]:
    """The labels and lead-in sentences directly above ``i``'s list, nearest first, up to ``limit``:
    "**Defense:**", then "*Attacker uses AI to extract data…*", then "**2. Data Exfiltration:**". The walk
    stops at another list, so a "Don't Add:" list is not read under the "Add:" above it."""
    unit = corpus.units[i]
    idx = corpus.units_by_chunk[unit.chunk_id]
    pos = idx.index(min(j for j in idx if corpus.units[j].group == unit.group)) - 1
    out: list[int] = []
    # A paragraph is read under the labels above it ("**Q: ...**" "**A:**"); a list also under lead-ins.
    kinds = ("label", "sentence") if unit.kind == "item" else ("label",)
    while pos >= 0 and len(out) < limit and corpus.units[idx[pos]].kind in kinds:
        out.append(idx[pos])
        pos -= 1
    return out


# A part named by its number in a question ("lesson 4", "pitfall #6"), and in a section's heading ("Lesson 4:
# Technical Debt Will Kill You", "3. Phase 2: The Hardening").
_PART_ASKED = re.compile(r"\b([a-z]{3,})\s*#?\s*(\d{1,2})\b", re.I)
_PART_HEADING = re.compile(r"^\W*(?:\d{1,2}\.\s*)?([A-Za-z]{3,})\s+(\d{1,2})\b")


def named_part(question: str, hits: list[Hit]) -> list[Hit]:
    """``hits`` without the siblings of a numbered part the question names: "lesson 4" asks for the passage
    headed "Lesson 4: …", not for "Lesson 3" or "Lesson 7" found beside it. Unchanged when no passage the
    search found is headed by a part the question names."""
    asked = {(word.lower(), int(n)) for word, n in _PART_ASKED.findall(question)}
    if not asked:
        return hits

    def part(hit: Hit) -> tuple[str, int] | None:
        m = _PART_HEADING.match(hit.chunk.section.split(" > ")[-1])
        return (m.group(1).lower(), int(m.group(2))) if m else None

    found = {p for h in hits if (p := part(h)) is not None} & asked
    if not found:
        return hits
    words = {word for word, _ in found}
    return [h for h in hits if (p := part(h)) is None or p in found or p[0] not in words]
