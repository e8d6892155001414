"""Hardening of ``rasd ingest`` (issue #17): only http(s) article URLs are stored, a bad one is
dropped with a warning (the article is kept), and error lines name the JSON Lines line."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from rasd.cli import app
from rasd.store import Store, schema

TEXT = "مقتل 3 مدنيين في غارة جوية على مدينة إدلب أمس\nقال ناشطون إن طائرات حربية قصفت المدينة."


def _urls(db: str) -> dict[str, str | None]:
    with Store.open(db) as st, st.engine.connect() as conn:
        a = schema.articles
        return dict(conn.execute(select(a.c.doc_id, a.c.url)).all())


def test_ingest_drops_non_http_urls_with_a_warning(tmp_path: Path) -> None:
    records = [
        {"id": "js", "text": TEXT + " 1", "url": "javascript:alert(document.domain)"},
        {"id": "data", "text": TEXT + " 2", "url": "data:text/html,<script>alert(1)</script>"},
        {"id": "tab", "text": TEXT + " 3", "url": "java\tscript:alert(1)"},
        {"id": "ok", "text": TEXT + " 4", "url": "https://news.example/a?id=1"},
        {"id": "none", "text": TEXT + " 5"},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'x.db'}"
    result = CliRunner().invoke(app, ["ingest", str(src), "--db", db, "--no-progress"])
    assert result.exit_code == 0, result.output
    warnings = [ln for ln in result.stderr.splitlines() if ln.startswith("rasd: warning:")]
    assert len(warnings) == 3, result.stderr
    assert all("dropped" in w and "in.jsonl" in w for w in warnings)
    assert any(": js: url 'javascript:alert(document.domain)'" in w for w in warnings)
    assert _urls(db) == {"js": None, "data": None, "tab": None, "ok": "https://news.example/a?id=1", "none": None}


def test_meta_urls_are_checked_too(tmp_path: Path) -> None:
    (tmp_path / "doc1.txt").write_text(TEXT, encoding="utf-8")
    meta = tmp_path / "meta.jsonl"
    meta.write_text(json.dumps({"doc_id": "doc1", "pub_date": "2023-04-11", "url": "JavaScript:alert(1)"}) + "\n")
    db = f"sqlite:///{tmp_path / 'x.db'}"
    result = CliRunner().invoke(app, ["ingest", str(tmp_path / "doc1.txt"), "--meta", str(meta), "--db", db,
                                      "--no-progress"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "dropped" in result.stderr
    assert _urls(db) == {"doc1": None}


def test_ingest_error_lines_name_the_jsonl_line_like_extract(tmp_path: Path) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text(
        json.dumps({"id": "a", "text": TEXT}, ensure_ascii=False) + "\n" + '{"id": bad}\n' + '{"id": "c", "text": "abc',
        encoding="utf-8",
    )
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'x.db'}"
    ingest = runner.invoke(app, ["ingest", str(src), "--db", db, "--no-progress"])
    extract = runner.invoke(app, ["extract", str(src), "--format", "jsonl"])
    errors = [ln for ln in ingest.stderr.splitlines() if ln.startswith("rasd: error:")]
    assert errors == [ln for ln in extract.stderr.splitlines() if ln.startswith("rasd: error:")]
    assert errors == [
        f"rasd: error: {src}:2: malformed JSON (Expecting value at column 8)",
        f"rasd: error: {src}:3: malformed JSON (Unterminated string starting at column 21)",
    ]
    assert "at at" not in ingest.stderr + extract.stderr
    assert _urls(db) == {"a": None}


def test_malformed_json_file_message_has_no_doubled_at(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"text": "abc', encoding="utf-8")
    result = CliRunner().invoke(app, ["extract", str(bad)])
    assert "(Unterminated string starting at line 1 column 10)" in result.stderr
