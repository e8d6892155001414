"""A throwaway PostgreSQL server on loopback, for the test suite and the ingest benchmark.

``throwaway_server()`` runs ``initdb`` and ``pg_ctl start`` in a temporary folder on a free
127.0.0.1 port (as the ``postgres`` user when running as root: initdb refuses root), yields the
server's URL ``postgresql+psycopg://rasd@127.0.0.1:<port>`` and removes everything afterwards.
``durable=False`` trades crash safety for speed (tests); ``durable=True`` keeps PostgreSQL's
default fsync settings (benchmarks).

The server dies with the process that started it: ``pg_ctl`` detaches the postmaster, so a small
watchdog process (in its own session, so a Ctrl-C or kill of the process group reaches it only
after the fact) checks twice a second that its parent is still alive and, once it is not (even
after ``kill -9``), stops the server (``-m immediate``) and removes its folder.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["PostgresUnavailable", "find_bindir", "free_port", "throwaway_server"]


class PostgresUnavailable(RuntimeError):
    """The server binaries are missing, or the server would not start (the message says which)."""


_WATCHDOG = """
import os, shutil, subprocess, sys, time
parent, tmp, pg_ctl = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
while os.getppid() == parent:
    time.sleep(0.5)
subprocess.run([*pg_ctl, "-m", "immediate", "stop"], capture_output=True)
shutil.rmtree(tmp, ignore_errors=True)
"""


def _watchdog(pg_ctl: list[str], tmp: Path) -> subprocess.Popen[bytes]:
    """Stop the server and remove ``tmp`` when this process dies (see the module docstring)."""
    return subprocess.Popen(
        [sys.executable, "-c", _WATCHDOG, str(os.getpid()), str(tmp), *pg_ctl],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def find_bindir() -> Path | None:
    """The folder holding ``initdb``/``pg_ctl`` (on PATH or Debian's /usr/lib/postgresql/*/bin)."""
    exe = shutil.which("pg_ctl")
    if exe:
        return Path(exe).resolve().parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def throwaway_server(*, durable: bool = False, prefix: str = "rasd-pg-") -> Iterator[str]:
    """Start a private server, yield its URL (no database part), stop and delete it on exit."""
    bindir = find_bindir()
    if bindir is None:
        raise PostgresUnavailable("PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql")
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        try:
            user = pwd.getpwnam("postgres")
        except KeyError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise PostgresUnavailable("running as root but there is no 'postgres' user to run the server") from exc
        os.chown(tmp, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    data, log, port = tmp / "data", tmp / "server.log", free_port()
    pg_ctl = [*run_as, str(bindir / "pg_ctl"), "-D", str(data)]
    watchdog: subprocess.Popen[bytes] | None = None
    try:
        subprocess.run(
            [*run_as, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "rasd", "-E", "UTF8", "--no-sync"],
            check=True,
            capture_output=True,
        )
        watchdog = _watchdog(pg_ctl, tmp)  # before the start: a kill during it is covered too
        opts = f"-p {port} -h 127.0.0.1 -k {tmp}"
        if not durable:
            opts += " -F -c full_page_writes=off -c synchronous_commit=off"
        started = subprocess.run(
            [*pg_ctl, "-l", str(log), "-w", "-t", "60", "-o", opts, "start"], capture_output=True, text=True
        )
        if started.returncode != 0:
            detail = log.read_text() if log.exists() else started.stderr
            raise PostgresUnavailable(f"could not start the PostgreSQL server: {detail[-2000:]}")
        yield f"postgresql+psycopg://rasd@127.0.0.1:{port}"
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate" if not durable else "fast", "stop"], capture_output=True)
        if watchdog is not None:
            watchdog.kill()
            watchdog.wait()
        shutil.rmtree(tmp, ignore_errors=True)
