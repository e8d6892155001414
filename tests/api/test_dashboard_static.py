"""The dashboard's static files are served at ``/`` without shadowing the API (no browser needed)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from rasd.store import Store
from rasd.web import create_app


def test_dashboard_static_files(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'rasd.db'}")
    try:
        app = create_app(store)

        @app.get("/api/later")  # a route added after create_app still wins over the static files
        def later() -> dict[str, bool]:
            return {"ok": True}

        client = TestClient(app, raise_server_exceptions=False)
        index = client.get("/")
        assert index.status_code == 200 and 'dir="rtl"' in index.text and "app.js" in index.text
        assert client.get("/app.js").status_code == 200
        assert client.get("/vendor/leaflet/leaflet.js").status_code == 200
        assert client.get("/vendor/region-countries.geojson").json()["type"] == "FeatureCollection"
        assert client.get("/api/later").json() == {"ok": True}
        assert client.get("/api/health").json()["status"] == "ok"
        for method, path in [("GET", "/api/nope"), ("GET", "/nope.html"), ("POST", "/"), ("GET", "/../pyproject.toml")]:
            r = client.request(method, path)
            assert r.status_code == 404 and r.json() == {"detail": "Not Found"}, (method, path)
    finally:
        store.close()


def test_api_docs_use_vendored_assets_and_no_inline_script(tmp_path: Path) -> None:
    import re

    store = Store.open(f"sqlite:///{tmp_path / 'rasd.db'}")
    try:
        client = TestClient(create_app(store), raise_server_exceptions=False)
        docs, redoc = client.get("/docs"), client.get("/redoc")
        assert docs.status_code == redoc.status_code == 200
        assert (
            "/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text and "/vendor/redoc/redoc.standalone.js" in redoc.text
        )
        for path in ("/vendor/swagger-ui/swagger-ui-bundle.js", "/vendor/redoc/redoc.standalone.js", "/docs.js",
                     "/vendor/uplot/uPlot.iife.min.js", "/vendor/markercluster/leaflet.markercluster.js"):  # fmt: skip
            assert client.get(path).status_code == 200, path
        for page in (client.get("/").text, docs.text, redoc.text):  # CSP-ready: scripts are files only
            assert "cdn." not in page
            assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
            assert not re.search(r"\son[a-z]+\s*=", page)
    finally:
        store.close()
