"""``rasd ingest --engine dask``: a two-process LocalCluster gives exactly the one-process results,
streaming the input with a bounded window of partitions in flight.

One bounded cluster (2 worker processes, 1 thread each, no dashboard) serves the whole module
and is closed in teardown; the CLI test reaches it through ``--scheduler``.
"""

from __future__ import annotations

import io
import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("distributed")

import pyarrow.parquet as pq
from distributed import Client, LocalCluster
from rich.console import Console
from typer.testing import CliRunner

import rasd.distributed
from rasd.api import extract_article
from rasd.cli import app
from rasd.distributed import extract_dask, ingest_dask, partition_name
from rasd.errors import ReadError
from rasd.export import export
from rasd.inputs import iter_articles, load_meta
from rasd.parallel import ExtractionFailure
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
    collected: list[int] = []
    items = list(
        extract_dask(
            [EXAMPLES],
            client=client,
            partition_size=2,
            meta=META,
            parquet_out=out,
            on_partition=lambda r: collected.append(r.index),
        )
    )
    assert not [x for x in items if isinstance(x, ReadError)]
    pairs = [x for x in items if not isinstance(x, ReadError)]
    assert not [o for _, o in pairs if isinstance(o, ExtractionFailure)]
    got = sorted((o.to_dict() for _, o in pairs), key=lambda r: r["doc_id"])
    assert got == expected  # record for record
    assert [a.doc_id for a, _ in pairs] == [o.doc_id for _, o in pairs]  # each record with its article
    assert collected == [0, 1, 2]  # 6 articles in partitions of 2, collected in order
    assert [f.name for f in sorted(out.iterdir())] == [partition_name(i) for i in range(3)]
    n_events = sum(len(r["events"]) for r in expected)
    assert n_events > 0
    assert len(_rows(out)) == n_events

    first = _files(out)
    list(extract_dask([EXAMPLES], client=client, partition_size=2, meta=META, parquet_out=out))
    assert _files(out) == first  # a re-run overwrites the same files with the same bytes

    list(extract_dask([EXAMPLES], client=client, partition_size=3, meta=META, parquet_out=out))
    assert sorted(_files(out)) == [partition_name(0), partition_name(1)]  # stale partition removed
    assert len(_rows(out)) == n_events


def _corpus(tmp_path: Path) -> tuple[Path, int]:
    """A copy of examples/ with unreadable .txt files among the articles and a JSON Lines file of
    20 more articles with a malformed line in the middle; returns it and its number of articles.

    In partitions of 2 the bad files make a slice of read errors only (dev_008, dev_009, between
    two partitions) and a partition holding a read error between its articles (dev_015)."""
    folder = tmp_path / "corpus"
    shutil.copytree(EXAMPLES, folder)
    for name in ("dev_008_bad.txt", "dev_009_bad.txt", "dev_015_bad.txt"):
        (folder / name).write_bytes(b"\x00\x01\x02" * 100)  # binary: a ReadError
    texts = [f.read_text(encoding="utf-8") for f in sorted(EXAMPLES.glob("*.txt"))]
    lines = [
        json.dumps({"id": f"more-{i:02d}", "pub_date": "2024-03-01", "text": texts[i % len(texts)]}) for i in range(20)
    ]
    lines.insert(10, "{not json")
    (folder / "zz_more.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder, len(texts) + 20


def _sequence(items: Iterator[Any]) -> list[tuple[str, Any]]:
    """Outcomes as comparable values, in order: a read error by its message, an article by its record."""
    out: list[tuple[str, Any]] = []
    for x in items:
        if isinstance(x, ReadError):
            out.append(("error", str(x)))
        else:
            art, rec = x
            assert not isinstance(rec, ExtractionFailure), rec
            assert rec.doc_id == art.doc_id
            out.append((art.doc_id, rec.to_dict()))
    return out


def test_streams_with_a_bounded_window_in_input_order(
    client: Client, res, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, n_articles = _corpus(tmp_path)
    one_process = _sequence(
        x if isinstance(x, ReadError) else (x, extract_article(x, resources=res))
        for x in iter_articles([str(folder)], meta=load_meta(META))
    )
    errors = [i for i, (kind, _) in enumerate(one_process) if kind == "error"]
    assert len(errors) == 4 and errors[0] > 0 and errors[-1] < len(one_process) - 1  # in the middle

    size, window = 2, 2
    state = {"read": 0, "yielded": 0, "ahead": 0, "submitted": 0, "collected": 0, "outstanding": 0}
    real_iter, real_submit = rasd.distributed.iter_articles, client.submit

    def counting_iter(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for item in real_iter(*args, **kwargs):
            if isinstance(item, Article):
                state["read"] += 1
                state["ahead"] = max(state["ahead"], state["read"] - state["yielded"])
            yield item

    def counting_submit(*args: Any, **kwargs: Any) -> Any:
        state["submitted"] += 1
        state["outstanding"] = max(state["outstanding"], state["submitted"] - state["collected"])
        return real_submit(*args, **kwargs)

    def collected(result: Any) -> None:
        assert result.index == state["collected"]  # partitions collected in order
        state["collected"] += 1

    # Keep both worker threads busy for a moment, so that the first partitions cannot come back
    # at once: the client must stop reading when the window is full, not merely drain early.
    busy = [real_submit(time.sleep, 1.5, workers=[w], pure=False) for w in client.nthreads()]
    monkeypatch.setattr(rasd.distributed, "iter_articles", counting_iter)
    monkeypatch.setattr(client, "submit", counting_submit)
    stream = extract_dask(
        [folder],
        client=client,
        partition_size=size,
        max_in_flight=window,
        meta=META,
        parquet_out=tmp_path / "pq",
        on_partition=collected,
    )
    assert state["read"] == 0  # nothing is read before the stream is consumed
    read_at_first: int | None = None

    def consumed() -> Iterator[Any]:
        nonlocal read_at_first
        for x in stream:
            if read_at_first is None:
                read_at_first = state["read"]
            if not isinstance(x, ReadError):
                state["yielded"] += 1
            yield x

    got = _sequence(consumed())
    for fut in busy:
        fut.release()
    assert got == one_process  # record for record, read errors in their places
    # The first outcome came when the window was full (the read errors of dev_008 and dev_009
    # take one of its slots), with the rest of the input still unread.
    assert window * size <= read_at_first <= (window + 1) * size < n_articles
    assert state["ahead"] <= (window + 1) * size  # never more articles held than the window
    assert state["outstanding"] <= window  # never more partitions in flight
    assert state["read"] == state["yielded"] == n_articles
    # 6 articles of examples/: 3 partitions (one cut short by 2 read errors); 20 JSON Lines records: 10
    assert state["collected"] == state["submitted"] == 13
    assert sorted(f.name for f in (tmp_path / "pq").iterdir()) == [partition_name(i) for i in range(13)]
    deadline = time.monotonic() + 10
    while client.futures and time.monotonic() < deadline:  # released asynchronously
        time.sleep(0.05)
    assert not client.futures  # every future released once consumed


def test_closing_the_stream_early_cancels_what_is_in_flight(client: Client, tmp_path: Path) -> None:
    folder, _ = _corpus(tmp_path)
    out = tmp_path / "pq"
    out.mkdir()
    (out / partition_name(99)).write_bytes(b"stale")
    stream = extract_dask([folder], client=client, partition_size=2, max_in_flight=3, meta=META, parquet_out=out)
    first = next(stream)
    assert not isinstance(first, ReadError) and first[0].doc_id.startswith("000_")
    stream.close()
    deadline = time.monotonic() + 10
    while client.futures and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not client.futures  # the partitions in flight were cancelled
    assert (out / partition_name(99)).exists()  # an unfinished run removes nothing


def test_no_store_progress_bar(client: Client) -> None:
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=120)
    run = ingest_dask([EXAMPLES], client=client, meta=META, partition_size=2, progress=True, console=console)
    assert (run.summary.read, run.summary.new, run.partitions) == (6, 6, 3)
    assert "extract" in buf.getvalue() and "articles" in buf.getvalue()
    quiet = io.StringIO()
    ingest_dask([EXAMPLES], client=client, meta=META, progress=False, console=Console(file=quiet, force_terminal=True))
    assert quiet.getvalue() == ""


def test_store_and_parquet_match_export(client: Client, res, tmp_path: Path) -> None:
    single = Store.open(f"sqlite:///{tmp_path / 'single.db'}")
    dist = Store.open(f"sqlite:///{tmp_path / 'dask.db'}")
    try:
        from rasd.store import ingest

        one = ingest([EXAMPLES], single, meta=META, progress=False, resources=res)
        run = ingest_dask(
            [EXAMPLES], client=client, store=dist, parquet_out=tmp_path / "pq", partition_size=2, meta=META
        )
        s = run.summary
        assert (s.read, s.new, s.events, s.fused, s.failed) == (one.read, one.new, one.events, one.fused, [])
        assert run.partitions == 3
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

        again = ingest_dask([EXAMPLES], client=client, store=dist, partition_size=4, meta=META).summary
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
    first = runner.invoke(app, [*args, "--partition-size", "3", "--parquet-out", str(out), "--no-progress"])
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
    bad = runner.invoke(app, ["ingest", str(EXAMPLES), "--partition-size", "10"])
    assert bad.exit_code == 2  # so does --partition-size
    bad = runner.invoke(app, [*args, "--partition-size", "0"])
    assert bad.exit_code == 2
