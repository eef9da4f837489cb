"""How an answer's quoted lines are read: each line under the label it is quoted under, and each cell of a
quoted table with its row's and its column's names."""

from __future__ import annotations

import re

# A citation marker: "[1]", "[2, 3]".
MARKER = re.compile(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\]")


# A quoted line that labels the lines under it: bold throughout ("**Tier 2: Champion Support**"), or ending
# in a colon ("**Latency Reduction:**", "Key Practices:").
_LABEL = re.compile(r"^\s*(?:[-*]\s+)?(?:\*\*[^*]+\*\*|[^:]{2,80}:(?:\*\*)?)\s*$")
_BOLD_LABEL = re.compile(r"^\s*\*\*[^*]+\*\*\s*$")
_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


def under_labels(answer: str) -> list[tuple[str, str]]:
    """Each quoted line of an answer (without its marker), with the label it is under: a figure under
    "Tier 2: Champion Support" is the second tier's, as the reader takes it. A label is read under nothing;
    a line that is neither a label nor an item of a list ends the label's reach."""
    out: list[tuple[str, str]] = []
    label = ""
    for raw in answer.splitlines():
        if not MARKER.search(raw):
            # A bold label quoted without a marker of its own labels the marked items under it; any other
            # line is framing, which starts a new source's block.
            label = raw if _BOLD_LABEL.match(raw) else ""
            continue
        line = MARKER.sub("", raw)
        if _LABEL.match(line):
            out.append(("", line))
            label = line
            continue
        if not _ITEM.match(line):
            label = ""
        out.append((label, line))
    return out


_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_RULE = re.compile(r"^\s*\|[\s:|-]+\|\s*$")


def table_cells(answer: str) -> list[str]:
    """The cells of the tables an answer quotes, each read with its row's first cell and its column's
    header ("DAU Target: 80%"), as a row means them: a figure in a table is of its row and its column."""
    out: list[str] = []
    rows = answer.splitlines()
    header: list[str] = []
    for k, line in enumerate(rows):
        row = _ROW.match(line)
        if not row or _RULE.match(line):
            if not row:
                header = []
            continue
        cells = [c.strip() for c in row.group(1).split("|")]
        if k + 1 < len(rows) and _RULE.match(rows[k + 1]):
            header = cells  # the line above the rule names the columns
            continue
        for i, cell in enumerate(cells[1:], start=1):
            column = header[i] if i < len(header) else ""
            out.append(f"{cells[0]} {column}: {cell}")
    return out


def is_row(line: str) -> bool:
    """Whether a line is a row of a table."""
    return bool(_ROW.match(line))
