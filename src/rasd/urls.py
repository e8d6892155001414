"""Which article URLs Rasd keeps: absolute ``http://`` or ``https://`` addresses only.

An article's ``url`` is shown as a link by the dashboard, so a ``javascript:``, ``data:`` or
``vbscript:`` address stored with an article would run script in the reader's browser. Ingest
drops such a URL (with a warning; the article is kept), ``POST /api/articles`` answers 422, and
the dashboard never makes a link of anything else either.
"""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["WEB_SCHEMES", "is_web_url"]

WEB_SCHEMES = frozenset({"http", "https"})


def is_web_url(value: str) -> bool:
    """Whether ``value`` is an absolute http(s) URL with a host (and no whitespace or control
    characters, which browsers strip — ``"java\\tscript:"`` is ``javascript:`` to them)."""
    if not value or any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return False
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:  # e.g. an invalid IPv6 literal
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(host)
