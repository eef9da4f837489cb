"""Structure: find headings, paragraphs, lists, group labels, tables and code in cleaned text, and
mark what is not answer material (tables of contents, link-only reference lists, contact details).

Markdown headings are ``#`` lines (never inside code fences). Plain text has no markup, so a heading
is a short line without closing punctuation that is followed by more text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.ingest.cleaning import strip_links
from assistant.ingest.loaders import Format
from assistant.types import Block

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,2}[.)])\s+\S")
_NUMBERED_HEADING = re.compile(r"^\d{1,2}\)\s+[A-Z]")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
_LABEL = re.compile(r"^\s*\*\*[^*]{2,80}\*\*:?\s*$|^\s*\*\*[^*]{2,80}:\*\*\s*$")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_LINK = re.compile(r"\[[^\]]*\]\([^)]*\)")
_NAV_HEADING = re.compile(r"^(table of contents|contents|references|further reading|see also)$", re.I)
_FAQ_HEADING = re.compile(r"\b(frequently asked questions|faq)\b", re.I)


def _lines(text: str) -> Iterator[tuple[int, int, str]]:
    pos = 0
    for line in text.split("\n"):
        yield pos, pos + len(line), line
        pos += len(line) + 1


def heading_text(text: str, block: Block) -> str:
    raw = text[block.start : block.end].strip()
    m = _MD_HEADING.match(raw)
    title = m.group(2) if m else raw
    return " ".join(strip_links(title).replace("**", "").split())


def parse_blocks(text: str, fmt: Format) -> list[Block]:
    """Split cleaned text into blocks; runs of list lines or table rows form one block each."""
    raw: list[Block] = []
    lines = list(_lines(text))
    i = 0
    in_faq = False
    while i < len(lines):
        start, end, line = lines[i]
        stripped = line.strip()
        if not stripped:
            i += 1
            continue
        if _FENCE.match(line):
            j = i + 1
            while j < len(lines) and not _FENCE.match(lines[j][2]):
                j += 1
            j = min(j, len(lines) - 1)
            raw.append(Block("code", start, lines[j][1]))
            i = j + 1
            continue
        md = _MD_HEADING.match(line) if fmt == "markdown" else None
        if md:
            raw.append(Block("heading", start, end, level=len(md.group(1))))
            i += 1
            continue
        if _RULE.match(line):
            raw.append(Block("rule", start, end))
            i += 1
            continue
        if _TABLE_ROW.match(line):
            j = i
            while j + 1 < len(lines) and _TABLE_ROW.match(lines[j + 1][2]):
                j += 1
            raw.append(Block("table", start, lines[j][1]))
            i = j + 1
            continue
        if _LIST_ITEM.match(line) and not (fmt == "text" and _NUMBERED_HEADING.match(stripped)):
            j = i
            while j + 1 < len(lines):
                nxt = lines[j + 1][2]
                if fmt == "text" and _NUMBERED_HEADING.match(nxt):
                    break
                if _LIST_ITEM.match(nxt) or (nxt.startswith("  ") and nxt.strip()):
                    j += 1
                elif not nxt.strip() and j + 2 < len(lines) and _LIST_ITEM.match(lines[j + 2][2]):
                    j += 2  # a loose list: items separated by blank lines
                else:
                    break
            raw.append(Block("list", start, lines[j][1]))
            i = j + 1
            continue
        if fmt == "markdown" and _LABEL.match(line):
            raw.append(Block("label", start, end))
            i += 1
            continue
        if fmt == "text":
            level = _plain_heading_level(lines, i, is_first=not raw, in_faq=in_faq)
            if level:
                raw.append(Block("heading", start, end, level=level))
                in_faq = in_faq or bool(_FAQ_HEADING.search(stripped))
                i += 1
                continue
        # A paragraph runs to the next blank line or structural line.
        j = i
        while j + 1 < len(lines):
            nxt = lines[j + 1][2]
            if (
                not nxt.strip()
                or _LIST_ITEM.match(nxt)
                or _TABLE_ROW.match(nxt)
                or _FENCE.match(nxt)
                or (fmt == "markdown" and _MD_HEADING.match(nxt))
                or fmt == "text"  # plain text: one paragraph per line
            ):
                break
            j += 1
        raw.append(Block("paragraph", start, lines[j][1]))
        i = j + 1
    return _mark_intros(text, _mark_excluded(text, raw))


def _plain_heading_level(lines: list[tuple[int, int, str]], i: int, *, is_first: bool, in_faq: bool) -> int:
    line = lines[i][2].strip()
    if is_first:
        return 1
    has_next = any(ln[2].strip() for ln in lines[i + 1 :])
    if not has_next or len(line) > 100 or line[-1] in ".,;:" or not (line[0].isupper() or line[0].isdigit()):
        return 0
    if line.endswith("?"):
        return 3 if in_faq else 2
    if _NUMBERED_HEADING.match(line):
        return 3
    if len(line.split()) > 14:
        return 0
    return 2


def _mark_excluded(text: str, blocks: list[Block]) -> list[Block]:
    """Navigation and reference lists (sections made of links) and contact details are kept in the
    text, for offsets, but are not answer material."""
    out = list(blocks)
    for idx, block in enumerate(blocks):
        if block.kind != "heading":
            continue
        content = []
        for k in range(idx + 1, len(blocks)):
            nxt = blocks[k]
            if nxt.kind == "heading":
                if nxt.level <= block.level:
                    break
                continue
            if nxt.kind != "rule":
                content.append(k)
        if not content:
            continue
        body_text = "\n".join(text[blocks[k].start : blocks[k].end] for k in content)
        link_chars = sum(len(m.group(0)) for m in _LINK.finditer(body_text))
        title = heading_text(text, block)
        if _NAV_HEADING.match(title) or link_chars > 0.4 * len(body_text.replace(" ", "")):
            reason = "table of contents" if "content" in title.lower() else "link list"
            for k in content:
                out[k] = Block("excluded", blocks[k].start, blocks[k].end, reason=reason)
    for k, b in enumerate(out):
        if b.kind in ("excluded", "code"):
            continue
        body = text[b.start : b.end]
        lines = [ln for ln in body.split("\n") if ln.strip()]
        contact = [ln for ln in lines if _EMAIL.search(ln) or _LINK.search(ln)]
        # A contact block (an author's e-mail and profile links), not a list that mentions a mailbox.
        if any(_EMAIL.search(ln) for ln in lines) and len(contact) * 2 >= len(lines):
            out[k] = Block("excluded", b.start, b.end, reason="contact details")
        elif b.kind != "heading" and sum(len(m.group(0)) for m in _LINK.finditer(body)) > 0.4 * len(
            body.replace(" ", "")
        ):
            out[k] = Block("excluded", b.start, b.end, reason="link list")  # "See also" pointers to other files
    return out


def _mark_intros(text: str, blocks: list[Block]) -> list[Block]:
    """A one-line paragraph that ends with a colon and is followed by a list introduces that list
    ("The signals that distinguish a genuine go from a premature one:"): it is the list's label."""
    out = list(blocks)
    for k in range(len(blocks) - 1):
        b, nxt = blocks[k], blocks[k + 1]
        body = text[b.start : b.end].strip()
        if (
            b.kind == "paragraph"
            and nxt.kind == "list"
            and body.endswith(":")
            and "\n" not in body
            and len(body) <= 200
        ):
            out[k] = Block("label", b.start, b.end)
    return out
