"""Arabic full-text search over stored articles, portable across SQLite and PostgreSQL.

Each article gets one ``article_search`` row holding ``match_key(title + text)``: diacritics and
tatweel removed, alef/ya/ta-marbuta variants unified, each token's leading "ال" dropped (see
:func:`rasd.text.normalize.match_key`). A query is folded the same way and every one of its
tokens must occur in the key (``LIKE '%token%'`` with escaping, bound as parameters), so
"الاميركية" finds "الأميركيّة" and "والأميركية".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from ..text.normalize import match_key, normalize
from . import schema
from .db import Store

__all__ = ["index_articles", "like_escape", "search_condition", "snippet"]


def like_escape(value: str) -> str:
    """``value`` with ``\\``, ``%`` and ``_`` escaped for ``LIKE ... ESCAPE '\\'``."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _key(title: str | None, text: str) -> str:
    return match_key(f"{title or ''}\n{text}")


def _insert_new(conn: Connection, table: Any) -> Any:
    """INSERT that skips rows a concurrent request indexed meanwhile (the anti-join above ran
    outside the write lock), instead of failing on the primary key."""
    if conn.dialect.name == "sqlite":
        return sqlite_insert(table).on_conflict_do_nothing()
    if conn.dialect.name == "postgresql":
        return pg_insert(table).on_conflict_do_nothing()
    return insert(table)  # pragma: no cover


def _index_missing(conn: Connection, batch: int) -> int:
    a, s = schema.articles, schema.article_search
    done = 0
    while True:
        missing = (
            select(a.c.id, a.c.title, a.c.text)
            .where(~select(s.c.article_id).where(s.c.article_id == a.c.id).exists())
            .order_by(a.c.id)
            .limit(batch)
        )
        rows = conn.execute(missing).all()
        if not rows:
            return done
        conn.execute(_insert_new(conn, s), [{"article_id": r.id, "text_key": _key(r.title, r.text)} for r in rows])
        done += len(rows)


def index_articles(store: Store, *, batch: int = 200) -> int:
    """Add the search key of every article that has none yet; returns how many were added.

    Cheap when nothing is missing (one anti-join), so it can run before every search.
    """
    for attempt in (1, 2):
        try:
            with store.begin() as conn:
                return _index_missing(conn, batch)
        except IntegrityError:  # a concurrent request indexed the same articles
            if attempt == 2:
                raise
    return 0  # pragma: no cover


def search_condition(query: str) -> ColumnElement[bool] | None:
    """SQL condition on ``article_search.text_key`` for ``query`` (``None`` when it folds to nothing)."""
    tokens = match_key(query).split()
    if not tokens:
        return None
    col = schema.article_search.c.text_key
    return and_(*(col.like(f"%{like_escape(tok)}%", escape="\\") for tok in tokens))


def snippet(text: str, query: str, width: int = 90) -> dict[str, Any]:
    """A window of the ORIGINAL ``text`` around the first match of ``query``'s first token.

    Returns ``{"text", "offset", "start", "end"}``: the window, where it starts in ``text``, and
    the match's offsets in ``text`` (``None`` when not found, e.g. it only occurs in the title).
    """
    tokens = match_key(query).split()
    norm = normalize(text)
    pos = norm.text.find(tokens[0]) if tokens else -1
    if pos < 0:
        return {"text": text[: 2 * width], "offset": 0, "start": None, "end": None}
    start, end = norm.to_original(pos, pos + len(tokens[0]))
    lo, hi = max(0, start - width), min(len(text), end + width)
    return {"text": text[lo:hi], "offset": lo, "start": start, "end": end}
