"""Stored-XSS payloads in the dashboard (issue #17), in real Chromium against the real server.

A store of ``examples/`` is served by uvicorn on 127.0.0.1; an event's ``location_name`` is
corrected through the API to an HTML payload, and an article's ``url`` is set to a
``javascript:`` URL directly in the database (a row stored before ingest checked URLs; the API
and ``rasd ingest`` refuse such URLs now). Playwright drives Debian's Chromium
(``/usr/bin/chromium``): hovering the marker, opening its popup and opening the event page must
not run the payloads (no dialog, no ``<img>`` made from text, no link to ``javascript:``), and the
pages must work under the server's Content-Security-Policy without a single violation.

Skipped like ``test_dashboard.py`` when Chromium or Playwright is missing (failed under ``CI``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from rasd.store import Store, ingest, schema
from rasd.web import create_app

from .conftest import serving

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
TOKEN = "xss-token-789"
SEED = "000_73c53d1290d9c61f"
JS_URL = "javascript:alert(document.domain)"
IMG = '<img src=x onerror="alert(document.domain);window.__pwned=1">'
SCRIPT = "<script>alert(document.domain)</script>"
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, res) -> Iterator[tuple[str, Store]]:
    folder = tmp_path_factory.mktemp("xss")
    store = Store.open(f"sqlite:///{folder / 'rasd.db'}")
    ingest([EXAMPLES], store, meta=EXAMPLES / "meta.jsonl", progress=False, resources=res)
    with store.begin() as conn:  # a legacy row: stored before URLs were checked at ingest
        conn.execute(update(schema.articles).where(schema.articles.c.doc_id == SEED).values(url=JS_URL))
    app = create_app(store, token=TOKEN)
    try:
        with serving(app) as url:
            yield url, store
    finally:
        store.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    """A fresh page that records dialogs (alert/confirm), page errors and CSP violations."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ar")
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    pg.dialogs, pg.errors = [], []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))
    pg.add_init_script(WATCH)
    try:
        yield pg
    finally:
        context.close()


def _seed_event(base: str) -> dict:
    items = httpx.get(base + "/api/events", params={"limit": 500}, timeout=10).json()["items"]
    return next(e for e in items if e["doc_id"] == SEED and e["latitude"] is not None)


def _no_execution(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_timeout(300)  # an <img src=x> error handler would have fired by now
    assert page.dialogs == [], page.dialogs
    assert page.evaluate("window.__pwned") is None
    assert page.errors == [], page.errors
    assert page.evaluate("window.__csp") == []  # the app itself needs nothing the CSP forbids


def test_location_name_payload_does_not_run_on_hover_or_popup(server: tuple[str, Store], page) -> None:
    base, _ = server
    ev = _seed_event(base)
    fields = {"location_name": IMG, "location_text": SCRIPT, "actor1_name": IMG}
    r = httpx.post(
        f"{base}/api/events/{ev['id']}/review",
        json={"action": "correct", "fields": fields},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=30,
    )
    assert r.status_code == 200, r.text

    page.goto(base + "/?q=onerror")  # only the corrected event: the map clusters markers of one place
    page.wait_for_selector("body[data-ready=dashboard]")
    marker = page.locator(f'path.rasd-marker[data-event-id="{ev["id"]}"]').first
    marker.wait_for(state="attached")
    marker.dispatch_event("mouseover")  # Leaflet's tooltip opens on mouseover (delegated from the map)
    tip = page.locator(".leaflet-tooltip")
    tip.wait_for()
    assert IMG in tip.inner_text()  # shown as text ...
    assert page.locator(".leaflet-tooltip img, .leaflet-tooltip script").count() == 0  # ... not parsed as HTML
    _no_execution(page)

    marker.focus()
    page.keyboard.press("Enter")  # the popup (keyboard path of test_dashboard.py)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert IMG in text and SCRIPT in text
    assert page.locator(".leaflet-popup-content img, .leaflet-popup-content script").count() == 0
    assert page.locator("#events-table img, #events-table script").count() == 0
    _no_execution(page)

    popup.locator("a.event-link").click()  # the event page shows the same values as text
    page.wait_for_selector("body[data-ready=event]")
    assert IMG in page.inner_text("#event-view")
    assert page.locator("#event-view img, #event-view script").count() == 0
    _no_execution(page)


def test_javascript_url_is_not_a_link(server: tuple[str, Store], page) -> None:
    base, _ = server
    ev = _seed_event(base)
    assert httpx.get(f"{base}/api/articles/{ev['article_id']}", timeout=10).json()["url"] == JS_URL
    page.goto(f"{base}/#/event/{ev['id']}")
    page.wait_for_selector("body[data-ready=event]")
    assert page.locator('a[href^="javascript:" i]').count() == 0
    hrefs = page.locator("a[href]").evaluate_all("as => as.map(a => a.href)")
    assert hrefs and all(h.startswith(base) for h in hrefs), hrefs
    assert page.locator("#source-link").count() == 0
    shown = page.locator("#source-unlinked")
    assert shown.inner_text() == JS_URL  # shown as plain text, not as a link
    shown.click()
    _no_execution(page)
    assert page.url.startswith(base)


def test_http_url_is_a_link(server: tuple[str, Store], page) -> None:
    base, store = server
    ev = _seed_event(base)
    with store.begin() as conn:
        conn.execute(
            update(schema.articles).where(schema.articles.c.id == ev["article_id"]).values(url="https://news.example/a")
        )
    try:
        page.goto(f"{base}/#/event/{ev['id']}")
        page.wait_for_selector("body[data-ready=event]")
        assert page.get_attribute("#source-link", "href") == "https://news.example/a"
        assert page.get_attribute("#source-link", "rel") == "noopener noreferrer"
        _no_execution(page)
    finally:
        with store.begin() as conn:
            conn.execute(update(schema.articles).where(schema.articles.c.id == ev["article_id"]).values(url=JS_URL))
