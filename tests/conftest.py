"""Shared fixtures: the bundled resources (loaded once per session) and the seed article."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def res():
    from rasd.resources.loader import load_resources

    return load_resources()


@pytest.fixture(scope="session")
def seed_text() -> str:
    return (EXAMPLES / "000_73c53d1290d9c61f.txt").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _default_time_budget(monkeypatch: pytest.MonkeyPatch):
    """``rasd extract/ingest --time-budget`` sets the process-wide budget (and $RASD_TIME_BUDGET for
    workers); CliRunner runs the CLI in the test's process, so every test starts from the default."""
    import rasd.api

    monkeypatch.delenv("RASD_TIME_BUDGET", raising=False)
    rasd.api._time_budget = rasd.api.DEFAULT_TIME_BUDGET
    yield
    rasd.api._time_budget = rasd.api.DEFAULT_TIME_BUDGET
