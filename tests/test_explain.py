"""``rasd explain``: the trigger words, the highlighted evidence and the rule behind every field."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from rasd import extract
from rasd.cli import app
from rasd.explain import STYLES, explain_record, render_explanations

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "000_73c53d1290d9c61f.txt"
runner = CliRunner()


def test_explain_command_on_the_seed_article_names_trigger_and_place() -> None:
    result = runner.invoke(app, ["explain", str(SEED), "--pub-date", "2023-04-11"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "هجمات صاروخيّة" in out  # the headline's trigger, as written (with its shadda)
    assert "trigger: هجمات صاروخيّة [0, 14)" in out
    assert "Conoco" in out
    for column in ("field", "value", "rule"):
        assert column in out
    assert "trigger 'هجمات صاروخيه'" in out  # the type rule the pipeline recorded
    events = extract(SEED.read_text(encoding="utf-8"), pub_date="2023-04-11").events
    assert f"{sum(e.confidence >= 0.5 for e in events)} event(s)" in out  # the CLI's default threshold


def test_explain_record_spans_point_into_the_text(seed_text: str, res) -> None:
    record = extract(seed_text, pub_date="2023-04-11", resources=res)
    explanations = explain_record(record, seed_text)
    assert len(explanations) == len(record.events)
    first = explanations[0]
    trig = first.trigger
    assert trig is not None and trig.text == seed_text[trig.span.start : trig.span.end]
    kinds = {h.kind for h in first.highlights}
    assert {"trigger", "location", "actor1"} <= kinds
    loc = next(h for h in first.highlights if h.kind == "location")
    assert loc.text == "حقل كونيكو للغاز"
    rows = {row.field: row for row in first.fields}
    assert rows["type"].rule.startswith("trigger")
    assert "Conoco gas field" in rows["location"].value
    assert rows["confidence"].value == f"{record.events[0].confidence:.3f}"


def test_render_highlights_the_evidence_in_the_terminal(seed_text: str, res) -> None:
    record = extract(seed_text, pub_date="2023-04-11", resources=res)
    console = Console(record=True, force_terminal=True, color_system="standard", width=200)
    render_explanations(explain_record(record, seed_text)[:1], seed_text, console)
    styled = console.export_text(styles=True)
    assert "\x1b[" in styled  # highlighted
    assert "حقل كونيكو للغاز" in styled
    assert set(STYLES) == {"trigger", "location", "actor1", "actor2"}


def test_explain_without_events_says_so(tmp_path: Path) -> None:
    article = tmp_path / "weather.txt"
    article.write_text("طقس معتدل\nتوقعت الأرصاد الجوية طقسا معتدلا في معظم المناطق غدا.\n", encoding="utf-8")
    result = runner.invoke(app, ["explain", str(article), "--pub-date", "2020-01-01"])
    assert result.exit_code == 0, result.output
    assert "no events" in result.output


def test_rules_are_printed_verbatim_and_a_stale_date_rule_is_flagged() -> None:
    from datetime import date

    from rasd.types import ArticleRecord, Event, Span

    text = "انفجار في المدينة"
    ev = Event(
        "Explosions/Remote violence",
        "Remote explosive/landmine/IED",
        date=date(2020, 1, 1),
        date_precision="day",
        trigger=Span(0, 6),
        evidence=[Span(0, len(text))],
        rules={"type": "trigger [bold]انفجار[/bold]", "date": "no time reference: publication date, precision week"},
    )
    record = ArticleRecord("x", date(2020, 1, 2), [ev])
    console = Console(record=True, width=200)
    render_explanations(explain_record(record, text), text, console)
    out = console.export_text()
    assert "trigger [bold]انفجار[/bold]" in out  # not swallowed as Rich markup
    assert "does not match the value" in out
