"""The shared country table (resources/data/countries/countries.tsv): every country, with Arabic
names and nisba adjectives that the actor lexicon uses, and ACLED's fields for the export."""

from __future__ import annotations

import pytest

import rasd
from rasd.countries import countries
from rasd.text.normalize import normalize


def test_every_country_with_codes_and_arabic() -> None:
    table = countries()
    assert len(table) >= 249
    named = [c for c in table.values() if c.names]
    assert len(named) >= 240
    assert table["AF"].names[0] == "أفغانستان" and table["AF"].adj == ("أفغاني",)
    assert table["AF"].iso_numeric == 4 and table["AF"].acled_region == "South Asia"
    # countries the actor lexicon did not list by hand: names from iso-codes, nisba by rule
    assert "غانا" in table["GH"].names and table["GH"].adj == ("غاني",)
    assert table["ZM"].adj == ("زامبي",) and table["RS"].adj == ("صربي",)
    assert table["IR"].acled_region == "Middle East" and table["GE"].acled_region == "Caucasus and Central Asia"


@pytest.fixture(scope="module")
def res():
    return rasd.load_resources()


@pytest.mark.parametrize(
    ("sentence", "actor1", "place"),
    [
        (
            "قصفت قوات أفغانية قرية في ولاية هلمند ما أسفر عن مقتل ثلاثة مدنيين.",
            "Military Forces of Afghanistan",
            "Helmand",
        ),
        # countries the actor lexicon did not list by hand: "غانية", "زامبية" by the nisba rule
        (
            "اشتبكت قوات غانية مع مسلحين في مدينة كوماسي جنوب غانا ما أسفر عن مقتل خمسة مسلحين.",
            "Military Forces of Ghana",
            "Kumasi",
        ),
        (
            "قتل خمسة مسلحين في اشتباكات مع قوات زامبية في مدينة كيتوي الزامبية.",
            "Military Forces of Zambia",
            "Kitwe",
        ),
    ],
)
def test_nationality_adjective_gives_the_actor_country(res, sentence: str, actor1: str, place: str) -> None:
    events = rasd.extract(sentence, resources=res).events
    assert events and events[0].actor1 is not None and events[0].location is not None
    assert events[0].actor1.name == actor1 and events[0].location.name == place


def test_country_of_a_nisba(res) -> None:
    text = normalize("جنود غانيين وقوات صربية").text
    assert {m.ref for m in res.matcher.find(text) if m.kind == "country"} == {"GH", "RS"}
