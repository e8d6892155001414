"""Small towns outside the 27 countries (world.tsv.gz now lists every cities500 place with an Arabic
name): a sentence naming one resolves within 15 km of it (GeoNames coordinates); a person named
like a small town, or an Arabic name with the article, is no such place; and a small town abroad
never shares a form with a place of the 27 countries, so it can never outrank it."""

from __future__ import annotations

import pytest

from rasd.geo.gazetteer import Gazetteer, haversine_km
from rasd.text.match import variants

CASES = [
    ("قتل ثلاثة جنود أفغان في هجوم لحركة طالبان في ترين كوت جنوب أفغانستان.", "Tarinkot", 32.630, 65.878),
    ("قتل ستة من رجال الشرطة في هجوم على حاجز في شندند غرب أفغانستان.", "Shindand", 33.303, 62.147),
    ("سيطرت حركة طالبان على معبر في سبين بولداك على الحدود الأفغانية الباكستانية.", "Spin Boldak", 31.006, 66.400),
    ("قتل عشرة أشخاص في تفجير سوق في باراتشينار شمال غرب باكستان.", "Parachinar", 33.900, 70.100),
    ("قصفت طائرة مسيرة أمريكية منزلا في ميرانشاه في باكستان.", "Miran Shah", 33.001, 70.071),
    ("هاجم مسلحو حركة الشباب قرية في لامو في كينيا.", "Lamu", -2.272, 40.902),
    ("قتل 17 شخصا برصاص شاب في مدرسة ثانوية في باركلاند بولاية فلوريدا الأمريكية.", "Parkland", 26.310, -80.237),
    (
        "قام تلميذ بإطلاق النار في مدرسته الثانوية في سانتا في بولاية تكساس الأمريكية موقعا عشرة قتلى.",
        "Santa Fe",
        29.378,
        -95.106,
    ),
]


@pytest.mark.parametrize(("sentence", "name", "lat", "lon"), CASES, ids=[c[1] for c in CASES])
def test_small_world_town_resolves(sentence: str, name: str, lat: float, lon: float, chosen_places) -> None:
    places = list(chosen_places(sentence).values())
    near = [p for p in places if p.lat is not None and p.lon is not None and haversine_km(p.lat, p.lon, lat, lon) <= 15]
    assert near, f"{name}: no place within 15 km; got {[(p.name, p.country) for p in places]}"


@pytest.mark.parametrize(
    ("sentence", "form"),
    [
        # a person: only the country is named, no preposition of place before the name
        ("وقال كينيث ماكينزي قائد القيادة المركزية الأمريكية إن الضربات أصابت أهدافها في سوريا.", "ماكينزي"),
        ("وقال جوزيف شيبرد رئيس هيئة الطلاب إن إطلاق النار وقع في الجامعة الأمريكية.", "شيبرد"),
        # a head noun alone is not enough for a small town whose country is not named (Bondy, France)
        ("قتل سبعة أشخاص في هجوم بسكين في مركز بوندي جانكشن للتسوق في سيدني بأستراليا.", "بوندي"),
        # an Arabic name with the article is not a foreign town written without it (Aubrey, Texas)
        ("قصفت قوات النظام ومزارع الأوبري غرب حلب وسط غارات أمريكية.", "الأوبري"),
    ],
)
def test_no_small_world_town_without_evidence(sentence: str, form: str, chosen_places) -> None:
    chosen = chosen_places(sentence)
    assert not [p for text, p in chosen.items() if form in text and p.world], chosen


def test_small_world_towns_share_no_form_with_the_27_countries(gz: Gazetteer) -> None:
    regional = {k for form, pid in gz.surface_forms() if not gz.get(pid).world for k in variants(form)}
    small = [p for p in gz if p.world and p.kind == "place" and p.population < 50_000]
    assert len(small) > 15_000
    shared = [(p.name, p.country, f) for p in small for f in gz.forms(p.id) if variants(f) & regional]
    assert not shared, shared[:10]
