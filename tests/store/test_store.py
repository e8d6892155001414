"""The store: idempotent ingest, v1 round trip, exports and fusion, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from rasd.api import extract_article
from rasd.export import ACLED_COLUMNS, EXTRA_COLUMNS, export
from rasd.inputs import iter_articles, load_meta
from rasd.store import Store, fuse, ingest, load_records, schema

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

DATA_TABLES = ("articles", "events", "evidence", "event_sources", "fused_events", "fused_event_members")


def _counts(store: Store) -> dict[str, int]:
    return {t: store.count(t) for t in DATA_TABLES}


@pytest.fixture
def store(db_url: str, res, meta_path: Path):
    st = Store.open(db_url)
    ingest([EXAMPLES], st, meta=meta_path, batch_size=4, progress=False, resources=res)
    yield st
    st.close()


def test_schema_is_at_head_and_matches_the_tables(db_url: str) -> None:
    with Store.open(db_url) as st:
        assert st.revision() == Store.head() is not None
        with st.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), schema.metadata) == []
    with Store.open(db_url) as st:  # opening again is a no-op upgrade
        assert st.revision() == Store.head()


def test_ingest_is_idempotent(db_url: str, res, meta_path: Path) -> None:
    with Store.open(db_url) as st:
        first = ingest([EXAMPLES], st, meta=meta_path, batch_size=4, progress=False, resources=res)
        assert (first.read, first.new, first.skipped, first.failed) == (6, 6, 0, [])
        assert first.events > 10
        before = _counts(st)
        assert before["events"] == first.events
        assert before["evidence"] >= first.events
        second = ingest([EXAMPLES], st, meta=meta_path, batch_size=4, progress=False, resources=res)
        assert (second.read, second.new, second.skipped, second.events) == (6, 0, 6, 0)
        assert _counts(st) == before
        assert st.count("runs") == 2


def test_ingest_on_workers_stores_what_one_process_stores(
    db_url: str, res, meta_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib
    import shutil

    ingest_module = importlib.import_module("rasd.store.ingest")  # (rasd.store.ingest is also a function)

    folder = tmp_path / "in"
    shutil.copytree(EXAMPLES, folder)
    (folder / "00_empty.txt").write_text("   \n", encoding="utf-8")  # a read error among the articles
    sent: list[str] = []
    real = ingest_module.extract_parallel

    def counting(items, workers, **kwargs):  # what the parent hands the workers to extract
        def spy():
            for x in items:
                if isinstance(x, ingest_module.Article):
                    sent.append(x.doc_id)
                yield x

        return real(spy(), workers, **kwargs)

    monkeypatch.setattr(ingest_module, "extract_parallel", counting)
    with Store.open(db_url) as st:
        first = ingest([folder], st, meta=meta_path, batch_size=4, progress=False, resources=res, workers=2)
        assert (first.read, first.new, first.skipped) == (6, 6, 0)
        assert [path for path, _ in first.failed] == [str(folder / "00_empty.txt")]
        expected = {
            a.doc_id: extract_article(a, resources=res).to_dict()
            for a in iter_articles([EXAMPLES], meta=load_meta(meta_path))
        }
        assert {rec.doc_id: rec.to_dict() for _, rec in load_records(st)} == expected
        assert len(sent) == 6
        sent.clear()
        again = ingest([folder], st, meta=meta_path, batch_size=4, progress=False, resources=res, workers=2)
        assert (again.read, again.new, again.skipped, again.events) == (6, 0, 6, 0)
        assert sent == []  # stored articles never reach the workers


def test_read_errors_are_reported_not_raised(db_url: str, res, tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("   \n", encoding="utf-8")
    with Store.open(db_url) as st:
        summary = ingest([tmp_path / "empty.txt", tmp_path / "missing.txt"], st, progress=False, resources=res)
    assert summary.read == 0 and len(summary.failed) == 2
    assert all(path.endswith(".txt") and reason for path, reason in summary.failed)


def test_stored_records_round_trip_to_v1(store: Store, res, meta_path: Path) -> None:
    expected = {
        a.doc_id: extract_article(a, resources=res).to_dict()
        for a in iter_articles([EXAMPLES], meta=load_meta(meta_path))
    }
    got = {rec.doc_id: rec.to_dict() for _, rec in load_records(store)}
    assert got == expected
    art, _ = next(iter(load_records(store)))
    assert len(art["content_hash"]) == 64 and art["text"].startswith(art["title"])


def test_exports(store: Store, tmp_path: Path) -> None:
    n_events = store.count("events")
    out = tmp_path / "events.csv"
    assert export(store, "acled-csv", out) == n_events
    with open(out, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
    assert reader.fieldnames is not None
    assert list(reader.fieldnames) == list(ACLED_COLUMNS)  # a drop-in: exactly ACLED's columns
    assert len(rows) == n_events
    seed = next(r for r in rows if r["location"] == "Conoco gas field" and r["event_date"] == "2023-04-10")
    assert seed["country"] == "Syria" and seed["year"] == "2023" and seed["time_precision"] == "1"
    assert seed["iso"] == "760" and seed["region"] == "Middle East"
    assert seed["disorder_type"] == "Political violence" and seed["source"].startswith("Arab48")
    assert seed["fatalities"] == "0"
    extra = tmp_path / "extra.csv"
    assert export(store, "acled-csv", extra, extra_columns=True) == n_events
    with open(extra, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        extra_rows = list(reader)
    assert reader.fieldnames == [*ACLED_COLUMNS, *EXTRA_COLUMNS]
    assert {r["review_status"] for r in extra_rows} == {"unreviewed"}
    assert next(r for r in extra_rows if r["event_id_cnty"] == seed["event_id_cnty"])["evidence"].startswith("0-")
    assert len({r["event_id_cnty"] for r in rows}) == n_events

    syria = tmp_path / "sy.csv"
    n_sy = export(store, "acled-csv", syria, country="sy")
    assert 0 < n_sy < n_events
    with open(syria, encoding="utf-8", newline="") as fh:
        assert {r["country"] for r in csv.DictReader(fh)} == {"Syria"}
    import datetime as dt

    n_2015 = export(
        store, "acled-csv", tmp_path / "y.csv", date_from=dt.date(2015, 1, 1), date_to=dt.date(2015, 12, 31)
    )
    assert 0 < n_2015 < n_events

    gj = tmp_path / "events.geojson"
    n_points = export(store, "geojson", gj)
    doc = json.loads(gj.read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == n_points > 0
    for feat in doc["features"]:
        lon, lat = feat["geometry"]["coordinates"]
        assert feat["geometry"]["type"] == "Point" and -180 <= lon <= 180 and -90 <= lat <= 90
        assert feat["properties"]["event_type"]

    jl = tmp_path / "events.jsonl"
    assert export(store, "jsonl", jl) == n_events
    lines = [json.loads(line) for line in jl.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 6 and sum(len(r["events"]) for r in lines) == n_events

    import pyarrow.parquet as pq

    pqf = tmp_path / "events.parquet"
    assert export(store, "parquet", pqf) == n_events
    table = pq.read_table(pqf)
    assert table.num_rows == n_events
    assert set(ACLED_COLUMNS) <= set(table.column_names)
    assert str(table.schema.field("event_date").type) == "date32[day]"

    n_fused = store.count("fused_events")
    for fmt, name in (("acled-csv", "f.csv"), ("jsonl", "f.jsonl"), ("parquet", "f.pq")):
        assert export(store, fmt, tmp_path / name, fused=True) == n_fused
    assert 0 < export(store, "geojson", tmp_path / "f.geojson", fused=True) <= n_fused


def _rephrased_copy(folder: Path) -> None:
    """The Benghazi car-bomb article and a lightly rephrased report of it by another outlet."""
    src = (EXAMPLES / "dev_012_3724e24e.txt").read_text(encoding="utf-8")
    (folder / "a_original.txt").write_text(src, encoding="utf-8")
    lines = src.split("\n")
    lines[0] = "سيارة مفخخة تقتل ستة أشخاص على الأقل في وسط بنغازي"
    body = "\n".join(lines[1:]).replace("سبعة أشخاص", "ستة أشخاص").replace("أسفر انفجار", "أدى انفجار")
    (folder / "b_copy.txt").write_text(lines[0] + "\n" + body, encoding="utf-8")
    meta = [
        {"doc_id": "a_original", "pub_date": "2018-05-25", "outlet": "France 24 Arabic"},
        {"doc_id": "b_copy", "pub_date": "2018-05-25", "outlet": "Another Outlet"},
    ]
    (folder / "meta.jsonl").write_text("\n".join(json.dumps(m) for m in meta) + "\n", encoding="utf-8")


def test_fusion_links_two_reports_of_one_event(db_url: str, res, tmp_path: Path) -> None:
    _rephrased_copy(tmp_path)
    with Store.open(db_url) as st:
        summary = ingest([tmp_path], st, progress=False, resources=res)
        assert summary.new == 2
        out = tmp_path / "fused.jsonl"
        export(st, "jsonl", out, fused=True)
        fused = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert len(fused) == st.count("fused_events") < st.count("events")
        bomb = [f for f in fused if f["location_name"] == "Benghazi" and f["date"] == "2018-05-24"]
        assert len(bomb) == 1
        bomb_event = bomb[0]
        assert sorted(r["doc_id"] for r in bomb_event["reports"]) == ["a_original", "b_copy"]
        assert bomb_event["n_reports"] == 2
        assert bomb_event["fatalities"] == 6 and bomb_event["fatalities_max"] == 7
        assert st.count("fused_event_members") == st.count("events")
        keys = sorted(f["key"] for f in fused)
        assert fuse(st) == len(fused)  # deterministic on re-run
        export(st, "jsonl", out, fused=True)
        again = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert sorted(f["key"] for f in again) == keys
        assert [{k: v for k, v in f.items() if k != "id"} for f in again] == fused
