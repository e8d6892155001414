"""Reliability fixtures: a wall-clock ``deadline`` and the session PostgreSQL server of
``tests/store/conftest.py`` (reused, so PostgreSQL cases skip or fail exactly as there)."""

from __future__ import annotations

import importlib.util
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

_spec = importlib.util.spec_from_file_location(
    "rasd_tests_store_conftest_rel", ROOT / "tests" / "store" / "conftest.py"
)
assert _spec is not None and _spec.loader is not None
_store_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_store_conftest)
pg_server = _store_conftest.pg_server
pg_bindir = _store_conftest._pg_bindir


class DeadlineExceeded(AssertionError):
    """Raised in the test's thread when a bounded operation runs past its deadline."""


@contextmanager
def deadline(seconds: int, what: str) -> Iterator[None]:
    """Fail (instead of hanging) when the block runs longer than ``seconds`` (SIGALRM; main thread)."""

    def _expired(_signum: int, _frame: object) -> None:
        raise DeadlineExceeded(f"{what} took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
