"""Stage 8 — decide: the learned decisions over the assembled candidates (:mod:`rasd.learn`).

``describe`` computes the named features of every candidate event and of each place it may have
happened at; ``choose`` lets the models of ``resources/data/model/decisions.json.gz`` pick the
place, type, role and certainty and give each event its confidence. When the rules decide
(``Resources.decisions``, the default), the events stand as ``resolve`` assembled them.
"""

from __future__ import annotations

from ..learn.decide import choose
from ..learn.features import describe
from ..resources.loader import Resources
from .doc import Doc


def decide(doc: Doc, res: Resources) -> Doc:
    if res.learned is None:
        return doc  # the rules decided in resolve: no feature is needed
    model = res.learned
    doc.decisions = describe(doc, res, all_places=model["place"] is not None, types=model["type"] is not None)
    doc.events = choose(doc.decisions, res.learned, res.note_phrases)
    return doc
