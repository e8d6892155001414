"""Stage 1 — screen (after normalize, before segment): set aside an article that cannot report an
event, before any costly stage.

Every event starts from a trigger word ("غارة", "اشتباكات") or, with no trigger in its sentence,
from a death word ("مقتل 8 تكفيريين في سيناء", see ``events``): an article whose normalized text
holds neither reports no event, whatever else it names. The screen looks for those words only,
with a matcher holding just their entries (``Resources.screen``, built by the loader with
``resources.loader.starts_events``: the same keys and word-edge rules as the full matcher, so it
finds exactly the full matcher's hits of them) and stops at the first one. Most news is not about
conflict (over half of the bulk corpus): for such an article the pipeline ends here, with no
events, after normalizing it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..text.match import scan_text
from .doc import Doc

if TYPE_CHECKING:
    from ..resources.loader import Resources


def screen(doc: Doc, res: Resources) -> Doc:
    doc.scan = scan_text(doc.text)  # recognize reads it too
    doc.quiet = not res.screen.find(doc.text, first=True, scan=doc.scan)
    return doc
