"""Numbers: digits (ASCII after normalization), number words and vague amounts.

Works on normalized text (``normalize.normalize``: Arabic-Indic and Persian digits are already
ASCII). Compounds are summed: "خمسة وعشرون" → 25, "ثلاثة عشر" → 13, "مئتان وخمسون" → 250.
Vague amounts take ACLED's conservative value ("عشرات" → 10, "عدة" → 3) and are flagged ``vague``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .normalize import fold


@dataclass(frozen=True, slots=True)
class Number:
    value: int
    nstart: int  # span in the normalized text
    nend: int
    vague: bool = False


@dataclass(slots=True)
class NumberWords:
    """Compiled number-word tables (built from ``resources/data/numbers/numbers.yaml``)."""

    words: dict[str, int]
    vague: dict[str, int]
    ordinals: dict[str, int]
    teens_suffix: frozenset[str]
    multipliers: dict[str, int] = field(default_factory=dict)  # "آلاف" after a number multiplies it
    _word_re: re.Pattern[str] = field(init=False, repr=False)
    _word_hint: re.Pattern[str] = field(init=False, repr=False)
    _ordinal_re: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        alts = sorted({*self.words, *self.vague}, key=len, reverse=True)
        self._word_re = re.compile(r"(?<!\w)(?:و|ب|ل)?(" + "|".join(map(re.escape, alts)) + r")(?!\w)")
        # a cheap first test: _word_re (tried at every position) needs one of the words, ending a word
        self._word_hint = re.compile(r"(?:" + "|".join(map(re.escape, alts)) + r")(?!\w)")
        ords = sorted(self.ordinals, key=len, reverse=True)
        self._ordinal_re = re.compile(r"(?<!\w)(?:و|ب|ل|في )?(" + "|".join(map(re.escape, ords)) + r")(?!\w)")

    @classmethod
    def from_data(cls, data: dict) -> NumberWords:
        words: dict[str, int] = {}
        for group in ("units", "tens", "hundreds", "thousands", "millions"):
            for value, forms in data.get(group, {}).items():
                for f in forms:
                    words[fold(f)] = int(value)
        for f in data["eleven"]:
            words[fold(f)] = 11
        vague = {fold(f): int(v) for v, forms in data["vague"].items() for f in forms}
        ordinals = {fold(f): int(v) for v, forms in data["ordinals"].items() for f in forms}
        multipliers = {fold(f): int(v) for v, forms in data.get("multipliers", {}).items() for f in forms}
        return cls(words, vague, ordinals, frozenset(fold(f) for f in data["teens_suffix"]), multipliers)

    def ordinal_matches(self, norm: str) -> list[Number]:
        return [Number(self.ordinals[m.group(1)], m.start(1), m.end(1)) for m in self._ordinal_re.finditer(norm)]

    def find(self, norm: str) -> list[Number]:
        """All numbers in ``norm`` in text order (digits and words)."""
        out: list[Number] = []
        for m in _finditer_hinted(_DIGITS, _DIGIT, norm, 0):
            raw = m.group(0).replace(",", "")
            try:
                out.append(Number(int(float(raw)), m.start(), m.end()))
            except (ValueError, OverflowError):  # "1e999"-sized digit runs: not a count
                continue
        words = _finditer_hinted(self._word_re, self._word_hint, norm, 1)
        i = 0
        while i < len(words):
            m = words[i]
            w = m.group(1)
            if w in self.vague:
                out.append(Number(self.vague[w], m.start(1), m.end(1), vague=True))
                i += 1
                continue
            total, start, end = self.words[w], m.start(1), m.end(1)
            j = i + 1
            while j < len(words):
                gap = norm[end : words[j].start()]
                nxt = words[j].group(1)
                if gap.strip() not in ("",) or nxt in self.vague:
                    break
                if nxt in self.teens_suffix and total < 10 and not norm[words[j].start()].startswith("و"):
                    total += 10
                elif nxt in self.words and self.words[nxt] >= 100 and total < 10:
                    total *= self.words[nxt]
                elif nxt in self.words and norm[words[j].start()] == "و":
                    total += self.words[nxt]
                else:
                    break
                end = words[j].end(1)
                j += 1
            out.append(Number(total, start, end))
            i = j
        out.sort(key=lambda n: n.nstart)
        return self._multiply(norm, out) if self.multipliers and len(out) > 1 else out

    def _multiply(self, norm: str, found: list[Number]) -> list[Number]:
        """A number right before a multiplier word takes it as its unit: "ثلاثة آلاف" → 3,000 (the
        first number's precision stays: "عشرات الآلاف" is a vague 10,000)."""
        out: list[Number] = []
        for n in found:
            if out and not norm[out[-1].nend : n.nstart].strip():
                unit = self.multipliers.get(norm[n.nstart : n.nend])
                if unit is not None:
                    prev = out.pop()
                    out.append(Number(prev.value * unit, prev.nstart, n.nend, prev.vague))
                    continue
            out.append(n)
        return out


def _finditer_hinted(pattern: re.Pattern[str], hint: re.Pattern[str], text: str, lead: int) -> list[re.Match[str]]:
    """``list(pattern.finditer(text))`` for a ``pattern`` that can only match from ``lead`` characters
    before a match of ``hint`` up to its start: ``pattern`` is tried there only (``hint``, a plain
    alternation of words, is found fast; ``pattern`` starts with a lookbehind, which makes ``re``
    try it at every position)."""
    out: list[re.Match[str]] = []
    pos = 0
    h = hint.search(text)
    while h is not None:
        p = h.start()
        for q in range(max(pos, p - lead), p + 1):
            m = pattern.match(text, q)
            if m is not None:
                out.append(m)
                pos = m.end()
                break
        h = hint.search(text, max(p + 1, pos))
    return out


_DIGIT = re.compile(r"\d")  # every match of _DIGITS starts with one
_DIGITS = re.compile(r"(?<![\d/-])\d{1,3}(?:,\d{3})+(?!\d)|(?<![\d/])\d+(?:\.\d+)?(?![\d/])")
