"""PostgreSQL out of disk space (issue 9): the store's tables live in a tablespace on a small
size-limited tmpfs, so a real ``ENOSPC`` stops the server from extending a table mid-ingest.

Mounting a tmpfs needs root (CAP_SYS_ADMIN): elsewhere (or in a container that forbids mounts)
this test is skipped with the reason. PostgreSQL's ``temp_file_limit`` is no substitute: it
limits temporary files only, never table data.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from rasd.store import Store, ingest

from .conftest import ROOT, deadline
from .test_reliability_faults import BATCH, _counts, _records

FREE_AFTER_FIRST_BATCH = 128 * 1024
"""Bytes left free once batch 1 is stored: one batch needs ~15-60 kB, the other 35 articles ~230 kB."""

PER_ARTICLE = """
SELECT a.content_hash,
       (SELECT count(*) FROM events e WHERE e.article_id = a.id),
       (SELECT count(*) FROM evidence v JOIN events e ON e.id = v.event_id WHERE e.article_id = a.id),
       (SELECT count(*) FROM event_sources s JOIN events e ON e.id = s.event_id WHERE e.article_id = a.id)
FROM articles a
"""


def _per_article(url: str) -> dict[str, tuple[int, int, int]]:
    """content hash → (events, evidence spans, sources) of every stored article."""
    with Store.open(url, upgrade=False) as st, st.engine.connect() as conn:
        return {h: (ev, sp, so) for h, ev, sp, so in conn.execute(text(PER_ARTICLE))}


@contextmanager
def _small_tmpfs(size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` owned by the server's user (``postgres`` under root); skips the test
    when mounting is not allowed here."""
    if os.geteuid() != 0:
        pytest.skip("a size-limited filesystem (tmpfs) can only be mounted as root")
    try:
        owner = pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root but there is no 'postgres' user to own the tablespace")
    parent = Path(tempfile.mkdtemp(prefix="rasd-pgfull-"))
    parent.chmod(0o755)  # the server (another user) must reach the mount point
    mnt = parent / "ts"
    mnt.mkdir()
    opts = f"size={size},uid={owner.pw_uid},gid={owner.pw_gid},mode=0700"
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(mnt)], capture_output=True, text=True)
    if mounted.returncode != 0:
        shutil.rmtree(parent, ignore_errors=True)
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)
        shutil.rmtree(parent, ignore_errors=True)


@contextmanager
def _database_on(server: str, location: Path) -> Iterator[str]:
    """A fresh database whose tables (created by the migrations) go to a tablespace at ``location``."""
    import psycopg

    suffix = uuid.uuid4().hex[:12]
    name, space = f"rasd_full_{suffix}", f"small_{suffix}"
    plain = server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:  # generated names, not input
        conn.execute(f"CREATE TABLESPACE {space} LOCATION '{location}'")
        conn.execute(f'CREATE DATABASE "{name}"')
        conn.execute(f'ALTER DATABASE "{name}" SET default_tablespace = {space}')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f"DROP TABLESPACE IF EXISTS {space}")


def _rasd(*args: str) -> subprocess.CompletedProcess[str]:
    """``rasd ARGS`` in a child process: what a user sees on the terminal."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    code = "from rasd.cli import app; app(prog_name='rasd')"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120, env=env)


def test_postgresql_disk_full_is_one_clear_line_keeps_whole_batches_and_rerun_completes(
    tmp_path: Path, res, request: pytest.FixtureRequest
) -> None:
    """Proves, with PostgreSQL's table files on a tmpfs filled up to the last 128 kB: ``rasd
    ingest`` stops at the first batch that does not fit with exit code 2 and ONE line on
    standard error naming "No space left on device" (no traceback, no pointless retries); the
    store then holds only whole batches, each article with all its events, evidence spans and
    sources exactly as an uninterrupted run stores them; after the space is freed, re-running
    the same command completes to an uninterrupted run's row counts."""
    n = 40
    data = _records(tmp_path / "r.jsonl", n)
    first = _records(tmp_path / "first.jsonl", BATCH)  # the same first BATCH records
    ref_url = f"sqlite:///{tmp_path / 'reference.db'}"
    with Store.open(ref_url) as ref:
        ingest([data], ref, batch_size=BATCH, progress=False, resources=res)
    expected, expected_articles = _counts(ref_url), _per_article(ref_url)
    server = request.getfixturevalue("pg_server")
    with _small_tmpfs("4m") as mnt, _database_on(server, mnt) as url, deadline(60, "ingest into a full disk"):
        with Store.open(url) as st:  # schema (in the small tablespace) and batch 1 fit
            assert ingest([first], st, batch_size=BATCH, progress=False, resources=res).new == BATCH
        stat = os.statvfs(mnt)
        filler = mnt / "filler"
        with open(filler, "wb") as fh:  # root writes it: a tmpfs has no reserve for root
            fh.write(b"\0" * (stat.f_bavail * stat.f_frsize - FREE_AFTER_FIRST_BATCH))

        full = _rasd("ingest", str(data), "--db", url, "--batch-size", str(BATCH), "--no-progress")
        assert full.returncode == 2, (full.stdout, full.stderr)
        lines = full.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("rasd: error: "), full.stderr
        assert "No space left on device" in lines[0], lines[0]
        assert "Traceback" not in full.stderr + full.stdout

        stored = _per_article(url)
        assert len(stored) % BATCH == 0 and BATCH < len(stored) < n  # whole batches, some beyond batch 1
        assert stored == {h: expected_articles[h] for h in stored}  # every stored article complete

        filler.unlink()  # space freed
        again = _rasd("ingest", str(data), "--db", url, "--batch-size", str(BATCH), "--no-progress")
        assert again.returncode == 0, (again.stdout, again.stderr)
        assert _counts(url) == expected
        assert _per_article(url) == expected_articles
