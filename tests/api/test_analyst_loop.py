"""The analyst's loop (issue #16): reviews reach every output, corrections rewrite notes and
re-fuse, comments and reviewer names in the history, named reviewer tokens, gold export."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from rasd.cli import app as cli
from rasd.export import ACLED_COLUMNS, export
from rasd.store import Store, fuse, schema
from rasd.store.tokens import create_token, hash_token, list_tokens, revoke_token
from rasd.web import create_app

SEED = "000_73c53d1290d9c61f"
COPY = "copy_of_seed"
TOKEN = "test-token-123"


def _conoco(client: TestClient) -> dict[str, dict]:
    """The Conoco gas field report of the seed article and of its copy, by doc_id."""
    items = client.get("/api/events", params={"q": "Conoco", "limit": 500, "review": "all"}).json()["items"]
    out = {i["doc_id"]: i for i in items if i["date"] == "2023-04-10" and i["doc_id"] in (SEED, COPY)}
    assert set(out) == {SEED, COPY}
    return out


def _fused_of(store: Store, event_id: int) -> dict | None:
    fe, fm = schema.fused_events, schema.fused_event_members
    with store.engine.connect() as conn:
        row = conn.execute(select(fe).join(fm, fm.c.fused_event_id == fe.c.id).where(fm.c.event_id == event_id))
        r = row.mappings().first()
        return dict(r) if r else None


def _fused_snapshot(store: Store) -> set[tuple]:
    fe, fm = schema.fused_events, schema.fused_event_members
    with store.engine.connect() as conn:
        rows = conn.execute(select(fe.c.id, fe.c.key, fe.c.fatalities, fe.c.notes, fe.c.n_reports)).all()
        members = conn.execute(select(fm.c.fused_event_id, fm.c.event_id)).all()
    by: dict[int, set[int]] = {}
    for f, e in members:
        by.setdefault(f, set()).add(e)
    return {(k, fat, notes, n, frozenset(by[i])) for i, k, fat, notes, n in rows}


def test_reject_leaves_every_output_and_correction_renotes_and_refuses(
    rw_client: TestClient, rw_store: Store, auth: dict, tmp_path: Path
) -> None:
    ev = _conoco(rw_client)
    seed, copy = ev[SEED], ev[COPY]
    fused = _fused_of(rw_store, seed["id"])
    assert fused is not None and fused["n_reports"] == 2

    r = rw_client.post(
        f"/api/events/{copy['id']}/review", json={"action": "reject", "comment": "duplicate"}, headers=auth
    )
    assert r.status_code == 200, r.text
    # the API list, the fused events, the exports and the query leave it out
    ids = {i["id"] for i in rw_client.get("/api/events", params={"limit": 500}).json()["items"]}
    assert copy["id"] not in ids and seed["id"] in ids
    assert _fused_of(rw_store, copy["id"]) is None
    assert _fused_of(rw_store, seed["id"])["n_reports"] == 1
    out = tmp_path / "e.csv"
    n = export(rw_store, "acled-csv", out, extra_columns=True)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert n == len(rows) == rw_store.count("events") - 1
    n_copy = sum(r["doc_id"] == COPY for r in rows)
    assert "rejected" not in {r["review_status"] for r in rows}
    n_all = export(rw_store, "acled-csv", out, extra_columns=True, review="all")
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert n_all == rw_store.count("events") and sum(r["doc_id"] == COPY for r in rows) == n_copy + 1
    assert [r["review_status"] for r in rows if r["review_status"] != "unreviewed"] == ["rejected"]
    jl = tmp_path / "e.jsonl"
    export(rw_store, "jsonl", jl)
    rec = next(json.loads(x) for x in jl.read_text(encoding="utf-8").splitlines() if json.loads(x)["doc_id"] == COPY)
    assert len(rec["events"]) == n_copy
    assert export(rw_store, "acled-csv", out, fused=True) == rw_store.count("fused_events")

    runner = CliRunner()
    db = ["--db", rw_store.url if "sqlite" in rw_store.url else rw_store.engine.url.render_as_string(False)]
    n_events = rw_store.count("events")
    every = ["--limit", "500", "--min-confidence", "0"]
    res = runner.invoke(cli, ["query", *db, *every], env={"COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    assert f"{n_events - 1} event(s) shown" in res.output and "rejected" not in res.output
    res = runner.invoke(cli, ["query", *db, *every, "--include-rejected"], env={"COLUMNS": "300"})
    assert f"{n_events} event(s) shown" in res.output and "rejected" in res.output

    # correcting fatalities writes the notes again and re-fuses
    for value in (5, 4):
        r = rw_client.post(
            f"/api/events/{seed['id']}/review",
            json={"action": "correct", "fields": {"fatalities": value}},
            headers=auth,
        )
        assert r.status_code == 200, r.text
    notes = r.json()["event"]["notes"]
    assert "4 killed" in notes and "5 killed" not in notes and "no casualties" not in notes
    f = _fused_of(rw_store, seed["id"])
    assert f["fatalities"] == 4 and f["notes"] == notes
    # the local re-fusion gives what fusing the whole store from scratch gives
    before = _fused_snapshot(rw_store)
    fuse(rw_store)
    assert _fused_snapshot(rw_store) == before

    # un-rejecting brings the report back into its fused event
    r = rw_client.post(f"/api/events/{copy['id']}/review", json={"action": "accept"}, headers=auth)
    assert r.status_code == 200
    back = _fused_of(rw_store, copy["id"])
    assert back is not None and back == _fused_of(rw_store, seed["id"]) and back["n_reports"] == 2
    assert back["fatalities"] == 0 and back["fatalities_max"] == 4


def test_history_shows_comments_and_reviewer_names(rw_store: Store, auth: dict) -> None:
    amal = create_token(rw_store, "amal")
    client = TestClient(create_app(rw_store, token=TOKEN), raise_server_exceptions=False)
    ev = _conoco(client)[SEED]
    r = client.post(
        f"/api/events/{ev['id']}/review",
        json={"action": "correct", "fields": {"injuries": 2}, "comment": "two wounded per SOHR"},
        headers={"Authorization": f"Bearer {amal}"},
    )
    assert r.status_code == 200, r.text
    client.post(f"/api/events/{ev['id']}/review", json={"action": "accept", "comment": "ok"}, headers=auth)
    audit = client.get(f"/api/events/{ev['id']}").json()["audit"]
    assert [(a["who"], a["comment"]) for a in audit] == [("amal", "two wounded per SOHR"), ("token", "ok")]
    # stored hashed, revocable
    with rw_store.engine.connect() as conn:
        stored = conn.execute(select(schema.reviewer_tokens.c.token_sha256)).scalars().all()
    assert stored == [hash_token(amal)] and amal not in stored
    assert revoke_token(rw_store, "amal") and not list_tokens(rw_store)[0].active
    r = client.post(
        f"/api/events/{ev['id']}/review", json={"action": "accept"}, headers={"Authorization": f"Bearer {amal}"}
    )
    assert r.status_code == 401


def test_reviewer_tokens_work_without_an_admin_token(rw_store: Store) -> None:
    client = TestClient(create_app(rw_store), raise_server_exceptions=False)
    ev = _conoco(client)[SEED]
    assert client.post(f"/api/events/{ev['id']}/review", json={"action": "accept"}).status_code == 403
    tok = create_token(rw_store, "omar")
    assert client.post(f"/api/events/{ev['id']}/review", json={"action": "accept"}).status_code == 401
    r = client.post(
        f"/api/events/{ev['id']}/review", json={"action": "accept"}, headers={"Authorization": f"Bearer {tok}"}
    )
    assert r.status_code == 200 and r.json()["reviewed_by"] == "omar"


def test_export_view_endpoint_and_paging(rw_client: TestClient, rw_store: Store) -> None:
    total = rw_client.get("/api/events", params={"limit": 1}).json()["total"]
    page1 = rw_client.get("/api/events", params={"limit": 3, "offset": 0, "sort": "admin1"}).json()
    page2 = rw_client.get("/api/events", params={"limit": 3, "offset": 3, "sort": "admin1"}).json()
    assert page1["total"] == page2["total"] == total
    assert not {i["id"] for i in page1["items"]} & {i["id"] for i in page2["items"]}
    assert rw_client.get("/api/events", params={"sort": "drop table"}).status_code == 422
    r = rw_client.get("/api/export", params={"format": "csv", "country": "SY"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    n_sy = rw_client.get("/api/events", params={"country": "SY", "limit": 1}).json()["total"]
    assert len(rows) == n_sy > 0 and {x["country"] for x in rows} == {"Syria"}
    assert list(rows[0])[: len(ACLED_COLUMNS)] == list(ACLED_COLUMNS) and "review_status" in rows[0]
    gj = rw_client.get("/api/export", params={"format": "geojson", "country": "SY"}).json()
    assert gj["type"] == "FeatureCollection" and 0 < len(gj["features"]) <= n_sy
    pq = rw_client.get("/api/export", params={"format": "parquet"})
    assert pq.status_code == 200 and pq.content[:4] == b"PAR1"
    countries = rw_client.get("/api/countries").json()
    assert {"code": "SY", "name": "Syria"}.items() <= next(c for c in countries if c["code"] == "SY").items()


def test_cli_tokens_and_gold_export(rw_store: Store, rw_client: TestClient, auth: dict, tmp_path: Path) -> None:
    if not rw_store.url.startswith("sqlite"):
        return  # the CLI is backend-independent; one run is enough
    runner = CliRunner()
    db = ["--db", rw_store.url]
    res = runner.invoke(cli, ["token", "create", "lina", *db])
    assert res.exit_code == 0, res.output
    token = res.stdout.strip().splitlines()[0]
    assert len(token) >= 40
    assert "lina" in runner.invoke(cli, ["token", "list", *db]).output
    assert runner.invoke(cli, ["token", "create", "lina", *db]).exit_code == 2
    ev = _conoco(rw_client)[SEED]
    r = rw_client.post(
        f"/api/events/{ev['id']}/review", json={"action": "accept"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert r.json()["reviewed_by"] == "lina"
    assert runner.invoke(cli, ["token", "revoke", "lina", *db]).exit_code == 0
    assert "revoked" in runner.invoke(cli, ["token", "list", *db]).output
    out = tmp_path / "gold"
    res = runner.invoke(cli, ["export", "--format", "gold", "-o", str(out), *db])
    assert res.exit_code == 0, res.output
    files = sorted(out.glob("*.json"))
    assert [f.stem for f in files] == [SEED]
    gold = json.loads(files[0].read_text(encoding="utf-8"))
    assert gold["doc_id"] == SEED and len(gold["events"]) == 1 and "confidence" not in gold["events"][0]
    res = runner.invoke(cli, ["export", "--format", "acled-csv", *db])
    assert res.stdout.splitlines()[0] == ",".join(ACLED_COLUMNS)
    res = runner.invoke(cli, ["export", "--format", "acled-csv", "--extra-columns", *db])
    assert res.stdout.splitlines()[0].endswith(",review_status,injuries,certainty,role,confidence,evidence,doc_id")
