"""Cleaning: the real-world quirks of knowledge files, fixed without rewriting their words.

Cleaning only removes material (front matter, HTML wrappers, translation blocks) and inserts line
breaks where scraping glued structure together, so every sentence of the cleaned text is still
verbatim text of the file. The cleaned text is the offset space for chunks and citations.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from assistant.ingest.loaders import Format

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n", re.DOTALL)
_WRAPPER_LINE = re.compile(r"^[ \t]*</?(?:div|section|article|main|span|header|footer)\b[^>]*>[ \t]*$", re.I)
_LANG_DIV = re.compile(r"^[ \t]*<div\b[^>]*\bclass=[\"'][^\"']*\blang-([a-z]{2,3})\b[^>]*>", re.I)
_DIV_OPEN = re.compile(r"<div\b", re.I)
_DIV_CLOSE = re.compile(r"</div>", re.I)
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")

# Scraped run-on text: "adoption sticks.Why 90 days works", "...volumeDeliverable: ...",
# "...training signals2) Technical architecture", list items joined with " - ".
_GLUED_SENTENCE = re.compile(r"(?<=[A-Za-z0-9)%][.!?])(?=(?:[A-Z][a-z]|\d+\) [A-Z]))")
_GLUED_NUMBERED = re.compile(r"(?<=[a-z])(?=\d+\) [A-Z])")
_GLUED_LABEL = re.compile(r"(?:(?<=[a-z])|(?<=[A-Z]{2}))(?=[A-Z][a-z]{3,}(?: [\w]+){0,4}:)")
_JOINED_ITEM = re.compile(r"(?<=[.:A-Za-z0-9)%\"”]) - (?=[A-Z])")


def strip_links(text: str) -> str:
    return _MD_LINK.sub(r"\1", text)


def split_front_matter(text: str) -> tuple[str, dict[str, str]]:
    """Remove YAML front matter and return its scalar fields (title, author, date, ...)."""
    m = _FRONT_MATTER.match(text)
    if not m:
        return text, {}
    meta: dict[str, str] = {}
    try:
        data: Any = yaml.safe_load(m.group(1))
    except yaml.YAMLError:
        data = None
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                meta[str(key)] = str(value)
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                meta[str(key)] = ", ".join(value)
            elif hasattr(value, "isoformat"):
                meta[str(key)] = value.isoformat()
    return text[m.end() :], meta


def drop_html_wrappers(text: str, keep_lang: str = "en") -> str:
    """Drop wrapper tags on their own lines, and whole ``<div class="lang-xx">`` blocks in other
    languages (a translation is not the source; here one was garbled beyond use)."""
    out: list[str] = []
    skipping = 0  # div depth inside a dropped translation block
    for line in text.splitlines(keepends=True):
        if skipping:
            skipping += len(_DIV_OPEN.findall(line)) - len(_DIV_CLOSE.findall(line))
            continue
        lang = _LANG_DIV.match(line)
        if lang and lang.group(1).lower() != keep_lang:
            skipping = len(_DIV_OPEN.findall(line)) - len(_DIV_CLOSE.findall(line))
            continue
        if _WRAPPER_LINE.match(line):
            continue
        out.append(line)
    return re.sub(r"\n{3,}", "\n\n", "".join(out))


def looks_run_on(text: str) -> bool:
    """Scraped pages glue sentences to headings ("sticks.Why 90 days works"); a few such glues in
    a plain-text file mean its line structure was lost."""
    return len(re.findall(r"[a-z][.!?][A-Z][a-z]", text)) >= 3


def repair_run_on(text: str) -> str:
    """Put line breaks back where headings, labels and list items were glued together."""
    lines = []
    for line in text.split("\n"):
        line = _GLUED_SENTENCE.sub("\n", line)
        line = _GLUED_NUMBERED.sub("\n", line)
        line = _GLUED_LABEL.sub("\n", line)
        line = _JOINED_ITEM.sub("\n- ", line)
        lines.append(line)
    return "\n".join(lines)


def clean(text: str, fmt: Format) -> tuple[str, dict[str, str]]:
    """Return the cleaned text and metadata found in the file (front matter)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    meta: dict[str, str] = {}
    if fmt == "markdown":
        text, meta = split_front_matter(text)
        text = drop_html_wrappers(text)
    elif looks_run_on(text):
        text = repair_run_on(text)
    return text.strip("\n") + "\n", meta
