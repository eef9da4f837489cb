"""Words of a question that name something the playbook never mentions.

"How do we set up SSO with Okta?" or "What does the EU AI Act require?" name a product, a body or a
technique; when the playbook never uses that word, its quotes about setting things up or about
requirements answer a different question, and the honest answer is to decline and say which word the
playbook does not know. A word counts as such a name when the playbook's vocabulary lacks it and it is
written as one: an acronym, or a capitalised word inside a sentence. Lower-case words the playbook
does not use are most often everyday wording ("scared", "flops") or a slip of the hand, and a word with
a digit is a figure or a version ("12s", "p95"); neither is taken for a name.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-'’][A-Za-z0-9]+)*")
_SENTENCE_END = re.compile(r"(?:^|[.!?:;\n])\s*$")


def unknown_names(question: str, known: Callable[[str], bool]) -> list[str]:
    """The question's words, as written, that are names and that ``known`` (the playbook's vocabulary)
    lacks."""
    out: list[str] = []
    for m in _WORD.finditer(question):
        word = re.sub(r"['’]s$", "", m.group(0))  # "Okta's" names Okta
        if "'" in word or "’" in word or any(c.isdigit() for c in word):
            continue  # a contraction ("We're") is not a name, nor is a figure ("12s", "p95")
        acronym = len(word) >= 2 and word.isupper()
        capitalised = word[0].isupper() and not _SENTENCE_END.search(question[: m.start()])
        if not (acronym or capitalised):
            continue
        parts = [p for p in word.split("-") if p]
        if known(word) or all(known(p) or any(c.isdigit() for c in p) for p in parts):
            continue
        out.append(word)
    return list(dict.fromkeys(out))
