"""Write endpoints: bearer-token auth, body limit, posting articles, reviews with audit, gold export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from rasd.cli import app as cli_app
from rasd.cli_serve import read_token
from rasd.eval.scorer import load_gold
from rasd.store import Store, schema
from rasd.store.gold import export_gold
from rasd.web import MAX_BODY_BYTES, create_app

SEED = "000_73c53d1290d9c61f"
NEW_TEXT = "مقتل 3 مدنيين في غارة جوية على مدينة إدلب أمس\nقال ناشطون إن طائرات حربية قصفت المدينة."


def _first_event(client: TestClient, doc_id: str = SEED) -> dict:
    items = client.get("/api/events", params={"limit": 500, "sort": "date"}).json()["items"]
    return next(i for i in items if i["doc_id"] == doc_id)


def _audit(store: Store, event_id: int) -> list[dict]:
    au = schema.review_audit
    with store.engine.connect() as conn:
        rows = conn.execute(select(au).where(au.c.event_id == event_id).order_by(au.c.id)).mappings().all()
    return [dict(r) for r in rows]


# ------------------------------------------------------------------------------------------ auth


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic dGVzdA=="}, {"Authorization": "Bearer"}],
)
def test_writes_need_the_right_token(rw_client: TestClient, rw_store: Store, headers: dict) -> None:
    before = rw_store.counts()
    r = rw_client.post("/api/articles", json={"text": NEW_TEXT}, headers=headers)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    r = rw_client.post("/api/events/1/review", json={"action": "accept"}, headers=headers)
    assert r.status_code == 401
    assert rw_store.counts() == before


def test_writes_are_refused_without_a_configured_token(rw_store: Store, auth: dict) -> None:
    client = TestClient(create_app(rw_store), raise_server_exceptions=False)
    r = client.post("/api/articles", json={"text": NEW_TEXT}, headers=auth)
    assert r.status_code == 403 and "token" in r.json()["detail"]
    assert client.post("/api/events/1/review", json={"action": "accept"}, headers=auth).status_code == 403
    assert client.get("/api/events").status_code == 200  # reads stay open


def test_body_too_large_is_413(rw_client: TestClient, rw_store: Store, auth: dict) -> None:
    before = rw_store.counts()
    big = "ا" * (MAX_BODY_BYTES // 2 + 10)  # 2 bytes per letter in UTF-8
    r = rw_client.post("/api/articles", json={"text": big}, headers=auth)
    assert r.status_code == 413 and "bytes" in r.json()["detail"]

    def chunks():  # no Content-Length: the limit still holds
        for _ in range(5):
            yield b"x" * (MAX_BODY_BYTES // 4)

    r = rw_client.post("/api/articles", content=chunks(), headers={**auth, "Content-Type": "application/json"})
    assert r.status_code == 413
    assert rw_store.counts() == before


# ------------------------------------------------------------------------------------------ articles


def test_post_article_extracts_stores_and_is_idempotent(rw_client: TestClient, rw_store: Store, auth: dict) -> None:
    n_articles = rw_store.count("articles")
    body = {"text": NEW_TEXT, "pub_date": "2018-05-10", "outlet": "Test Outlet", "url": "https://example.org/1"}
    r = rw_client.post("/api/articles", json=body, headers=auth)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["created"] is True and out["article"]["doc_id"].startswith("api_")
    assert out["article"]["title"] == NEW_TEXT.split("\n")[0] and out["article"]["outlet"] == "Test Outlet"
    assert out["events"] and out["events"][0]["sub_event_type"] == "Air/drone strike"
    assert out["events"][0]["date"] == "2018-05-09"
    assert rw_store.count("articles") == n_articles + 1
    again = rw_client.post("/api/articles", json=body, headers=auth)
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["article"]["id"] == out["article"]["id"]
    assert rw_store.count("articles") == n_articles + 1
    # the new article is searchable and its events are listed and fused
    found = rw_client.get("/api/articles", params={"q": "ادلب"}).json()["items"]
    assert out["article"]["id"] in {a["id"] for a in found}
    eid = out["events"][0]["id"]
    assert rw_client.get(f"/api/events/{eid}").json()["fused_event"] is not None


@pytest.mark.parametrize(
    "body",
    [{}, {"text": ""}, {"text": "x", "pub_date": "10/05/2018"}, {"text": "x", "surprise": 1}, {"text": 5}],
)
def test_post_article_bad_bodies_are_422(rw_client: TestClient, auth: dict, body: dict) -> None:
    r = rw_client.post("/api/articles", json=body, headers=auth)
    assert r.status_code == 422 and r.json()["detail"][0]["msg"]


def test_post_article_invalid_json_is_422(rw_client: TestClient, auth: dict) -> None:
    r = rw_client.post("/api/articles", content=b"{not json", headers={**auth, "Content-Type": "application/json"})
    assert r.status_code == 422


# ------------------------------------------------------------------------------------------ reviews


def test_accept_and_reject_are_recorded(rw_client: TestClient, rw_store: Store, auth: dict) -> None:
    ev = _first_event(rw_client)
    r = rw_client.post(f"/api/events/{ev['id']}/review", json={"action": "accept"}, headers=auth)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "accepted" and r.json()["event"]["review_status"] == "accepted"
    r = rw_client.post(
        f"/api/events/{ev['id']}/review", json={"action": "reject", "comment": "background only"}, headers=auth
    )
    assert r.json()["status"] == "rejected"
    trail = _audit(rw_store, ev["id"])
    assert [(t["action"], t["field"], json.loads(t["old_value"]), json.loads(t["new_value"])) for t in trail] == [
        ("accept", "status", None, "accepted"),
        ("reject", "status", "accepted", "rejected"),
    ]
    assert all(t["who"] == "token" and t["at"] is not None for t in trail)
    detail = rw_client.get(f"/api/events/{ev['id']}").json()
    assert detail["event"]["review_status"] == "rejected" and len(detail["audit"]) == 2
    listed = rw_client.get("/api/events", params={"limit": 500}).json()["items"]
    assert ev["id"] not in {i["id"] for i in listed}  # rejected events leave the list by default
    listed = rw_client.get("/api/events", params={"limit": 500, "review": "all"}).json()["items"]
    assert next(i for i in listed if i["id"] == ev["id"])["review_status"] == "rejected"
    assert [a["comment"] for a in detail["audit"]] == [None, "background only"]


def test_corrections_are_persisted_with_an_audit_row_per_field(
    rw_client: TestClient, rw_store: Store, auth: dict
) -> None:
    ev = _first_event(rw_client)
    fields = {
        "sub_event_type": "Air/drone strike",
        "date": "2023-04-09",
        "fatalities": 2,
        "actor1_name": "Unidentified Armed Group",
        "admin1": "Deir ez-Zor",
        "role": "background",
        "certainty": "reported",
    }
    r = rw_client.post(f"/api/events/{ev['id']}/review", json={"action": "correct", "fields": fields}, headers=auth)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["status"] == "corrected"
    got = out["event"]
    assert got["event_type"] == "Explosions/Remote violence" and got["sub_event_type"] == "Air/drone strike"
    assert (got["date"], got["fatalities"], got["actor1_name"], got["role"], got["certainty"]) == (
        "2023-04-09",
        2,
        "Unidentified Armed Group",
        "background",
        "reported",
    )
    changed = {c["field"]: (c["old_value"], c["new_value"]) for c in out["changes"]}
    assert changed["fatalities"] == (ev["fatalities"], 2) and changed["date"] == (ev["date"], "2023-04-09")
    assert "admin1" not in changed or ev["admin1"] != "Deir ez-Zor"  # unchanged values make no audit row
    trail = _audit(rw_store, ev["id"])
    assert {t["field"] for t in trail} == set(changed)
    assert all(t["action"] == "correct" and t["who"] == "token" for t in trail)
    # persisted: a fresh app over the same store sees the correction
    fresh = TestClient(create_app(rw_store)).get(f"/api/events/{ev['id']}").json()
    assert fresh["event"]["fatalities"] == 2 and fresh["record"]["actor1"]["name"] == "Unidentified Armed Group"
    with rw_store.engine.connect() as conn:
        rv = conn.execute(select(schema.event_reviews).where(schema.event_reviews.c.event_id == ev["id"])).mappings()
        review = rv.one()
    assert review["status"] == "corrected" and json.loads(review["event_json"])["fatalities"] == 2
    with rw_store.engine.connect() as conn:
        marks = conn.execute(select(schema.events).where(schema.events.c.id == ev["id"])).mappings().one()
    assert marks["reviewed_at"] is not None and marks["review"] == "corrected"  # kept by `rasd reprocess`


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"action": "approve"}, "accept"),
        ({"action": "correct"}, "at least one field"),
        ({"action": "correct", "fields": {}}, "at least one field"),
        ({"action": "accept", "fields": {"fatalities": 1}}, "correct"),
        ({"action": "correct", "fields": {"fatalities": -1}}, "greater than or equal"),
        ({"action": "correct", "fields": {"date": "2023-02-30"}}, "date"),
        ({"action": "correct", "fields": {"confidence": 1.0}}, "confidence"),
        ({"action": "correct", "fields": {"sub_event_type": "Bombing"}}, "Bombing"),
        ({"action": "correct", "fields": {"event_type": "Protests"}}, "sub_event_type"),
        ({"action": "correct", "fields": {"event_type": "Riots", "sub_event_type": "Arrests"}}, "belongs"),
        ({"action": "correct", "fields": {"role": None}}, "role cannot be null"),
        ({"action": "correct", "fields": {"certainty": "sure"}}, "hedged"),
        ({"action": "correct", "fields": {"country": "Syria"}}, "pattern"),
    ],
)
def test_bad_reviews_are_422(rw_client: TestClient, rw_store: Store, auth: dict, body: dict, needle: str) -> None:
    ev = _first_event(rw_client)
    r = rw_client.post(f"/api/events/{ev['id']}/review", json=body, headers=auth)
    assert r.status_code == 422, r.text
    assert needle in r.text
    assert _audit(rw_store, ev["id"]) == [] and rw_store.count("event_reviews") == 0


def test_review_of_a_missing_event_is_404(rw_client: TestClient, auth: dict) -> None:
    r = rw_client.post("/api/events/987654/review", json={"action": "accept"}, headers=auth)
    assert r.status_code == 404


# ------------------------------------------------------------------------------------------ gold


def test_reviewed_events_export_as_gold(rw_client: TestClient, rw_store: Store, auth: dict, tmp_path: Path) -> None:
    assert rw_client.get(f"/api/gold/{SEED}").status_code == 404  # nothing reviewed yet
    ids = [e["id"] for e in rw_client.get("/api/events", params={"limit": 500}).json()["items"] if e["doc_id"] == SEED]
    assert len(ids) >= 2
    rw_client.post(f"/api/events/{ids[0]}/review", json={"action": "accept"}, headers=auth)
    fix = {"action": "correct", "fields": {"fatalities": 4, "injuries": 1}}
    assert rw_client.post(f"/api/events/{ids[1]}/review", json=fix, headers=auth).status_code == 200
    if len(ids) > 2:
        rw_client.post(f"/api/events/{ids[2]}/review", json={"action": "reject"}, headers=auth)
    r = rw_client.get(f"/api/gold/{SEED}")
    assert r.status_code == 200, r.text
    rec = r.json()
    assert rec["doc_id"] == SEED and len(rec["events"]) == 2
    assert rec["events"][1]["fatalities"] == 4 and "confidence" not in rec["events"][0]
    full = rw_client.get(f"/api/gold/{SEED}", params={"include_unreviewed": True}).json()
    assert len(full["events"]) == len(ids) - (1 if len(ids) > 2 else 0)

    assert export_gold(rw_store, tmp_path / "gold") == 1
    gold = load_gold(tmp_path / "gold")
    assert list(gold) == [SEED]
    assert json.loads((tmp_path / "gold" / f"{SEED}.json").read_text(encoding="utf-8")) == rec


def test_gold_scores_with_rasd_eval(rw_client: TestClient, rw_store: Store, auth: dict, tmp_path: Path) -> None:
    from rasd.eval.scorer import evaluate
    from rasd.store import load_records

    ev = _first_event(rw_client)
    rw_client.post(f"/api/events/{ev['id']}/review", json={"action": "accept"}, headers=auth)
    export_gold(rw_store, tmp_path / "gold")
    pred = tmp_path / "pred.jsonl"
    with pred.open("w", encoding="utf-8") as fh:
        for _, record in load_records(rw_store):
            fh.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
    report = evaluate(pred, tmp_path / "gold")
    assert report is not None


# ------------------------------------------------------------------------------------------ CLI


def test_serve_is_a_registered_command() -> None:
    result = CliRunner().invoke(cli_app, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--token-file" in result.output and "--port" in result.output


def test_read_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "token"
    f.write_text("s3cret\n", encoding="utf-8")
    monkeypatch.setenv("RASD_TOKEN", "from-env")
    assert read_token(f) == "s3cret"
    assert read_token(None) == "from-env"
    monkeypatch.delenv("RASD_TOKEN")
    assert read_token(None) is None
    (tmp_path / "empty").write_text("\n", encoding="utf-8")
    with pytest.raises(ValueError):
        read_token(tmp_path / "empty")
