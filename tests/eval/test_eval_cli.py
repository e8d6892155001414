"""``rasd eval`` end to end on the bundled fixture gold: tables, the 15-line summary, JSON, the
errors listing with evidence sentences, the curve, and the failure messages."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from rasd.eval.cli import eval_command
from rasd.eval.report import default_text_dirs, evidence_snippets, find_article_text, render_summary
from rasd.eval.scorer import load_gold, score

SEED = "000_73c53d1290d9c61f"
KASSALA = "dev_001_6e2dd21a"


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def make_app() -> typer.Typer:
    app = typer.Typer()
    app.command("eval")(eval_command)

    @app.callback()
    def main() -> None:
        """Rasd."""

    return app


def run(*args: str) -> Any:
    return CliRunner().invoke(make_app(), ["eval", *map(str, args)])


@pytest.fixture
def perturbed(tmp_path: Path, gold_dir: Path) -> Path:
    """Gold as predictions, minus the Kassala event, plus one spurious event without evidence."""
    records = copy.deepcopy(load_gold(gold_dir))
    records[KASSALA]["events"] = []
    records[SEED]["events"].append(
        {
            "event_type": "Battles",
            "sub_event_type": "Armed clash",
            "date": None,
            "location": {"text": "[bold]البوكمال", "name": "Al Bukamal"},
            "role": "main",
            "confidence": 0.2,
        }
    )
    return write_jsonl(tmp_path / "pred.jsonl", records.values())


def test_table_ends_with_a_15_line_summary(perturbed: Path, gold_dir: Path) -> None:
    result = run(perturbed, gold_dir)
    assert result.exit_code == 0, result.output
    tail = result.stdout.rstrip("\n").splitlines()[-15:]
    assert tail[0].startswith("Events (lenient")
    labels = [" ".join(line.split()[:-6]) for line in tail[2:6]]
    assert labels == ["lenient", "strict", "main lenient", "main strict"]
    # 12 gold events, 11 matched, 1 spurious: P = R = 11/12
    assert tail[2].split()[1:] == ["0.917", "0.917", "0.917", "11", "1", "1"]
    assert tail[6].startswith("Fields over 11 lenient matched pairs")
    assert any(line.startswith("date") for line in tail[8:13])
    assert tail[13].startswith("Docs: 5 gold, 5 with predictions")
    assert tail[14].startswith("Events: 12 gold, 12 predicted; false alarms: 0 on 0 of 1 empty docs")
    assert "Per document" in result.stdout


def test_summary_fits_in_15_lines_of_80_columns(gold_dir: Path) -> None:
    gold = load_gold(gold_dir)
    console = Console(width=80, record=True, file=io.StringIO())
    render_summary(score(gold, gold), console)
    lines = console.export_text().rstrip("\n").splitlines()
    assert len(lines) == 15
    assert max(map(len, lines)) <= 80


def test_json_output(perturbed: Path, gold_dir: Path) -> None:
    result = run(perturbed, gold_dir, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["lenient"]["tp"] == 11 and data["lenient"]["fp"] == 1
    assert data["fields"]["actor1"]["accuracy"] == 1.0
    assert [m["doc_id"] for m in data["missed"]] == [KASSALA]
    assert len(data["curve"]) == 10
    assert {"docs", "events", "strict", "lenient_main", "strict_main", "false_alarms", "per_doc"} <= set(data)


def test_errors_listing_shows_evidence_sentences(perturbed: Path, gold_dir: Path) -> None:
    result = run(perturbed, gold_dir, "--errors")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Missed gold events (1)" in out and "Spurious predictions (1)" in out
    assert KASSALA in out and "Violence against civilians / Attack" in out
    assert "مدينة كسلا" in out
    text = (gold_dir.parent / "corpus" / "dev" / f"{KASSALA}.txt").read_text(encoding="utf-8")
    title = text[0:48].strip()
    assert title in out  # evidence span 0–48 is the headline
    # no evidence: the location text stands in, printed literally (not as Rich markup)
    assert "│ [bold]البوكمال" in out
    assert out.rstrip("\n").splitlines()[-1].startswith("Events:")  # summary still last


def test_curve_option(perturbed: Path, gold_dir: Path) -> None:
    result = run(perturbed, gold_dir, "--curve")
    assert result.exit_code == 0
    assert "Confidence curve" in result.stdout
    row = next(line for line in result.stdout.splitlines() if line.strip().startswith("0.3"))
    assert row.split()[1:7] == ["11", "1.000", "0.917", "0.957", "11", "0"]


def test_texts_option(perturbed: Path, gold_dir: Path, tmp_path: Path) -> None:
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / f"{KASSALA}.txt").write_text("عنوان بديل للمقال" + " " * 100, encoding="utf-8")
    result = run(perturbed, gold_dir, "--errors", "--texts", texts)
    assert result.exit_code == 0
    assert "│ عنوان بديل للمقال" in result.stdout


def test_missing_inputs_exit_1_with_one_line(tmp_path: Path, gold_dir: Path) -> None:
    result = run(tmp_path / "none.jsonl", gold_dir)
    assert result.exit_code == 1
    message = f"rasd eval: predictions not found: {tmp_path / 'none.jsonl'}"
    assert result.stderr.strip().splitlines() == [message]
    pred = tmp_path / "p.jsonl"
    pred.write_text("", encoding="utf-8")
    result = run(pred, tmp_path / "nogold")
    assert result.exit_code == 1
    assert "gold directory not found" in result.stderr
    result = run(pred, tmp_path)
    assert result.exit_code == 1
    assert "no gold records" in result.stderr
    pred.write_text("{broken\n", encoding="utf-8")
    result = run(pred, gold_dir)
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1 and "invalid JSON" in result.stderr


def test_eval_command_is_callable_directly(perturbed: Path, gold_dir: Path, capsys: Any) -> None:
    assert eval_command([perturbed, gold_dir]) == 0
    assert "Events:" in capsys.readouterr().out


def test_article_text_lookup(gold_dir: Path) -> None:
    dirs = default_text_dirs(gold_dir)
    assert find_article_text(SEED, dirs) is not None  # from ../seed
    assert find_article_text(KASSALA, dirs) is not None  # from ../corpus/dev
    assert find_article_text("nope", dirs) is None


def test_evidence_snippets() -> None:
    text = "هجمات صاروخية على قاعدة أميركية.\nتعرض حقل كونيكو للغاز لهجمات."
    event = {"evidence": [{"start": 34, "end": 63}, {"start": 0, "end": 33}], "location": {"text": "كونيكو"}}
    # each span is one line: whitespace collapsed, ends trimmed
    assert evidence_snippets(event, text) == [text[34:63], text[0:33].strip()]
    assert evidence_snippets({"evidence": [], "location": {"text": "كونيكو"}}, text) == ["كونيكو"]
    assert evidence_snippets(event, None) == ["كونيكو"]
    assert evidence_snippets({"evidence": [{"start": 0, "end": 33}]}, text, max_chars=10) == [text[:9] + "…"]
