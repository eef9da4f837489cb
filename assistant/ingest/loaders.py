"""Loaders: turn a knowledge file's bytes into text, chosen by file extension.

``.md`` and ``.txt`` are decoded as UTF-8; ``.html`` is reduced to Markdown-like text (headings,
paragraphs, list items); ``.pdf`` is read page by page with pypdf. A file that cannot be used raises
``KnowledgeError`` with the reason, and ingest skips it.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Literal

from assistant.errors import KnowledgeError

Format = Literal["markdown", "text"]
SUPPORTED = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf")


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED


def load_text(path: Path, data: bytes) -> tuple[str, Format]:
    """Return the document's text and whether to parse it as Markdown or plain text."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise KnowledgeError(f"unsupported file type '{suffix or 'none'}' (supported: {', '.join(SUPPORTED)})")
    if not data.strip():
        raise KnowledgeError("the file is empty")
    if suffix == ".pdf":
        return _pdf_text(data), "text"
    if b"\x00" in data[:8192]:
        raise KnowledgeError("the file looks binary (it contains NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise KnowledgeError(f"the file is not valid UTF-8 (byte {exc.start}); save it as UTF-8") from exc
    if suffix in (".html", ".htm"):
        return _html_text(text), "markdown"
    return text, "markdown" if suffix in (".md", ".markdown") else "text"


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise KnowledgeError(f"the PDF cannot be read ({exc})") from exc
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text.strip():
        raise KnowledgeError("the PDF has no extractable text (it may be a scan)")
    return text


_BLOCK_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "pre", "tr")


def _html_text(html: str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "nav", "noscript", "template"]):
        tag.decompose()
    parts: list[str] = []
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    body = soup.body or soup
    for el in body.find_all(_BLOCK_TAGS):
        if el.find_parent(_BLOCK_TAGS):
            continue  # nested block: its text is already in the parent's
        text = " ".join(el.get_text(" ", strip=True).split())
        if not text:
            continue
        name = el.name
        if name and name[0] == "h" and name[1:].isdigit():
            parts.append("#" * int(name[1:]) + " " + text)
        elif name == "li":
            parts.append("- " + text)
        elif name == "tr":
            cells = [" ".join(c.get_text(" ", strip=True).split()) for c in el.find_all(["td", "th"])]
            parts.append("| " + " | ".join(cells) + " |")
        else:
            parts.append(text)
    if title and not any(p.startswith("# ") for p in parts):
        parts.insert(0, "# " + title)
    text = ""
    for part in parts:
        same_kind = text and part[:2] in ("- ", "| ") and text.rsplit("\n", 1)[-1][:2] == part[:2]
        text += ("\n" if same_kind else "\n\n" if text else "") + part
    if not text.strip():
        raise KnowledgeError("the HTML page has no readable text")
    return text
