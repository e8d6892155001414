"""Stage 2 — segment: split an article into paragraphs, sentences and clauses, as spans of the original text.

Paragraphs are lines. Sentences end at ``.`` ``!`` ``?`` ``؟`` ``؛`` or a line break; a full stop
between digits ("2.5") or after a one-letter abbreviation does not end a sentence. A sentence
longer than ``MAX_SENTENCE`` characters is cut at a space, so that no stage's work grows with the
square of an unpunctuated article. Clauses split a
sentence further at the Arabic and Latin commas ``،`` ``,`` and at ``؛`` — event slots are filled
clause-first, then sentence-wide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..types import Span

if TYPE_CHECKING:
    from ..resources.loader import Resources
    from .doc import Doc

_SENT_END = re.compile(r"(?<!\d)[.!?؟؛]+(?=\s|$|[\"'”»)])|(?<=\d)[.!?؟؛]+(?=\s|$)|[!?؟؛]+")
_CLAUSE_END = re.compile(r"[،,؛:]")
# Every match of _SENT_END starts with one of these: they are searched for first (a character set
# is found fast; the lookbehinds of _SENT_END make re try it at every position).
_SENT_PUNCT = re.compile(r"[.!?؟؛]")
# A sentence longer than this is cut at a space. Real news sentences stay far below it (the longest
# of 48,000 bulk articles has 3,745 characters); without punctuation a whole article would be one
# sentence, and the rule stages compare the mentions of a sentence pairwise.
MAX_SENTENCE = 4_000


@dataclass(slots=True, unsafe_hash=True)
class Sentence:
    """One sentence; treat it as immutable (hashed by value, not declared frozen because a frozen
    dataclass is several times slower to create)."""

    span: Span
    paragraph: int  # 0 = title line
    index: int  # running sentence number in the article
    text: str = field(repr=False, compare=False)  # the whole text ``span`` lies in
    _clauses: tuple[Span, ...] | None = field(default=None, repr=False, compare=False)

    @property
    def clauses(self) -> tuple[Span, ...]:
        """The sentence's clauses (found on first use: most sentences never need them)."""
        if self._clauses is None:
            self._clauses = _clauses(self.text, self.span.start, self.span.end)
        return self._clauses


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _clauses(text: str, start: int, end: int) -> tuple[Span, ...]:
    out: list[Span] = []
    prev = start
    for m in _CLAUSE_END.finditer(text, start, end):
        s, e = _trim(text, prev, m.start())
        if e > s:
            out.append(Span(s, e))
        prev = m.end()
    s, e = _trim(text, prev, end)
    if e > s:
        out.append(Span(s, e))
    return tuple(out)


def split_sentences(doc: Doc, res: Resources) -> Doc:
    """The segment stage: ``doc.sentences`` of the normalized text."""
    doc.sentences = segment(doc.text)
    return doc


def segment(text: str) -> list[Sentence]:
    """Sentences of ``text`` (title line first), each with its clauses, all as original spans."""
    sentences: list[Sentence] = []
    pos = 0
    para = 0
    for line in text.split("\n"):
        line_start, line_end = pos, pos + len(line)
        pos = line_end + 1
        if not line.strip():
            continue
        prev = at = line_start
        while True:  # = _SENT_END.finditer(text, line_start, line_end), tried at punctuation only
            c = _SENT_PUNCT.search(text, at, line_end)
            if c is None:
                break
            m = _SENT_END.match(text, c.start(), line_end)
            if m is None:
                at = c.start() + 1
                continue
            _add(sentences, text, prev, m.end(), para)
            prev = at = m.end()
        _add(sentences, text, prev, line_end, para)
        para += 1
    return sentences


def _add(sentences: list[Sentence], text: str, start: int, end: int, para: int) -> None:
    """Append the sentence ``[start, end)`` (trimmed), cut into pieces of at most ``MAX_SENTENCE``
    characters at spaces when it is longer (an unpunctuated text is not one endless sentence)."""
    s, e = _trim(text, start, end)
    while e - s > MAX_SENTENCE:
        cut = text.rfind(" ", s + MAX_SENTENCE // 2, s + MAX_SENTENCE)
        if cut < 0:
            cut = s + MAX_SENTENCE  # no space at all: cut inside the word
        ps, pe = _trim(text, s, cut)
        if pe - ps > 1:
            sentences.append(Sentence(Span(ps, pe), para, len(sentences), text))
        s, e = _trim(text, cut, e)
    if e - s > 1:
        sentences.append(Sentence(Span(s, e), para, len(sentences), text))
