"""Misspelled words of a question read as the playbook's words: "prodcution" is "production",
"guarrdails" "guardrails". The vocabulary is the playbook's own; a word is corrected only when it is
not in it, is not a word in common English use ("turning" is not a slip of "tuning"), and one of the
playbook's words is a single slip of the hand away (``_slip``). A hyphenated word of the playbook typed
closed up ("oncall") is read as the playbook writes it ("on-call"), and a word cut short ("vulns") as the one
word of the playbook it starts ("vulnerabilities")."""

from __future__ import annotations

import re
from collections import Counter

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein, Levenshtein
from wordfreq import zipf_frequency

from assistant.answer.wording import RARE_ZIPF
from assistant.index.corpus import STOPWORDS

_WORD = re.compile(r"[A-Za-z]{4,}")
_MIN_SUBSTITUTED = 8
_MIN_SHORTENED = 3


def _slip(typed: str, word: str) -> bool:
    """Whether ``typed`` is ``word`` with a slip of the hand rather than another word: two letters
    swapped; a letter doubled or undoubled; a letter dropped or added inside a long word. An edit at
    either end is another form of a word ("keeps", "approvals", "aside"), and a changed letter a word of
    its own unless the word is long."""
    ops = list(Levenshtein.editops(typed, word))
    if len(ops) == 2:  # one edit for Damerau: a swap of neighbours
        return True
    op = ops[0]
    if op.tag == "replace":
        return len(typed) >= _MIN_SUBSTITUTED and 0 < op.src_pos < len(typed) - 1
    longer, pos = (typed, op.src_pos) if op.tag == "delete" else (word, op.dest_pos)
    doubled = any(0 <= k < len(longer) and k != pos and longer[k] == longer[pos] for k in (pos - 1, pos + 1))
    inside = 0 < pos < len(longer) - 2
    return inside and (doubled or len(longer) >= 7)


class Speller:
    def __init__(self, texts: list[str]) -> None:
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(w.lower() for w in re.findall(r"[A-Za-z]+", text))
        self.counts = counts
        self.words = [w for w in counts if len(w) >= 4]
        # The playbook's hyphenated words by how they are typed closed up ("oncall": "on-call").
        joined: Counter[str] = Counter()
        for text in texts:
            joined.update(w.lower() for w in re.findall(r"[A-Za-z]+(?:-[A-Za-z]+)+", text))
        self.closed = {w.replace("-", ""): w for w, _ in joined.most_common() if w.replace("-", "") not in counts}

    def word(self, word: str) -> str:
        """The playbook's word for ``word``, or ``word`` itself."""
        low = word.lower()
        # Four letters are a word cut short only in the plural ("orgs", "devs"), and never a slip.
        if low in self.counts or low in STOPWORDS or len(low) < 4 or (len(low) == 4 and not low.endswith("s")):
            return word
        if low in self.closed:
            return self.closed[low]  # a hyphenated word of the playbook typed without its hyphen
        if zipf_frequency(low, "en") >= RARE_ZIPF:
            return word
        found = process.extract(low, self.words, scorer=DamerauLevenshtein.distance, score_cutoff=1, limit=8)
        slips = [cand for cand, _, _ in found if _slip(low, cand)] if len(low) > 4 else []
        if not slips:
            slips = self._shortened(low)
        if not slips:
            return word
        best = max(slips, key=lambda c: (self.counts[c], c))
        return best.capitalize() if word[0].isupper() else best

    def _shortened(self, low: str) -> list[str]:
        """The playbook's words that ``low`` is the start of, as a word cut short is typed ("vulns" for
        "vulnerabilities", "config" for "configuration"); the word typed must leave out at least three
        letters, and every word it starts must be of one family (their first six letters alike)."""
        cut = low[:-1] if low.endswith("s") else low
        if len(cut) < _MIN_SHORTENED:
            return []
        starts = [w for w in self.words if w.startswith(cut) and len(w) >= len(cut) + 3]
        return starts if len({w[: max(len(cut), 6)] for w in starts}) == 1 else []

    def correct(self, text: str) -> str:
        return _WORD.sub(lambda m: self.word(m.group(0)), text)
