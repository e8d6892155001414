"""The matching rules of FORMAT.md "Scoring", one rule per test (locations, dates, actors, fields)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from rasd.eval.scorer import (
    actors_agree,
    compare_fields,
    date_correct,
    date_in_window,
    haversine_km,
    is_match,
    locations_agree,
)

EventFactory = Callable[..., dict[str, Any]]
KM_PER_DEGREE_LAT = haversine_km((0.0, 0.0), (1.0, 0.0))


def loc(text: str = "", name: str | None = None, lat: float | None = None, lon: float | None = None) -> dict:
    return {"text": text, "name": name, "country": "SY", "admin1": None, "lat": lat, "lon": lon}


# --------------------------------------------------------------------------- locations


@pytest.mark.parametrize(
    ("gold_text", "pred_text"),
    [
        ("حقل كونيكو للغاز", "كونيكو للغاز"),  # pred contained in gold
        ("كونيكو للغاز", "حقل كونيكو للغاز"),  # gold contained in pred
        ("حقل كونيكو للغاز", "حَقْلُ كونيكو للغاز"),  # diacritics
        ("مدينة البوكمال", "البوكمال"),  # leading ال dropped per token
        ("مدينة البوكمال", "بوكمال"),
        ("محافظة إدلب", "ادلب"),  # hamza on alef
        ("الأنبار", "انبار"),
        ("شمال شرق سورية", "سوريه"),  # ta marbuta
        ("الرقة", "الـرقة"),  # tatweel
        ("مستشفى الرعاية", "مستشفى رعايه"),
    ],
)
def test_location_text_containment_after_normalization(gold_text: str, pred_text: str) -> None:
    assert locations_agree(loc(gold_text, "A"), loc(pred_text, "B"))


@pytest.mark.parametrize(
    ("gold_text", "pred_text"),
    [
        ("دير الزور", "الحسكة"),
        ("حقلي عمر للنفط", "كونيكو للغاز"),
        ("", "دير الزور"),  # an empty text contains nothing and is contained in nothing
        ("", ""),
    ],
)
def test_location_text_disagreement(gold_text: str, pred_text: str) -> None:
    assert not locations_agree(loc(gold_text, "A"), loc(pred_text, "B"))


def test_location_english_name_equal_ignoring_case() -> None:
    assert locations_agree(loc("دير الزور", "Deir ez-Zor"), loc("مدينة ديرالزور", "deir EZ-ZOR"))
    assert not locations_agree(loc("دير الزور", "Deir ez-Zor"), loc("مدينة ديرالزور", "Deir"))
    assert not locations_agree(loc("دير الزور", None), loc("مدينة ديرالزور", None))  # None names never agree
    assert not locations_agree(loc("دير الزور", ""), loc("مدينة ديرالزور", ""))


def test_location_coordinates_closer_than_25_km() -> None:
    conoco = loc("حقل كونيكو للغاز", "Conoco gas field", 35.33, 40.28)
    deir_ez_zor = loc("ديرالزور", "Dayr az Zawr", 35.336, 40.14)  # about 12.7 km away
    al_bukamal = loc("البوكمال", "Al Bukamal", 34.45, 40.92)  # about 114 km away
    assert locations_agree(conoco, deir_ez_zor)
    assert not locations_agree(conoco, al_bukamal)


@pytest.mark.parametrize(("km", "agree"), [(0.0, True), (24.9, True), (25.1, False), (60.0, False)])
def test_location_coordinate_threshold(km: float, agree: bool) -> None:
    gold = loc("سرت", "Sirte", 31.2, 16.58)
    pred = loc("بني وليد", "Bani Walid", 31.2 + km / KM_PER_DEGREE_LAT, 16.58)
    assert locations_agree(gold, pred) is agree


def test_location_coordinates_need_both_sides() -> None:
    assert not locations_agree(loc("سرت", "Sirte", 31.2, 16.58), loc("بني وليد", "Bani Walid"))
    assert not locations_agree(loc("سرت", "Sirte", 31.2, None), loc("بني وليد", "Bani Walid", 31.2, 16.58))


def test_missing_location_agrees_with_nothing(make_event: EventFactory) -> None:
    gold = make_event()
    assert not locations_agree(gold["location"], None)
    assert not locations_agree(None, gold["location"])
    assert not is_match(gold, {**make_event(), "location": None})
    assert not is_match(gold, {k: v for k, v in make_event().items() if k != "location"})


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("gold_date", "precision", "pred_date", "agree"),
    [
        ("2018-03-27", "day", "2018-03-27", True),
        ("2018-03-27", "day", "2018-03-26", True),
        ("2018-03-27", "day", "2018-03-28", True),
        ("2018-03-27", "day", "2018-03-29", False),
        ("2018-03-01", "day", "2018-02-28", True),  # across a month boundary
        ("2018-06-06", "week", "2018-05-30", True),
        ("2018-06-06", "week", "2018-06-13", True),
        ("2018-06-06", "week", "2018-05-29", False),
        ("2018-06-06", "week", "2018-06-14", False),
        ("2018-09-01", "month", "2018-09-30", True),
        ("2018-09-01", "month", "2018-10-01", False),
        ("2018-09-01", "month", "2018-08-31", False),
        ("2018-09-01", "month", "2017-09-01", False),
        ("2016-01-01", "year", "2016-12-31", True),
        ("2016-01-01", "year", "2017-01-01", False),
        ("2018-03-27", None, "2018-03-28", True),  # unknown precision → day
        ("2018-03-27", None, "2018-03-30", False),
        ("2018-03-27", "day", None, False),
        ("2018-03-27", "day", "not a date", False),
        (None, "day", "2018-03-27", False),
    ],
)
def test_date_window_by_gold_precision(gold_date: Any, precision: Any, pred_date: Any, agree: bool) -> None:
    assert date_in_window(gold_date, precision, pred_date) is agree


def test_dates_bind_strict_matching_only(make_event: EventFactory) -> None:
    gold = make_event(date="2018-03-27", date_precision="day")
    far = make_event(date="2018-05-01", date_precision="day")
    assert is_match(gold, far)
    assert not is_match(gold, far, strict=True)
    near = make_event(date="2018-03-28", date_precision="day")
    assert is_match(gold, near, strict=True)


def test_strict_uses_the_gold_precision_not_the_predicted_one(make_event: EventFactory) -> None:
    gold = make_event(date="2018-09-01", date_precision="month")
    assert is_match(gold, make_event(date="2018-09-20", date_precision="day"), strict=True)
    gold_day = make_event(date="2018-09-20", date_precision="day")
    assert not is_match(gold_day, make_event(date="2018-09-01", date_precision="month"), strict=True)


def test_unknown_gold_date_never_blocks_strict(make_event: EventFactory) -> None:
    gold = make_event(date=None, date_precision=None)
    assert is_match(gold, make_event(date="2023-04-10"), strict=True)
    assert is_match(gold, make_event(date=None), strict=True)
    # the seed's gold has precision "day" with a null date: still unknown
    assert is_match(make_event(date=None, date_precision="day"), make_event(date="1999-01-01"), strict=True)


def test_known_gold_date_with_null_prediction_fails_strict(make_event: EventFactory) -> None:
    gold = make_event(date="2023-04-10")
    pred = make_event(date=None, date_precision=None)
    assert is_match(gold, pred)
    assert not is_match(gold, pred, strict=True)


def test_date_accuracy_null_handling(make_event: EventFactory) -> None:
    assert date_correct(make_event(date=None), make_event(date=None))
    assert not date_correct(make_event(date=None), make_event(date="2023-04-10"))
    assert not date_correct(make_event(date="2023-04-10"), make_event(date=None))
    week = make_event(date="2018-06-06", date_precision="week")
    assert date_correct(week, make_event(date="2018-06-03"))
    assert not date_correct(week, make_event(date="2018-05-20"))


# --------------------------------------------------------------------------- types


def test_event_type_must_be_equal(make_event: EventFactory) -> None:
    gold = make_event()
    assert not is_match(gold, make_event(event_type="Battles", sub_event_type="Armed clash"))
    assert not is_match(gold, make_event(event_type=None))


def test_sub_event_type_binds_strict_only(make_event: EventFactory) -> None:
    gold = make_event()
    pred = make_event(sub_event_type="Air/drone strike")
    assert is_match(gold, pred)
    assert not is_match(gold, pred, strict=True)
    assert is_match(gold, make_event(), strict=True)


# --------------------------------------------------------------------------- actors


IRAN_BACKED = {
    "text": "مجموعات مسلحة مدعومة من إيران",
    "name": "Iran-backed militias",
    "accept": ["Unidentified Armed Group", "Iran-backed militias", "Islamic Revolutionary Guard Corps"],
}


@pytest.mark.parametrize(
    ("pred", "agree"),
    [
        ({"text": "مسلحين", "name": "Iran-backed militias"}, True),  # gold name
        ({"text": "مسلحين", "name": "iran-BACKED militias"}, True),  # ignoring case
        ({"text": "مسلحين", "name": "unidentified armed group"}, True),  # one of gold accept
        ({"text": "مسلحين", "name": "Islamic Revolutionary Guard Corps "}, True),
        ({"text": "مسلحة مدعومة من ايران", "name": "Militia"}, True),  # pred mention inside gold's
        ({"text": "المجموعات المسلحة المدعومة من إيران في دير الزور", "name": "X"}, True),  # gold's inside
        ({"text": "مسلحين", "name": "Hezbollah"}, False),
        ({"text": "", "name": ""}, False),
        ({"text": "مسلحين"}, False),
        (None, False),
    ],
)
def test_actor_agreement(pred: Any, agree: bool) -> None:
    assert actors_agree(IRAN_BACKED, pred) is agree


def test_actor_arabic_mentions_overlap_after_normalization() -> None:
    gold = {"text": "قوات أميركية", "name": "Military Forces of the United States"}
    assert actors_agree(gold, {"text": "القوات الأميركية", "name": "US"})
    assert actors_agree(gold, {"text": "القواتُ الأميركيّة", "name": "US"})
    assert not actors_agree(gold, {"text": "قوات روسية", "name": "Military Forces of Russia"})


def test_actor_with_empty_gold_text_falls_back_to_names() -> None:
    gold = {"text": "", "name": "Unidentified Armed Group", "accept": ["Iran-backed militias"]}
    assert not actors_agree(gold, {"text": "مسلحون مجهولون", "name": "Gunmen"})
    assert actors_agree(gold, {"text": "مسلحون مجهولون", "name": "Iran-backed militias"})


def test_actor_predicted_accept_is_ignored() -> None:
    gold = {"text": "داعش", "name": "Islamic State (Libya)"}
    pred = {"text": "التنظيم", "name": "ISIS", "accept": ["Islamic State (Libya)"]}
    assert not actors_agree(gold, pred)


def test_actor_null_handling() -> None:
    assert actors_agree(None, None)
    assert not actors_agree(None, IRAN_BACKED)
    assert not actors_agree(IRAN_BACKED, None)


# --------------------------------------------------------------------------- other fields


def test_exact_fields_include_null(make_event: EventFactory) -> None:
    gold = make_event(fatalities=None, injuries=3, certainty="reported", role="background")
    fields = compare_fields(gold, make_event(fatalities=0, injuries=3, certainty="hedged", role="background"))
    assert fields["fatalities"] is False  # null ≠ 0
    assert fields["injuries"] is True
    assert fields["certainty"] is False
    assert fields["role"] is True
    assert compare_fields(gold, make_event(fatalities=None))["fatalities"] is True
    missing = {k: v for k, v in make_event().items() if k != "fatalities"}
    assert compare_fields(gold, missing)["fatalities"] is True  # a missing key counts as null


def test_location_fields_apply_only_when_known(make_event: EventFactory) -> None:
    gold = make_event()
    assert compare_fields(gold, make_event(location={"lat": 35.4, "lon": 40.3}))["coords"] is True
    assert compare_fields(gold, make_event(location={"lat": 36.5, "lon": 40.3}))["coords"] is False
    assert compare_fields(gold, make_event(location={"lat": None}))["coords"] is None
    assert compare_fields(gold, make_event(location={"admin1": "DEIR EZ-ZOR"}))["admin1"] is True
    assert compare_fields(gold, make_event(location={"admin1": "Hasakah"}))["admin1"] is False
    assert compare_fields(gold, make_event(location={"admin1": None}))["admin1"] is False
    no_admin1 = make_event(location={"admin1": None})
    assert compare_fields(no_admin1, make_event())["admin1"] is None
