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
