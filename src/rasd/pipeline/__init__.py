"""The extraction pipeline: small stages, in reading order, each a plain ``Doc -> Doc`` function.

    read → normalize → screen → segment → recognize → events → roles → attributes → resolve → decide

``read`` (``pipeline.read``) turns files into :class:`~rasd.types.Article` records; the other
stages run per article inside :func:`run`: :func:`prepare` normalizes, then every stage of
``STAGES`` in order (the names equal the module names), so a caller can time or trace them one by
one. A stage that sets ``doc.quiet`` ends the run: ``screen`` does so for an article without any
word that starts an event, which then has no events.
"""

from __future__ import annotations

from collections.abc import Callable

from ..resources.loader import Resources
from ..types import Article
from .attributes import fill_attributes
from .decide import decide
from .doc import Doc
from .events import build_candidates
from .normalize import normalize
from .recognize import recognize
from .resolve import resolve
from .roles import assign_roles
from .screen import screen
from .segment import split_sentences

Stage = Callable[[Doc, Resources], Doc]

STAGES: tuple[tuple[str, Stage], ...] = (
    ("screen", screen),
    ("segment", split_sentences),
    ("recognize", recognize),
    ("events", build_candidates),
    ("roles", assign_roles),
    ("attributes", fill_attributes),
    ("resolve", resolve),
    ("decide", decide),
)


def prepare(article: Article) -> Doc:
    """normalize: the per-article state every stage works on."""
    return Doc(article=article, norm=normalize(article.text))


def run(article: Article, res: Resources, *, stages: tuple[tuple[str, Stage], ...] = STAGES) -> Doc:
    doc = prepare(article)
    for _, stage in stages:
        doc = stage(doc, res)
        if doc.quiet:
            break
    return doc
