"""Stage 3 — split an article into paragraphs, sentences and clauses, as spans of the original text.

Paragraphs are lines. Sentences end at ``.`` ``!`` ``?`` ``؟`` ``؛`` or a line break; a full stop
between digits ("2.5") or after a one-letter abbreviation does not end a sentence. Clauses split a
sentence further at the Arabic and Latin commas ``،`` ``,`` and at ``؛`` — event slots are filled
clause-first, then sentence-wide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..types import Span

_SENT_END = re.compile(r"(?<!\d)[.!?؟؛]+(?=\s|$|[\"'”»)])|(?<=\d)[.!?؟؛]+(?=\s|$)|[!?؟؛]+")
_CLAUSE_END = re.compile(r"[،,؛:]")


@dataclass(frozen=True, slots=True)
class Sentence:
    span: Span
    paragraph: int  # 0 = title line
    index: int  # running sentence number in the article
    clauses: tuple[Span, ...]


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
        prev = line_start
        for m in _SENT_END.finditer(text, line_start, line_end):
            s, e = _trim(text, prev, m.end())
            if e - s > 1:
                sentences.append(Sentence(Span(s, e), para, len(sentences), _clauses(text, s, e)))
            prev = m.end()
        s, e = _trim(text, prev, line_end)
        if e - s > 1:
            sentences.append(Sentence(Span(s, e), para, len(sentences), _clauses(text, s, e)))
        para += 1
    return sentences
