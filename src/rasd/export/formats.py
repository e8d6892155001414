"""Writers for ``rasd export``: one flat ACLED-style row per event, or per fused event.

Column conventions (ACLED's names where a field applies):

* ``event_id_cnty`` — ``<ISO2>-<first 12 hex of the article's sha256>-<event position>`` for
  article events, ``<ISO2>-F<first 12 hex of the fused key>`` for fused events (``XX`` when the
  country is unknown); stable across databases holding the same articles.
* ``event_date`` ISO ``YYYY-MM-DD``; ``time_precision`` 1 = day, 2 = week, 3 = month or year.
* ``disorder_type`` derived from the event type as ACLED does; ``inter1``/``inter2`` ACLED actor
  codes; ``interaction`` = the two codes, lower first (``10 × inter1`` for a sole actor).
* ``country`` the English country name (ISO2 code when unlisted); ``source`` the outlet then the
  sources the article cites, ``"; "``-separated; ``source_scale`` is left empty.
* ``fatalities`` follows ACLED: ``0`` when no figure was reported (the stored value is ``null``);
  ``injuries`` stays empty when unreported. For fused events ``fatalities`` is the lowest
  figure reported.
* ``timestamp`` the Unix time the article was ingested (fused events: the latest report).
* extras: ``injuries``, ``certainty``, ``role``, ``confidence``, ``evidence`` (``start-end``
  spans, ``"; "``-separated; fused: ``doc_id:start-end``), ``doc_id``, and for fused events
  ``n_reports``, ``fatalities_max``.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, select

from ..store import schema
from ..store.db import Store
from ..store.records import EventFilter, event_row, iter_article_events, load_records
from ..types import ArticleRecord

__all__ = [
    "ACLED_COLUMNS",
    "EXTRA_COLUMNS",
    "FORMATS",
    "FUSED_COLUMNS",
    "export",
    "iter_rows",
    "record_rows",
    "write_parquet",
]

ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "inter1", "actor2", "inter2", "interaction", "country", "admin1", "admin2", "location",
    "latitude", "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "timestamp",
)  # fmt: skip
EXTRA_COLUMNS = ("injuries", "certainty", "role", "confidence", "evidence", "doc_id")
FUSED_COLUMNS = ("n_reports", "fatalities_max")
FORMATS = ("acled-csv", "geojson", "jsonl", "parquet")

TIME_PRECISION = {"day": 1, "week": 2, "month": 3, "year": 3}

COUNTRY_NAMES = {
    "AE": "United Arab Emirates", "AF": "Afghanistan", "BH": "Bahrain", "CY": "Cyprus", "DJ": "Djibouti",
    "DZ": "Algeria", "EG": "Egypt", "ER": "Eritrea", "ET": "Ethiopia", "FR": "France", "GB": "United Kingdom",
    "IL": "Israel", "IQ": "Iraq", "IR": "Iran", "JO": "Jordan", "KM": "Comoros", "KW": "Kuwait",
    "LB": "Lebanon", "LY": "Libya", "MA": "Morocco", "ML": "Mali", "MR": "Mauritania", "NE": "Niger",
    "NG": "Nigeria", "OM": "Oman", "PK": "Pakistan", "PS": "Palestine", "QA": "Qatar", "RU": "Russia",
    "SA": "Saudi Arabia", "SD": "Sudan", "SO": "Somalia", "SS": "South Sudan", "SY": "Syria", "TD": "Chad",
    "TN": "Tunisia", "TR": "Turkey", "UA": "Ukraine", "US": "United States", "YE": "Yemen",
}  # fmt: skip


def disorder_type(event_type: str, sub_event_type: str) -> str:
    """ACLED's disorder type of an event (sub-)type."""
    if event_type == "Strategic developments":
        return "Strategic developments"
    if sub_event_type == "Excessive force against protesters":
        return "Political violence; Demonstrations"
    if sub_event_type == "Mob violence":
        return "Political violence"
    if event_type in ("Protests", "Riots"):
        return "Demonstrations"
    return "Political violence"


def interaction(inter1: int | None, inter2: int | None) -> int | None:
    """ACLED's interaction code: both actor codes, lower first; ``10 × inter1`` for a sole actor."""
    codes = sorted(c for c in (inter1, inter2) if c is not None)
    if not codes:
        return None
    if len(codes) == 1:
        return codes[0] * 10 if inter1 is not None else codes[0]
    return codes[0] * 10 + codes[1]


def _country(code: str | None) -> str | None:
    return COUNTRY_NAMES.get(code, code) if code else None


def _epoch(value: datetime | None) -> int | None:
    if value is None:
        return None
    return int((value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp())  # stored in UTC


def _sources(outlets: Sequence[str | None], cited: Sequence[str]) -> str:
    seen: dict[str, None] = {}
    for name in (*outlets, *cited):
        if name and name not in seen:
            seen[name] = None
    return "; ".join(seen)


def _common(row: Mapping[str, Any]) -> dict[str, Any]:
    d: date | None = row["date"]
    i1, i2 = row["actor1_inter"], row["actor2_inter"]
    return {
        "event_date": d.isoformat() if d else None,
        "year": d.year if d else None,
        "time_precision": TIME_PRECISION.get(row["date_precision"] or ""),
        "disorder_type": disorder_type(row["event_type"], row["sub_event_type"]),
        "event_type": row["event_type"],
        "sub_event_type": row["sub_event_type"],
        "actor1": row["actor1_name"],
        "inter1": i1,
        "actor2": row["actor2_name"],
        "inter2": i2,
        "interaction": interaction(i1, i2),
        "country": _country(row["country"]),
        "country_code": row["country"],
        "admin1": row["admin1"],
        "admin2": row["admin2"],
        "location": row["location_name"],
        "latitude": row["latitude"],
        "longitude": row["longitude"],
        "geo_precision": row["geo_precision"],
        "source_scale": None,
        "notes": row["notes"] or None,
        "fatalities": row["fatalities"] if row["fatalities"] is not None else 0,
        "injuries": row["injuries"],
        "certainty": row["certainty"],
        "role": row["role"],
        "confidence": round(float(row["confidence"]), 3),
    }


def _article_rows(store: Store, flt: EventFilter) -> Iterator[dict[str, Any]]:
    for art, evs in iter_article_events(store, flt):
        for row, ev in evs:
            out = _common(row)
            out["event_id_cnty"] = f"{row['country'] or 'XX'}-{art['content_hash'][:12]}-{row['seq']}"
            out["source"] = _sources([art["outlet"]], ev.sources)
            out["timestamp"] = _epoch(art["ingested_at"])
            out["evidence"] = "; ".join(f"{s.start}-{s.end}" for s in ev.evidence)
            out["doc_id"] = art["doc_id"]
            yield out


def record_rows(record: ArticleRecord, *, content_hash: str, timestamp: int | None = None) -> Iterator[dict[str, Any]]:
    """Export rows of one extracted (not stored) article record, as :func:`iter_rows` gives stored ones.

    ``content_hash`` is the sha256 of the article's text (:func:`rasd.store.content_hash`), which
    makes ``event_id_cnty`` the same as after storing it; ``timestamp`` (the ingest time in the
    store) is left empty unless given, so the rows of a record are deterministic.
    """
    for seq, ev in enumerate(record.events):
        row = event_row(ev, article_id=0, seq=seq, extractor_version="")
        out = _common(row)
        out["event_id_cnty"] = f"{row['country'] or 'XX'}-{content_hash[:12]}-{seq}"
        out["source"] = _sources([record.outlet], ev.sources)
        out["timestamp"] = timestamp
        out["evidence"] = "; ".join(f"{s.start}-{s.end}" for s in ev.evidence)
        out["doc_id"] = record.doc_id
        yield out


def _members(conn: Connection, fused_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Linked reports of fused events: article fields, event position, figures, evidence, sources."""
    fm, e, a = schema.fused_event_members, schema.events, schema.articles
    ev, so = schema.evidence, schema.event_sources
    stmt = (
        select(
            fm.c.fused_event_id,
            e.c.id.label("event_id"),
            e.c.seq,
            e.c.fatalities,
            e.c.injuries,
            e.c.confidence,
            a.c.doc_id,
            a.c.outlet,
            a.c.pub_date,
            a.c.url,
            a.c.content_hash,
            a.c.ingested_at,
        )
        .join(e, e.c.id == fm.c.event_id)
        .join(a, a.c.id == e.c.article_id)
        .where(fm.c.fused_event_id.in_(fused_ids))
        .order_by(fm.c.fused_event_id, a.c.content_hash, e.c.seq)
    )
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = conn.execute(stmt).mappings().all()
    event_ids = [r["event_id"] for r in rows]
    spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    cited: dict[int, list[str]] = defaultdict(list)
    for i in range(0, len(event_ids), 500):
        chunk = event_ids[i : i + 500]
        for r in conn.execute(
            select(ev.c.event_id, ev.c.start, ev.c.end)
            .where(ev.c.event_id.in_(chunk))
            .order_by(ev.c.event_id, ev.c.seq)
        ):
            spans[r.event_id].append((r.start, r.end))
        for r in conn.execute(
            select(so.c.event_id, so.c.name).where(so.c.event_id.in_(chunk)).order_by(so.c.event_id, so.c.seq)
        ):
            cited[r.event_id].append(r.name)
    for r in rows:
        m = dict(r)
        m["evidence"] = spans.get(r["event_id"], [])
        m["sources"] = cited.get(r["event_id"], [])
        out[r["fused_event_id"]].append(m)
    return out


def _fused(
    store: Store, flt: EventFilter, batch: int = 500
) -> Iterator[tuple[Mapping[str, Any], list[dict[str, Any]]]]:
    fe = schema.fused_events
    with store.engine.connect() as conn:
        last = 0
        while True:
            stmt = flt.apply(select(fe).where(fe.c.id > last), fe).order_by(fe.c.id).limit(batch)
            rows = conn.execute(stmt).mappings().all()
            if not rows:
                return
            last = rows[-1]["id"]
            members = _members(conn, [r["id"] for r in rows])
            for r in rows:
                yield r, members.get(r["id"], [])


def _fused_rows(store: Store, flt: EventFilter) -> Iterator[dict[str, Any]]:
    for row, members in _fused(store, flt):
        out = _common(row)
        out["event_id_cnty"] = f"{row['country'] or 'XX'}-F{row['key'][:12]}"
        out["source"] = _sources([m["outlet"] for m in members], [name for m in members for name in m["sources"]])
        stamps = [_epoch(m["ingested_at"]) for m in members]
        out["timestamp"] = max((s for s in stamps if s is not None), default=None)
        out["evidence"] = "; ".join(f"{m['doc_id']}:{s}-{e}" for m in members for s, e in m["evidence"])
        out["doc_id"] = "; ".join(dict.fromkeys(m["doc_id"] for m in members))
        out["n_reports"] = row["n_reports"]
        out["fatalities_max"] = row["fatalities_max"]
        yield out


def iter_rows(store: Store, *, fused: bool = False, where: EventFilter | None = None) -> Iterator[dict[str, Any]]:
    """Flat ACLED-style rows (``ACLED_COLUMNS`` + extras) of the stored or fused events."""
    flt = where or EventFilter()
    return _fused_rows(store, flt) if fused else _article_rows(store, flt)


def _columns(fused: bool) -> list[str]:
    return [*ACLED_COLUMNS, *EXTRA_COLUMNS, *(FUSED_COLUMNS if fused else ())]


def _write_csv(rows: Iterator[dict[str, Any]], fh: IO[str], fused: bool) -> int:
    writer = csv.DictWriter(fh, fieldnames=_columns(fused), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    n = 0
    for row in rows:
        writer.writerow(row)
        n += 1
    return n


def _write_geojson(rows: Iterator[dict[str, Any]], fh: IO[str], fused: bool) -> int:
    cols = [*_columns(fused), "country_code"]
    fh.write('{"type": "FeatureCollection", "features": [\n')
    n = 0
    for row in rows:
        if row["latitude"] is None or row["longitude"] is None:
            continue  # a point needs coordinates
        feature = {
            "type": "Feature",
            "id": row["event_id_cnty"],
            "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
            "properties": {c: row.get(c) for c in cols},
        }
        fh.write((",\n" if n else "") + json.dumps(feature, ensure_ascii=False))
        n += 1
    fh.write("\n]}\n")
    return n


def _write_jsonl(store: Store, fh: IO[str], fused: bool, flt: EventFilter) -> int:
    """Article mode: one v1 record per article (``rasd eval`` reads it). Fused: one fused event per line."""
    n = 0
    if not fused:
        for _, rec in load_records(store, flt):
            fh.write(json.dumps(rec.to_dict(), ensure_ascii=False) + "\n")
            n += len(rec.events)
        return n
    for row, members in _fused(store, flt):
        obj = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items() if k != "id"}
        obj["reports"] = [
            {
                "doc_id": m["doc_id"],
                "outlet": m["outlet"],
                "pub_date": m["pub_date"].isoformat() if m["pub_date"] else None,
                "url": m["url"],
                "event_index": m["seq"],
                "fatalities": m["fatalities"],
                "injuries": m["injuries"],
                "sources": m["sources"],
                "evidence": [{"start": s, "end": e} for s, e in m["evidence"]],
            }
            for m in members
        ]
        fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
        n += 1
    return n


def write_parquet(rows: Iterable[dict[str, Any]], out: str | Path, *, fused: bool = False) -> int:
    """Write export rows (:func:`iter_rows`, :func:`record_rows`) as the Parquet of ``rasd export``.

    The file is written next to ``out`` and renamed over it, so a reader never sees half a file
    and re-writing the same rows gives the same bytes. Returns the number of rows.
    """
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    n = _write_parquet(iter(rows), tmp, fused)
    tmp.replace(path)
    return n


def _write_parquet(rows: Iterator[dict[str, Any]], out: Path, fused: bool) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types: dict[str, pa.DataType] = {
        "event_date": pa.date32(),
        "year": pa.int32(),
        "time_precision": pa.int8(),
        "inter1": pa.int8(),
        "inter2": pa.int8(),
        "interaction": pa.int16(),
        "latitude": pa.float64(),
        "longitude": pa.float64(),
        "geo_precision": pa.int8(),
        "fatalities": pa.int64(),
        "timestamp": pa.int64(),
        "injuries": pa.int64(),
        "confidence": pa.float64(),
        "n_reports": pa.int32(),
        "fatalities_max": pa.int64(),
    }
    cols = [*_columns(fused), "country_code"]
    arrow_schema = pa.schema([(c, types.get(c, pa.string())) for c in cols])
    n = 0
    with pq.ParquetWriter(out, arrow_schema) as writer:
        chunk: list[dict[str, Any]] = []

        def flush() -> None:
            if chunk:
                data = [
                    {
                        **{c: r.get(c) for c in cols},
                        "event_date": date.fromisoformat(r["event_date"]) if r["event_date"] else None,
                    }
                    for r in chunk
                ]
                writer.write_table(pa.Table.from_pylist(data, schema=arrow_schema))
                chunk.clear()

        for row in rows:
            chunk.append(row)
            n += 1
            if len(chunk) >= 10_000:
                flush()
        flush()
    return n


def export(
    store: Store,
    fmt: str,
    out: str | Path,
    fused: bool = False,
    date_from: date | None = None,
    date_to: date | None = None,
    country: str | None = None,
    event_type: str | None = None,
) -> int:
    """Write the stored (or, with ``fused``, the fused) events to ``out``; returns how many.

    ``fmt`` is one of :data:`FORMATS`: ``acled-csv`` (ACLED columns + extras, see the module
    docstring), ``geojson`` (a FeatureCollection of points; events without coordinates are left
    out), ``jsonl`` (article events: one v1 record per article; fused: one fused event with its
    reports per line) or ``parquet``. ``out`` may be ``"-"`` (standard output) except for
    Parquet. ``date_from``/``date_to`` (inclusive, on the event date), ``country`` (ISO2) and
    ``event_type`` (type or sub-type) select events.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    flt = EventFilter(date_from=date_from, date_to=date_to, country=country, event_type=event_type)
    if fmt == "parquet":
        if str(out) == "-":
            raise ValueError("parquet cannot be written to standard output; give a file name")
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        return _write_parquet(iter_rows(store, fused=fused, where=flt), path, fused)
    writers: dict[str, Callable[[IO[str]], int]] = {
        "acled-csv": lambda fh: _write_csv(iter_rows(store, fused=fused, where=flt), fh, fused),
        "geojson": lambda fh: _write_geojson(iter_rows(store, fused=fused, where=flt), fh, fused),
        "jsonl": lambda fh: _write_jsonl(store, fh, fused, flt),
    }
    if str(out) == "-":
        return writers[fmt](sys.stdout)
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        n = writers[fmt](fh)
    tmp.replace(path)
    return n
