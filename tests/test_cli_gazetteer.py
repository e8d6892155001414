"""``rasd gazetteer lookup`` / ``stats`` over the bundled gazetteer."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from rasd.cli import app

runner = CliRunner()


def _lookup(*args: str) -> list[dict]:
    result = runner.invoke(app, ["gazetteer", "lookup", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_arabic_lookup_puts_deir_ez_zor_first_among_syrian_candidates() -> None:
    rows = _lookup("دير الزور", "--limit", "10")
    syrian = [r for r in rows if r["country"] == "SY"]
    assert syrian[0]["name"] == "Deir ez-Zor" and syrian[0]["score"] == 1.0
    keys = {"id", "name", "kind", "country", "admin1", "lat", "lon", "population", "score", "match", "context"}
    assert set(rows[0]) == keys
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True)


def test_country_filter_and_limit() -> None:
    rows = _lookup("دير الزور", "--country", "sy", "--limit", "2")
    assert len(rows) == 2 and all(r["country"] == "SY" for r in rows)
    assert rows[0]["name"] == "Deir ez-Zor"


def test_english_lookup_finds_manbij() -> None:
    rows = _lookup("Manbij", "-n", "3")
    assert rows[0]["name"] == "Manbij" and rows[0]["country"] == "SY" and rows[0]["admin1"] == "Aleppo"
    result = runner.invoke(app, ["gazetteer", "lookup", "Manbij"], env={"COLUMNS": "160"})
    assert result.exit_code == 0 and "Manbij" in result.output and "geonames:" in result.output


def test_unknown_name_exits_non_zero() -> None:
    result = runner.invoke(app, ["gazetteer", "lookup", "Xqzwvk", "--json"])
    assert result.exit_code == 1
    assert "no place matches" in result.stderr


def test_stats_prints_countries_and_sources() -> None:
    result = runner.invoke(app, ["gazetteer", "stats"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    for word in ("country", "SY", "IQ", "YE", "geonames", "sites"):
        assert word in result.output
    data = json.loads(runner.invoke(app, ["gazetteer", "stats", "--json"]).stdout)
    assert data["by_country"]["SY"] > 100 and set(data["by_source"]) == {"geonames", "sites"}


def test_lookup_says_how_each_answer_matched() -> None:
    rows = _lookup("باريس", "--limit", "5")
    assert (rows[0]["name"], rows[0]["match"], rows[0]["context"]) == ("Paris", "exact", "foreign")
    assert rows[0]["population"] > 1_000_000
    assert all(r["match"] == "approximate" for r in rows[1:] if r["score"] < 1.0)
    assert _lookup("مدينة حلب", "--limit", "1")[0]["match"] == "variant"
