"""Things the playbook lays out side by side: the columns of a table's header, the names its rows start
with, the labels of a list's items, blocks whose labels differ in one word ("**Small Dataset:**",
"**Medium Dataset:**") and an inline run of named figures ("Customer service (4.2x), Sales (3.9x)").
A follow-up that names one of them ("and simple?" after a question about the complex tier) asks the
previous question of it. Read from the documents' structure, so they are what the playbook calls things;
and the go/no-go outcomes, by the vocabulary's words for each."""

from __future__ import annotations

import re
from collections import defaultdict

from assistant.index.corpus import Corpus, tokens

_LABELLED_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\*\*([^*:]{1,40}?):?\*\*")
_LABEL = re.compile(r"^\s*\*\*(?:\d+[.)]\s*)?([^*]{1,60}?)\*\*\s*$")
_NAMED_FIGURE = re.compile(r"([A-Za-z][A-Za-z /&-]{1,30}?)\s*\([^()]*\d[^()]*\)")
_HEAD = re.compile(r"^([A-Za-z][A-Za-z-]*):\s+\S")
MAX_NAME_WORDS = 3  # a name longer than this is a description, not a name


def _name(text: str) -> list[str]:
    text = re.sub(r"\([^)]*\)|:$", "", text.replace("**", "")).strip(" :")
    words = tokens(text)
    return words if 0 < len(words) <= MAX_NAME_WORDS else []


def sibling_words(corpus: Corpus) -> dict[str, frozenset[str]]:
    """Each word of a name the playbook lays out beside others, with the words of those others that tell
    them apart ("simple": "moderate", "complex"; "discovery": "pilot", "hardening", …)."""
    groups: list[list[list[str]]] = []
    by_group: dict[tuple[str, int], list[int]] = defaultdict(list)
    for i in corpus.quoted:
        by_group[(corpus.units[i].doc, corpus.units[i].group)].append(i)
    for members in by_group.values():
        kinds = [corpus.units[i].kind for i in members]
        texts = [corpus.unit_text(i) for i in members]
        if "header" in kinds:
            header = texts[kinds.index("header")]
            cells = header.strip().strip("|").split("|")
            # The first column names the rows ("Complexity tier"), beside no other column.
            groups.append([_name(cell) for cell in (cells[1:] if len(cells) > 2 else cells)])
        rows = [t for t, k in zip(texts, kinds, strict=True) if k == "row"]
        if len(rows) > 1:
            # A row is named by its first cell's first word ("SimpleSingle use case…": simple).
            groups.append([tokens(t.strip().strip("|").split("|")[0])[:1] for t in rows])
        labelled = [m.group(1) for t in texts if (m := _LABELLED_ITEM.match(t))]
        if len(labelled) > 1:
            groups.append([_name(x) for x in labelled])
        for t in texts:
            named = _NAMED_FIGURE.findall(t)
            if len(named) > 1:
                groups.append([_name(x.split(":")[-1]) for x in named])
    # Block labels of one passage that differ in a word and share the rest ("Small Dataset", "Medium Dataset";
    # "Criteria for GO", "Criteria for STOP").
    for idx in corpus.units_by_chunk.values():
        labels = [_name(m.group(1)) for i in idx if (m := _LABEL.match(corpus.unit_text(i)))]
        by_rest: dict[tuple[int, tuple[str, ...]], list[list[str]]] = defaultdict(list)
        for words in labels:
            for at in range(len(words) if len(words) > 1 else 0):
                by_rest[(at, tuple(words[:at] + words[at + 1 :]))].append(words[at : at + 1])
        groups += [g for g in by_rest.values() if len({w[0] for w in g}) > 1]
        # Block labels that each name their block in one word before a colon ("**Crawl: Getting Started**",
        # "**Walk: Becoming Effective**", "**Run: Power User**").
        heads = [
            tokens(h.group(1))
            for i in idx
            if (m := _LABEL.match(corpus.unit_text(i))) and (h := _HEAD.match(m.group(1)))
        ]
        if len({tuple(h) for h in heads if h}) > 1:
            groups.append(heads)
    # The go/no-go outcomes, by the words the vocabulary names each with ("stop", "kill"; "iterate", "extend").
    outcomes = [[w for word in words for w in tokens(word)] for words in corpus.vocabulary.outcomes.values()]
    if len(outcomes) > 1:
        groups.append(outcomes)
    out: dict[str, set[str]] = defaultdict(set)
    for group in groups:
        names = [set(n) for n in group if n]
        for k, name in enumerate(names):
            others = set().union(*(n for j, n in enumerate(names) if j != k)) - name
            for w in name:
                out[w] |= others - {w}
    return {w: frozenset(s) for w, s in out.items() if s}
