"""Normalize Arabic text for matching, keeping a map back to the original offsets (the first step of
every pipeline run, ``rasd.pipeline.prepare``).

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
from bisect import bisect_right
from dataclasses import dataclass, field

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
# The same folding as (old, new) character pairs: no new character is an old one, so replacing the
# pairs one after the other gives what one ``translate`` pass gives. On a long text the replace
# passes are much faster (``str.translate`` with a dict looks every character up in Python terms;
# ``in`` and ``replace`` scan in C); on a short one ``translate`` wins.
_PAIRS = tuple(_ONE_TO_ONE.items())
_SHORT = 64

# Characters dropped entirely: harakat/tanwin/shadda/sukun (064B-065F), superscript alef (0670),
# Quranic annotation marks (06D6-06ED, 0610-061A), tatweel (0640), zero-width and bidi controls.
_DROP = (
    "\u064b-\u065f\u0670\u0610-\u061a\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed\u0640"
    "\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff"
)
_DROP_RE = re.compile(f"[{_DROP}]+")
# Characters whose NFKC form differs in length (presentation forms, ligatures).
_EXPAND_RE = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
# Runs of either (one scan finds both: dropped runs, and whether any character expands).
_SPECIAL_RE = re.compile(f"[{_DROP}\ufb50-\ufdff\ufe70-\ufeff]+")


def _fold_chars(text: str) -> str:
    """The one-to-one character folding of ``_ONE_TO_ONE`` (same length as ``text``)."""
    if len(text) < _SHORT:
        return text.translate(_TABLE)
    for old, new in _PAIRS:
        if old in text:
            text = text.replace(old, new)
    return text


@dataclass(frozen=True, slots=True)
class Normalized:
    """Normalized text and the map from its characters back to the original ones.

    The map is piecewise: normalized position ``i`` comes from original position
    ``i + shifts[k]`` where ``cuts[k]`` is the last cut ``<= i`` (a new piece starts after every
    run of dropped characters and at every expanded one). ``cuts is None`` is the identity map
    (no character was dropped or expanded).
    """

    text: str
    original: str
    cuts: list[int] | None = None
    shifts: list[int] | None = None
    _back: array | None = field(default=None, repr=False, compare=False)

    @property
    def back(self) -> array | None:
        """The map as one array (index of the original character of each normalized one, built
        on first use), or ``None`` for the identity map."""
        if self.cuts is None or self.shifts is None:
            return None
        if self._back is None:
            back = array("i")
            ends = [*self.cuts[1:], len(self.text)] if self.cuts else []
            for start, end, shift in zip(self.cuts, ends, self.shifts, strict=True):
                back.extend(range(start + shift, end + shift))
            object.__setattr__(self, "_back", back)
        return self._back

    def orig_index(self, i: int) -> int:
        cuts = self.cuts
        if cuts is None:
            return i
        return i + self.shifts[bisect_right(cuts, i) - 1]  # type: ignore[index]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalized span ``[start, end)`` to the original span that produced it."""
        if self.cuts is None:
            return start, end
        if end <= start:
            o = self.orig_index(start) if start < len(self.text) else len(self.original)
            return o, o
        return self.orig_index(start), self.orig_index(end - 1) + 1


def normalize(text: str) -> Normalized:
    """Fold ``text`` for matching; see the module docstring for the exact rules."""
    folded = _fold_chars(text)
    parts: list[str] = []
    cuts = [0]
    shifts = [0]
    prev = dropped = 0
    for m in _SPECIAL_RE.finditer(text):  # folding keeps every position and never makes these
        s, e = m.span()
        if _EXPAND_RE.search(text, s, e):
            return _normalize_expanding(text, folded)
        parts.append(folded[prev:s])
        dropped += e - s
        prev = e
        if e - dropped == cuts[-1]:  # a run at the very start
            shifts[-1] = dropped
        else:
            cuts.append(e - dropped)
            shifts.append(dropped)
    if not prev:
        return Normalized(folded, text)
    parts.append(folded[prev:])
    return Normalized("".join(parts), text, cuts, shifts)


def _normalize_expanding(text: str, folded: str) -> Normalized:
    """The path for text containing presentation forms, which NFKC expands: each expanded character
    maps back to the one it came from; the text between them is folded as in ``normalize``."""
    parts: list[str] = []
    cuts: list[int] = []
    shifts: list[int] = []
    npos = 0

    def keep(start: int, end: int) -> None:  # folded[start:end] minus its dropped characters
        nonlocal npos
        prev = start
        for m in [*_DROP_RE.finditer(folded, start, end), None]:
            s, e = m.span() if m is not None else (end, end)
            if s > prev:
                parts.append(folded[prev:s])
                cuts.append(npos)
                shifts.append(prev - npos)
                npos += s - prev
            prev = e

    prev = 0
    for x in _EXPAND_RE.finditer(text):
        i = x.start()
        keep(prev, i)
        out = _DROP_RE.sub("", unicodedata.normalize("NFKC", text[i]).translate(_TABLE))
        parts.append(out)
        for _ in out:
            cuts.append(npos)
            shifts.append(i - npos)
            npos += 1
        prev = i + 1
    keep(prev, len(text))
    return Normalized("".join(parts), text, cuts, shifts)


def fold(text: str) -> str:
    """The normalized form of ``text`` alone (no offset map), for keys and dictionary entries."""
    if _EXPAND_RE.search(text):
        return normalize(text).text
    return _DROP_RE.sub("", _fold_chars(text))


_ARTICLE_RE = re.compile(r"(?<![\w])ال(?=\w\w)")
_SPACE_RE = re.compile(r"\s+")


def match_key(text: str) -> str:
    """FORMAT.md's normalization for matching mentions: fold, drop each token's leading "ال",
    collapse whitespace."""
    t = fold(text)
    t = _ARTICLE_RE.sub("", t)
    return _SPACE_RE.sub(" ", t).strip()
