"""Places whose Arabic forms were discovered in the news corpus (``tools/discover_place_names.py``,
``places/discovered.tsv.gz``): the transliteration skeletons the discovery matches on, the word
filter, the committed data, and a news sentence about a discovered town located at the town.

Coordinates are the towns' centres (Wikipedia), independent of the data files."""

from __future__ import annotations

import gzip
import importlib.util
import sys
from pathlib import Path

import pytest

from rasd.geo.gazetteer import DATA_DIR, Gazetteer, Place, haversine_km
from rasd.text.normalize import fold

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tool():
    pytest.importorskip("yaml")
    spec = importlib.util.spec_from_file_location("discover_place_names", REPO / "tools" / "discover_place_names.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("arabic", "latin", "country"),
    [
        ("سيلوبي", "Silopi", "TR"),
        ("جزرة", "Cizre", "TR"),
        ("سروج", "Suruç", "TR"),
        ("بوزانتي", "Pozantı", "TR"),
        ("شرناق", "Şırnak", "TR"),
        ("سلطان بيلي", "Sultanbeyli", "TR"),
        ("كونار", "Kunaṟ", "AF"),
        ("كورام", "Kurram", "PK"),
        ("سيفاري", "Sévaré", "ML"),
        ("جرابولي", "Garabulli", "LY"),
        ("كوي سنجق", "Koysinjaq", "IQ"),
        ("شيكاغو", "Chicago", "US"),
    ],
)
def test_skeletons_agree(tool, arabic: str, latin: str, country: str) -> None:
    assert tool.arabic_skeleton(arabic) in tool.latin_skeletons(latin, country)


@pytest.mark.parametrize(
    ("arabic", "latin", "country"),
    [("حلب", "Silopi", "TR"), ("سيلوبي", "Suruç", "TR"), ("كونار", "Kabul", "AF"), ("جزرة", "Cizre", "FR")],
)
def test_skeletons_differ(tool, arabic: str, latin: str, country: str) -> None:
    # a French "c" before "i" is س, not the Turkish ج
    assert tool.arabic_skeleton(arabic) not in tool.latin_skeletons(latin, country)


def test_persian_alternate_name_gives_the_arabic_skeleton(tool) -> None:
    assert tool.strict_key("پوزانتی") == tool.strict_key("بوزانتي")
    assert tool.strict_key("دغو بایزید") != tool.strict_key("دوغوبيازيد")


def test_common_word_is_no_place(tool) -> None:
    # "الجزرة" (the carrot, "العصا والجزرة"): a form taking the article is a word
    assert tool.word_reason(context=3, total=6, definite=4)
    # a word seen mostly outside place context ("كبيرة" after "منطقة" now and then)
    assert tool.word_reason(context=3, total=400, definite=0)
    assert not tool.word_reason(context=9, total=10, definite=0)


def _discovered_rows() -> list[list[str]]:
    text = gzip.decompress((DATA_DIR / "discovered.tsv.gz").read_bytes()).decode("utf-8")
    return [line.split("\t") for line in text.split("\n")[1:] if line]


def test_discovered_forms_are_no_words() -> None:
    gz = Gazetteer.load()
    for row in _discovered_rows():
        for form in row[3].split("|"):
            key = fold(form).removeprefix("ال")
            assert key not in gz.words, (row[0], form)


def test_discovered_forms_do_not_shadow_established_places() -> None:
    established = Gazetteer.load(discovered=False)
    for row in _discovered_rows():
        for form in row[3].split("|"):
            assert not established.by_form(form), (row[0], form)


def test_discovered_place_never_outranks_an_established_one() -> None:
    old = Place("site:x", "Old", "س", "town", "SY", None, None, 36.0, 37.0, 0, 1)
    new = Place("geonames:1", "New", "س", "place", "TR", None, None, 37.0, 42.0, 500_000, 1, True, True)
    gz = Gazetteer([old, new], {}, frozenset())
    assert gz.choose([new, old], countries=["TR"]) is old


def test_silopi_is_exact() -> None:
    gz = Gazetteer.load()
    hits = gz.lookup("سيلوبي")
    assert hits and hits[0][1] == 1.0
    place = hits[0][0]
    assert place.country == "TR" and place.discovered
    assert haversine_km(place.lat, place.lon, 37.2486, 42.4703) <= 15
    assert gz.explain("سيلوبي", place, 1.0)[0] == "exact"


@pytest.mark.parametrize(
    ("form", "name", "kind", "country"),
    [
        ("كونار", "Kunar", "admin1", "AF"),
        ("بوزانتي", "Pozanti", "place", "TR"),
        ("سلطان بيلي", "Sultanbeyli", "place", "TR"),
    ],
)
def test_discovered_forms_are_exact(form: str, name: str, kind: str, country: str) -> None:
    gz = Gazetteer.load()
    place, score = gz.lookup(form)[0]
    assert (place.name, place.kind, place.country, score) == (name, kind, country, 1.0)


@pytest.mark.parametrize(
    ("sentence", "name", "lat", "lon"),
    [
        (
            "قتل جنديان تركيان في هجوم شنه مسلحون من حزب العمال الكردستاني على مركز للشرطة في قضاء سيلوبي "
            "جنوب شرق تركيا.",
            "Silopi",
            37.2486,
            42.4703,
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and v.isascii() else None,
)
def test_discovered_town_resolves(sentence: str, name: str, lat: float, lon: float, chosen_places) -> None:
    places = list(chosen_places(sentence).values())
    near = [p for p in places if p.lat is not None and p.lon is not None and haversine_km(p.lat, p.lon, lat, lon) <= 15]
    assert near, f"{name}: no place within 15 km; got {[(p.name, p.country) for p in places]}"
