"""The most precise place of the event (issue #15, ACLED's rule): a district, neighbourhood, camp,
base... named inside a town or province is the event's location — geocoded to its own gazetteer row
when it has one, else to the place named next to it with precision 2, its text as written.
Sentences from the dev corpus (``../shared/corpus/dev``)."""

from __future__ import annotations

from datetime import date

import pytest

import rasd
from rasd.types import Location


def _locations(text: str, pub: date = date(2018, 5, 1)) -> list[Location]:
    return [e.location for e in rasd.extract(text, pub_date=pub).events if e.location is not None]


@pytest.mark.parametrize(
    ("text", "phrase", "name", "admin1"),
    [
        (  # dev_181_71fab65f: a neighbourhood of Arish the gazetteer does not know
            "وكشفت مصادر أمنية بشمال سيناء، أن سيارة قمامة مسروقة استخدمها الإرهابيون في تفجير كمين المطافي"
            " بحي المساعيد بالعريش.",
            "حي المساعيد",
            "Arish",
            "North Sinai",
        ),
        (  # dev_134_99d6703e: a neighbourhood of Sanaa, linked by a direction
            "وأكد أن اشتباكات اندلعت، مساء الأربعاء، في حي بيت بوس جنوب صنعاء، أثناء محاولة ميليشيات الحوثي"
            " اعتقال عناصرها الفارين من جبهة الساحل الغربي، واقتحام منازلهم، ما أدى إلى تبادل إطلاق النار.",
            "حي بيت بوس",
            "Sanaa",
            None,
        ),
    ],
)
def test_unknown_precise_place_is_geocoded_to_the_place_next_to_it(
    text: str, phrase: str, name: str, admin1: str | None
) -> None:
    locs = [x for x in _locations(text) if x.text.startswith(phrase.split()[0])]
    assert len(locs) == 1
    loc = locs[0]
    assert loc.text == phrase  # head noun + name, as written (no clitic, no town)
    assert loc.name == name and loc.geo_precision == 2 and loc.lat is not None
    if admin1 is not None:
        assert loc.admin1 == admin1


def test_district_in_a_province_fills_admin1() -> None:
    # dev_118-style: "مديرية X بمحافظة Y" with a district name the gazetteer lacks
    locs = _locations("قتل ثلاثة مدنيين بقصف حوثي على مديرية الزاهر الوسطى بمحافظة البيضاء.")
    assert [(x.text, x.admin1, x.geo_precision) for x in locs] == [("مديرية الزاهر الوسطى", "Al Bayda", 2)]


@pytest.mark.parametrize(
    ("text", "place_id", "precision"),
    [
        (  # dev: a camp with its own row (sites.tsv) is its own place, at its own precision
            "قال مصادر إن الطيران الاسرائيلي قصف بصاروخ موقعا لتدريب المقاومة الفلسطينية في مخيم النصيرات وسط"
            " قطاع غزة، ما أدى الى اصابة اربعة فلسطينيين.",
            "site:nuseirat_camp",
            1,
        ),
    ],
)
def test_precise_place_with_its_own_row_is_chosen_over_the_town(text: str, place_id: str, precision: int) -> None:
    locs = _locations(text)
    assert [(x.id, x.geo_precision) for x in locs] == [(place_id, precision)]  # not also the Gaza Strip


@pytest.mark.parametrize(
    ("text", "town"),
    [
        # dev_191_920949f4: "مديرية أمن" is the security directorate, a building, not a district
        ("أصيب 10 أشخاص في هجوم انتحاري بسيارة مفخخة قرب مديرية أمن مدينة إسطنبول.", "Istanbul"),
        # dev_034_8ab696fa-style: an unnamed base described by its owner is no named place
        ("قتل خمسة جنود في هجوم انتحاري على قاعدة للجيش الصومالي قرب مقديشو.", "Mogadishu"),
    ],
)
def test_descriptions_are_no_precise_places(text: str, town: str) -> None:
    locs = _locations(text)
    assert locs and all(x.name == town for x in locs)
    assert not any(x.text.startswith(("مديرية", "قاعدة")) for x in locs)
