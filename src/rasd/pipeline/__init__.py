"""The extraction pipeline: small stages, in reading order, each a plain ``Doc -> Doc`` function.

    read → normalize → segment → recognize → events → roles → attributes → resolve

``read`` (``pipeline.read``) turns files into :class:`~rasd.types.Article` records; the other
stages run per article inside :func:`run`. ``STAGES`` names every per-article stage in order
(the names equal the module names), so a caller can time or trace them one by one.
"""

from __future__ import annotations

from collections.abc import Callable

from ..resources.loader import Resources
from ..types import Article
from .attributes import fill_attributes
from .doc import Doc
from .events import build_candidates
from .normalize import normalize
from .recognize import recognize
from .resolve import resolve
from .roles import assign_roles
from .segment import segment

Stage = Callable[[Doc, Resources], Doc]

STAGES: tuple[tuple[str, Stage], ...] = (
    ("recognize", recognize),
    ("events", build_candidates),
    ("roles", assign_roles),
    ("attributes", fill_attributes),
    ("resolve", resolve),
)


def prepare(article: Article) -> Doc:
    """normalize + segment: the per-article state every later stage works on."""
    norm = normalize(article.text)
    return Doc(article=article, norm=norm, sentences=segment(norm.text))


def run(article: Article, res: Resources, *, stages: tuple[tuple[str, Stage], ...] = STAGES) -> Doc:
    doc = prepare(article)
    for _, stage in stages:
        doc = stage(doc, res)
    return doc
