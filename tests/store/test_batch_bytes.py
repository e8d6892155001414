"""Hardening (issue 17, item 2): ingest memory follows the input's record sizes, not the batch
size. Batches (and the look-ahead sent to ``--workers``) end when their texts reach
``batch_bytes``: the articles pulled from the input ahead of the last commit stay within a few
``batch_bytes``, however large each record is. (200 records of 18.8 MB in one 200-article batch
drove ingest to 3.9 GB.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rasd.store import Store, ingest
from rasd.store.ingest import extracted_on_workers, ingest_articles, text_bytes
from rasd.store.records import iter_chunks
from rasd.types import Article

MB = 400_000  # "a megabyte" of this test: small enough to be quick, big enough to matter
WORDS = ["قال", "المدير", "إن", "الشركة", "ستفتتح", "فرعا", "جديدا", "في", "المدينة", "خلال", "العام", "المقبل"]


def _big(i: int, size: int = MB) -> Article:
    """About ``size`` bytes (UTF-8) of everyday (no event) Arabic, distinct per ``i``."""
    text = " ".join(f"{WORDS[k % len(WORDS)]}{i}" for k in range(size // 11))
    return Article(text=text, doc_id=f"big{i}")


def _watched(store: Store, n: int, ahead: list[int]) -> Iterator[Article]:
    """``n`` big articles; before yielding each, how many read articles are not stored yet."""
    for i in range(n):
        ahead.append(i - store.count("articles"))
        yield _big(i)


def test_chunks_are_cut_by_bytes() -> None:
    sizes = [3, 3, 3, 10, 1, 1, 1, 1]
    chunks = list(iter_chunks(sizes, 100, max_bytes=6, size_of=int))
    assert chunks == [[3, 3], [3, 10], [1, 1, 1, 1]]
    assert list(iter_chunks(sizes, 3)) == [[3, 3, 3], [10, 1, 1], [1, 1]]  # count only, as before


def test_batches_end_at_batch_bytes(db_url: str) -> None:
    ahead: list[int] = []
    with Store.open(db_url) as store:
        s = ingest_articles(
            _watched(store, 12, ahead), store, batch_size=200, batch_bytes=int(2.5 * MB), run_fusion=False
        )
        assert s.new == 12 and store.count("articles") == 12
    assert max(ahead) <= 3  # at most 2.5 MB (3 articles) read ahead of the store; before: all 12


def test_workers_look_ahead_is_bounded_by_bytes(db_url: str) -> None:
    ahead: list[int] = []
    with Store.open(db_url) as store:
        items = extracted_on_workers(_watched(store, 24, ahead), store, 2, max_bytes=2 * MB)
        s = ingest_articles(items, store, batch_size=200, batch_bytes=2 * MB, run_fusion=False)
        assert s.new == 24 and not s.failed
    # screened look-ahead + texts in flight to the workers + the batch being filled, each about
    # 2 MB (2 articles) plus one: before, 256 + 4 x 32 articles (here: all 24) before any commit
    assert max(ahead) <= 12


def test_cli_batch_bytes(tmp_path, db_url: str) -> None:
    from typer.testing import CliRunner

    from rasd.cli import app

    lines = [f'{{"id": "b{i}", "text": "{_big(i, 300_000).text}"}}' for i in range(6)]
    (tmp_path / "big.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["ingest", str(tmp_path / "big.jsonl"), "--db", db_url, "--batch-bytes", "500000", "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    with Store.open(db_url) as store:
        assert store.count("articles") == 6


def test_text_bytes_of_every_item_kind() -> None:
    art = Article(text="غارة", doc_id="x")
    assert text_bytes(art) > 8 and text_bytes((art, None)) == text_bytes(art)
    from rasd.errors import ReadError

    assert text_bytes(ReadError("p", "bad")) == 0


@pytest.mark.parametrize("bad", [0, -1])
def test_batch_bytes_must_be_positive(tmp_path, bad: int) -> None:
    with Store.open(f"sqlite:///{tmp_path / 'r.db'}") as store, pytest.raises(ValueError, match="batch_bytes"):
        ingest([str(tmp_path)], store, batch_bytes=bad, progress=False)
