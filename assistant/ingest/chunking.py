"""Chunking: structure-aware passages and quotable units, each mapped to offsets of the cleaned text.

Sections are split by headings first (the heading path is the chunk's ``section``); a list, checklist
or table stays with its heading and group label; only then are long sections split by size, at block
or item boundaries. Units are what answers quote: sentences, list items, group labels, table rows.
"""

from __future__ import annotations

import re

from assistant.answer.asking import wants_figure
from assistant.index.lexicon import Vocabulary
from assistant.ingest.structure import heading_text
from assistant.types import Block, Chunk, CleanDocument, Unit, UnitKind

MAX_CHUNK_CHARS = 1200
_CONTENT = ("paragraph", "list", "label", "table", "code")
_ITEM_START = re.compile(r"^\s*(?:[-*+•]|\d{1,2}[.)])\s+")
_TABLE_SEP = re.compile(r"^\s*\|[\s:|-]+\|\s*$")
_SENTENCE_END = re.compile(r"[.!?][\"”')\]*]*\s+(?=[A-Z0-9\"“(\[*$])")
_ABBREVIATIONS = ("e.g", "i.e", "vs", "etc", "approx", "dr", "mr", "ms", "no", "fig", "u.s", "inc")
_WORDS = re.compile(r"[A-Za-z0-9]")
# A bold label that is a question, the document's own ("**Q: "How long will this take?"**"): the question.
_QUESTION_LABEL = re.compile(r"^\s*\*\*\s*(?:Q:\s*)?[\"“]?([^*\n]+?\?)[\"”]?\s*\*\*:?\s*$")
_DEEPEST = 6  # the deepest heading level; a question label sits below it


def _line_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans, pos = [], start
    for line in text[start:end].split("\n"):
        if line.strip():
            lead = len(line) - len(line.lstrip())
            spans.append((pos + lead, pos + len(line.rstrip())))
        pos += len(line) + 1
    return spans


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of ``text[start:end]``, also broken at line ends (hard breaks in Markdown)."""
    out = []
    for s, e in _line_spans(text, start, end):
        line = text[s:e]
        cut = 0
        for m in _SENTENCE_END.finditer(line):
            before = line[cut : m.start()].rsplit(" ", 1)[-1].lower().rstrip(".")
            if before in _ABBREVIATIONS or len(before) == 1:
                continue
            out.append((s + cut, s + m.end() - (len(m.group(0)) - len(m.group(0).rstrip()))))
            cut = m.end()
        out.append((s + cut, e))
    return [(a, b) for a, b in out if len(_WORDS.findall(text[a:b])) >= 3]


def item_spans(text: str, block: Block) -> list[tuple[int, int]]:
    """List items, with their continuation lines."""
    items: list[list[int]] = []
    for s, e in _line_spans(text, block.start, block.end):
        if _ITEM_START.match(text[s:e]) or not items:
            items.append([s, e])
        else:
            items[-1][1] = e
    return [(s, e) for s, e in items]


def _split_block(text: str, block: Block) -> list[Block]:
    """A block longer than a chunk is cut between its lines (items, rows)."""
    if block.end - block.start <= MAX_CHUNK_CHARS:
        return [block]
    pieces, cur_start, cur_end = [], None, None
    spans = item_spans(text, block) if block.kind == "list" else _line_spans(text, block.start, block.end)
    for s, e in spans:
        if cur_start is not None and cur_end is not None and e - cur_start > MAX_CHUNK_CHARS:
            pieces.append(Block(block.kind, cur_start, cur_end))
            cur_start = None
        cur_start = s if cur_start is None else cur_start
        cur_end = e
    if cur_start is not None and cur_end is not None:
        pieces.append(Block(block.kind, cur_start, cur_end))
    return pieces


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _units(doc: CleanDocument, chunk_id: str, blocks: list[Block], group_base: int) -> list[Unit]:
    text, units = doc.text, []
    for k, b in enumerate(blocks):
        group = group_base + k
        if b.kind == "paragraph":
            units += [
                Unit(doc.doc_id, chunk_id, "sentence", s, e, group) for s, e in sentence_spans(text, b.start, b.end)
            ]
        elif b.kind == "label":
            units.append(Unit(doc.doc_id, chunk_id, "label", *_trim(text, b.start, b.end), group))
        elif b.kind == "list":
            units += [Unit(doc.doc_id, chunk_id, "item", s, e, group) for s, e in item_spans(text, b)]
        elif b.kind == "code":
            units += _code_units(doc, chunk_id, b, group)
        elif b.kind == "table":
            rows = [(s, e) for s, e in _line_spans(text, b.start, b.end) if not _TABLE_SEP.match(text[s:e])]
            units += [
                Unit(doc.doc_id, chunk_id, "header" if i == 0 else "row", s, e, group) for i, (s, e) in enumerate(rows)
            ]
    return units


_FENCE_LINE = re.compile(r"^[ \t]*(?:```|~~~)[ \t]*([\w+-]*)", re.M)
_PROSE_FENCES = ("", "markdown", "md", "text", "txt", "plain", "plaintext")
_CODE_SYNTAX = re.compile(r"[{};]|=>|==|\w\(|^(?:def|class|import|from|return|const|let|var|function|if|for)\b")
_PROSE_WORD = re.compile(r"[A-Za-z]{3,}")


def _code_units(doc: CleanDocument, chunk_id: str, block: Block, group: int) -> list[Unit]:
    """Quotable lines of a fenced block that holds prose rather than code: a model card, an alerting
    policy, an example scope document. Blocks fenced as a programming language give none. Groups get
    negative numbers, so they never meet the groups of the document's other blocks."""
    text = doc.text
    # The fence that opens this block: the last fence line starting at or before it.
    fence = None
    for m in _FENCE_LINE.finditer(text):
        if m.start() > block.start:
            break
        fence = m
    lang = fence.group(1).lower() if fence else ""
    if lang not in _PROSE_FENCES:
        return _figure_lines(doc, chunk_id, block, group, fence.end() if fence else block.start)
    units: list[Unit] = []
    sub, prev_item = 0, False
    for s, e in _line_spans(text, block.start, block.end):
        line = text[s:e]
        # A heading of the fenced document ("## Limitations") needs one word, any other line two.
        words = 1 if line.startswith("#") else 2
        if _FENCE_LINE.match(line) or _CODE_SYNTAX.search(line) or len(_PROSE_WORD.findall(line)) < words:
            prev_item = False
            continue
        is_item = bool(_ITEM_START.match(line))
        if not (is_item and prev_item):
            sub += 1
        prev_item = is_item
        kind: UnitKind = "item" if is_item else "label" if line.endswith(":") or line.startswith("#") else "sentence"
        units.append(Unit(doc.doc_id, chunk_id, kind, s, e, -(group + 1) * 1000 - sub))
    return units


# A line of code that holds data: an assignment or entry ("users: 680,", "self.cost = '$89,000'",
# "'quick_wins': x < 6_months,  # 40% weight", a quoted key of any characters: '"Oven (deck)": 42_750,'),
# or a comment. Statements (return, if, calls) are not.
_ENTRY = re.compile(r"""^(?:(?:const|let|var|self\.)\s*)?(?:"[^"]+"|'[^']+'|[A-Za-z_][\w .-]*)\s*[:=](?!=)\s*(.*)$""")
_COMMENT = re.compile(r"^(?:#|//)\s*(.*)$")
_STATEMENT = re.compile(r"^(?:return|if|elif|else|for|while|def|class|async|await|import|from|try|except)\b")
_OPENS = re.compile(r"[\[{(]\s*(?:(?://|#).*)?$")
_CLOSES = re.compile(r"^[\]})]")


def _figure_lines(doc: CleanDocument, chunk_id: str, block: Block, group: int, opened: int) -> list[Unit]:
    """Lines of a code block that state figures (an entry whose value or comment has a number, or a
    comment with one) are quotable, under the key that opens their object ("cost_savings = {",
    ""caching_strategy": {"), which is a label of their group. Objects without a key (the items of a
    list) take their parent's key; each object is a group of its own, so its entries are read together.
    A block split between passages is read from its fence, so a later part knows the objects it is in
    (their keys, in the earlier passage, are not its units). Lines that state words instead (an entry
    whose value is a string of two words or more, a comment of three) are read-only units: a cited
    sentence is checked against them ("tradeoff": "Slower scale-up when traffic spikes"); the offline
    answer, which quotes a code block for its figures, does not quote them, nor a key over them alone."""
    entries, labelled = _code_entries(doc.text, block, opened)
    quoted = {key for _, _, key, _, figured in entries if figured}
    units: list[Unit] = []
    for s, e, key, sub, figured in entries:
        # As a group label and its list: the label's group is one below its items'.
        unit_group = -(group + 1) * 1000 - 500 + 2 * sub
        if key is not None and key not in labelled and (figured or key not in quoted):
            labelled.add(key)
            units.append(Unit(doc.doc_id, chunk_id, "label", *key, unit_group - 1, read_only=not figured))
        units.append(Unit(doc.doc_id, chunk_id, "item" if sub else "sentence", s, e, unit_group, not figured))
    return sorted(units, key=lambda u: u.start)


_Entry = tuple[int, int, tuple[int, int] | None, int, bool]


def _code_entries(text: str, block: Block, opened: int) -> tuple[list[_Entry], set[tuple[int, int]]]:
    """The entries and comments of a code block's part that state a figure or words: each line's span,
    the span of the key of the object it is in (None outside one), the object's serial number, and
    whether it states a figure. With the keys of objects opened before this part."""
    entries: list[_Entry] = []
    # The open objects: the span of their key line (None for an object without one) and a serial number.
    stack: list[tuple[tuple[int, int] | None, int]] = []
    before: set[tuple[int, int]] = set()
    serial = 0
    for s, e in _line_spans(text, min(opened, block.start), block.end):
        line = text[s:e]
        if s < block.start:  # before this part: only which objects are open
            if _CLOSES.match(line) and stack:
                stack.pop()
            elif _OPENS.search(line):
                serial += 1
                stack.append(((s, e) if _ENTRY.match(line) else (stack[-1][0] if stack else None), serial))
                before.add((s, e))
            continue
        if _FENCE_LINE.match(line):
            continue
        if _CLOSES.match(line):
            if stack:
                stack.pop()
            continue
        if _OPENS.search(line):
            keyed = _ENTRY.match(line) is not None and not _STATEMENT.match(line)
            serial += 1
            stack.append(((s, e) if keyed else (stack[-1][0] if stack else None), serial))
            continue
        entry, comment = _ENTRY.match(line), _COMMENT.match(line)
        said = entry.group(1) if entry else comment.group(1) if comment else ""
        figured = re.search(r"\d", said) is not None
        prose = len(_PROSE_WORD.findall(said))
        worded = prose >= 2 and said.lstrip("[ ").startswith(("'", '"')) if entry else prose >= 3
        if _STATEMENT.match(line) or not (figured or worded) or not _PROSE_WORD.search(line):
            # A statement or call says what the code does in its names ("if sentiment.is_negative:",
            # "return self.escalation_manager.route_to_human(query)"): read-only, as words a cited sentence
            # is checked against, never quoted for a figure.
            if len(_NAMED.findall(_CAMEL_CASE.sub(" ", line.replace("_", " ")))) >= 2:
                key, sub = stack[-1] if stack else (None, 0)
                entries.append((s, e, key, sub, False))
            continue
        key, sub = stack[-1] if stack else (None, 0)
        entries.append((s, e, key, sub, figured or (entry is not None and worded)))
    return entries, before


# The words of a line of code's names, less the language's own ("self", "return", "await").
_NAMED = re.compile(
    r"\b(?!(?:self|this|return|elif|else|while|async|await|const|let|var|def|class|function|new|none|null|true"
    r"|false|not|and|import|from|try|except|print|len|str|int|dict|list)\b)[A-Za-z]{3,}\b",
    re.I,
)
_CAMEL_CASE = re.compile(r"(?<=[a-z])(?=[A-Z])")

_SHORT_NOTE = 160


def _lead_in(text: str, pending: list[Block]) -> list[Block]:
    """The blocks at the end of ``pending`` that introduce what comes next — group labels ("**Model Card
    Documentation:**"), a sentence that ends in a colon ("A complete use case definition contains six
    elements:"), a short note right under a label — and so go with it into the next passage."""
    k = len(pending)
    while k > 0:
        block = pending[k - 1]
        body = text[block.start : block.end].strip()
        introduces = block.kind == "label" or (block.kind == "paragraph" and body.endswith(":"))
        # A note under a label moves only with the label.
        noted = block.kind == "paragraph" and len(body) <= _SHORT_NOTE and k >= 2 and pending[k - 2].kind == "label"
        if not (introduces or noted):
            break
        k -= 1
    return pending[k:]


def chunk_document(doc: CleanDocument, vocabulary: Vocabulary | None = None) -> tuple[list[Chunk], list[Unit]]:
    stages_of = (vocabulary or Vocabulary()).infer_stages
    text = doc.text
    chunks: list[Chunk] = []
    units: list[Unit] = []
    path: list[tuple[int, str]] = []
    pending: list[Block] = []
    heading_start: list[int] = []  # set while the next chunk is the first of its section

    def flush() -> None:
        if not pending:
            return
        section = " > ".join(title for level, title in path if level > 1) or doc.title
        # The first passage of a section starts at its heading, so the heading is part of what is found.
        start, end = (heading_start.pop() if heading_start else pending[0].start), pending[-1].end
        chunk_id = f"{doc.doc_id}:{len(chunks):03d}"
        body = text[start:end]
        chunks.append(Chunk(chunk_id, doc.doc_id, doc.title, section, stages_of(section, body), start, end, body))
        units.extend(_units(doc, chunk_id, list(pending), group_base=sum(not u.read_only for u in units)))
        pending.clear()

    for block in doc.blocks:
        if block.kind == "heading":
            flush()
            title = heading_text(text, block)
            while path and path[-1][0] >= block.level:
                path.pop()
            path.append((block.level, title))
            heading_start[:] = [block.start]
            continue
        if block.kind not in _CONTENT:
            flush()  # excluded material and rules end a chunk
            if block.kind == "excluded":
                heading_start.clear()
            continue
        asked = _QUESTION_LABEL.match(text[block.start : block.end]) if block.kind == "label" else None
        if asked:
            # A question the document asks itself ("**Q: "What if performance is too slow?"**") heads its
            # answer as a heading does: its own passage, found by the question as askers put it. One that
            # asks for a figure ("How long will this take?") says only what kind of answer follows, which
            # any question for such a figure shares: its lines' figures say what it is about.
            flush()
            while path and path[-1][0] > _DEEPEST:
                path.pop()
            if not wants_figure(asked.group(1)):
                path.append((_DEEPEST + 1, asked.group(1)))
        for piece in _split_block(text, block):
            size = piece.end - (pending[0].start if pending else piece.start)
            # A group label belongs with the list that follows it.
            label_last = bool(pending) and pending[-1].kind == "label" and piece.kind == "list"
            if pending and size > MAX_CHUNK_CHARS and not label_last:
                carry = _lead_in(text, pending)
                if len(carry) < len(pending):  # when all of it leads in, it stays with what it introduces
                    del pending[len(pending) - len(carry) :]
                    flush()
                    pending.extend(carry)
            pending.append(piece)
    flush()
    return chunks, units


def _cells(line: str) -> list[str]:
    return [c.strip().replace("**", "").strip() for c in line.strip().strip("|").split("|")]


def row_cells(doc: CleanDocument, units: list[Unit], sections: dict[str, str]) -> list[tuple[int, str]]:
    """Each value of a table row read with what names it: its row's first cell and its column's header,
    under the table's heading ("Cost Optimization: Optimized — Cost per Transaction: $0.12"). A row's line
    of bars and cells is far in meaning from a question about one of its values; each of these is a
    vector of its own, standing for the row. Returned as (index of the row in ``units``, text)."""
    headers = {(u.chunk_id, u.group): _cells(doc.text[u.start : u.end]) for u in units if u.kind == "header"}
    out: list[tuple[int, str]] = []
    for k, u in enumerate(units):
        header = headers.get((u.chunk_id, u.group))
        if u.kind != "row" or header is None:
            continue
        row = _cells(doc.text[u.start : u.end])
        where = sections.get(u.chunk_id, "").rsplit(" > ", 1)[-1]
        for column, value in list(zip(header, row, strict=False))[1:]:
            if value and value != "-":
                named = f"{row[0]} — {column}: {value}" if column else f"{row[0]} — {value}"
                out.append((k, f"{where}: {named}" if where else named))
    return out
