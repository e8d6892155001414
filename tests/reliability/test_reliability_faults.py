"""Store faults (issue 9): a locked SQLite database, a full SQLite disk, and PostgreSQL
restarted between ingests, restarted in the middle of a batch, or down for longer than the
retries (mid-batch and during fusion). In each case the ingest either recovers by itself or
fails with a clear error, the database stays consistent, and re-running the ingest ends with
exactly the rows of an uninterrupted run (``tests/store/test_kill.py`` proves the same for
SIGKILL, ``test_reliability_pg_disk.py`` for a full disk under PostgreSQL).
"""

from __future__ import annotations

import importlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import OperationalError

from rasd.store import Store, ingest
from rasd.store import db as store_db

from .conftest import EXAMPLES, ROOT, deadline, pg_bindir

ingest_mod = importlib.import_module("rasd.store.ingest")  # the module (the package exports the function)
TABLES = ("articles", "events", "evidence", "event_sources", "fused_events", "fused_event_members")
BATCH = 5


def _records(path: Path, n: int, first: int = 0) -> Path:
    """``n`` JSON lines built from the example texts, each text made unique by a suffix."""
    meta = {json.loads(x)["doc_id"]: json.loads(x) for x in (EXAMPLES / "meta.jsonl").read_text().splitlines()}
    texts = sorted(EXAMPLES.glob("*.txt"))
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(first, first + n):
            src = texts[i % len(texts)]
            title, _, body = src.read_text(encoding="utf-8").partition("\n")
            rec = {"id": f"{src.stem}-{i}", "pub_date": meta[src.stem]["pub_date"], "outlet": meta[src.stem]["outlet"],
                   "title": f"{title} - {i}", "text": f"{body}\nرقم {i}"}  # fmt: skip
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path


def _counts(url: str) -> dict[str, int]:
    with Store.open(url) as st:
        return {t: st.count(t) for t in TABLES}


def _reference(tmp_path: Path, res, *inputs: Path) -> dict[str, int]:
    url = f"sqlite:///{tmp_path / 'reference.db'}"
    with Store.open(url) as ref:
        for p in inputs:
            ingest([p], ref, batch_size=BATCH, progress=False, resources=res)
    return _counts(url)


def _integrity(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


# ------------------------------------------------------------------------------------------ SQLite lock


def _hold_write_lock(path: Path, seconds: float, locked: threading.Event) -> None:
    conn = sqlite3.connect(path, timeout=60, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO runs (started_at, extractor_version, inputs, n_read, n_new, n_skipped, n_failed, "
                 "n_events) VALUES ('2020-01-01', 'lock', 'lock', 0, 0, 0, 0, 0)")  # fmt: skip
    locked.set()
    time.sleep(seconds)
    conn.execute("ROLLBACK")
    conn.close()


def test_sqlite_ingest_waits_for_a_writer_holding_the_lock(tmp_path: Path, res) -> None:
    """Proves: while a second connection holds ``BEGIN IMMEDIATE`` for 2 s, ingest waits
    (busy timeout) instead of failing, then stores exactly what an uninterrupted run stores,
    and the database passes ``integrity_check``."""
    data = _records(tmp_path / "r.jsonl", 12)
    expected = _reference(tmp_path, res, data)
    path = tmp_path / "rasd.db"
    Store.open(f"sqlite:///{path}").close()  # schema first
    locked = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(path, 2.0, locked))
    holder.start()
    assert locked.wait(10)
    with deadline(60, "ingest behind a write lock"), Store.open(f"sqlite:///{path}") as st:
        started = time.perf_counter()
        summary = ingest([data], st, batch_size=BATCH, progress=False, resources=res)
        waited = time.perf_counter() - started
    holder.join()
    assert summary.new == 12 and not summary.failed
    assert waited >= 1.0  # it really waited for the lock
    assert _counts(f"sqlite:///{path}") == expected
    _integrity(path)


def test_sqlite_lock_longer_than_busy_timeout_fails_cleanly(
    tmp_path: Path, res, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Proves: when the lock outlasts the busy timeout, ingest raises a clear
    ``database is locked`` OperationalError, nothing is half-written, and a re-run completes
    to exactly the uninterrupted row counts."""
    data = _records(tmp_path / "r.jsonl", 12)
    expected = _reference(tmp_path, res, data)
    path = tmp_path / "rasd.db"
    Store.open(f"sqlite:///{path}").close()
    monkeypatch.setattr(store_db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    locked = threading.Event()
    holder = threading.Thread(target=_hold_write_lock, args=(path, 3.0, locked))
    holder.start()
    assert locked.wait(10)
    st = Store.open(f"sqlite:///{path}", upgrade=False)
    with deadline(30, "ingest against a held lock"), pytest.raises(OperationalError, match="database is locked"):
        ingest([data], st, batch_size=BATCH, progress=False, resources=res)
    holder.join()
    st.close()
    _integrity(path)
    assert _counts(f"sqlite:///{path}")["articles"] == 0
    monkeypatch.undo()
    with Store.open(f"sqlite:///{path}") as st:
        again = ingest([data], st, batch_size=BATCH, progress=False, resources=res)
    assert again.new == 12
    assert _counts(f"sqlite:///{path}") == expected


# ------------------------------------------------------------------------------------------ disk full

FULL_DISK = """
import resource, signal, sys
from rasd.store import Store, ingest
store = Store.open(sys.argv[1])                      # schema created before the limit
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)        # writes past the limit fail with EFBIG
limit = int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
try:
    ingest([sys.argv[2]], store, batch_size=int(sys.argv[4]), progress=False)
except Exception as exc:
    print(type(exc).__name__, str(exc).splitlines()[0])
    sys.exit(3)
print("completed")
"""


def test_sqlite_disk_full_is_a_clear_error_and_the_database_stays_usable(tmp_path: Path, res) -> None:
    """Proves: with the file-size limit (RLIMIT_FSIZE) reached mid-ingest, the ingest stops
    with a clear "disk is full"/"I/O" error, the database still opens, passes integrity_check,
    holds only whole batches, and a re-run without the limit equals an uninterrupted run."""
    data = _records(tmp_path / "r.jsonl", 40)
    expected = _reference(tmp_path, res, data)
    path = tmp_path / "rasd.db"
    url = f"sqlite:///{path}"
    Store.open(url).close()
    script = tmp_path / "full.py"
    script.write_text(FULL_DISK, encoding="utf-8")
    limit = path.stat().st_size + 96 * 1024
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run(
        [sys.executable, str(script), url, str(data), str(limit), str(BATCH)],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert proc.returncode == 3, (proc.stdout, proc.stderr[-2000:])
    message = proc.stdout.strip().lower()
    assert "full" in message or "i/o" in message or "too large" in message, message
    _integrity(path)
    partial = _counts(url)["articles"]
    assert partial % BATCH == 0 and partial < 40
    with Store.open(url) as st:
        again = ingest([data], st, batch_size=BATCH, progress=False, resources=res)
    assert again.new == 40 - partial
    assert _counts(url) == expected
    _integrity(path)


# ------------------------------------------------------------------------------------------ PostgreSQL


def _pg_data_dir(server_url: str) -> str:
    import psycopg

    plain = server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
        return str(conn.execute("SHOW data_directory").fetchone()[0])


def _pg_ctl(data_dir: str, action: str) -> None:
    """``pg_ctl -m fast -w <action>`` on the server's own data folder (as ``postgres`` under
    root). ``restart`` of a stopped server starts it with the options of its last start
    (``postmaster.opts``: same port, same settings)."""
    bindir = pg_bindir()
    assert bindir is not None
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    log = str(Path(data_dir).parent / "server.log")
    subprocess.run(
        [*prefix, str(bindir / "pg_ctl"), "-D", data_dir, "-l", log, "-m", "fast", "-w", "-t", "60", action],
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=90,
    )  # the server's output goes to its log: a pipe here would never reach EOF


def _pg_restart(server_url: str) -> None:
    _pg_ctl(_pg_data_dir(server_url), "restart")


@contextmanager
def _pg_database(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """A fresh database on the session server: yields ``(server URL, database URL)``."""
    import uuid

    import psycopg

    server = request.getfixturevalue("pg_server")
    name = f"rasd_rel_{uuid.uuid4().hex[:12]}"
    plain = server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # generated name, not user input
    try:
        yield server, f"{server}/{name}"
    finally:
        with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class MidBatch:
    """Runs ``action`` once, inside the open transaction of the ``batch``-th batch (1-based).

    Listens to the real engine's events (SQLAlchemy ``after_cursor_execute`` / ``commit``):
    ``where="insert"`` fires right after the batch's ``INSERT INTO articles`` ran on the server
    (the events, evidence and COMMIT are still to come); ``where="commit"`` fires right before
    the batch's COMMIT is sent. ``where="committed"`` is the commit whose reply is lost: the
    batch is committed on the server first (through the same DB-API connection), a new
    transaction is opened on it, and then ``action`` runs, so SQLAlchemy's own COMMIT meets a
    dead connection although the batch is stored. ``action`` runs in the ingest's own thread,
    so the fault lands at exactly that point on every run: no timing involved.
    """

    def __init__(self, batch: int, where: str, action: Callable[[], None]) -> None:
        assert where in ("insert", "commit", "committed")
        self.batch, self.where, self.action = batch, where, action
        self.batches = 0
        self.in_batch = False
        self.fired = False

    def _fire(self) -> None:
        if not self.fired and self.batches == self.batch:
            self.fired = True
            self.action()

    def after_cursor_execute(self, _conn, _cursor, statement: str, *_args) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO ARTICLES") and not self.in_batch:
            self.in_batch = True
            self.batches += 1
            if self.where == "insert":
                self._fire()

    def commit(self, conn) -> None:
        if self.in_batch and self.where == "commit":
            self._fire()
        elif self.in_batch and self.where == "committed" and not self.fired and self.batches == self.batch:
            dbapi = conn.connection.dbapi_connection
            dbapi.commit()  # the batch is now stored on the server
            dbapi.execute("SELECT 1")  # opens a transaction, so the COMMIT below is really sent
            self._fire()
        self.in_batch = False

    def rollback(self, _conn) -> None:
        self.in_batch = False

    @contextmanager
    def listening(self, target: object) -> Iterator[MidBatch]:
        hooks = {"after_cursor_execute": self.after_cursor_execute, "commit": self.commit, "rollback": self.rollback}
        for name, fn in hooks.items():
            event.listen(target, name, fn)
        try:
            yield self
        finally:
            for name, fn in hooks.items():
                event.remove(target, name, fn)


def _postmaster_started(url: str) -> object:
    with Store.open(url, upgrade=False) as st, st.engine.connect() as conn:
        return conn.execute(text("SELECT pg_postmaster_start_time()")).scalar_one()


@pytest.mark.parametrize("where", ["insert", "commit", "committed"])
def test_postgresql_restart_mid_batch_is_retried_to_an_exact_store(
    tmp_path: Path, res, request: pytest.FixtureRequest, where: str
) -> None:
    """Proves: when the PostgreSQL server restarts in the middle of a batch's transaction
    (after its articles were inserted, just before its COMMIT, or after a COMMIT whose reply
    never arrived), the same ingest call notices the dropped connection, says so on standard
    error, retries the batch on a new connection and finishes by itself: every article stored
    once, by this run, counted once as new (none "skipped"), and the row counts of every table
    equal an uninterrupted run's (no loss, no duplicate, no half batch)."""
    n = 20
    data = _records(tmp_path / "r.jsonl", n)
    expected = _reference(tmp_path, res, data)
    with _pg_database(request) as (server, url):
        data_dir = _pg_data_dir(server)
        before = _postmaster_started(url)
        st = Store.open(url)
        err = io.StringIO()
        hook = MidBatch(2, where, lambda: _pg_ctl(data_dir, "restart"))
        with deadline(60, "ingest across a mid-batch restart"), hook.listening(st.engine):
            summary = ingest([data], st, batch_size=BATCH, progress=False, resources=res, console=Console(file=err))
        st.close()
        assert hook.fired  # the restart really happened inside batch 2 ...
        assert _postmaster_started(url) != before  # ... and it was a real server restart
        assert "retrying" in err.getvalue() and "a batch's transaction" in err.getvalue(), err.getvalue()
        assert summary.new == n and summary.skipped == 0 and not summary.failed
        assert summary.events == expected["events"]
        assert _counts(url) == expected
        with Store.open(url) as st, st.engine.connect() as conn:
            runs = conn.execute(text("SELECT DISTINCT run_id FROM articles")).scalars().all()
        assert runs == [summary.run_id]


def test_postgresql_down_longer_than_the_retries_fails_in_one_line_then_rerun_completes(
    tmp_path: Path, res, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Proves: when the server goes down in the middle of batch 2 and stays down past every
    retry, ``rasd ingest`` exits 2 with one ``rasd: error:`` line naming the refused connection
    (no traceback); the store keeps exactly the committed batch 1 (nothing of batch 2); once the
    server is back, re-running the same command completes to an uninterrupted run's counts."""
    from typer.testing import CliRunner

    from rasd.cli import app

    monkeypatch.setattr(ingest_mod, "RETRY_DELAYS", (0.05, 0.1, 0.2))  # keep the test short
    n = 15
    data = _records(tmp_path / "r.jsonl", n)
    expected = _reference(tmp_path, res, data)
    args = ["ingest", str(data), "--batch-size", str(BATCH), "--no-progress"]
    with _pg_database(request) as (server, url):
        data_dir = _pg_data_dir(server)
        Store.open(url).close()  # schema first
        hook = MidBatch(2, "insert", lambda: _pg_ctl(data_dir, "stop"))
        try:
            with deadline(60, "ingest against a stopped server"), hook.listening(Engine):
                failed = CliRunner().invoke(app, [*args, "--db", url])
        finally:
            if hook.fired:
                _pg_ctl(data_dir, "restart")  # starts the stopped server with its last options
        assert hook.fired
        assert failed.exit_code == 2, failed.output
        errors = [line for line in failed.stderr.splitlines() if line.startswith("rasd: error:")]
        assert len(errors) == 1, failed.stderr
        assert "connection" in errors[0].lower(), errors[0]
        assert "Traceback" not in failed.output
        assert failed.stderr.count("retrying") == 3, failed.stderr
        assert _counts(url)["articles"] == BATCH  # batch 1 committed, batch 2 rolled back whole
        again = CliRunner().invoke(app, [*args, "--db", url])
        assert again.exit_code == 0, again.output
        assert _counts(url) == expected


def test_postgresql_down_during_fusion_then_rerun_fuses_although_nothing_is_new(
    tmp_path: Path, res, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Proves: when the server goes down during fusion (every batch already committed) and stays
    down past the retries, the ingest fails; the re-run finds nothing new to store yet still
    recomputes the fusion the first run could not finish, so the fused tables equal an
    uninterrupted run's too (not only the article tables)."""
    monkeypatch.setattr(ingest_mod, "RETRY_DELAYS", (0.05, 0.1))
    n = 10
    data = _records(tmp_path / "r.jsonl", n)
    expected = _reference(tmp_path, res, data)
    with _pg_database(request) as (server, url):
        data_dir = _pg_data_dir(server)
        st = Store.open(url)
        fired: list[str] = []

        def stop_in_fusion(_conn, _cursor, statement: str, *_args) -> None:
            if not fired and statement.lstrip().upper().startswith("DELETE FROM FUSED_EVENT_MEMBERS"):
                fired.append(statement)
                _pg_ctl(data_dir, "stop")

        event.listen(st.engine, "before_cursor_execute", stop_in_fusion)
        try:
            with deadline(60, "ingest with the server down in fusion"), pytest.raises(OperationalError):
                ingest([data], st, batch_size=BATCH, progress=False, resources=res, console=Console(file=io.StringIO()))
        finally:
            event.remove(st.engine, "before_cursor_execute", stop_in_fusion)
            st.close()
            if fired:
                _pg_ctl(data_dir, "restart")
        assert fired
        partial = _counts(url)
        assert partial["articles"] == n and partial["fused_events"] == 0  # stored, not fused
        with Store.open(url) as st:
            again = ingest([data], st, batch_size=BATCH, progress=False, resources=res)
        assert again.new == 0 and again.skipped == n
        assert again.fused == expected["fused_events"]
        assert _counts(url) == expected


def test_postgresql_restart_between_ingests_recovers(tmp_path: Path, res, request: pytest.FixtureRequest) -> None:
    """Proves: after the PostgreSQL server restarts (pooled connections all dead), the same
    open Store ingests the next file without error (pre-ping reconnects), re-ingesting the first
    file adds nothing, and the final row counts equal an uninterrupted run."""
    first = _records(tmp_path / "a.jsonl", 10)
    second = _records(tmp_path / "b.jsonl", 10, first=10)
    expected = _reference(tmp_path, res, first, second)
    with _pg_database(request) as (server, url):
        with deadline(180, "ingest across a PostgreSQL restart"):
            st = Store.open(url)
            assert ingest([first], st, batch_size=BATCH, progress=False, resources=res).new == 10
            _pg_restart(server)
            assert ingest([second], st, batch_size=BATCH, progress=False, resources=res).new == 10
            assert ingest([first], st, batch_size=BATCH, progress=False, resources=res).new == 0
            st.close()
        assert _counts(url) == expected
