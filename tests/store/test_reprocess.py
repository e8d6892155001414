"""``rasd reprocess``: re-extraction of articles stored by an older extractor, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select, update
from typer.testing import CliRunner

from rasd.store import Store, extractor_version, ingest, reprocess, schema

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _versions(st: Store) -> dict[str, int]:
    e = schema.events
    with st.engine.connect() as conn:
        rows = conn.execute(select(e.c.extractor_version, func.count()).group_by(e.c.extractor_version)).all()
    return {v: n for v, n in rows}


def _signature(st: Store) -> list[tuple[object, ...]]:
    e, a = schema.events, schema.articles
    with st.engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(a.c.doc_id, e.c.seq, e.c.event_type, e.c.sub_event_type, e.c.fatalities, e.c.place_id)
                .join(a, a.c.id == e.c.article_id)
                .order_by(a.c.doc_id, e.c.seq)
            )
        ]


def test_reprocess_replaces_old_events_and_keeps_reviewed_ones(db_url: str, res, meta_path: Path) -> None:
    with Store.open(db_url) as st:
        ingest([EXAMPLES], st, meta=meta_path, batch_size=4, progress=False, resources=res)
        current = extractor_version()
        n_events, before = st.count("events"), _signature(st)
        assert n_events > 10

        nothing = reprocess(st, batch_size=2, resources=res)  # everything is current already
        assert (nothing.articles, nothing.fused) == (0, None)

        e, a = schema.events, schema.articles
        with st.begin() as conn:
            conn.execute(update(e).values(extractor_version="0.0.1+old"))
            reviewed_id = conn.execute(select(e.c.id).order_by(e.c.id).limit(1)).scalar_one()
            conn.execute(
                update(e)
                .where(e.c.id == reviewed_id)
                .values(
                    reviewed_at=datetime(2025, 1, 2, tzinfo=UTC), review="checked against the source", fatalities=99
                )
            )
            conn.execute(update(a).values(extractor_version=None))  # as if stored before migration 0002
        assert _versions(st) == {"0.0.1+old": n_events}

        summary = reprocess(st, batch_size=2, resources=res)
        assert summary.articles == st.count("articles") == 6
        assert summary.batches == 3
        assert summary.kept == 1
        assert summary.failed == []
        assert summary.events_before == summary.events_after == n_events
        assert summary.fused == st.count("fused_events") > 0
        assert st.count("events") == n_events
        assert _versions(st) == {current: n_events - 1, "0.0.1+old": 1}  # the reviewed event is untouched
        with st.engine.connect() as conn:
            kept = conn.execute(select(e).where(e.c.id == reviewed_id)).one()
            assert (kept.review, kept.fatalities, kept.extractor_version) == (
                "checked against the source",
                99,
                "0.0.1+old",
            )
            assert set(conn.execute(select(a.c.extractor_version)).scalars()) == {current}
        with st.engine.connect() as conn:
            key = conn.execute(
                select(a.c.doc_id, e.c.seq).join(a, a.c.id == e.c.article_id).where(e.c.id == reviewed_id)
            ).one()
        expected = [(*r[:4], 99, r[5]) if r[:2] == tuple(key) else r for r in before]
        assert _signature(st) == expected  # same extractor: the same events, the reviewed one as reviewed
        # every event has its evidence again and belongs to exactly one fused event
        assert st.count("fused_event_members") == n_events
        again = reprocess(st, batch_size=2, resources=res)
        assert again.articles == 0


def test_reprocess_command(tmp_path: Path, res, meta_path: Path) -> None:
    from rasd.cli import app

    url = f"sqlite:///{tmp_path / 'r.db'}"
    with Store.open(url) as st:
        ingest([EXAMPLES], st, meta=meta_path, progress=False, resources=res)
        with st.begin() as conn:
            conn.execute(update(schema.events).values(extractor_version="old"))
    result = CliRunner().invoke(app, ["reprocess", "--db", url, "--batch-size", "4"])
    assert result.exit_code == 0, result.output
    assert "6" in result.output
    with Store.open(url) as st:
        assert set(_versions(st)) == {extractor_version()}


def test_upgrade_from_0001_then_reprocess(db_url: str, res) -> None:
    """A store created at 0001 (no per-article version) upgrades in place and is reprocessed."""
    from sqlalchemy import text

    st = Store.open(db_url, upgrade=False)
    try:
        st.upgrade("0001")
        story = sorted(EXAMPLES.glob("dev_*.txt"))[0].read_text(encoding="utf-8")
        with st.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO articles (doc_id, content_hash, text, ingested_at) "
                    "VALUES ('old', 'h0', :t, CURRENT_TIMESTAMP)"
                ),
                {"t": story},
            )
        st.upgrade()
        assert st.revision() == Store.head()
        with st.engine.connect() as conn:
            assert conn.execute(select(schema.articles.c.extractor_version)).scalar_one() is None
        s = reprocess(st, resources=res)
        assert (s.articles, s.events_before) == (1, 0)
        assert s.events_after == st.count("events") > 0
        assert set(_versions(st)) == {extractor_version()}
    finally:
        st.close()
