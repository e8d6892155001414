"""ACLED drop-in columns: iso, region, civilian_targeting, source_scale, dates without precision."""

from __future__ import annotations

from datetime import date

from rasd.export import ACLED_COLUMNS
from rasd.export.formats import _common, country_info, fused_review_status, record_rows, source_scale
from rasd.store.records import event_row
from rasd.types import Actor, ArticleRecord, Event, Location

ACLED_ORDER = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
]


def _event(**kw) -> Event:
    base = dict(
        event_type="Violence against civilians",
        sub_event_type="Attack",
        date=date(2023, 4, 10),
        date_precision="day",
        location=Location(text="x", name="Raqqa", country="SY", admin1="Raqqa", lat=35.9, lon=39.0, geo_precision=1),
        actor1=Actor(text="a", name="Islamic State (Syria)", inter=2),
        actor2=Actor(text="b", name="Civilians (Syria)", inter=7),
        fatalities=3,
        injuries=None,
        sources=["Syrian Observatory for Human Rights", "Reuters"],
        certainty="reported",
        role="main",
        confidence=0.9,
        notes="n",
    )
    base.update(kw)
    return Event(**base)


def test_columns_are_acleds_in_acleds_order() -> None:
    assert list(ACLED_COLUMNS) == ACLED_ORDER


def test_row_fields() -> None:
    rec = ArticleRecord(doc_id="d", pub_date=date(2023, 4, 11), events=[_event()], outlet="Arab48")
    row = next(record_rows(rec, content_hash="ab" * 32))
    assert set(ACLED_COLUMNS) <= set(row)
    assert row["iso"] == 760 and row["region"] == "Middle East" and row["country"] == "Syria"
    assert row["civilian_targeting"] == "Civilian targeting"
    # Arab48 (National), SOHR (Other), Reuters (International)
    assert row["source_scale"] == "Other-National-International"
    assert row["review_status"] == "unreviewed"


def test_an_undated_event_has_no_precision() -> None:
    row = _common(event_row(_event(date=None, date_precision="day"), article_id=0, seq=0, extractor_version=""))
    assert row["event_date"] is None and row["year"] is None and row["time_precision"] is None


def test_no_civilian_targeting_without_civilians() -> None:
    ev = _event(actor2=Actor(text="b", name="Military Forces of Syria", inter=1))
    assert _common(event_row(ev, article_id=0, seq=0, extractor_version=""))["civilian_targeting"] is None


def test_country_data() -> None:
    assert country_info("af") == {"country": "Afghanistan", "iso": 4, "region": "South Asia"}
    assert country_info("ZZ") == {"country": "ZZ", "iso": None, "region": None}
    assert country_info(None)["iso"] is None
    # a country the hand-typed list lacked: codes from GeoNames, region from the M49 mapping
    assert country_info("GH") == {"country": "Ghana", "iso": 288, "region": "Western Africa"}
    assert country_info("ZM") == {"country": "Zambia", "iso": 894, "region": "Eastern Africa"}
    assert country_info("CD")["country"] == "Democratic Republic of Congo"
    from rasd.countries import countries

    isos = [c.iso_numeric for c in countries().values() if c.iso_numeric is not None]
    assert len(isos) == len(set(isos)) and len(isos) > 240


def test_source_scale_and_fused_status() -> None:
    assert source_scale(["Sky News Arabia"]) == "Regional"
    assert source_scale(["Local sources", "Agence France-Presse"]) == "Local-International"
    assert source_scale(["Unknown Gazette"]) is None
    assert fused_review_status([None, None]) == "unreviewed"
    assert fused_review_status(["accepted", None]) == "accepted"
    assert fused_review_status(["accepted", "corrected"]) == "corrected"
