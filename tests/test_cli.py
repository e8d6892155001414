"""The command line: formats, metadata, and bad input (one line per failure, the rest processed)."""

import json
from pathlib import Path

from typer.testing import CliRunner

from rasd.cli import app

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
runner = CliRunner()


def test_extract_folder_with_meta_writes_json(tmp_path):
    out = tmp_path / "events.json"
    result = runner.invoke(app, ["extract", str(EXAMPLES), "--meta", str(EXAMPLES / "meta.jsonl"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    records = json.loads(out.read_text(encoding="utf-8"))
    by_id = {r["doc_id"]: r for r in records}
    assert len(by_id) == 6
    seed = by_id["000_73c53d1290d9c61f"]
    assert seed["pub_date"] == "2023-04-11" and seed["outlet"] == "Arab48"
    assert any(e["location"]["name"] == "Conoco gas field" and e["role"] == "main" for e in seed["events"])


def test_table_format_prints_events():
    result = runner.invoke(
        app, ["extract", str(EXAMPLES / "000_73c53d1290d9c61f.txt"), "--pub-date", "2023-04-11", "--format", "table"]
    )
    assert result.exit_code == 0
    assert "Conoco" in result.output and "5 event(s) in 1 article(s)" in result.output


def test_jsonl_from_stdin():
    text = (EXAMPLES / "dev_012_3724e24e.txt").read_text(encoding="utf-8")
    result = runner.invoke(app, ["extract", "-", "--pub-date", "2018-05-25", "--format", "jsonl"], input=text)
    assert result.exit_code == 0
    rec = json.loads(result.stdout.splitlines()[0])
    main = [e for e in rec["events"] if e["role"] == "main"]
    assert main[0]["sub_event_type"] == "Remote explosive/landmine/IED"
    assert main[0]["location"]["name"] == "Benghazi"
    assert main[0]["date"] == "2018-05-24"


def test_bad_inputs_each_give_one_line_and_the_rest_is_processed(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (tmp_path / "latin.txt").write_bytes("Ceci n'est pas de l'arabe: é à ç ù".encode("latin-1") * 20)
    good = tmp_path / "good.txt"
    good.write_text((EXAMPLES / "dev_017_977e9b28.txt").read_text(encoding="utf-8"), encoding="utf-8")
    missing = tmp_path / "missing.txt"
    result = runner.invoke(
        app, ["extract", str(tmp_path), str(missing), "--pub-date", "2015-08-09", "--format", "jsonl"]
    )
    assert result.exit_code == 0  # something was processed
    errors = [line for line in result.stderr.splitlines() if line.startswith("rasd: error:")]
    named = " ".join(errors)
    for name in ("empty.txt", "binary.txt", "latin.txt", "missing.txt"):
        assert name in named
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["doc_id"] for r in records] == ["good"]
    assert records[0]["events"]


def test_nothing_processable_exits_non_zero(tmp_path):
    (tmp_path / "empty.txt").write_text("   \n")
    result = runner.invoke(app, ["extract", str(tmp_path / "empty.txt")])
    assert result.exit_code == 1
    assert "empty.txt" in result.stderr


def test_cp1256_file_is_decoded(tmp_path):
    text = (EXAMPLES / "dev_032_f3097916.txt").read_text(encoding="utf-8")
    path = tmp_path / "dev_032.txt"
    path.write_bytes(text.encode("cp1256"))
    result = runner.invoke(app, ["extract", str(path), "--pub-date", "2015-08-06", "--format", "jsonl"])
    assert result.exit_code == 0
    rec = json.loads(result.stdout)
    assert any(e["sub_event_type"] == "Air/drone strike" for e in rec["events"])


def test_bad_pub_date_is_a_usage_error():
    result = runner.invoke(app, ["extract", str(EXAMPLES), "--pub-date", "11/04/2023"])
    assert result.exit_code == 2


def test_every_command_has_help():
    for cmd in ("extract", "eval"):
        result = runner.invoke(app, [cmd, "--help"])
        assert result.exit_code == 0 and len(result.output) > 200
