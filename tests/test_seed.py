"""Acceptance: the seed article (Arab48, 2023-04-11) yields the events of its gold annotation."""

from datetime import date

import pytest

import rasd


@pytest.fixture(scope="module")
def record(seed_text, res):
    return rasd.extract(seed_text, pub_date=date(2023, 4, 11), outlet="Arab48", doc_id="000_73c53d1290d9c61f")


def _by(record, name, role):
    found = [e for e in record.events if e.location and e.location.name == name and e.role == role]
    assert found, [(e.sub_event_type, e.location and e.location.name, e.role) for e in record.events]
    return found[0]


def test_main_event_is_the_rocket_attack_on_the_conoco_field(record, seed_text):
    main = [e for e in record.events if e.role == "main"]
    assert len(main) == 1
    ev = main[0]
    assert (ev.event_type, ev.sub_event_type) == ("Explosions/Remote violence", "Shelling/artillery/missile attack")
    assert ev.location.name == "Conoco gas field"
    assert (ev.location.country, ev.location.admin1, ev.location.geo_precision) == ("SY", "Deir ez-Zor", 1)
    assert seed_text[ev.location.span.start : ev.location.span.end] == "حقل كونيكو للغاز"
    assert ev.date == date(2023, 4, 10) and ev.date_precision == "day"
    assert ev.actor1.name == "Iran-backed militias"
    assert ev.actor2.name == "Military Forces of the United States"
    assert (ev.fatalities, ev.injuries) == (0, 0)
    assert ev.certainty == "hedged"
    for source in ("US military", "Anadolu Agency", "Syrian Observatory for Human Rights"):
        assert source in ev.sources


def test_main_event_evidence_covers_headline_and_reports(record, seed_text):
    ev = next(e for e in record.events if e.role == "main")
    starts = {s.start for s in ev.evidence}
    assert {0, 197, 325} <= starts  # headline, the army's statement, the Anadolu paragraph
    assert all(seed_text[s.start : s.end].strip() for s in ev.evidence)


def test_background_attacks_of_25_march_on_both_fields(record):
    omar = _by(record, "Al-Omar oil field", "background")
    conoco = _by(record, "Conoco gas field", "background")
    for ev in (omar, conoco):
        assert ev.date == date(2023, 3, 25) and ev.date_precision == "day"
        assert ev.sub_event_type == "Shelling/artillery/missile attack"
        assert ev.actor1.name == "Iran-backed militias"


def test_background_air_strikes_that_killed_seven(record):
    ev = _by(record, "Syria", "background")
    assert ev.sub_event_type == "Air/drone strike"
    assert ev.date == date(2023, 3, 1) and ev.date_precision == "month"
    assert ev.actor1.name == "Military Forces of the United States"
    assert ev.fatalities == 7


def test_background_drone_attack_killed_a_contractor(record):
    ev = _by(record, "Northeast Syria", "background")
    assert ev.sub_event_type == "Air/drone strike"
    assert (ev.fatalities, ev.injuries) == (1, 6)
    assert ev.certainty == "hedged"  # "يشتبه في أنه مرتبط بإيران"


def test_presence_figures_and_habitual_attacks_are_not_events(record):
    # "ويوجد ما لا يقل عن 900 جندي" and "وبين الفينة والأخرى، تتعرض النقاط..." code nothing
    assert len(record.events) == 5


def test_without_pub_date_relative_dates_stay_null(seed_text, res):
    rec = rasd.extract(seed_text)
    assert rec.events
    assert all(e.date is None for e in rec.events if e.date_precision in ("day", "week"))


def test_record_dict_is_the_v1_format(record):
    d = record.to_dict()
    assert d["pub_date"] == "2023-04-11" and d["doc_id"] == "000_73c53d1290d9c61f"
    ev = d["events"][0]
    for key in (
        "event_type",
        "sub_event_type",
        "date",
        "date_precision",
        "location",
        "actor1",
        "actor2",
        "fatalities",
        "injuries",
        "sources",
        "certainty",
        "role",
        "evidence",
        "confidence",
        "notes",
    ):
        assert key in ev
    assert set(ev["location"]) >= {"text", "name", "country", "admin1", "lat", "lon", "geo_precision"}
    assert ev["notes"].startswith("On 10 April 2023")
