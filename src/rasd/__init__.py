"""Rasd (رصد): Arabic-native conflict-event extraction.

>>> import rasd
>>> record = rasd.extract(text, pub_date="2023-04-11")   # doctest: +SKIP
>>> record.to_dict()                                     # the v1 JSON of FORMAT.md  # doctest: +SKIP
"""

from .api import extract, extract_article, extract_many
from .resources.loader import Resources, load_resources
from .types import Actor, Article, ArticleRecord, Event, Location, Span

__version__ = "0.1.0"

__all__ = [
    "Actor",
    "Article",
    "ArticleRecord",
    "Event",
    "Location",
    "Resources",
    "Span",
    "__version__",
    "extract",
    "extract_article",
    "extract_many",
    "load_resources",
]
