"""``rasd ingest --engine dask``: a two-process LocalCluster gives exactly the one-process results.

One bounded cluster (2 worker processes, 1 thread each, no dashboard) serves the whole module
and is closed in teardown; the CLI test reaches it through ``--scheduler``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("distributed")

import pyarrow.parquet as pq
from distributed import Client, LocalCluster
from typer.testing import CliRunner

from rasd.api import extract_article
from rasd.cli import app
from rasd.distributed import extract_dask, ingest_dask, partition_name
from rasd.errors import ReadError
from rasd.export import export
from rasd.parallel import ExtractionFailure
from rasd.pipeline.read import iter_articles, load_meta
from rasd.store import Store
from rasd.types import Article

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
META = EXAMPLES / "meta.jsonl"


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
    c = Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


@pytest.fixture(scope="module")
def expected(res) -> list[dict[str, Any]]:
    """The one-process run: one record per article of examples/, sorted by doc_id."""
    items = iter_articles([str(EXAMPLES)], meta=load_meta(META))
    recs = [extract_article(a, resources=res).to_dict() for a in items if isinstance(a, Article)]
    return sorted(recs, key=lambda r: r["doc_id"])


def _files(folder: Path) -> dict[str, bytes]:
    return {f.name: f.read_bytes() for f in sorted(folder.iterdir())}


def _rows(folder: Path) -> list[dict[str, Any]]:
    rows = [r for f in sorted(folder.glob("part-*.parquet")) for r in pq.read_table(f).to_pylist()]
    return sorted(rows, key=lambda r: r["event_id_cnty"])


def test_records_and_parquet_match_one_process(client: Client, expected, tmp_path: Path) -> None:
    out = tmp_path / "parquet"
    items = list(extract_dask([EXAMPLES], client=client, partitions=3, meta=META, parquet_out=out))
    assert not [x for x in items if isinstance(x, ReadError)]
    pairs = [x for x in items if not isinstance(x, ReadError)]
    assert not [o for _, o in pairs if isinstance(o, ExtractionFailure)]
    got = sorted((o.to_dict() for _, o in pairs), key=lambda r: r["doc_id"])
    assert got == expected  # record for record
    assert [f.name for f in sorted(out.iterdir())] == [partition_name(i) for i in range(3)]
    n_events = sum(len(r["events"]) for r in expected)
    assert n_events > 0
    assert len(_rows(out)) == n_events

    first = _files(out)
    list(extract_dask([EXAMPLES], client=client, partitions=3, meta=META, parquet_out=out))
    assert _files(out) == first  # a re-run overwrites the same files with the same bytes

    list(extract_dask([EXAMPLES], client=client, partitions=2, meta=META, parquet_out=out))
    assert sorted(_files(out)) == [partition_name(0), partition_name(1)]  # stale partition removed
    assert len(_rows(out)) == n_events


def test_store_and_parquet_match_export(client: Client, res, tmp_path: Path) -> None:
    single = Store.open(f"sqlite:///{tmp_path / 'single.db'}")
    dist = Store.open(f"sqlite:///{tmp_path / 'dask.db'}")
    try:
        from rasd.store import ingest

        one = ingest([EXAMPLES], single, meta=META, progress=False, resources=res)
        run = ingest_dask([EXAMPLES], client=client, store=dist, parquet_out=tmp_path / "pq", partitions=4, meta=META)
        s = run.summary
        assert (s.read, s.new, s.events, s.fused, s.failed) == (one.read, one.new, one.events, one.fused, [])
        assert run.partitions == 4
        assert run.parquet_rows == s.events
        assert len(run.workers) >= 1

        export(dist, "parquet", tmp_path / "export.parquet")
        export(single, "parquet", tmp_path / "single.parquet")
        exported = pq.read_table(tmp_path / "export.parquet")
        parts = _rows(tmp_path / "pq")
        stored = sorted(exported.to_pylist(), key=lambda r: r["event_id_cnty"])
        assert pq.read_table(tmp_path / "pq" / partition_name(0)).schema == exported.schema  # same columns
        for rows in (parts, stored):
            for r in rows:
                r.pop("timestamp")  # the ingest time: only the store has one
        assert parts == stored
        assert pq.read_table(tmp_path / "single.parquet").drop(["timestamp"]).sort_by("event_id_cnty") == exported.drop(
            ["timestamp"]
        ).sort_by("event_id_cnty")

        again = ingest_dask([EXAMPLES], client=client, store=dist, partitions=2, meta=META).summary
        assert (again.read, again.new, again.skipped, again.events) == (s.read, 0, s.read, 0)  # idempotent
        assert again.fused == s.fused
    finally:
        single.close()
        dist.close()


def test_cli_engine_dask(client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RASD_DB", raising=False)
    address = client.scheduler.address
    out = tmp_path / "pq"
    runner = CliRunner()
    args = ["ingest", str(EXAMPLES), "--meta", str(META), "--engine", "dask", "--scheduler", address]
    first = runner.invoke(app, [*args, "--partitions", "2", "--parquet-out", str(out), "--no-progress"])
    assert first.exit_code == 0, first.output
    assert sorted(p.name for p in out.iterdir()) == [partition_name(0), partition_name(1)]
    assert not (tmp_path / "rasd.db").exists()  # --parquet-out without --db: no store

    db = f"sqlite:///{tmp_path / 'cli.db'}"
    stored = runner.invoke(app, [*args, "--db", db, "--no-progress"])
    assert stored.exit_code == 0, stored.output
    again = runner.invoke(app, [*args, "--db", db, "--no-progress"])
    assert again.exit_code == 0, again.output
    store = Store.open(db)
    try:
        assert store.count("articles") == 6
    finally:
        store.close()

    bad = runner.invoke(app, ["ingest", str(EXAMPLES), "--scheduler", address])
    assert bad.exit_code == 2  # --scheduler needs --engine dask
