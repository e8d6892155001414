"""``rasd ingest`` / ``export`` / ``query`` through the Typer app (SQLite)."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from rasd.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_ingest_query_export(tmp_path: Path) -> None:
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    args = ["ingest", str(EXAMPLES), "--meta", str(EXAMPLES / "meta.jsonl"), "--db", db, "--no-progress"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "read" in first.output and "skipped" in first.output
    again = runner.invoke(app, args)
    assert again.exit_code == 0 and "│    6 │   0 │       6 │" in again.output

    q = runner.invoke(app, ["query", "--db", db, "--country", "LY", "--limit", "5", "--min-confidence", "0"])
    assert q.exit_code == 0 and "3 event(s) shown" in q.output  # every stored candidate
    q = runner.invoke(app, ["query", "--db", db, "--country", "LY", "--limit", "5"])
    assert q.exit_code == 0 and "2 event(s) shown" in q.output  # the default: at or above the 0.5 threshold

    out = tmp_path / "ly.csv"
    e = runner.invoke(app, ["export", "--db", db, "--format", "acled-csv", "--country", "LY", "-o", str(out)])
    assert e.exit_code == 0, e.output
    with open(out, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and {r["country"] for r in rows} == {"Libya"}

    bad = runner.invoke(app, ["export", "--db", db, "--format", "xlsx"])
    assert bad.exit_code != 0
