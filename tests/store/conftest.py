"""Store fixtures: a ``backend`` parameter (sqlite, postgresql) and a fresh database URL per test.

PostgreSQL runs on a throwaway server started once per test session (per xdist worker) with
``initdb``/``pg_ctl`` in a temporary folder, listening on a free loopback port (as root, the
server runs as the ``postgres`` system user via ``runuser``). When the server binaries are not
installed, the PostgreSQL tests FAIL with a clear message in CI (``CI`` set in the environment)
and are skipped otherwise; ``make pg`` installs them.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
PG_MISSING = (
    "PostgreSQL server binaries (initdb, pg_ctl) not found: run `make pg` "
    "(apt-get install -y postgresql) to run the PostgreSQL store tests"
)


def _pg_bindir() -> Path | None:
    exe = shutil.which("pg_ctl")
    if exe:
        return Path(exe).resolve().parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """URL (``postgresql+psycopg://rasd@127.0.0.1:<port>``) of a throwaway PostgreSQL server."""
    bindir = _pg_bindir()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail(PG_MISSING, pytrace=False)
        pytest.skip(PG_MISSING)
    tmp = Path(tempfile.mkdtemp(prefix="rasd-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.fail("running as root but there is no 'postgres' user to run the test server", pytrace=False)
        os.chown(tmp, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    data, log, port = tmp / "data", tmp / "server.log", _free_port()
    subprocess.run(
        [*prefix, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "rasd", "-E", "UTF8", "--no-sync"],
        check=True,
        capture_output=True,
    )
    opts = f"-p {port} -h 127.0.0.1 -k {tmp} -F -c full_page_writes=off -c synchronous_commit=off"
    started = subprocess.run(
        [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o", opts, "start"],
        capture_output=True,
        text=True,
    )
    if started.returncode != 0:
        detail = log.read_text() if log.exists() else started.stderr
        shutil.rmtree(tmp, ignore_errors=True)
        pytest.fail(f"could not start the test PostgreSQL server: {detail[-2000:]}", pytrace=False)
    try:
        yield f"postgresql+psycopg://rasd@127.0.0.1:{port}"
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty database on the chosen backend."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'rasd.db'}"
        return
    import psycopg

    server = request.getfixturevalue("pg_server")
    name = f"rasd_{uuid.uuid4().hex[:12]}"
    plain = server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # name is generated above, not user input
    yield f"{server}/{name}"
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def meta_path() -> Path:
    return EXAMPLES / "meta.jsonl"
