"""Rasd's REST API (FastAPI): read the store, search articles, post articles, review events.

>>> from rasd.store import Store                  # doctest: +SKIP
>>> from rasd.web import create_app
>>> app = create_app(Store.open("sqlite:///rasd.db"), token="s3cret")
"""

from .app import MAX_BODY_BYTES, MAX_LIMIT, create_app

__all__ = ["MAX_BODY_BYTES", "MAX_LIMIT", "create_app"]
