"""Writers for ``rasd export``: one flat ACLED-style row per event, or per fused event.

Column conventions (ACLED's names where a field applies):

* ``event_id_cnty`` — ``<ISO2>-<first 12 hex of the article's sha256>-<event position>`` for
  article events, ``<ISO2>-F<first 12 hex of the fused key>`` for fused events (``XX`` when the
  country is unknown); stable across databases holding the same articles.
* The ``acled-csv`` columns are exactly ACLED's (:data:`ACLED_COLUMNS`, ACLED's order), so the
  file is a drop-in for ACLED data; ``extra_columns`` (``rasd export --extra-columns``) appends
  :data:`EXTRA_COLUMNS` (``review_status`` first). GeoJSON and Parquet always carry the extras.
* ``event_date`` ISO ``YYYY-MM-DD``; ``time_precision`` 1 = day, 2 = week, 3 = month or year.
  An event without a date is exported with an empty ``event_date``, ``year`` and
  ``time_precision`` (never a precision without a date).
* ``iso`` the ISO 3166-1 numeric code, ``region`` ACLED's region and ``country`` ACLED's country
  name, from the shared table ``resources/data/countries/countries.tsv`` (unknown: ISO2 code, empty
  ``iso`` and ``region``); ``assoc_actor_1``, ``assoc_actor_2``, ``admin3`` and ``tags`` are empty.
* ``civilian_targeting`` = ``Civilian targeting`` when actor2 is civilians (ACLED code 7).
* ``source_scale`` combines the scopes (``sources.yaml`` ``scope``: Local, National, Regional,
  International, Other, New media) of the outlet and the cited sources, distinct, in the order
  Other, New media, Local, National, Regional, International, joined by ``-``
  ("National-International"); empty when none is known.
* ``review_status`` unreviewed / accepted / corrected / rejected; for a fused event: unreviewed
  when no report was reviewed, corrected when any was corrected, else accepted. Rejected events
  are left out unless ``review="all"`` (fused events never contain them).
* ``disorder_type`` derived from the event type as ACLED does; ``inter1``/``inter2`` ACLED actor
  codes; ``interaction`` = the two codes, lower first (``10 × inter1`` for a sole actor).
* ``source`` the outlet then the sources the article cites, ``"; "``-separated.
* ``fatalities`` follows ACLED: ``0`` when no figure was reported (the stored value is ``null``);
  ``injuries`` stays empty when unreported. For fused events ``fatalities`` is the lowest
  figure reported.
* ``timestamp`` the Unix time the article was ingested (fused events: the latest report).
* extras: ``review_status``, ``injuries``, ``certainty``, ``role``, ``confidence``, ``evidence`` (``start-end``
  spans, ``"; "``-separated; fused: ``doc_id:start-end``), ``doc_id``, and for fused events
  ``n_reports``, ``fatalities_max``.
"""

from __future__ import annotations

import csv
import functools
import json
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

import yaml
from sqlalchemy import Connection, select

from ..countries import countries
from ..store import schema
from ..store.db import Store
from ..store.records import EventFilter, event_row, iter_article_events, load_records
from ..types import ArticleRecord

__all__ = [
    "ACLED_COLUMNS",
    "EXTRA_COLUMNS",
    "FORMATS",
    "FUSED_COLUMNS",
    "country_info",
    "csv_columns",
    "export",
    "iter_rows",
    "record_rows",
    "source_scale",
    "write_parquet",
]

ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)  # fmt: skip
"""ACLED's columns in ACLED's order: the whole of an ``acled-csv`` export by default."""
EXTRA_COLUMNS = ("review_status", "injuries", "certainty", "role", "confidence", "evidence", "doc_id")
FUSED_COLUMNS = ("n_reports", "fatalities_max")
FORMATS = ("acled-csv", "geojson", "jsonl", "parquet")

TIME_PRECISION = {"day": 1, "week": 2, "month": 3, "year": 3}

SCALE_ORDER = ("Other", "New media", "Local", "National", "Regional", "International")
"""How scopes are ordered in a combined ``source_scale``."""
CIVILIANS = 7
"""ACLED's actor code of civilians."""


@functools.lru_cache(maxsize=1)
def _acled_data() -> dict[str, Any]:
    """``acled/export.yaml``: ACLED's region names and the outlet aliases; the countries' ACLED
    names, ISO numeric codes and regions come from the shared table (:mod:`rasd.countries`)."""
    path = Path(__file__).resolve().parents[1] / "resources" / "data" / "acled" / "export.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    regions = set(data["regions"])
    for code, c in countries().items():
        if c.acled_region and c.acled_region not in regions:
            raise ValueError(f"countries.tsv: {code}: unknown ACLED region {c.acled_region!r}")
    return data


def country_info(code: str | None) -> dict[str, Any]:
    """ACLED's ``country`` name, ``iso`` (numeric) and ``region`` of an ISO2 code (empty when unknown)."""
    if not code:
        return {"country": None, "iso": None, "region": None}
    _acled_data()  # validates the regions
    c = countries().get(code.upper())
    if c is None:
        return {"country": code, "iso": None, "region": None}
    return {"country": c.acled_name, "iso": c.iso_numeric, "region": c.acled_region or None}


COUNTRY_NAMES = {code: c.acled_name for code, c in countries().items()}
"""ISO2 → ACLED's English country name."""


def _key(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


@functools.lru_cache(maxsize=1)
def _scopes() -> dict[str, str]:
    """Source names (canonical, accepted, outlet aliases; folded) → scope."""
    from ..resources.loader import load_resources

    lex = load_resources().sources
    out: dict[str, str] = {}
    for s in lex.sources():
        for name in (s.name, *s.accept):
            out.setdefault(_key(name), s.source_scale)
    for outlet, sid in _acled_data().get("outlet_aliases", {}).items():
        out[_key(outlet)] = lex.get(sid).source_scale
    return out


def source_scale(names: Iterable[str | None]) -> str | None:
    """ACLED's ``source_scale`` of an event reported by ``names`` (outlets and cited sources)."""
    scopes = _scopes()
    found = {scopes[k] for k in (_key(n) for n in names if n) if k in scopes}
    return "-".join(s for s in SCALE_ORDER if s in found) or None


def fused_review_status(statuses: Iterable[str | None]) -> str:
    """The review status of a fused event from its reports' ``events.review`` values."""
    seen = {s for s in statuses if s}
    if not seen - {"rejected"}:
        return "unreviewed"
    return "corrected" if "corrected" in seen else "accepted"


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
        "time_precision": TIME_PRECISION.get(row["date_precision"] or "") if d else None,
        "disorder_type": disorder_type(row["event_type"], row["sub_event_type"]),
        "event_type": row["event_type"],
        "sub_event_type": row["sub_event_type"],
        "actor1": row["actor1_name"],
        "assoc_actor_1": None,
        "inter1": i1,
        "actor2": row["actor2_name"],
        "assoc_actor_2": None,
        "inter2": i2,
        "interaction": interaction(i1, i2),
        "civilian_targeting": "Civilian targeting" if i2 == CIVILIANS and row["actor2_name"] else None,
        **country_info(row["country"]),
        "country_code": row["country"],
        "admin1": row["admin1"],
        "admin2": row["admin2"],
        "admin3": None,
        "location": row["location_name"],
        "latitude": row["latitude"],
        "longitude": row["longitude"],
        "geo_precision": row["geo_precision"],
        "notes": row["notes"] or None,
        "tags": None,
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
            out["source_scale"] = source_scale([art["outlet"], *ev.sources])
            out["review_status"] = row["review"] or "unreviewed"
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
        out["source_scale"] = source_scale([record.outlet, *ev.sources])
        out["review_status"] = "unreviewed"
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
            e.c.review,
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
        out["source_scale"] = source_scale(
            [*(m["outlet"] for m in members), *(n for m in members for n in m["sources"])]
        )
        out["review_status"] = fused_review_status(m["review"] for m in members)
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


def csv_columns(fused: bool = False, extra_columns: bool = False) -> list[str]:
    """The columns of an ``acled-csv`` export: ACLED's, plus the extras when asked."""
    return _columns(fused) if extra_columns else list(ACLED_COLUMNS)


def _write_csv(rows: Iterator[dict[str, Any]], fh: IO[str], fused: bool, extra_columns: bool = False) -> int:
    cols = csv_columns(fused, extra_columns)
    writer = csv.DictWriter(fh, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
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
        "iso": pa.int32(),
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
    *,
    review: str = "default",
    extra_columns: bool = False,
    where: EventFilter | None = None,
    min_confidence: float | None = None,
) -> int:
    """Write the stored (or, with ``fused``, the fused) events to ``out``; returns how many.

    ``fmt`` is one of :data:`FORMATS`: ``acled-csv`` (exactly ACLED's columns; with
    ``extra_columns`` also :data:`EXTRA_COLUMNS`, see the module docstring), ``geojson`` (a
    FeatureCollection of points; events without coordinates are left out), ``jsonl`` (article
    events: one v1 record per article; fused: one fused event with its reports per line) or
    ``parquet``. ``out`` may be ``"-"`` (standard output) except for Parquet.
    ``date_from``/``date_to`` (inclusive, on the event date), ``country`` (ISO2) and
    ``event_type`` (type or sub-type) select events, or ``where`` (an :class:`EventFilter`)
    does. Rejected events are left out unless ``review`` is ``"all"`` (see
    :data:`rasd.store.records.REVIEW_CHOICES`), and so are events below ``min_confidence``.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
    flt = where or EventFilter(
        date_from=date_from,
        date_to=date_to,
        country=country,
        event_type=event_type,
        review=review,
        min_confidence=min_confidence,
    )
    if fmt == "parquet":
        if str(out) == "-":
            raise ValueError("parquet cannot be written to standard output; give a file name")
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        return _write_parquet(iter_rows(store, fused=fused, where=flt), path, fused)
    writers: dict[str, Callable[[IO[str]], int]] = {
        "acled-csv": lambda fh: _write_csv(iter_rows(store, fused=fused, where=flt), fh, fused, extra_columns),
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
