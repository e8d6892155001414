"""Named features of the decisions: pure functions of the analysed article, returning plain dicts.

The rule stages (events → roles → attributes → resolve) assemble one candidate event per
occurrence they see; nothing here chooses. :func:`describe` turns each into an
:class:`EventCase`: the event as the rules built it, the named features of its is-event, type,
role and certainty decisions, and every place of its sentences as a :class:`PlaceOption` with the
features of the location decision. The learned models of :mod:`rasd.learn.model` decide from these.

Feature names are ``group=value`` for categorical features (weight 1.0) and ``name`` for numeric
ones (0–1). Lexical context is the light stems of the words around the trigger and of its
sentence, so a model learns the wording of statements, reactions and reports without a hand rule
for each. No feature names an article, an outlet or a position in a file.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from dataclasses import dataclass, field

from ..pipeline.doc import ActorRef, Candidate, Doc, PlaceRef, cue_in, within
from ..pipeline.events import CONTAINER_KINDS, _contains, place_ref
from ..pipeline.places import dateline_end
from ..pipeline.resolve import actor_of, location_of
from ..resources.loader import Resources
from ..text.match import Mention
from ..types import SUB_TO_TYPE, Actor, Event, Location

Features = dict[str, float]
WORD = re.compile(r"[\u0621-\u064a]+|[a-z]+")
WINDOW = 3  # words each side of the trigger
PLACE_REACH = 2  # words before a place read as its context


@dataclass(slots=True)
class PlaceOption:
    """One place an event may have happened at, with the features of choosing it."""

    location: Location
    features: Features
    place_id: str | None = None


@dataclass(slots=True)
class ActorOption:
    """One actor an event's actor1 or actor2 may be (``actor`` None: nobody), with the features of
    choosing it for each slot."""

    actor: Actor | None
    features: Features


@dataclass(slots=True)
class EventCase:
    """One candidate event: the rules' event and the features of every decision about it."""

    event: Event
    features: Features  # is-event, role and certainty
    type_features: Features  # sub-event type
    places: list[PlaceOption] = field(default_factory=list)  # [0] is the rules' place, when it has one
    actors: list[ActorOption] = field(default_factory=list)  # the rules' two first, then "nobody", then others
    flagged: bool = False  # a rule says it reports no event (a feature; the fallback drops it)


def stem(word: str, affixes: dict[str, tuple[str, ...]]) -> str:
    """A light stem: one proclitic sequence and one suffix off, keeping three letters."""
    return _stem(word, affixes["prefixes"], affixes["suffixes"])


@functools.lru_cache(maxsize=65536)
def _stem(word: str, prefixes: tuple[str, ...], suffixes: tuple[str, ...]) -> str:
    for p in prefixes:
        if word.startswith(p) and len(word) - len(p) >= 3:
            word = word[len(p) :]
            break
    for s in suffixes:
        if word.endswith(s) and len(word) - len(s) >= 3:
            word = word[: -len(s)]
            break
    return word


def words(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, word)`` of every Arabic or Latin word of a normalized text."""
    return [(m.start(), m.end(), m.group()) for m in WORD.finditer(text)]


def bucket(value: float, edges: tuple[float, ...]) -> str:
    """The label of the first edge ``value`` does not exceed (``">last"`` beyond)."""
    for e in edges:
        if value <= e:
            return f"<={e:g}"
    return f">{edges[-1]:g}"


def lexical(doc: Doc, res: Resources, start: int, end: int, pos: int, pos_end: int, prefix: str) -> Features:
    """Stems of the words within ``WINDOW`` of ``[pos, pos_end)`` (by side and distance band) and of
    the span ``[start, end)`` (a bag)."""
    feats: Features = {}
    toks = [(s, e, stem(w, res.affixes)) for s, e, w in words(doc.text[start:end])]
    before = [w for s, e, w in toks if start + e <= pos]
    after = [w for s, e, w in toks if start + s >= pos_end]
    for i, w in enumerate(reversed(before[-WINDOW:])):
        feats[f"{prefix}-{'1' if i == 0 else 'n'}={w}"] = 1.0
    for i, w in enumerate(after[:WINDOW]):
        feats[f"{prefix}+{'1' if i == 0 else 'n'}={w}"] = 1.0
    for _, _, w in toks:
        feats[f"{prefix}_bag={w}"] = 1.0
    return feats


class CueIndex:
    """Every cue of an article by position, to tell the kinds inside a span with one search."""

    def __init__(self, doc: Doc) -> None:
        items = sorted((m.nstart, m.nend, kind) for kind, (found, _) in doc.cues.items() for m in found)
        self.starts = [i[0] for i in items]
        self.items = items

    def kinds(self, start: int, end: int) -> set[str]:
        out = set()
        for i in range(bisect.bisect_left(self.starts, start), bisect.bisect_left(self.starts, end)):
            _, e, kind = self.items[i]
            if e <= end:
                out.add(kind)
        return out


def cue_features(cues: CueIndex, start: int, end: int, prefix: str) -> Features:
    """Which kinds of cue (``cues/cues.yaml``) occur in ``[start, end)``."""
    return {f"{prefix}={kind}": 1.0 for kind in cues.kinds(start, end)}


def event_features(
    doc: Doc,
    res: Resources,
    c: Candidate,
    ev: Event,
    n_events: int,
    precise: dict[str, int] | None = None,
    cues: CueIndex | None = None,
) -> Features:
    """Features of whether ``ev`` is a real, specific occurrence, and of its role and certainty."""
    cues = cues or CueIndex(doc)
    clitic = doc.text[c.trigger.wstart : c.trigger.nstart]  # what the matcher found before the trigger
    sent = doc.sentences[c.sentence]
    cs, ce = doc.clause_of(c.sentence, c.trigger.nstart)
    trig = res.triggers.get(c.trigger.ref)
    paragraphs = doc.sentences[-1].paragraph + 1 if doc.sentences else 1
    first_par = min(doc.sentences[i].paragraph for i in c.sentences)
    f: Features = {
        "bias_rule": 1.0,
        f"sub={c.sub}": 1.0,
        f"type={SUB_TO_TYPE.get(c.sub, c.sub)}": 1.0,
        f"trigger={c.trigger.form}": 1.0,
        f"trigger_kind={trig.sub if trig else c.trigger.kind}": 1.0,
        "trigger_weight": min(c.weight, 1.5) / 1.5,
        f"mentions={bucket(len(c.sentences), (1, 2, 3))}": 1.0,
        f"first_paragraph={bucket(first_par, (0, 1, 2, 4))}": 1.0,
        "paragraph_share": first_par / paragraphs,
        f"events_in_article={bucket(n_events, (1, 2, 4, 8))}": 1.0,
        "has_fatalities": float(ev.fatalities is not None),
        "fatalities_nonzero": float(bool(ev.fatalities)),
        "has_injuries": float(ev.injuries is not None),
        f"fatalities={bucket(ev.fatalities or 0, (0, 1, 5, 20, 100))}": 1.0,
        "hedged_rule": float(c.hedged),
        "background_rule": float(c.background),
        "anaphoric": float(c.anaphoric),
        "place_fallback": float(c.place_fallback),
        "has_place": float(ev.location is not None),
        "n_sources": min(len(ev.sources), 3) / 3,
        "rule_confidence": ev.confidence,
        "verb_prefix": float(clitic in ("", *res.affixes["conjunctions"])),
        "definite": float(res.affixes["article"][0] in clitic),
    }
    for flag in c.flags:
        f[f"flag={flag}"] = 1.0
    if ev.location is not None:
        f[f"geo_precision={ev.location.geo_precision}"] = 1.0
        place = doc.places.get((c.place.mention.nstart, c.place.mention.nend)) if c.place else None
        f[f"place_kind={place.kind if place else 'none'}"] = 1.0
        if ev.location.geo_precision == 3 and precise is not None:
            # a country or region while the article names towns of that country: probably not where
            # it happened; the only place named: probably all the article knows
            f[f"vague_with_precise={bucket(precise.get(ev.location.country or '', 0), (0, 1, 3))}"] = 1.0
    for slot, actor in (("actor1", ev.actor1), ("actor2", ev.actor2)):
        f[f"{slot}_inter={actor.inter if actor else 'none'}"] = 1.0
        f[f"{slot}_named={bool(actor and actor.text)}"] = 1.0
    f[f"date_precision={ev.date_precision}"] = 1.0
    pub = doc.article.pub_date
    if ev.date is not None and pub is not None:
        f[f"days_before={bucket((pub - ev.date).days, (-1, 0, 1, 3, 7, 31, 365))}"] = 1.0
    f.update(cue_features(cues, sent.span.start, sent.span.end, "cue"))
    f.update(cue_features(cues, cs, ce, "clause_cue"))
    f.update(cue_features(cues, max(cs, c.trigger.wstart - 30), c.trigger.wstart, "cue_before"))
    if any(within(doc.cites, sent.span.start, sent.span.end)):
        f["cites"] = 1.0
    f.update(lexical(doc, res, sent.span.start, sent.span.end, c.trigger.wstart, c.trigger.nend, "w"))
    title = doc.sentences[0].span if doc.has_title else None
    if title is not None:
        f["title_has_trigger"] = float(any(m.kind == "trigger" for m in within(doc.entities, title.start, title.end)))
        f["in_title"] = float(0 in c.sentences)
    return f


def type_features(doc: Doc, res: Resources, c: Candidate, cues: CueIndex | None = None) -> Features:
    """Features of the sub-event type: the rules' type, the trigger, and the weapon words near it."""
    cues = cues or CueIndex(doc)
    f: Features = {f"sub={c.sub}": 1.0, f"trigger={c.trigger.form}": 1.0, "bias_rule": 1.0}
    trig = res.triggers.get(c.trigger.ref)
    f[f"trigger_kind={trig.sub if trig else c.trigger.kind}"] = 1.0
    cs, ce = doc.clause_of(c.sentence, c.trigger.nstart)
    for m in within(doc.modifiers, cs, ce):
        f[f"clause_weapon={res.modifiers[m.ref].sub}"] = 1.0
    for i in c.sentences:
        span = doc.sentences[i].span
        for m in within(doc.modifiers, span.start, span.end):
            f[f"weapon={res.modifiers[m.ref].sub}"] = 1.0
        for m in within(doc.entities, span.start, span.end):
            if m.kind == "trigger" and m.ref in res.triggers:
                f[f"other_trigger={res.triggers[m.ref].sub}"] = 1.0
            elif m.kind == "actor":
                f[f"actor_kind={res.actors.get(m.ref).kind}"] = 1.0
        f.update(cue_features(cues, span.start, span.end, "cue"))
    sent = doc.sentences[c.sentence].span
    f.update(lexical(doc, res, sent.start, sent.end, c.trigger.wstart, c.trigger.nend, "w"))
    return f


def place_features(
    doc: Doc, res: Resources, c: Candidate, m: Mention, others: list[Mention], counts: dict[str, int]
) -> Features:
    """Features of ``m`` being where the event ``c`` happened."""
    place = doc.places[(m.nstart, m.nend)]
    t = c.trigger
    same_sentence = doc.sentence_at(m.nstart) == c.sentence
    gap = m.nstart - t.nend if m.nstart >= t.nend else t.wstart - m.nend
    after = m.nstart >= t.nend
    f: Features = {
        "bias_rule": 1.0,
        f"kind={place.kind}": 1.0,
        f"precision={place.geo_precision}": 1.0,
        f"source={place.source}": 1.0,
        "rule_choice": float(c.place is not None and c.place.mention.nstart == m.nstart),
        "rule_fallback": float(c.place_fallback and c.place is not None and c.place.mention.nstart == m.nstart),
        "same_sentence": float(same_sentence),
        "after_trigger": float(after and same_sentence),
        f"gap={bucket(gap if same_sentence else 999, (5, 15, 40, 100, 300))}": 1.0,
        f"mentions={bucket(counts.get(place.id, 0), (1, 2, 4))}": 1.0,
        "in_title": float(doc.has_title and doc.sentence_at(m.nstart) == 0),
        "dateline": float(m.nend <= dateline_end(doc)),
        "log_population": min(math.log10(place.population + 1), 7) / 7,
        "contains_other": float(any(_contains(place, doc.places[(o.nstart, o.nend)]) for o in others if o is not m)),
        "inside_other": float(any(_contains(doc.places[(o.nstart, o.nend)], place) for o in others if o is not m)),
        "container_kind": float(place.kind in CONTAINER_KINDS),
        f"clitic={doc.text[m.wstart : m.nstart] or '-'}": 1.0,
    }
    owners = [
        o.trigger for o in doc.candidates if o.place is not None and o.place.mention.nstart == m.nstart and not o.flags
    ]
    f["owned_here"] = float(any(o.nstart == t.nstart for o in owners))
    f["owned_by_other"] = float(any(o.nstart != t.nstart for o in owners))  # the rules gave it to another event
    if same_sentence:
        lo, hi = sorted((t.nstart, m.nstart))
        between = within(doc.entities, lo, hi)
        f["trigger_between"] = float(any(o.kind == "trigger" and lo < o.nstart != t.nstart for o in between))
        f["same_clause"] = float(doc.clause_of(c.sentence, m.nstart) == doc.clause_of(c.sentence, t.nstart))
        ahead = [o for o in others if doc.sentence_at(o.nstart) == c.sentence and t.nend <= o.nstart < m.nstart]
        f["first_after"] = float(after and not ahead)
        f["nearest"] = float(
            all(abs(o.nstart - t.nstart) >= abs(m.nstart - t.nstart) for o in others if o is not m)
        )
    floor = doc.sentences[doc.sentence_at(m.nstart)].span.start
    for kind in ("place_heads", "near_words", "origin", "location_preps", "toward", "between", "since"):
        for cue in cue_in(doc, kind, max(floor, m.wstart - 25), m.wstart):
            if m.wstart - cue.nend <= 2:
                f[f"before={kind}"] = 1.0
                f[f"before_word={cue.form}"] = 1.0
    toks = words(doc.text[max(floor, m.wstart - 40) : m.wstart])
    for i, (_, _, w) in enumerate(reversed(toks[-PLACE_REACH:])):
        f[f"p-{i + 1}={stem(w, res.affixes)}"] = 1.0
    return f


ACTOR_CUES = ("agent_preps", "target_preps", "agent_verbs", "passive", "agent_heads", "ally_preps", "affiliation")
MAX_ACTOR_OPTIONS = 8


def actor_options(doc: Doc, res: Resources, c: Candidate, ev: Event, counts: dict[str, int]) -> list[ActorOption]:
    """The rules' actor1 and actor2, "nobody", and every other actor named in the event's sentences
    or the headline, each with the features of being actor1 and actor2."""
    country = ev.location.country if ev.location else None
    base = {f"sub={ev.sub_event_type}": 1.0, f"type={ev.event_type}": 1.0, "bias_rule": 1.0}
    out = [
        ActorOption(ev.actor1, {**base, **_actor_side(ev.actor1, ev, "rule1")}),
        ActorOption(ev.actor2, {**base, **_actor_side(ev.actor2, ev, "rule2")}),
        ActorOption(None, {**base, "nobody": 1.0, f"nobody_rule1={ev.actor1 is None}": 1.0,
                           f"nobody_rule2={ev.actor2 is None}": 1.0}),
    ]  # fmt: skip
    seen = {a.id for a in (ev.actor1, ev.actor2) if a is not None}
    sentences = sorted(c.sentences | ({0} if doc.has_title else set()))
    t = c.trigger
    for i in sentences:
        span = doc.sentences[i].span
        for m in within(doc.entities, span.start, span.end):
            if m.kind != "actor" or len(out) >= MAX_ACTOR_OPTIONS:
                continue
            actor = actor_of(doc, res, ActorRef(m, m.ref, "mention"), country)
            if actor is None or actor.id in seen:
                continue
            seen.add(actor.id)
            f = {**base, **_actor_side(actor, ev, "mention")}
            same = i == c.sentence
            f["same_sentence"] = float(same)
            f["in_title"] = float(i == 0 and doc.has_title)
            if same:
                f["before_trigger"] = float(m.nend <= t.wstart)
                gap = t.wstart - m.nend if m.nend <= t.wstart else m.nstart - t.nend
                f[f"gap={bucket(gap, (3, 15, 40, 100))}"] = 1.0
                f["same_clause"] = float(doc.clause_of(i, m.nstart) == doc.clause_of(i, t.nstart))
            floor = span.start
            for kind in ACTOR_CUES:
                if any(m.wstart - q.nend <= 3 for q in cue_in(doc, kind, max(floor, m.wstart - 30), m.wstart)):
                    f[f"cue_before={kind}"] = 1.0
            f[f"mentions={bucket(counts.get(m.ref, 0), (1, 2, 4))}"] = 1.0
            out.append(ActorOption(actor, f))
    return out


def _actor_side(actor: Actor | None, ev: Event, origin: str) -> Features:
    if actor is None:
        return {f"{origin}_none": 1.0}
    kind = actor.inter if actor.inter is not None else "?"
    return {
        origin: 1.0,
        f"inter={kind}": 1.0,
        f"inter={kind}&sub={ev.sub_event_type}": 1.0,
        f"actor={actor.name}": 1.0,
        "named_in_text": float(bool(actor.text)),
    }


def describe(
    doc: Doc, res: Resources, *, all_places: bool = True, types: bool = True, actors: bool = True
) -> list[EventCase]:
    """One :class:`EventCase` per event the rule stages assembled (``doc.events``/``doc.resolved``).
    Deciding without a place or type model needs only the rules' place and no type features
    (``all_places``/``types`` False: the same features, less work)."""
    counts: dict[str, int] = {}
    named = [m for m in doc.entities if m.kind == "place" and (m.nstart, m.nend) in doc.places]
    for m in named:
        pid = doc.places[(m.nstart, m.nend)].id
        counts[pid] = counts.get(pid, 0) + 1
    cases = []
    n_events = len(doc.events)
    cue_index = CueIndex(doc)
    actor_counts: dict[str, int] = {}
    if actors:
        for m in doc.entities:
            if m.kind == "actor":
                actor_counts[m.ref] = actor_counts.get(m.ref, 0) + 1
    precise: dict[str, int] = {}  # country → mentions of its places more precise than a region
    for m in named:
        p = doc.places[(m.nstart, m.nend)]
        if p.geo_precision < 3:
            precise[p.country] = precise.get(p.country, 0) + 1
    for ev, c in zip(doc.events, doc.resolved, strict=True):
        case = EventCase(
            event=ev,
            features=event_features(doc, res, c, ev, n_events, precise, cue_index),
            type_features=type_features(doc, res, c, cue_index) if types else {},
            flagged=bool(c.flags),
            actors=actor_options(doc, res, c, ev, actor_counts) if actors else [],
        )
        if ev.location is not None:
            own = doc.places.get((c.place.mention.nstart, c.place.mention.nend)) if c.place else None
            if own is not None and c.place is not None:
                others = [m for m in named if doc.sentence_at(m.nstart) in c.sentences]
                case.places.append(
                    PlaceOption(ev.location, place_features(doc, res, c, c.place.mention, others, counts), own.id)
                )
        mentions = []
        if all_places or not case.places:
            mentions = [m for m in named if doc.sentence_at(m.nstart) in c.sentences]
        for m in mentions:
            if c.place is not None and m.nstart == c.place.mention.nstart:
                continue
            ref: PlaceRef = place_ref(doc, m)
            loc = location_of(doc, ref)
            if loc is None:
                continue
            case.places.append(
                PlaceOption(loc, place_features(doc, res, c, m, mentions, counts), doc.places[(m.nstart, m.nend)].id)
            )
        cases.append(case)
    return cases
