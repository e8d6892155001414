"""Bad inputs end to end through ``rasd extract`` (issue 9).

``tests/pipeline/test_read.py`` proves the *reader* handles each of these (too large, a
million-character line, deep JSON, malformed JSON lines, billion laughs, HTML scripts, UTF-16);
these tests prove the whole CLI does: each bad file gives exactly one ``rasd: error:`` line
naming it, the other files of the same run are still extracted, and every run finishes within a
generous wall-clock bound (``deadline``: SIGALRM fails the test instead of hanging).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rasd.cli import app
from rasd.inputs import DEFAULT_MAX_BYTES

from .conftest import EXAMPLES, deadline

runner = CliRunner()
GOOD = EXAMPLES / "dev_017_977e9b28.txt"
SEED = EXAMPLES / "000_73c53d1290d9c61f.txt"


def _run(*args: str) -> tuple[list[dict], list[str], int]:
    result = runner.invoke(app, ["extract", *args, "--format", "jsonl", "--no-progress"])
    records = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    return records, errors, result.exit_code


def _good_copy(folder: Path) -> Path:
    path = folder / "good.txt"
    path.write_text(GOOD.read_text(encoding="utf-8"), encoding="utf-8")
    return path


def _assert_one_error_line(errors: list[str], name: str, *words: str) -> None:
    mine = [line for line in errors if name in line]
    assert len(mine) == 1, errors
    assert mine[0].startswith("rasd: error:") and "Traceback" not in mine[0]
    for w in words:
        assert w in mine[0].lower(), mine[0]


def test_fifty_megabyte_file_is_one_line_input_too_large(tmp_path: Path) -> None:
    """Proves: a 50 MB article (over the 20 MB default) is refused quickly with one line naming it
    and the limit, and the good file next to it is still extracted (exit code 0)."""
    big = tmp_path / "big.txt"
    chunk = ("قصف مدفعي على ريف إدلب. " * 2000).encode("utf-8")
    with open(big, "wb") as fh:
        while fh.tell() < 50 * 1024 * 1024:
            fh.write(chunk)
    good = _good_copy(tmp_path)
    with deadline(60, "extract of a 50 MB file"):
        records, errors, code = _run(str(big), str(good), "--pub-date", "2015-08-09")
    assert code == 0
    _assert_one_error_line(errors, "big.txt", "too large", f"{DEFAULT_MAX_BYTES:,}")
    assert [r["doc_id"] for r in records] == ["good"] and records[0]["events"]


def test_million_character_single_line_is_extracted_in_bounded_time(tmp_path: Path) -> None:
    """Proves: a one-line, one-million-character article of back-to-back trigger words (the
    densest case) is extracted end to end without error in bounded time (was ~4.5 min on
    real-news text before the per-candidate scans in attributes.py/roles.py became bisects)."""
    line = ("قصف " * 250_000).strip()
    path = tmp_path / "long.txt"
    path.write_text(line + "\n", encoding="utf-8")
    with deadline(120, "extract of a 1,000,000-character line"):
        records, errors, code = _run(
            str(path), str(_good_copy(tmp_path)), "--pub-date", "2015-08-09", "--time-budget", "0"
        )  # without the default 5 s budget per article (which reports it as failed, tests/pipeline)
    assert code == 0 and errors == []
    assert [r["doc_id"] for r in records] == ["long", "good"]


def test_json_bad_records_amid_good_ones(tmp_path: Path) -> None:
    """Proves: a deeply nested JSON file, a JSON Lines file with malformed lines between good
    ones and a truncated JSON file each give one error line per bad record, while the good
    records (and a plain good file) are extracted, in order."""
    good_text = GOOD.read_text(encoding="utf-8")
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    (tmp_path / "deep2.json").write_text('{"text": ' + '{"a": ' * 50_000 + "1" + "}" * 50_000 + "}", encoding="utf-8")
    rec = {"title": "t", "pub_date": "2015-08-09", "text": good_text}
    lines = [
        json.dumps({**rec, "id": "j1"}, ensure_ascii=False),
        '{"id": "broken", "text": "غارة',
        "not json at all",
        json.dumps({**rec, "id": "j2"}, ensure_ascii=False),
    ]
    (tmp_path / "mixed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "trunc.json").write_text('{"id": "t", "text": "قصف', encoding="utf-8")
    good = _good_copy(tmp_path)
    with deadline(60, "extract of bad JSON inputs"):
        records, errors, code = _run(
            *(str(tmp_path / n) for n in ("deep.json", "deep2.json", "mixed.jsonl", "trunc.json")), str(good)
        )
    assert code == 0
    assert [r["doc_id"] for r in records] == ["j1", "j2", "good"]
    assert all(line.startswith("rasd: error:") for line in errors), errors
    _assert_one_error_line(errors, "deep.json")
    _assert_one_error_line(errors, "deep2.json")
    _assert_one_error_line(errors, "trunc.json")
    assert len([e for e in errors if "mixed.jsonl" in e]) == 2  # one line per malformed record


def test_billion_laughs_feed_is_refused_and_the_batch_goes_on(tmp_path: Path) -> None:
    """Proves: an RSS feed with nested entity declarations is refused (not expanded: the run
    stays fast and small) with one error line, and the good file is still extracted."""
    ents = "\n".join(f'  <!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    bomb = tmp_path / "bomb.rss"
    bomb.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n  <!ENTITY lol0 "lol">\n{ents}\n]>\n'
        "<rss><channel><title>x</title><item><title>&lol9;</title><description>قصف على إدلب</description>"
        "</item></channel></rss>",
        encoding="utf-8",
    )
    with deadline(20, "extract of a billion-laughs feed"):
        records, errors, code = _run(str(bomb), str(_good_copy(tmp_path)))
    assert code == 0
    _assert_one_error_line(errors, "bomb.rss", "entit")
    assert [r["doc_id"] for r in records] == ["good"]
    assert "lollol" not in json.dumps(records)


def test_utf16_mixed_scripts_and_scripted_html_are_extracted(tmp_path: Path) -> None:
    """Proves: a UTF-16 (BOM) file gives the same records as its UTF-8 original; Arabic text
    with English and Hebrew phrases is extracted with spans inside the text; an HTML page's
    ``<script>`` (which here reports a different strike, in Aleppo) never reaches extraction."""
    seed_text = SEED.read_text(encoding="utf-8")
    (tmp_path / "seed8.txt").write_text(seed_text, encoding="utf-8")
    (tmp_path / "seed16.txt").write_bytes(seed_text.encode("utf-16"))  # with BOM
    mixed = (
        "غارة جوية على مدينة إدلب\n"
        "قال مصدر (Reuters said, according to שלום עליכם) إن 3 مدنيين قتلوا في غارة جوية على مدينة إدلب "
        "شمال غربي سوريا أمس، وفق Syrian Observatory for Human Rights ו- עדכון.\n"
    )
    (tmp_path / "mixed.txt").write_text(mixed, encoding="utf-8")
    html = (
        "<!DOCTYPE html><html><head><title>غارة على إدلب</title>"
        "<script>var news = 'مقتل 40 مدنيا في غارة جوية على مدينة حلب';</script></head><body>"
        "<article><h1>غارة على إدلب</h1><p>قتل ثلاثة مدنيين في غارة جوية على مدينة إدلب أمس.</p>"
        "<script>document.write('قصف مدفعي على مدينة حلب وسقوط 40 قتيلا');</script>"
        "<p>وقالت مصادر محلية إن الغارة استهدفت حيا سكنيا وسط المدينة.</p></article></body></html>"
    )
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    with deadline(60, "extract of encodings and scripts"):
        records, errors, code = _run(str(tmp_path), "--pub-date", "2023-04-11")
    assert code == 0 and errors == [], errors
    by_id = {r["doc_id"]: r for r in records}
    assert set(by_id) == {"seed8", "seed16", "mixed", "page"}
    assert by_id["seed8"]["events"] and by_id["seed8"]["events"] == by_id["seed16"]["events"]
    assert by_id["mixed"]["events"]
    for ev in by_id["mixed"]["events"]:
        assert all(0 <= s["start"] < s["end"] <= len(mixed) for s in ev["evidence"])
    page = json.dumps(by_id["page"], ensure_ascii=False)
    assert by_id["page"]["events"] and "Aleppo" not in page and "حلب" not in page


@pytest.mark.parametrize("payload", [b"\xff\xfe" + "قصف".encode("utf-16-le")[:-1], b"\x00" * 4096])
def test_stdin_garbage_is_one_line_and_exit_1(payload: bytes) -> None:
    """Proves: undecodable or all-NUL standard input gives one error line and exit code 1
    (nothing processed), never a traceback."""
    with deadline(20, "extract of garbage stdin"):
        result = runner.invoke(app, ["extract", "-", "--no-progress"], input=payload)
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("rasd: error:"), result.stderr
