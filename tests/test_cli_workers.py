"""``rasd extract --workers N`` gives exactly the one-process output, in input order."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from rasd.cli import app
from rasd.errors import ReadError
from rasd.inputs import iter_articles
from rasd.parallel import ExtractionFailure, extract_parallel

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
runner = CliRunner()


def _extract(tmp_path: Path, workers: int, *extra: str) -> str:
    out = tmp_path / f"w{workers}.jsonl"
    args = ["extract", str(EXAMPLES), "--meta", str(EXAMPLES / "meta.jsonl"), "-f", "jsonl", "-o", str(out)]
    result = runner.invoke(app, [*args, "--workers", str(workers), *extra])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def test_two_workers_equal_one(tmp_path: Path) -> None:
    one = _extract(tmp_path, 1, "--min-confidence", "0")
    two = _extract(tmp_path, 2, "--min-confidence", "0")
    assert one == two
    assert len(one.splitlines()) == 6


def test_read_errors_keep_their_place_and_count(tmp_path: Path) -> None:
    (tmp_path / "a_empty.txt").write_text("")
    good = tmp_path / "b_good.txt"
    good.write_text((EXAMPLES / "dev_017_977e9b28.txt").read_text(encoding="utf-8"), encoding="utf-8")
    items = list(iter_articles([tmp_path], pub_date=None))
    outcomes = list(extract_parallel(items, 2, chunksize=1))
    assert [item for item, _ in outcomes] == items
    assert isinstance(outcomes[0][0], ReadError) and outcomes[0][1] is None
    assert not isinstance(outcomes[1][1], ExtractionFailure) and outcomes[1][1] is not None
    assert outcomes[1][1].doc_id == "b_good"
