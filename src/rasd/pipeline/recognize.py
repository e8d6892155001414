"""Stage 3 — recognize: dictionary mentions, numbers and time expressions in normalized text.

Entities (places, actors, sources, triggers) compete for text: overlaps resolve longest first
(so "هيئة تحرير الشام" is an actor, not the trigger "تحرير"). Cues, weapon modifiers, citation
verbs, country names and the words time expressions need (month and weekday names...: which of
the calendar's patterns a sentence can hold) are separate layers that never mask entities.
"""

from __future__ import annotations

import operator
from bisect import bisect_right

from ..resources.loader import Resources
from ..text.match import longest_first
from .doc import Doc

ENTITY_KINDS = frozenset({"place", "actor", "source", "trigger"})
# On an exact tie of span, a source beats an actor, an actor a trigger, a trigger a place.
PRIORITY = {"source": 0, "actor": 1, "trigger": 2, "place": 3}


def recognize(doc: Doc, res: Resources) -> Doc:
    layers: dict[str, list] = {"entity": [], "country": [], "modifier": [], "cue": [], "cite": [], "time": []}
    for m in res.matcher.find(doc.text, scan=doc.scan):
        layers["entity" if m.kind in ENTITY_KINDS else m.kind].append(m)
    entities = layers["entity"]
    doc.entities = longest_first(entities, PRIORITY) if entities else []
    instruments = [t for t in entities if t.kind == "trigger" and res.triggers[t.ref].sub in res.instrument_subs]
    actors = [m for m in doc.entities if m.kind == "actor"] if instruments else []
    if actors:
        # kept entities never partly overlap: the only actor that can contain a trigger is the
        # last one starting at or before it
        starts = [a.nstart for a in actors]
        inside = [t for t in instruments if (i := bisect_right(starts, t.nstart)) and t.nend <= actors[i - 1].nend]
        if inside:  # "الطيران الروسي": an actor that names the instrument is also the event's trigger
            doc.entities = sorted([*doc.entities, *longest_first(inside)], key=lambda m: m.nstart)
    doc.countries = longest_first(layers["country"])
    doc.modifiers = longest_first(layers["modifier"])
    doc.cites = longest_first(layers["cite"])
    doc.time_words = sorted(layers["time"], key=_nstart)
    by_kind: dict[str, list] = {}
    for c in layers["cue"]:
        by_kind.setdefault(c.ref, []).append(c)
    doc.cues = {kind: (kept, [c.nstart for c in kept]) for kind, ms in by_kind.items() for kept in [longest_first(ms)]}
    doc.calendar, doc.number_words = res.calendar, res.numbers  # times and numbers: per sentence, on demand
    return doc


_nstart = operator.attrgetter("nstart")
