"""Read endpoints over a store ingested from examples/: filters, paging, detail, aggregates, search."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from rasd.store import Store, schema

SEED = "000_73c53d1290d9c61f"
COPY = "copy_of_seed"  # the second outlet's copy ingested by conftest.py


def _all(client: TestClient, path: str = "/api/events", **params: object) -> list[dict]:
    """Every stored event matching ``params`` (``min_confidence=0``: below the default threshold too)."""
    r = client.get(path, params={"limit": 500, "min_confidence": 0, **params})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == len(body["items"])
    return body["items"]


def test_health_and_openapi(ro_client: TestClient, ro_store: Store) -> None:
    r = ro_client.get("/api/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok" and r.json()["schema_revision"] == ro_store.revision() == Store.head()
    spec = ro_client.get("/openapi.json").json()
    for path in (
        "/api/events",
        "/api/fused-events",
        "/api/events/{event_id}",
        "/api/aggregates",
        "/api/articles",
        "/api/articles/{article_id}",
        "/api/events/{event_id}/review",
        "/api/gold/{doc_id}",
        "/api/health",
    ):
        assert path in spec["paths"], path
    assert "access-control-allow-origin" not in r.headers  # CORS off by default


def test_events_all_and_paging(ro_client: TestClient, ro_store: Store) -> None:
    n = ro_store.count("events")
    items = _all(ro_client)
    assert len(items) == n > 10
    assert {i["id"] for i in items} == set(range(1, n + 1)) or len({i["id"] for i in items}) == n
    every = {"limit": 5, "sort": "date", "min_confidence": 0}
    page1 = ro_client.get("/api/events", params={**every, "offset": 0}).json()
    page2 = ro_client.get("/api/events", params={**every, "offset": 5}).json()
    assert page1["total"] == page2["total"] == n and page1["limit"] == 5 and page2["offset"] == 5
    ids1, ids2 = [i["id"] for i in page1["items"]], [i["id"] for i in page2["items"]]
    assert len(ids1) == len(ids2) == 5 and not set(ids1) & set(ids2)
    dates = [i["date"] for i in _all(ro_client, sort="date") if i["date"]]
    assert dates == sorted(dates)
    dates = [i["date"] for i in _all(ro_client, sort="-date") if i["date"]]
    assert dates == sorted(dates, reverse=True)
    fats = [i["fatalities"] for i in _all(ro_client, sort="-fatalities") if i["fatalities"] is not None]
    assert fats == sorted(fats, reverse=True)
    conf = [i["confidence"] for i in _all(ro_client, sort="confidence")]
    assert conf == sorted(conf)


def test_event_filters(ro_client: TestClient) -> None:
    items = _all(ro_client)
    some = next(i for i in items if i["country"] and i["admin1"] and i["date"] and i["actor1_name"])
    by_country = _all(ro_client, country=some["country"].lower())
    assert by_country and all(i["country"] == some["country"] for i in by_country)
    assert len(by_country) == sum(i["country"] == some["country"] for i in items)
    by_admin = _all(ro_client, admin1=some["admin1"])
    assert by_admin and all(i["admin1"] == some["admin1"] for i in by_admin)
    d = some["date"]
    ranged = _all(ro_client, date_from=d, date_to=d)
    assert some["id"] in {i["id"] for i in ranged} and all(i["date"] == d for i in ranged)
    typed = _all(ro_client, event_type=some["event_type"])
    assert all(i["event_type"] == some["event_type"] for i in typed)
    assert len(typed) == sum(i["event_type"] == some["event_type"] for i in items)
    sub = _all(ro_client, sub_event_type=some["sub_event_type"])
    assert sub and all(i["sub_event_type"] == some["sub_event_type"] for i in sub)
    actor = some["actor1_name"]
    by_actor = _all(ro_client, actor=actor.upper())
    expected = {i["id"] for i in items if actor in (i["actor1_name"], i["actor2_name"])}
    assert expected <= {i["id"] for i in by_actor}
    assert all(actor.lower() in f"{i['actor1_name']} {i['actor2_name']}".lower() for i in by_actor)
    lat, lon = some["latitude"], some["longitude"]
    boxed = _all(ro_client, bbox=f"{lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}")
    assert some["id"] in {i["id"] for i in boxed}
    assert all(abs(i["latitude"] - lat) <= 0.01 and abs(i["longitude"] - lon) <= 0.01 for i in boxed)
    word = some["location_text"]
    assert some["id"] in {i["id"] for i in _all(ro_client, q=word)}
    assert _all(ro_client, q="no such text anywhere xyz") == []


def test_fused_events(ro_client: TestClient, ro_store: Store) -> None:
    items = _all(ro_client, "/api/fused-events")
    assert len(items) == ro_store.count("fused_events") > 0
    assert all(i["n_reports"] >= 1 for i in items)
    some = next(i for i in items if i["country"])
    filtered = _all(ro_client, "/api/fused-events", country=some["country"], sort="fatalities")
    assert filtered and all(i["country"] == some["country"] for i in filtered)


def test_event_detail(ro_client: TestClient, ro_store: Store) -> None:
    with ro_store.engine.connect() as conn:
        fm = schema.fused_event_members
        sizes = select(fm.c.fused_event_id, func.count().label("n")).group_by(fm.c.fused_event_id).subquery()
        multi = conn.execute(select(sizes.c.fused_event_id).where(sizes.c.n > 1)).scalars().first()
        eid = conn.execute(select(fm.c.event_id).where(fm.c.fused_event_id == multi)).scalars().first()
    r = ro_client.get(f"/api/events/{eid}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["event"]["id"] == eid
    text = ro_client.get(f"/api/articles/{body['article']['id']}").json()["text"]
    assert body["evidence"] and all(s["text"] == text[s["start"] : s["end"]] for s in body["evidence"])
    assert body["record"]["evidence"] == [{"start": s["start"], "end": s["end"]} for s in body["evidence"]]
    assert body["fused_event"]["n_reports"] == len(body["other_reports"]) + 1
    assert all(o["event_id"] != eid for o in body["other_reports"])
    assert ro_client.get("/api/events/999999").status_code == 404
    assert ro_client.get("/api/events/abc").status_code == 422


@pytest.mark.parametrize("by", ["day", "week", "month", "type", "admin1"])
def test_aggregates(ro_client: TestClient, ro_store: Store, by: str) -> None:
    r = ro_client.get("/api/aggregates", params={"by": by, "min_confidence": 0})
    assert r.status_code == 200, r.text
    buckets = r.json()["buckets"]
    assert sum(b["events"] for b in buckets) == ro_store.count("events")
    items = _all(ro_client)
    assert sum(b["fatalities"] for b in buckets) == sum(i["fatalities"] or 0 for i in items)
    if by == "month":
        assert all(b["key"] is None or len(b["key"]) == 7 for b in buckets)
    if by == "week":
        assert all(b["key"] is None or "-W" in b["key"] for b in buckets)
    fused = ro_client.get("/api/aggregates", params={"by": by, "fused": True, "min_confidence": 0}).json()
    assert sum(b["events"] for b in fused["buckets"]) == ro_store.count("fused_events")
    country = next(i["country"] for i in items if i["country"])
    sub = ro_client.get("/api/aggregates", params={"by": by, "country": country, "min_confidence": 0}).json()["buckets"]
    assert sum(b["events"] for b in sub) == sum(i["country"] == country for i in items)


def test_articles_list_and_detail(ro_client: TestClient, ro_store: Store) -> None:
    items = _all(ro_client, "/api/articles")
    assert len(items) == ro_store.count("articles") == 7
    pub = [i["pub_date"] for i in items if i["pub_date"]]
    assert pub == sorted(pub, reverse=True)
    first = items[0]
    r = ro_client.get(f"/api/articles/{first['id']}")
    assert r.status_code == 200
    body = r.json()
    assert len(body["events"]) == first["n_events"] and len(body["content_hash"]) == 64
    assert all(e["article_id"] == first["id"] for e in body["events"])
    assert ro_client.get("/api/articles/424242").status_code == 404
    paged = ro_client.get("/api/articles", params={"limit": 2, "offset": 2}).json()
    assert paged["total"] == 7 and [i["id"] for i in paged["items"]] == [i["id"] for i in items[2:4]]


def test_article_search_ignores_diacritics_and_letter_variants(ro_client: TestClient) -> None:
    # the seed article's title reads "قاعدة أميركيّة" (hamza on the alef, a shadda, ta marbuta)
    found = _all(ro_client, "/api/articles", q="الاميركية")
    assert {a["doc_id"] for a in found} == {SEED, COPY}
    snip = found[0]["snippet"]
    detail = ro_client.get(f"/api/articles/{found[0]['id']}").json()
    assert detail["text"][snip["start"] : snip["end"]].startswith("أميركي")
    assert snip["text"] == detail["text"][snip["offset"] : snip["offset"] + len(snip["text"])]
    both = _all(ro_client, "/api/articles", q="قاعده اميركيه دير الزور")
    assert {a["doc_id"] for a in both} == {SEED, COPY}
    assert _all(ro_client, "/api/articles", q="الاميركية كلمةغيرموجودة") == []
    assert _all(ro_client, "/api/articles", q="%") == []  # LIKE wildcards are literal
    outlet = _all(ro_client, "/api/articles", outlet="Arab48")
    assert [a["doc_id"] for a in outlet] == [SEED]


@pytest.mark.parametrize(
    ("path", "params", "needle"),
    [
        ("/api/events", {"date_from": "2023-13-45"}, "date"),
        ("/api/events", {"date_to": "yesterday"}, "date"),
        ("/api/events", {"bbox": "1,2,3"}, "bbox"),
        ("/api/events", {"bbox": "10,20,5,30"}, "bbox"),
        ("/api/events", {"bbox": "a,b,c,d"}, "bbox"),
        ("/api/events", {"bbox": "0,0,200,10"}, "bbox"),
        ("/api/events", {"limit": 501}, "500"),
        ("/api/events", {"limit": 0}, "1"),
        ("/api/events", {"offset": -1}, "0"),
        ("/api/events", {"sort": "id; DROP TABLE events"}, "date"),
        ("/api/fused-events", {"sort": "name"}, "fatalities"),
        ("/api/fused-events", {"limit": 1000}, "500"),
        ("/api/aggregates", {"by": "year"}, "week"),
        ("/api/articles", {"limit": 501}, "500"),
        ("/api/articles", {"q": "   "}, "q"),
    ],
)
def test_bad_parameters_are_422_with_a_message(ro_client: TestClient, path: str, params: dict, needle: str) -> None:
    r = ro_client.get(path, params=params)
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, list) and detail[0]["msg"]
    assert needle in r.text
    assert "Traceback" not in r.text


@pytest.mark.parametrize(
    "params",
    [
        {"country": "'1"},
        {"admin1": "x' OR '1'='1"},
        {"q": "'; DROP TABLE events;--"},
        {"actor": '" OR 1=1 --'},
        {"event_type": "Battles' OR 'a'='a"},
        {"sub_event_type": "'); DELETE FROM events; --"},
    ],
)
def test_injection_shaped_filters_are_plain_values(ro_client: TestClient, ro_store: Store, params: dict) -> None:
    before = ro_store.counts()
    r = ro_client.get("/api/events", params=params)
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 0
    assert ro_client.get("/api/fused-events", params=params).status_code == 200
    assert ro_client.get("/api/aggregates", params=params).status_code == 200
    assert ro_store.counts() == before


def test_injection_shaped_country_and_search(ro_client: TestClient, ro_store: Store) -> None:
    from rasd.store.search import index_articles

    index_articles(ro_store)  # the search cache fills lazily on a first search: fill it before the snapshot
    before = ro_store.counts()
    r = ro_client.get("/api/events", params={"country": "SY' OR '1'='1"})
    assert r.status_code == 422  # longer than an ISO2 code
    r = ro_client.get("/api/articles", params={"q": "'; DROP TABLE events;--"})
    assert r.status_code == 200 and r.json()["total"] == 0
    assert ro_store.counts() == before


def test_unexpected_errors_are_a_generic_500(ro_store: Store) -> None:
    from rasd.web import create_app

    app = create_app(ro_store)

    @app.get("/api/boom")
    def boom() -> None:
        raise RuntimeError("secret internals at /etc/passwd")

    r = TestClient(app, raise_server_exceptions=False).get("/api/boom")
    assert r.status_code == 500
    assert r.json() == {"detail": "internal server error"}
    assert "secret" not in r.text and "Traceback" not in r.text


def test_cors_only_when_asked(ro_store: Store) -> None:
    from rasd.web import create_app

    client = TestClient(create_app(ro_store, allow_origins=["http://localhost:5173"]))
    r = client.get("/api/health", headers={"Origin": "http://localhost:5173"})
    assert r.headers["access-control-allow-origin"] == "http://localhost:5173"
    r = client.get("/api/health", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in r.headers


def test_dates_are_iso(ro_client: TestClient) -> None:
    for item in _all(ro_client):
        if item["date"]:
            date.fromisoformat(item["date"])


def test_events_below_the_extractor_threshold_are_left_out_by_default(ro_client: TestClient) -> None:
    everything = _all(ro_client)
    default = ro_client.get("/api/events", params={"limit": 500}).json()["items"]
    assert any(i["confidence"] < 0.5 for i in everything)  # ingest stores every candidate
    assert {i["id"] for i in default} == {i["id"] for i in everything if i["confidence"] >= 0.5}
