"""The offline answer as text: the chosen units grouped by source document, each run of one passage
under one numbered citation (its exact quote and offsets), tables under their header, labels that
only head what follows shown without a number, and the abstention with the nearest topics."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant.types import AnswerBlock, Citation

if TYPE_CHECKING:
    from assistant.index.corpus import Corpus
    from assistant.types import Hit

ITEM_MARK = re.compile(r"^\s*(?:[-*+•]|\d{1,2}[.)])\s+")
_SPACE = re.compile(r"\s+")


def collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def render(
    corpus: Corpus, selected: list[int], doc_order: list[str], *, headed: bool = False
) -> tuple[str, list[Citation], list[AnswerBlock]]:
    """The chosen units as Markdown, grouped by document in ``doc_order``: each run of one passage
    under one numbered citation with its exact quote and offsets; with ``headed``, each run under its
    section's own heading (an outline of the document's phases). Returns the text, the citations and
    the same lines as blocks (framing, labels, statements with their citation numbers)."""
    by_doc: dict[str, list[int]] = {}
    for i in selected:
        by_doc.setdefault(corpus.units[i].doc, []).append(i)
    docs = [d for d in doc_order if d in by_doc]
    citations: list[Citation] = []
    lines: list[str] = []
    blocks: list[AnswerBlock] = []
    if len(docs) > 1:
        lines.append(f"{len(docs)} playbook documents speak to this; each is quoted with its source.")
        blocks.append(AnswerBlock(kind="framing", text=lines[-1]))
    # A section is shown where its best line ranks: the answer leads with what answers best, and each
    # section reads in the document's order.
    rank: dict[tuple[str, str], int] = {}
    for k, i in enumerate(selected):
        rank.setdefault((corpus.units[i].doc, corpus.chunks[corpus.units[i].chunk_id].section), k)
    order = {i: k for k, i in reversed(list(enumerate(selected)))}
    for doc in docs:
        units = sorted(by_doc[doc], key=lambda i: corpus.units[i].start)
        runs = _runs(corpus, units)

        def place(run: list[int], doc: str = doc) -> tuple[int, int, int]:
            # The run that holds its section's best line leads the section (the direct answer first);
            # the section's other runs follow in the document's order. An outline keeps its order.
            section = rank[(doc, corpus.chunks[corpus.units[run[0]].chunk_id].section)]
            leads = not headed and min(order[i] for i in run) == section
            return section, 0 if leads else 1, corpus.units[run[0]].start

        runs.sort(key=place)
        sections = []
        for run in runs:
            section = corpus.chunks[corpus.units[run[0]].chunk_id].section
            if section not in sections:
                sections.append(section)
        lines.append("")
        lines.append(
            f"From *{corpus.titles[doc]}*:" if headed else f"From *{corpus.titles[doc]}* ({'; '.join(sections)}):"
        )
        blocks.append(AnswerBlock(kind="framing", text=lines[-1]))
        for run in runs:
            if headed:
                # The section's heading says which phase the line opens; it is framing, not a claim.
                heading = corpus.chunks[corpus.units[run[0]].chunk_id].section.split(" > ")[-1].strip()
                lines.append(f"**{heading}**")
                blocks.append(AnswerBlock(kind="label", text=heading))
            if all(is_heading_only(corpus, i) for i in run):
                # Labels that head what follows ("**Add:**") say nothing to cite: no source number.
                lines += [_as_label(collapse(corpus.unit_text(i))) for i in run]
                blocks += [AnswerBlock(kind="label", text=_as_label(collapse(corpus.unit_text(i)))) for i in run]
                continue
            first, last = corpus.units[run[0]], corpus.units[run[-1]]
            chunk = corpus.chunks[first.chunk_id]
            n = len(citations) + 1
            citations.append(
                Citation(
                    n=n,
                    doc=doc,
                    title=corpus.titles[doc],
                    section=chunk.section,
                    quote=corpus.texts[doc][first.start : last.end],
                    start=first.start,
                    end=last.end,
                )
            )
            paragraph: list[str] = []
            paragraph_of = run[0]
            table: list[str] = []
            for i in run:
                unit = corpus.units[i]
                text = _as_label(collapse(corpus.unit_text(i)))
                if unit.kind in ("row", "header"):
                    table.append(text)
                    continue
                if table:
                    lines += _table_lines(table, n)
                    blocks += _table_blocks(table, n)
                    table = []
                if unit.kind == "sentence":
                    if paragraph and corpus.units[paragraph_of].group != unit.group:
                        lines.append(" ".join(paragraph))  # each paragraph of the source on its own line
                        paragraph = []
                    paragraph.append(_mark_sentences(text, n))
                    blocks += [_said(t, n) for t in _sentences(text)]
                    paragraph_of = i
                    continue
                if paragraph:
                    lines.append(" ".join(paragraph))
                    paragraph = []
                if is_heading_only(corpus, i):
                    lines.append(text)  # a heading for what follows, not a claim
                    blocks.append(AnswerBlock(kind="label", text=text))
                elif unit.kind == "label":
                    # A label that says something is cited like sentences: each of its sentences.
                    lines.append(_mark_sentences(text, n))
                    blocks += [_said(t, n) for t in _sentences(text)]
                else:
                    lines.append(f"- {ITEM_MARK.sub('', text)} [{n}]")
                    blocks.append(_said(text, n))
            if paragraph:
                lines.append(" ".join(paragraph))
            if table:
                lines += _table_lines(table, n)
                blocks += _table_blocks(table, n)
    return "\n".join(lines).strip(), citations, blocks


# The key line that opens an object of code ("cost_savings = {", '"caching_strategy": {').
_CODE_KEY = re.compile(
    r"""^(?:(?:const|let|var)\s+)?(?:self\.|this\.)?["']?([\w .-]+?)["']?\s*[:=]\s*(?:new\s+\w+\()?[\[{(]$"""
)


def _as_label(text: str) -> str:
    """A heading of a fenced document ("## Intended Use") shown as a label, not as a heading of the
    answer itself: "**Intended Use**"; the key that opens an object of code as the label of its entries:
    "**caching_strategy:**"."""
    m = re.match(r"^#{1,6}\s+(.+)$", text)
    if m:
        return f"**{m.group(1).strip()}**"
    m = _CODE_KEY.match(text)
    return f"**{m.group(1).strip()}:**" if m else text


# A numbered label's own number ("**4. Don't expect immediate ROI**") ends no sentence.
_ENUMERATOR = re.compile(r"^\W*\d{1,2}[.)]\s+")


# Where a quoted line's sentences end: a stop before a capital, a figure or a quote, not "e.g." or "Dr.".
_SENTENCE_END = re.compile(r"(?<!e\.g)(?<!i\.e)(?<!\bvs)(?<!etc)(?<!\bDr)(?<!\bMr)(?<!\bMs)([.!?])(\s+)(?=[A-Z0-9\"“])")


def _mark_sentences(text: str, n: int) -> str:
    """``text`` with the marker ``[n]`` after each of its sentences, so every sentence is cited."""
    lead = _ENUMERATOR.match(text)
    cut = lead.end() if lead else 0
    return text[:cut] + _SENTENCE_END.sub(rf"\1 [{n}]\2", text[cut:]) + f" [{n}]"


def _sentences(text: str) -> list[str]:
    """The sentences ``_mark_sentences`` cites one by one (a label's own number stays with its first)."""
    lead = _ENUMERATOR.match(text)
    cut = lead.end() if lead else 0
    marked = text[:cut] + _SENTENCE_END.sub("\\1\x00", text[cut:])
    return [s.strip() for s in marked.split("\x00") if s.strip()]


def is_heading_only(corpus: Corpus, i: int) -> bool:
    """A label shown as a heading for what follows, not cited as a claim."""
    text = collapse(corpus.unit_text(i))
    return corpus.units[i].kind == "label" and (is_bare_label(text) or asks(text))


def asks(text: str) -> bool:
    """A label that is a question ('**Q: "How long will this take?"**')."""
    return text.rstrip('*"” ').endswith("?")


def is_bare_label(text: str) -> bool:
    """A short label with no figures ("**Solution:**") says nothing by itself."""
    return len(text.split()) <= 4 and not any(ch.isdigit() for ch in text)


def _runs(corpus: Corpus, units: list[int]) -> list[list[int]]:
    """Consecutive units of one passage form one citation."""
    runs: list[list[int]] = []
    for i in units:
        if runs:
            prev = runs[-1][-1]
            same_chunk = corpus.units[prev].chunk_id == corpus.units[i].chunk_id
            idx = corpus.units_by_chunk[corpus.units[i].chunk_id]
            if same_chunk and idx.index(i) == idx.index(prev) + 1:
                runs[-1].append(i)
                continue
            # A table's header and the rows taken from it are one table, with the rows between left out.
            if same_chunk and corpus.units[i].kind == "row" and corpus.units[prev].group == corpus.units[i].group:
                runs[-1].append(i)
                continue
        runs.append([i])
    return runs


def _table_blocks(rows: list[str], n: int) -> list[AnswerBlock]:
    """Each row of a quoted table as one statement: its cells, citing the table's passage."""
    cells = ([c.strip() for c in row.strip().strip("|").split("|")] for row in rows)
    return [_said("; ".join(c for c in row if c), n) for row in cells]


# Markup that is not what a line says: a list bullet or number, a check box, emphasis, code ticks.
_BULLET = re.compile(r"^\s*(?:(?:[-*+•]|\d{1,2}[.)])\s+)?(?:\[[ xX]\]\s+)?")
_EMPHASIS = re.compile(r"\*\*|__|`")


def _said(text: str, n: int) -> AnswerBlock:
    """A statement block: the line's words without its markup, citing passage ``n``."""
    plain = re.sub(r"\s+([.,;:!?])", r"\1", _BULLET.sub("", _EMPHASIS.sub("", text)))
    return AnswerBlock(kind="statement", text=collapse(plain), cites=[n])


def _table_lines(rows: list[str], n: int) -> list[str]:
    width = rows[0].count("|") - 1
    header = rows[0]
    body = rows[1:] if len(rows) > 1 else []
    return ["", header, "|" + "---|" * max(width, 1), *body, f"(table: [{n}])", ""]


def nearest_topics(corpus: Corpus, hits: list[Hit], limit: int = 3) -> list[str]:
    topics: list[str] = []
    for hit in hits:
        label = f"{hit.chunk.section} ({corpus.titles[hit.chunk.doc]})"
        if label not in topics:
            topics.append(label)
        if len(topics) >= limit:
            break
    return topics


def abstention_text(
    topics: list[str],
    unknown: list[str] | None = None,
    mentioned: list[str] | None = None,
    kind: str | None = None,
    made: str | None = None,
) -> str:
    """The decline: what the playbook does not know, when a word of the question says it, or what it
    only mentions without saying what is asked of it, or the kind of thing it names none of to pick, or
    the thing asked to be made that it holds none of to draw on; and the nearest topics it does cover."""
    if made:
        text = f"The playbook has no {made} to draw on, and I answer from it only, so I won't make one up."
    elif kind:
        text = f"The playbook doesn't recommend any particular {kind}, so I won't pick one."
    elif unknown:
        names = ", ".join(f"“{w}”" for w in unknown)
        text = f"The playbook doesn't cover that (it never mentions {names}), so I won't guess."
    elif mentioned:
        names = ", ".join(f"“{w}”" for w in mentioned)
        text = f"The playbook mentions {names} but doesn't cover what you ask about it, so I won't guess."
    else:
        text = "The playbook doesn't cover that, so I won't guess."
    if topics:
        text += " The nearest topics it does cover are:\n" + "\n".join(f"- {t}" for t in topics)
    return text
