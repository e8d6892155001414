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
    """Every candidate event of one :class:`Article` with its confidence (offsets into
    ``article.text``); callers choose the threshold (``rasd ingest`` stores them all)."""
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
    min_confidence: float | None = None,
) -> ArticleRecord:
    """Extract the events an Arabic news article reports.

    ``pub_date`` resolves relative dates ("أمس", "الإثنين"); without it they stay ``None``.
    Every evidence span is ``[start, end)`` into ``text`` exactly as given. Events below
    ``min_confidence`` are left out; by default, when the learned model decides, its threshold
    (the one that maximised cross-validated F1), else none.

    >>> rec = extract("مقتل 3 مدنيين في غارة جوية على مدينة إدلب أمس", pub_date="2018-05-10")
    >>> rec.events[0].sub_event_type
    'Air/drone strike'
    """
    title = text.split("\n", 1)[0].strip() or None
    article = Article(text=text, doc_id=doc_id, pub_date=_as_date(pub_date), outlet=outlet, title=title)
    res = resources or load_resources()
    record = extract_article(article, resources=res)
    if min_confidence is None:
        min_confidence = res.model.threshold if res.learned is not None else 0.0
    record.events = [e for e in record.events if e.confidence >= min_confidence]
    return record


def extract_many(articles: Iterable[Article], *, resources: Resources | None = None) -> Iterator[ArticleRecord]:
    """Stream records for many articles, loading resources once."""
    res = resources or load_resources()
    for article in articles:
        yield extract_article(article, resources=res)
