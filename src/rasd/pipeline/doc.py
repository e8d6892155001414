"""The analysis state one article carries through the pipeline stages.

Positions inside a :class:`Doc` are offsets into the NORMALIZED text (``doc.norm.text``); the
resolve stage maps every span back to the original text with ``doc.norm.to_original``.
"""

from __future__ import annotations

import bisect
import operator
from dataclasses import dataclass, field, replace
from typing import Any

from ..text.dates import TimeRef
from ..text.match import Mention
from ..text.normalize import Normalized
from ..text.numbers import Number
from ..types import Article, Event
from .segment import Sentence


@dataclass(slots=True)
class PlaceRef:
    """A place mention chosen as an event location, before geocoding."""

    mention: Mention
    text_start: int  # normalized span of the location phrase (head noun included)
    text_end: int
    near: bool = False  # "قرب X", "ريف X", "شرقي X" → precision 2
    here: bool = False  # "X، حيث وقع الهجوم": named as the place of the event that follows
    # "حي الشعار في حلب": the text names a district, camp, base... inside the mention's place, which
    # the gazetteer does not know; geocoded to the mention's place with precision 2
    inside: bool = False


@dataclass(slots=True)
class ActorRef:
    mention: Mention | None
    actor_id: str
    rule: str
    score: float = 0.0  # strength of the role evidence; a merge keeps the stronger


@dataclass(slots=True)
class Candidate:
    """An event in the making: a trigger in a sentence and the slots filled for it."""

    sub: str  # ACLED sub-event type, "generic" (typed later) or "casualty" (merge-only)
    sentence: int
    trigger: Mention
    weight: float
    place: PlaceRef | None = None
    actor1: ActorRef | None = None
    actor2: ActorRef | None = None
    fatalities: int | None = None
    injuries: int | None = None
    fatalities_vague: bool = False
    injuries_vague: bool = False
    fatalities_src: int | None = None  # position of the figure, to split one total among events
    injuries_src: int | None = None
    time: TimeRef | None = None
    sources: list[str] = field(default_factory=list)
    hedged: bool = False
    background: bool = False
    sentences: set[int] = field(default_factory=set)
    rules: dict[str, str] = field(default_factory=dict)
    anaphoric: bool = False  # refers back to an event reported elsewhere: merge-only
    place_fallback: bool = False  # located by the paragraph's or article's place, not its own
    # rules that say this is no event ("non_event", "no_context", "habitual"...): features of the
    # is-event decision; a merged event keeps only the flags all its mentions share
    flags: set[str] = field(default_factory=set)


@dataclass(slots=True)
class Doc:
    article: Article
    norm: Normalized
    sentences: list[Sentence] = field(default_factory=list)  # set by segment
    quiet: bool = False  # set by screen: no word that starts an event, so no later stage runs
    scan: str | None = None  # set by screen: ``match.scan_text(text)``, what the matchers read
    entities: list[Mention] = field(default_factory=list)  # places, actors, sources, triggers
    countries: list[Mention] = field(default_factory=list)
    modifiers: list[Mention] = field(default_factory=list)
    # cue kind → its mentions (sorted by position) and their start offsets: see ``cue_in``
    cues: dict[str, tuple[list[Mention], list[int]]] = field(default_factory=dict)
    cites: list[Mention] = field(default_factory=list)
    time_words: list[Mention] = field(default_factory=list)  # ref: the kind (``Calendar.words``)
    calendar: Any = None  # set by recognize: times and numbers are parsed per sentence, on demand
    number_words: Any = None
    _times: dict[int, list[TimeRef]] = field(default_factory=dict)
    _numbers: dict[int, list[Number]] = field(default_factory=dict)
    places: dict[tuple[int, int], Any] = field(default_factory=dict)  # mention span → chosen Place
    # mention span of a town → span of the precise place named inside it ("حي الشعار في حلب")
    precise: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    candidates: list[Candidate] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    resolved: list[Candidate] = field(default_factory=list)  # set by resolve: the candidate of each event
    decisions: list[Any] = field(default_factory=list)  # set by decide: features and scores of each event
    _starts: list[int] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.norm.text

    def sentence_at(self, pos: int) -> int:
        if not self._starts:
            self._starts = [s.span.start for s in self.sentences]
        return max(0, bisect.bisect_right(self._starts, pos) - 1)

    def times_in(self, sentence: int) -> list[TimeRef]:
        """Time expressions of one sentence (normalized offsets), parsed on first use."""
        if sentence not in self._times:
            span = self.sentences[sentence].span
            kinds = {m.ref for m in within(self.time_words, span.start, span.end)}
            refs = self.calendar.find(self.norm.text[span.start : span.end], self.article.pub_date, kinds)
            self._times[sentence] = [replace(r, nstart=r.nstart + span.start, nend=r.nend + span.start) for r in refs]
        return self._times[sentence]

    def numbers_in(self, sentence: int) -> list[Number]:
        """Numbers of one sentence (normalized offsets), parsed on first use."""
        if sentence not in self._numbers:
            span = self.sentences[sentence].span
            found = self.number_words.find(self.norm.text[span.start : span.end])
            self._numbers[sentence] = [
                replace(n, nstart=n.nstart + span.start, nend=n.nend + span.start) for n in found
            ]
        return self._numbers[sentence]

    @property
    def has_title(self) -> bool:
        """Whether paragraph 0 is a headline: a one-line text is all body."""
        return bool(self.sentences) and self.sentences[-1].paragraph > 0

    def other_triggers(self, cand: Candidate) -> list[int]:
        """Start offsets of the other events' triggers in ``cand``'s sentence (not its own, not a
        casualty word): the roles and time stages give a cue beyond one of them to that event."""
        t = cand.trigger
        return [
            c.trigger.nstart
            for c in self.candidates
            if c.sentence == cand.sentence
            and c.sub != "casualty"
            and not c.flags  # a trigger a rule excludes bounds nothing, as if it were not there
            and not (c.trigger.nstart <= t.nstart < c.trigger.nend)
        ]

    def clause_of(self, sentence: int, pos: int) -> tuple[int, int]:
        for c in self.sentences[sentence].clauses:
            if c.start <= pos < c.end:
                return c.start, c.end
        s = self.sentences[sentence].span
        return s.start, s.end


def within(items: list, start: int, end: int) -> list:
    """Items (with ``nstart``/``nend``) lying inside ``[start, end)``; ``items`` sorted by nstart."""
    out = []
    for i in range(bisect.bisect_left(items, start, key=_nstart), len(items)):
        m = items[i]
        if m.nstart >= end:
            break
        if m.nend <= end:
            out.append(m)
    return out


def cue_in(doc: Doc, kind: str, start: int, end: int) -> list[Mention]:
    """Cues of one kind inside ``[start, end)``."""
    found = doc.cues.get(kind)
    if found is None:
        return []
    cues, starts = found
    if starts[0] >= end or starts[-1] < start:
        return []
    lo = bisect.bisect_left(starts, start)
    hi = bisect.bisect_left(starts, end, lo)  # the first cue starting at or after ``end``
    return [c for c in cues[lo:hi] if c.nend <= end] if hi > lo else []


def cue_before(doc: Doc, kind: str, pos: int, floor: int, gap: int, reach: int = 40) -> bool:
    """A cue of ``kind`` ends at most ``gap`` characters before ``pos`` (and not before ``floor``)."""
    return any(0 <= pos - c.nend <= gap for c in cue_in(doc, kind, max(floor, pos - reach), pos))


_nstart = operator.attrgetter("nstart")
