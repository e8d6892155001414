"""End-to-end test of the dashboard served at ``/`` by :func:`rasd.web.create_app`.

A SQLite store is ingested from ``examples/``, served by uvicorn on 127.0.0.1 (a free port, in a
thread), and Playwright (Python) drives Debian's Chromium (``/usr/bin/chromium``, headless; no
browser is downloaded): the map shows markers, filtering by type shrinks the table and is kept
in the URL, the event page highlights the Arabic evidence, and a correction posted with the
bearer token persists (checked through the API). Screenshots go to ``tests/artifacts/``.

When ``/usr/bin/chromium`` or the ``playwright`` package is missing the test is skipped, except
when the ``CI`` environment variable is set, where it fails with a clear message (install them
with ``make browser`` and ``pip install -e '.[dev]'``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from rasd.store import Store, ingest
from rasd.web import create_app

from .conftest import serving

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
ARTIFACTS = ROOT / "tests" / "artifacts"
TOKEN = "e2e-token-456"
SEED = "000_73c53d1290d9c61f"
ARABIC = re.compile(r"[\u0600-\u06FF]")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, res) -> Iterator[str]:
    """The app over a store of the examples, served by uvicorn on a free loopback port."""
    folder = tmp_path_factory.mktemp("e2e")
    store = Store.open(f"sqlite:///{folder / 'rasd.db'}")
    ingest([EXAMPLES], store, meta=EXAMPLES / "meta.jsonl", progress=False, resources=res)
    copy = folder / "copy_of_seed.txt"  # a second outlet's report, so the seed's events fuse
    copy.write_text((EXAMPLES / f"{SEED}.txt").read_text(encoding="utf-8") + "\nنقلا عن وكالات.\n", encoding="utf-8")
    meta = {"copy_of_seed": {"pub_date": "2023-04-11", "outlet": "Copy Outlet"}}
    ingest([copy], store, meta=meta, progress=False, resources=res)
    app = create_app(store, token=TOKEN)
    try:
        with serving(app) as url:
            yield url
    finally:
        store.close()


def test_dashboard_end_to_end(server: str, browser) -> None:
    """Map markers, type filter, evidence highlighting and a correction through the UI."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    api = httpx.Client(base_url=server, timeout=10)
    all_events = api.get("/api/events", params={"limit": 500}).json()
    n_geo = sum(1 for e in all_events["items"] if e["latitude"] is not None)
    battles = api.get("/api/events", params={"limit": 500, "event_type": "Battles"}).json()
    assert 0 < battles["total"] < all_events["total"]

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="ar")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # nothing outside the app's origin may be fetched (offline base layer, vendored scripts)
    outside: list[str] = []
    page.on("request", lambda req: None if req.url.startswith(server) else outside.append(req.url))

    # dashboard: markers on the map, one table row per event, an RTL page
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready=dashboard]")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("body", "data-markers") == str(n_geo) and n_geo > 0  # clustered on the map
    assert page.locator("path.rasd-marker, .marker-cluster").count() > 0
    assert page.locator("#map path").count() > 0  # country outlines
    assert page.locator("#events-table tbody tr").count() == all_events["total"]  # one page of 50
    assert page.locator("#timeline .uplot canvas").count() > 0  # a real time axis (uPlot)
    undated = sum(1 for e in all_events["items"] if e["date"] is None)
    assert page.get_attribute("#undated", "data-count") == str(undated)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"))

    # server-side paging and sorting
    page.select_option("#page-size", "25")
    page.wait_for_function("() => document.querySelectorAll('#events-table tbody tr').length === 25")
    assert "limit=25" in page.url and "page 1 of 2" in page.inner_text("#page-info")
    page.click("#page-next")
    page.wait_for_function(
        "n => document.querySelectorAll('#events-table tbody tr').length === n", arg=all_events["total"] - 25
    )
    assert "offset=25" in page.url and "page 2 of 2" in page.inner_text("#page-info")
    page.click('#events-table th[data-sort="fatalities"] button')
    page.wait_for_selector('#events-table th[data-sort="fatalities"][aria-sort=descending]')
    assert "sort=-fatalities" in page.url and "offset" not in page.url
    top = api.get("/api/events", params={"limit": 1, "sort": "-fatalities"}).json()["items"][0]
    assert page.get_attribute("#events-table tbody tr", "data-event-id") == str(top["id"])
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready=dashboard]")

    # filter by type: the table shrinks, the filter is kept in the query string
    page.select_option("#f-type", "Battles")
    page.wait_for_function(
        "n => document.querySelectorAll('#events-table tbody tr').length === n", arg=battles["total"]
    )
    assert "event_type=Battles" in page.url
    assert int(page.get_attribute("body", "data-markers")) <= battles["total"]
    page.screenshot(path=str(ARTIFACTS / "dashboard-filtered.png"))
    # "export this view": exactly the filtered events
    with page.expect_download() as dl:
        page.click("#export-csv")
    lines = Path(dl.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("event_id_cnty,") and len(lines) - 1 == battles["total"]
    page.reload()  # the filter survives a reload (it is in the URL)
    page.wait_for_selector("body[data-ready=dashboard]")
    assert page.input_value("#f-type") == "Battles"
    assert page.locator("#events-table tbody tr").count() == battles["total"]

    # a marker's popup links to the event page (markers of one place are clustered: zoom in first)
    page.click("#f-reset")
    page.wait_for_function("n => document.body.dataset.markers === String(n)", arg=n_geo)
    seed = next(e for e in all_events["items"] if e["doc_id"] == SEED)
    marker = page.locator(f'path.rasd-marker[data-event-id="{seed["id"]}"]')
    for _ in range(6):
        if marker.count() or not page.locator(".marker-cluster").count():
            break
        # dispatched, not clicked: a cluster at the map's edge may sit under the attribution control
        page.locator(".marker-cluster").first.dispatch_event("click")
        page.wait_for_timeout(600)
    if marker.count():
        marker.first.focus()
        page.keyboard.press("Enter")
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert seed["sub_event_type"] in popup.inner_text()
        page.wait_for_timeout(400)  # let the popup's fade-in and auto-pan finish before the screenshot
        page.screenshot(path=str(ARTIFACTS / "dashboard-popup.png"))
        popup.locator("a.event-link").click()
    else:  # the seed's reports share one spot: the cluster never splits, so open it from the table
        page.click(f'#events-table a[href="#/event/{seed["id"]}"]')

    # event page: article text right-to-left, evidence in <mark>, field spans labelled
    page.wait_for_selector("body[data-ready=event]")
    text = page.locator("#article-text")
    assert text.get_attribute("dir") == "rtl" and text.get_attribute("lang") == "ar"
    marks = page.locator("#article-text mark.evidence")
    assert marks.count() > 0
    assert ARABIC.search(marks.first.inner_text())
    fields = set(page.locator("#article-text [data-field]").evaluate_all("ns => ns.map(n => n.dataset.field)"))
    assert {"trigger", "location"} <= {f for fs in fields for f in fs.split()}
    assert page.locator("#article-text sup.fld-tag").count() >= 2
    assert page.locator("#other-reports a").count() >= 1  # the copy's report of the same event
    page.screenshot(path=str(ARTIFACTS / "event.png"), full_page=True)

    # review: a wrong token is refused, the right one saves the correction
    page.fill("#r-token", "wrong")
    page.fill("#r-fatalities", "4")
    page.click("#r-submit")
    page.wait_for_selector("#review-msg.err")
    assert "401" in page.inner_text("#review-msg")
    page.fill("#r-token", TOKEN)
    page.fill("#r-comment", "e2e correction")
    page.click("#r-submit")
    page.wait_for_selector("#review-msg.ok")
    assert page.evaluate("sessionStorage.getItem('rasd.token')") == TOKEN
    assert page.input_value("#r-token") == TOKEN  # pasted once, kept for the session
    page.screenshot(path=str(ARTIFACTS / "event-reviewed.png"), full_page=True)

    detail = api.get(f"/api/events/{seed['id']}").json()
    assert detail["event"]["fatalities"] == 4
    assert detail["event"]["review_status"] == "corrected"
    assert any(a["field"] == "fatalities" and a["new_value"] == 4 for a in detail["audit"])
    assert "4 killed" in detail["event"]["notes"]  # the notes follow the correction
    assert "e2e correction" in page.inner_text("#review-history")  # comments shown in the history

    # rejecting an event removes it from the table
    other = next(e for e in all_events["items"] if e["doc_id"] != SEED)
    page.goto(server + f"/#/event/{other['id']}")
    page.wait_for_selector("body[data-ready=event]")
    page.check("#r-action-reject")
    page.fill("#r-comment", "not an event")
    page.click("#r-submit")
    page.wait_for_selector("#review-msg.ok")
    page.click("#back-link")
    page.wait_for_selector("body[data-ready=dashboard]")
    assert page.locator("#events-table tbody tr").count() == all_events["total"] - 1
    assert page.locator(f'#events-table tr[data-event-id="{other["id"]}"]').count() == 0
    page.select_option("#f-review", "rejected")
    page.wait_for_function("() => document.querySelectorAll('#events-table tbody tr').length === 1")
    assert page.get_attribute("#events-table tbody tr", "data-event-id") == str(other["id"])

    # narrow screens: the layout holds at 420 px (no horizontal scrolling of the page)
    page.set_viewport_size({"width": 420, "height": 900})
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready=dashboard]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 420
    page.screenshot(path=str(ARTIFACTS / "dashboard-420.png"), full_page=True)

    assert not errors, errors
    assert not outside, outside

    # the API docs are served from the vendored assets (Redoc's "API docs by Redocly" badge still
    # points its image at cdn.redoc.ly: the only outside request, and the docs work without it)
    page.goto(server + "/docs")
    page.wait_for_selector(".swagger-ui .info")
    page.goto(server + "/redoc")
    page.wait_for_selector("redoc h1, [role=main] h1, .api-info h1", timeout=20_000)
    assert not errors, errors
    assert {u for u in outside if not u.startswith("blob:")} <= {"https://cdn.redoc.ly/redoc/logo-mini.svg"}
    context.close()
