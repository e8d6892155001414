"""Hardening (issue 17, item 3): no process outlives a killed parent.

* ``rasd ingest --workers 2`` killed (SIGKILL or SIGTERM): its worker processes end within a few
  seconds (``PR_SET_PDEATHSIG`` plus a parent watchdog thread) — before, both kept running;
* a process holding a throwaway PostgreSQL server (the tests', the benchmarks') killed with
  SIGKILL: the server stops and its folder goes (a watchdog process) — before, the postmaster
  outlived a killed ``make test``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rasd.store.pgserver import find_bindir

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _children(pid: int) -> set[int]:
    """Live (not zombie) processes whose parent is ``pid``."""
    out = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            out.add(int(entry))
    return out


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_gone(pids: set[int], seconds: float) -> set[int]:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        left = {p for p in pids if _alive(p)}
        if not left:
            return left
        time.sleep(0.1)
    return {p for p in pids if _alive(p)}


def _input(path: Path, n: int) -> None:
    texts = [f.read_text(encoding="utf-8") for f in sorted(EXAMPLES.glob("*.txt"))]
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            text = texts[i % len(texts)] + f"\n{i}"
            fh.write(json.dumps({"id": f"d{i}", "pub_date": "2023-04-11", "text": text}, ensure_ascii=False) + "\n")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killed_ingest_leaves_no_workers(tmp_path: Path, sig: signal.Signals) -> None:
    data = tmp_path / "in.jsonl"
    _input(data, 20_000)  # a minute of work: the kill lands while the workers extract
    cmd = [sys.executable, "-c", "from rasd.cli import app; app()", "ingest", str(data), "--workers", "2"]
    cmd += ["--db", f"sqlite:///{tmp_path / 'r.db'}", "--no-progress"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while time.monotonic() < deadline and len(workers) < 2:
            assert proc.poll() is None, "the ingest ended before its workers started"
            workers = _children(proc.pid)
            time.sleep(0.1)
        assert len(workers) >= 2, f"no workers found: {workers}"
        time.sleep(1.0)  # the workers are extracting
        proc.send_signal(sig)
        proc.wait(10)
        assert _wait_gone(workers, 5.0) == set(), "worker processes outlived the killed ingest"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


HOLDER = """
import sys, time
from rasd.store.pgserver import throwaway_server
with throwaway_server() as url:
    print(url, flush=True)
    time.sleep(600)
"""


@pytest.mark.skipif(find_bindir() is None, reason="PostgreSQL server binaries not installed")
def test_throwaway_server_dies_with_its_parent(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        url = proc.stdout.readline().strip() if proc.stdout else ""
        assert url.startswith("postgresql+psycopg://"), url
        port = url.rsplit(":", 1)[1]
        pidfiles = [
            p for p in Path("/tmp").glob("rasd-pg-*/data/postmaster.pid")
            if len(p.read_text().splitlines()) > 3 and p.read_text().splitlines()[3].strip() == port
        ]  # fmt: skip
        assert len(pidfiles) == 1
        folder = pidfiles[0].parent.parent
        postmaster = int(pidfiles[0].read_text().splitlines()[0])
        assert _alive(postmaster)
        proc.kill()
        proc.wait(10)
        assert _wait_gone({postmaster}, 15.0) == set(), "the PostgreSQL server outlived its killed parent"
        end = time.monotonic() + 10
        while folder.exists() and time.monotonic() < end:
            time.sleep(0.1)
        assert not folder.exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
