"""Store faults (issue 9): a locked SQLite database, a PostgreSQL restart between batches, and a
full disk. In each case the ingest either waits and succeeds or fails with a clear error, the
database stays consistent, and re-running the ingest ends with exactly the rows of an
uninterrupted run (``tests/store/test_kill.py`` proves the same for SIGKILL).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from rasd.store import Store, ingest
from rasd.store import db as store_db

from .conftest import EXAMPLES, ROOT, deadline, pg_bindir

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


def _pg_restart(server_url: str) -> None:
    import psycopg

    plain = server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
        data_dir = conn.execute("SHOW data_directory").fetchone()[0]
    bindir = pg_bindir()
    assert bindir is not None
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run(
        [
            *prefix,
            str(bindir / "pg_ctl"),
            "-D",
            data_dir,
            "-l",
            str(Path(data_dir).parent / "server.log"),
            "-m",
            "fast",
            "-w",
            "-t",
            "60",
            "restart",
        ],
        check=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=90,
    )  # fmt: skip  (the server's output goes to its log: a pipe here would never reach EOF)


def test_postgresql_restart_between_ingests_recovers(tmp_path: Path, res, request: pytest.FixtureRequest) -> None:
    """Proves: after the PostgreSQL server restarts (pooled connections all dead), the same
    open Store ingests the next file without error (pre-ping reconnects), re-ingesting the first
    file adds nothing, and the final row counts equal an uninterrupted run."""
    import uuid

    import psycopg

    server = request.getfixturevalue("pg_server")
    name = f"rasd_rel_{uuid.uuid4().hex[:12]}"
    plain = server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # generated name, not user input
    url = f"{server}/{name}"
    first = _records(tmp_path / "a.jsonl", 10)
    second = _records(tmp_path / "b.jsonl", 10, first=10)
    expected = _reference(tmp_path, res, first, second)
    try:
        with deadline(180, "ingest across a PostgreSQL restart"):
            st = Store.open(url)
            assert ingest([first], st, batch_size=BATCH, progress=False, resources=res).new == 10
            _pg_restart(server)
            assert ingest([second], st, batch_size=BATCH, progress=False, resources=res).new == 10
            assert ingest([first], st, batch_size=BATCH, progress=False, resources=res).new == 0
            st.close()
        assert _counts(url) == expected
    finally:
        with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
