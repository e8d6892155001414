"""The library entry points: ``extract`` for one text, ``extract_many`` for a stream of articles."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from .pipeline import run
from .resources.loader import Resources, load_resources
from .types import Article, ArticleRecord

MAX_CHARS = 2_000_000  # longer texts are cut here (a clear limit instead of unbounded work)


def _as_date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def extract_article(article: Article, *, resources: Resources | None = None) -> ArticleRecord:
    """Events of one :class:`Article` (offsets into ``article.text``)."""
    res = resources or load_resources()
    if len(article.text) > MAX_CHARS:
        article.text = article.text[:MAX_CHARS]
    doc = run(article, res)
    return ArticleRecord(
        doc_id=article.doc_id, pub_date=article.pub_date, events=doc.events, outlet=article.outlet, title=article.title
    )


def extract(
    text: str,
    *,
    pub_date: date | str | None = None,
    outlet: str | None = None,
    doc_id: str = "",
    resources: Resources | None = None,
) -> ArticleRecord:
    """Extract the events an Arabic news article reports.

    ``pub_date`` resolves relative dates ("أمس", "الإثنين"); without it they stay ``None``.
    Every evidence span is ``[start, end)`` into ``text`` exactly as given.

    >>> rec = extract("مقتل 3 مدنيين في غارة جوية على مدينة إدلب أمس", pub_date="2018-05-10")
    >>> rec.events[0].sub_event_type
    'Air/drone strike'
    """
    title = text.split("\n", 1)[0].strip() or None
    article = Article(text=text, doc_id=doc_id, pub_date=_as_date(pub_date), outlet=outlet, title=title)
    return extract_article(article, resources=resources)


def extract_many(articles: Iterable[Article], *, resources: Resources | None = None) -> Iterator[ArticleRecord]:
    """Stream records for many articles, loading resources once."""
    res = resources or load_resources()
    for article in articles:
        yield extract_article(article, resources=res)
