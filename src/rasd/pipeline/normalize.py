"""Stage 2 — normalize Arabic text for matching, keeping a map back to the original offsets.

Folding (all documented in ``FORMAT.md``'s matching rules, plus digits and punctuation):

* diacritics (harakat, tanwin, shadda, sukun, superscript alef, Quranic marks), tatweel and
  zero-width / directional marks are removed;
* alef forms أ إ آ ٱ → ا, ى → ي, ة → ه, ؤ → و, ئ → ي (hamza carriers are unstable in news spelling);
* Arabic-Indic (٠-٩) and Persian (۰-۹) digits → ASCII digits; Persian ک ی → ك ي;
* punctuation variants: « » “ ” „ ″ → ``"``, ‘ ’ ‛ → ``'``, the dashes – — ‒ → ``-``,
  Arabic percent/decimal signs → ASCII, non-breaking spaces → space; hashtag marks ``#`` and
  ``_`` → space, so "#محافظة_البيضاء" reads as words;
* presentation-form ligatures (ﻻ and friends) are expanded with NFKC.

``normalize(text)`` returns a :class:`Normalized` whose ``to_original(s, e)`` maps a span of the
normalized string back to the span of the original characters it came from.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from dataclasses import dataclass

_ONE_TO_ONE = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ى": "ي",
    "ة": "ه",
    "ؤ": "و",
    "ئ": "ي",
    "ک": "ك",
    "ی": "ي",
    "ے": "ي",
    "ۀ": "ه",
    "ہ": "ه",
    "«": '"',
    "»": '"',
    "“": '"',
    "”": '"',
    "„": '"',
    "″": '"',
    "‘": "'",
    "’": "'",
    "‛": "'",
    "–": "-",
    "—": "-",
    "‒": "-",
    "‐": "-",
    "−": "-",
    "٪": "%",
    "٫": ".",
    "٬": ",",
    "\u00a0": " ",
    "\u2007": " ",
    "\u202f": " ",
    "\u2009": " ",
    "_": " ",  # hashtags are read as words: "#محافظة_البيضاء"
    "#": " ",
}
for _i in range(10):
    _ONE_TO_ONE[chr(0x0660 + _i)] = str(_i)
    _ONE_TO_ONE[chr(0x06F0 + _i)] = str(_i)
_TABLE = str.maketrans(_ONE_TO_ONE)

# Characters dropped entirely: harakat/tanwin/shadda/sukun (064B-065F), superscript alef (0670),
# Quranic annotation marks (06D6-06ED, 0610-061A), tatweel (0640), zero-width and bidi controls.
_DROP = (
    "\u064b-\u065f\u0670\u0610-\u061a\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed\u0640"
    "\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff"
)
_DROP_RE = re.compile(f"[{_DROP}]+")
# Characters whose NFKC form differs in length (presentation forms, ligatures).
_EXPAND_RE = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")


@dataclass(frozen=True, slots=True)
class Normalized:
    """Normalized text and, for each of its characters, the index of the original character."""

    text: str
    original: str
    back: array | None  # None means the identity map (no character was dropped or expanded)

    def orig_index(self, i: int) -> int:
        return i if self.back is None else self.back[i]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalized span ``[start, end)`` to the original span that produced it."""
        if self.back is None:
            return start, end
        if end <= start:
            o = self.back[start] if start < len(self.back) else len(self.original)
            return o, o
        return self.back[start], self.back[end - 1] + 1


def normalize(text: str) -> Normalized:
    """Fold ``text`` for matching; see the module docstring for the exact rules."""
    if _EXPAND_RE.search(text):
        return _normalize_slow(text)
    folded = text.translate(_TABLE)
    if not _DROP_RE.search(folded):
        return Normalized(folded, text, None)
    back = array("i")
    parts: list[str] = []
    prev = 0
    for m in _DROP_RE.finditer(folded):
        parts.append(folded[prev : m.start()])
        back.extend(range(prev, m.start()))
        prev = m.end()
    parts.append(folded[prev:])
    back.extend(range(prev, len(folded)))
    return Normalized("".join(parts), text, back)


def _normalize_slow(text: str) -> Normalized:
    """Character-by-character path for text containing presentation forms that NFKC expands."""
    back = array("i")
    parts: list[str] = []
    for i, ch in enumerate(text):
        if _EXPAND_RE.match(ch):
            ch = unicodedata.normalize("NFKC", ch)
        out = _DROP_RE.sub("", ch.translate(_TABLE))
        parts.append(out)
        back.extend([i] * len(out))
    return Normalized("".join(parts), text, back)


def fold(text: str) -> str:
    """The normalized form of ``text`` alone (no offset map), for keys and dictionary entries."""
    return normalize(text).text


_ARTICLE_RE = re.compile(r"(?<![\w])ال(?=\w\w)")
_SPACE_RE = re.compile(r"\s+")


def match_key(text: str) -> str:
    """FORMAT.md's normalization for matching mentions: fold, drop each token's leading "ال",
    collapse whitespace."""
    t = fold(text)
    t = _ARTICLE_RE.sub("", t)
    return _SPACE_RE.sub(" ", t).strip()
