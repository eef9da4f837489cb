"""Lists a document gives twice: once short ("✅ Long-term need") and again, elsewhere, with the detail
("✅ Long-term need (12+ months)"). An answer that quotes the short list quotes the detailed one in its
place, since the detail (the figures, the conditions) is what the short one leaves out."""

from __future__ import annotations

import re

from assistant.answer.passage import context_before
from assistant.index.corpus import Corpus

_MARKS = re.compile(r"^[\s\-*+>\d.)]*|[*_`✅❌]+")
# What a restatement adds after the words it repeats: a parenthesis, a colon, a dash or a comma.
_ADDED = re.compile(r"^\s*(?:\(|:|—|–|-\s|,)")
_SHORTEST = 6  # characters: shorter lines ("Cost", "Yes") say too little to be restated

# Found once per corpus: the few most recent, by the corpus and the version of its index.
_restatements: dict[tuple[int, str], dict[int, int]] = {}


def _plain(corpus: Corpus, i: int) -> str:
    return _MARKS.sub("", corpus.unit_text(i)).strip().lower()


def detailed_items(corpus: Corpus) -> dict[int, int]:
    """Each list item the same document restates with detail, and the item that restates it."""
    key = (id(corpus), corpus.index_version)
    if key not in _restatements:
        by_doc: dict[str, list[tuple[str, int]]] = {}
        for i in corpus.quoted:
            if corpus.units[i].kind == "item":
                text = _plain(corpus, i)
                if len(text) >= _SHORTEST:
                    by_doc.setdefault(corpus.units[i].doc, []).append((text, i))
        found: dict[int, int] = {}
        for items in by_doc.values():
            items.sort()
            for k, (text, i) in enumerate(items):
                # Sorted, the lines that begin with ``text`` follow it.
                for longer, j in items[k + 1 :]:
                    if not longer.startswith(text):
                        break
                    added = longer[len(text) :]
                    if _ADDED.match(added) and re.search(r"\w", added):  # not a label that heads a list
                        found.setdefault(i, j)
        while len(_restatements) >= 4:
            _restatements.pop(next(iter(_restatements)))
        _restatements[key] = found
    return _restatements[key]


def in_detail(corpus: Corpus, lines: list[int], most: int) -> list[int]:
    """``lines`` with each list whose items are all restated with detail by one other list of the same
    document replaced by that list, under its own label, up to ``most`` items."""
    detail = detailed_items(corpus)
    out: list[int] = []
    done: set[tuple[str, int]] = set()
    for i in lines:
        unit = corpus.units[i]
        key = (unit.doc, unit.group)
        if unit.kind != "item":
            out.append(i)
            continue
        if key in done:
            continue
        # Every item of the list is restated in the one other list: a restatement, not an overlap.
        items = [j for j in corpus.group_units(i) if corpus.units[j].kind == "item"]
        targets = {corpus.units[detail[j]].group if j in detail else None for j in items}
        if len(items) < 2 or len(targets) != 1 or None in targets:
            out.append(i)
            continue
        done.add(key)
        first = detail[items[0]]
        members = [j for j in corpus.group_units(first) if corpus.units[j].kind == "item"][:most]
        label = context_before(corpus, members[0], limit=1)
        if out and label and _plain(corpus, out[-1]) == _plain(corpus, label[0]):
            out[-1] = label[0]  # the detailed list's own label, cited where it is
        out += [j for j in members if j not in out]
    return out
