"""Hardening of the API (issue #17): odd inputs give 4xx, never a 500 or a match-everything answer;
article URLs are http(s) only; every response carries the security headers.

Run against the real application (FastAPI's TestClient) over SQLite and PostgreSQL stores.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from rasd.store import Store
from rasd.web import create_app
from rasd.web.app import CSP
from rasd.web.models import MAX_COUNT, MAX_ID, MAX_NAME, MAX_TEXT_FIELD

SEED = "000_73c53d1290d9c61f"
NEW_TEXT = "مقتل 3 مدنيين في غارة جوية على مدينة إدلب أمس\nقال ناشطون إن طائرات حربية قصفت المدينة."
HUGE = [2**31, 2**63 - 1, 2**63, 2**63 + 1, 2**64, 10**30]


def _first_event(client: TestClient) -> dict:
    items = client.get("/api/events", params={"limit": 500, "sort": "date"}).json()["items"]
    return next(i for i in items if i["doc_id"] == SEED)


def _is_422(r, needle: str = "") -> None:  # type: ignore[no-untyped-def]
    assert r.status_code == 422, (r.status_code, r.text)
    detail = r.json()["detail"]
    assert isinstance(detail, list) and detail[0]["msg"]
    assert needle in r.text, r.text


# ------------------------------------------------------------------------------------ path ids


@pytest.mark.parametrize("big", HUGE)
def test_huge_path_ids_are_422_not_500(ro_client: TestClient, big: int) -> None:
    for path in (f"/api/events/{big}", f"/api/articles/{big}"):
        _is_422(ro_client.get(path), "less than or equal")


@pytest.mark.parametrize("big", [2**63, 10**30])
def test_huge_path_id_in_a_review_is_422(rw_client: TestClient, auth: dict, big: int) -> None:
    _is_422(rw_client.post(f"/api/events/{big}/review", json={"action": "accept"}, headers=auth))


def test_largest_id_is_a_plain_404(ro_client: TestClient) -> None:
    assert ro_client.get(f"/api/events/{MAX_ID}").status_code == 404
    assert ro_client.get(f"/api/articles/{MAX_ID}").status_code == 404


# ------------------------------------------------------------------------------------ NUL


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/api/events", "q"),
        ("/api/events", "actor"),
        ("/api/events", "admin1"),
        ("/api/fused-events", "q"),
        ("/api/aggregates", "event_type"),
        ("/api/articles", "q"),
        ("/api/articles", "outlet"),
    ],
)
def test_nul_in_a_query_parameter_is_422(ro_client: TestClient, path: str, param: str) -> None:
    for value in ("\x00", "غارة\x00", "%\x00"):
        _is_422(ro_client.get(path, params={param: value}), "NUL")


def test_nul_in_a_path_parameter_is_422(ro_client: TestClient) -> None:
    _is_422(ro_client.get("/api/gold/abc%00def"), "NUL")


def test_nul_in_bodies_is_422(rw_client: TestClient, rw_store: Store, auth: dict) -> None:
    before = rw_store.counts()
    _is_422(rw_client.post("/api/articles", json={"text": "نص\x00"}, headers=auth), "NUL")
    ev = _first_event(rw_client)
    body = {"action": "correct", "fields": {"location_name": "Idlib\x00"}}
    _is_422(rw_client.post(f"/api/events/{ev['id']}/review", json=body, headers=auth), "NUL")
    assert rw_store.counts() == before


# ------------------------------------------------------------------------------------ corrections


@pytest.mark.parametrize(
    "fields",
    [
        {"fatalities": 2**63},
        {"fatalities": 2**64 + 5},
        {"injuries": 2**63},
        {"injuries": 2**31},
        {"fatalities": MAX_COUNT + 1},
        {"location_text": "ا" * (MAX_TEXT_FIELD + 1)},
        {"actor1_text": "ا" * (MAX_TEXT_FIELD + 1)},
        {"actor2_text": "ا" * (MAX_TEXT_FIELD + 1)},
        {"location_name": "x" * (MAX_NAME + 1)},
        {"event_type": "x" * 65},
        {"sub_event_type": "x" * 65},
    ],
)
def test_out_of_range_corrections_are_422(rw_client: TestClient, rw_store: Store, auth: dict, fields: dict) -> None:
    ev = _first_event(rw_client)
    r = rw_client.post(f"/api/events/{ev['id']}/review", json={"action": "correct", "fields": fields}, headers=auth)
    _is_422(r, next(iter(fields)))
    assert rw_store.count("review_audit") == 0


def test_corrections_at_the_limits_are_stored(rw_client: TestClient, auth: dict) -> None:
    ev = _first_event(rw_client)
    fields = {"fatalities": MAX_COUNT, "location_text": "ا" * MAX_TEXT_FIELD}
    r = rw_client.post(f"/api/events/{ev['id']}/review", json={"action": "correct", "fields": fields}, headers=auth)
    assert r.status_code == 200, r.text
    assert r.json()["event"]["fatalities"] == MAX_COUNT


# ------------------------------------------------------------------------------------ dates


@pytest.mark.parametrize(
    ("pub_date", "text"),
    [
        ("0001-01-01", "مقتل 3 مدنيين في غارة جوية على مدينة إدلب الأسبوع الماضي\nقال ناشطون إن طائرات قصفت المدينة."),
        ("0001-01-01", "مقتل 3 مدنيين في غارة جوية على مدينة إدلب أمس\nقال ناشطون إن طائرات قصفت المدينة."),
        ("0001-01-01", "مقتل 3 مدنيين في غارة جوية على مدينة إدلب الشهر الماضي\nقال ناشطون إن طائرات قصفت."),
        ("0001-01-01", "مقتل 3 مدنيين في غارة جوية على مدينة إدلب العام الماضي\nقال ناشطون إن طائرات قصفت."),
        ("0001-01-01", "مقتل 3 مدنيين في غارة جوية على مدينة إدلب يوم الجمعة الماضي\nقال ناشطون."),
        ("0001-01-01", "مقتل 3 مدنيين في غارة جوية على مدينة إدلب في كانون الأول\nقال ناشطون."),
        ("9999-12-31", "مقتل 3 مدنيين في غارة جوية على مدينة إدلب غدا\nقال ناشطون إن طائرات قصفت المدينة."),
    ],
)
def test_relative_dates_at_the_calendar_edges_do_not_crash(
    rw_client: TestClient, auth: dict, pub_date: str, text: str
) -> None:
    r = rw_client.post("/api/articles", json={"text": text, "pub_date": pub_date}, headers=auth)
    assert r.status_code == 201, r.text
    events = r.json()["events"]
    assert events, "the strike is still reported"
    assert all(e["date"] is None or e["date"][:4] in ("0001", "9999") for e in events)


# ------------------------------------------------------------------------------------ URLs


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.domain)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "ftp://example.org/a",
        "//evil.example/a",
        "/relative/path",
        "http://",
        "https://exa mple.org/",
    ],
)
def test_post_article_refuses_non_http_urls(rw_client: TestClient, rw_store: Store, auth: dict, url: str) -> None:
    before = rw_store.counts()
    _is_422(rw_client.post("/api/articles", json={"text": NEW_TEXT, "url": url}, headers=auth), "http")
    assert rw_store.counts() == before


def test_post_article_keeps_http_and_https_urls(rw_client: TestClient, auth: dict) -> None:
    for i, url in enumerate(["http://example.org/a?b=1", "HTTPS://example.org/عربي"]):
        r = rw_client.post("/api/articles", json={"text": NEW_TEXT + f"\n{i}", "url": url}, headers=auth)
        assert r.status_code == 201, r.text
        assert r.json()["article"]["url"] == url


# ------------------------------------------------------------------------------------ headers


def _check_headers(r) -> None:  # type: ignore[no-untyped-def]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"
    csp = r.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"].split()[0] == "'self'"
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "http" not in csp and "*" not in csp  # nothing from other origins


def test_security_headers_on_every_response(ro_store: Store) -> None:
    client = TestClient(create_app(ro_store, token="t", max_body_bytes=1000), raise_server_exceptions=False)

    @client.app.get("/api/boom")  # type: ignore[attr-defined]
    def boom() -> None:
        raise RuntimeError("boom")

    responses = {
        "dashboard": client.get("/"),
        "index": client.get("/index.html"),
        "script": client.get("/app.js"),
        "vendor": client.get("/vendor/leaflet/leaflet.js"),
        "api": client.get("/api/events"),
        "openapi": client.get("/openapi.json"),
        "404": client.get("/api/events/999999"),
        "static 404": client.get("/nope.html"),
        "422": client.get("/api/events", params={"limit": 0}),
        "401": client.post("/api/articles", json={"text": "x"}),
        "413": client.post("/api/articles", content=b"x" * 2000, headers={"Content-Type": "application/json"}),
        "500": client.get("/api/boom"),
        "docs": client.get("/docs"),
        "redoc": client.get("/redoc"),
    }
    assert responses["404"].status_code == 404 and responses["413"].status_code == 413
    assert responses["500"].status_code == 500 and responses["401"].status_code == 401
    for name, r in responses.items():
        try:
            _check_headers(r)
        except (AssertionError, KeyError) as exc:
            raise AssertionError(f"{name}: {r.status_code} {dict(r.headers)}") from exc
    assert responses["dashboard"].headers["content-security-policy"] == CSP


def test_dashboard_has_no_inline_script_or_handler() -> None:
    import re

    from rasd.web.app import STATIC_DIR

    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", html, re.IGNORECASE), "inline event handler"
    assert not re.search(r"\sstyle\s*=", html, re.IGNORECASE), "inline style attribute"
    for js in STATIC_DIR.glob("*.js"):
        code = js.read_text(encoding="utf-8")
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(", code), js.name
        assert not re.search(r"bind(?:Tooltip|Popup)\(\s*[`'\"]", code), f"{js.name}: Leaflet content as a string"


def test_docs_pages_allow_only_their_own_inline_scripts(ro_client: TestClient) -> None:
    import base64
    import hashlib
    import re

    for path in ("/docs", "/redoc"):
        r = ro_client.get(path)
        assert r.status_code == 200
        csp = r.headers["content-security-policy"]
        inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", r.text, re.DOTALL)
        for code in inline:
            digest = base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode()
            assert f"'sha256-{digest}'" in csp
        assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";")[0]
    assert ro_client.get("/openapi.json").json()["info"]["title"] == "Rasd"
