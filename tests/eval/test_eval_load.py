"""Loading predictions (JSON, JSONL, a directory) and gold (every record *.json in a directory)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from rasd.eval.scorer import evaluate, load_gold, load_predictions


def rec(doc_id: str, n: int = 1) -> dict[str, Any]:
    events = [{"event_type": "Battles", "location": {"text": "درعا"}} for _ in range(n)]
    return {"doc_id": doc_id, "pub_date": None, "events": events}


def write(path: Path, obj: Any) -> Path:
    path.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "content",
    [
        rec("a"),  # one record
        [rec("a"), rec("b", 2)],  # a list
        {"records": [rec("a"), rec("b", 2)]},  # {"records": [...]}
    ],
)
def test_json_forms(tmp_path: Path, content: Any) -> None:
    loaded = load_predictions(write(tmp_path / "pred.json", content))
    assert "a" in loaded
    assert all(isinstance(r["events"], list) for r in loaded.values())


@pytest.mark.parametrize("name", ["pred.jsonl", "tmp.Xy12ab"])  # suffix, or detected (mktemp names)
def test_jsonl(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    lines = [json.dumps(rec("a"), ensure_ascii=False), "", json.dumps(rec("b", 3), ensure_ascii=False)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    loaded = load_predictions(path)
    assert sorted(loaded) == ["a", "b"]
    assert len(loaded["b"]["events"]) == 3


def test_directory_of_json(tmp_path: Path) -> None:
    write(tmp_path / "a.json", rec("a"))
    write(tmp_path / "no_id.json", {"events": []})  # doc_id from the file name
    write(tmp_path / "summary.json", {"count": 2})  # not a record: skipped
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    assert sorted(load_predictions(tmp_path)) == ["a", "no_id"]


def test_empty_file_has_no_records(tmp_path: Path) -> None:
    path = tmp_path / "pred.jsonl"
    path.write_text("", encoding="utf-8")
    assert load_predictions(path) == {}


def test_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_predictions(tmp_path / "missing.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(rec("a")) + "\n{oops\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.jsonl:2"):
        load_predictions(bad)
    with pytest.raises(ValueError, match="duplicate doc_id 'a'"):
        load_predictions(write(tmp_path / "dup.json", [rec("a"), rec("a")]))
    with pytest.raises(ValueError, match="no doc_id"):
        load_predictions(write(tmp_path / "anon.json", [{"events": []}]))
    with pytest.raises(ValueError, match="expected a record"):
        load_predictions(write(tmp_path / "odd.json", {"foo": 1}))


def test_load_gold_reads_only_records(tmp_path: Path, gold_dir: Path) -> None:
    gold = load_gold(gold_dir)
    assert sorted(gold) == [
        "000_73c53d1290d9c61f",
        "dev_001_6e2dd21a",
        "dev_003_5271c44e",
        "dev_005_d141605f",
        "dev_014_8aeaea8e",
    ]
    assert gold["dev_005_d141605f"]["events"] == []
    for f in gold_dir.glob("*.json"):
        shutil.copy(f, tmp_path)
    (tmp_path / "FORMAT.md").write_text("# format", encoding="utf-8")
    write(tmp_path / "stats.json", {"docs": 5})
    assert sorted(load_gold(tmp_path)) == sorted(gold)
    with pytest.raises(NotADirectoryError):
        load_gold(tmp_path / "nope")


def test_evaluate_round_trip_through_jsonl(tmp_path: Path, gold_dir: Path) -> None:
    gold = load_gold(gold_dir)
    pred = tmp_path / "pred.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) + "\n" for r in gold.values()]
    pred.write_text("".join(lines), encoding="utf-8")
    report = evaluate(pred, gold_dir)
    assert report.lenient.f1 == 1.0 and report.strict.f1 == 1.0
