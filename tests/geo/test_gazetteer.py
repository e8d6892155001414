"""The Gazetteer API: loading, surface forms, by_form, choose, lookup, near, stats."""

from __future__ import annotations

import dataclasses

import pytest

from rasd.errors import ResourceError
from rasd.geo.gazetteer import Gazetteer, Place, haversine_km
from rasd.text.match import PROCLITICS, variants


def _forms_of(gz: Gazetteer, place_id: str) -> set[str]:
    return {form for form, pid in gz.surface_forms() if pid == place_id}


def test_place_is_frozen(gz):
    p = gz.get("geonames:170794")
    assert (p.name, p.name_ar, p.kind, p.country, p.admin1) == (
        "Deir ez-Zor",
        "دير الزور",
        "place",
        "SY",
        "Deir ez-Zor",
    )
    assert p.geo_precision == 1 and p.population > 200_000 and p.source == "geonames"
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.name = "x"  # type: ignore[misc]


def test_get_unknown_id_raises(gz):
    with pytest.raises(KeyError):
        gz.get("geonames:0")
    assert "site:conoco_gas_field" in gz and "site:nowhere" not in gz


def test_deir_ez_zor_city_province_and_forms(gz):
    readings = {(p.kind, p.name) for p in gz.by_form("دير الزور")}
    assert {("place", "Deir ez-Zor"), ("admin1", "Deir ez-Zor")} <= readings
    assert [p.kind for p in gz.by_form("محافظة دير الزور")] == ["admin1"]
    assert {"دير الزور", "محافظة دير الزور", "ولاية دير الزور"} <= _forms_of(gz, "geonames:170792")


def test_albukamal_spellings(gz):
    forms = _forms_of(gz, "geonames:174448")
    assert {"البوكمال", "البو كمال", "بوكمال"} <= forms
    for spelling in ("البوكمال", "البو كمال", "أبو كمال"):
        assert "geonames:174448" in {p.id for p in gz.by_form(spelling)}
    p = gz.get("geonames:174448")
    assert (p.name, p.name_ar, p.admin1) == ("Al-Bukamal", "البوكمال", "Deir ez-Zor")


def test_fields_by_form(gz):
    assert [p.id for p in gz.by_form("حقل كونيكو للغاز")] == ["site:conoco_gas_field"]
    assert [p.id for p in gz.by_form("حقل عمر")] == ["site:omar_oil_field"]  # internal article optional
    assert [p.id for p in gz.by_form("حقلي عمر للنفط")] == ["site:omar_oil_field"]
    assert gz.get("site:omar_oil_field").kind == "oil_field"


def test_matcher_keys_resolve(gz, place_matcher):
    """A matcher hit's ``form`` (a folded, article-free key) works as a by_form argument."""
    text = "وذكرت مصادر أن القذائف أطلقت من البوكمال باتجاه حقل العمر وبالميادين"
    keys = [m.form for m in place_matcher.find(text)]
    assert "بوكمال" in keys and "حقل العمر" in keys and "ميادين" in keys
    for k in keys:
        assert gz.by_form(k)


def test_surface_forms_are_clitic_free_and_long_enough(gz):
    """No form is another form of the same place with a proclitic attached (the matcher handles
    clitics), and every indexed key has at least three letters."""
    by_place: dict[str, set[str]] = {}
    for form, pid in gz.surface_forms():
        by_place.setdefault(pid, set()).add(form)
    assert sum(len(v) for v in by_place.values()) > 10_000
    clitics = sorted((p for p in PROCLITICS if p), key=len, reverse=True)
    for pid, forms in by_place.items():
        assert pid in gz
        for form in forms:
            assert all(len(k.replace(" ", "")) >= 3 for k in variants(form)), (form, pid)
            for c in clitics:
                if form.startswith(c) and form[len(c) :] in forms and not c.endswith("ال"):
                    pytest.fail(f"{form!r} is {c!r} + another form of {pid}")
    assert "بالبوكمال" not in by_place["geonames:174448"]


def test_surface_form_variants(gz):
    assert {"سوريا", "سورية"} <= _forms_of(gz, "site:syria")
    assert {"شمال شرق سوريا", "شمال شرق سورية", "شمال شرقي سورية"} <= _forms_of(gz, "site:northeast_syria")
    assert {"أبو حماد", "أبوحماد"} <= _forms_of(gz, "geonames:362615")
    aleppo = _forms_of(gz, "geonames:170062")  # the governorate
    assert {"حلب", "محافظة حلب", "ولاية حلب"} <= aleppo
    assert "منطقة الرياض" in _forms_of(gz, "geonames:108411")  # Saudi regions are "منطقة X"


def test_blocklist_and_short_forms(gz):
    assert not [p for p in gz.by_form("المدينة") if p.source == "geonames"]  # "the city", not Medina
    assert "geonames:109223" in {p.id for p in gz.by_form("المدينة المنورة")}
    assert gz.by_form("الحرب") == [] and gz.by_form("كبيرة") == []
    assert "إب" not in _forms_of(gz, "geonames:74477")  # two letters: dropped
    assert "مدينة إب" in _forms_of(gz, "geonames:74477")


def test_choose_rules(gz):
    raqqa = gz.by_form("الرقة")
    assert gz.choose(raqqa, countries=["SY"]).id == "geonames:172955"
    assert gz.choose(raqqa, countries=["KW"]).country == "KW"
    assert gz.choose(raqqa, outlet_country="AE").country == "AE"
    assert gz.choose(raqqa, countries=["SY"], outlet_country="AE").country == "SY"
    # a country beats a town of the same name; a curated site beats an obscure GeoNames namesake
    assert gz.choose(gz.by_form("الكويت")).kind == "country"
    assert gz.choose(gz.by_form("كابول")).country == "AF"
    with pytest.raises(ValueError):
        gz.choose([])


def test_choose_by_anchor(gz):
    """Two same-country, same-admin1 namesakes: the one near another place the article names wins."""
    a = Place("site:a", "A", "ا", "village", "SY", "Homs", None, 34.0, 37.0, 0, 1)
    b = Place("site:b", "B", "ب", "village", "SY", "Homs", None, 35.0, 38.0, 5000, 1)
    anchor = Place("site:c", "C", "ج", "town", "SY", "Homs", None, 34.1, 37.1, 0, 1)
    assert gz.choose([a, b]) is b
    assert gz.choose([a, b], anchors=[anchor]) is a


def test_lookup_english_and_arabic(gz):
    assert gz.lookup("Deir ez-Zor")[0][0].id == "geonames:170794"
    top, score = gz.lookup("Raqqa")[0]
    assert (top.id, score) == ("geonames:172955", 1.0)
    assert gz.lookup("Conoco gas field")[0][0].id == "site:conoco_gas_field"
    assert gz.lookup("kabul")[0][0].id == "site:kabul"
    assert gz.lookup("Manbij")[0][0].id == "geonames:167357"
    assert gz.lookup("البوكمال")[0][0].id == "geonames:174448"
    fuzzy = gz.lookup("Dair al-Zour")
    assert "geonames:170794" in {p.id for p, _ in fuzzy}
    assert gz.lookup("") == []
    assert len(gz.lookup("al", limit=3)) <= 3


def test_near_and_haversine(gz):
    assert haversine_km(33.5138, 36.2765, 33.8938, 35.5018) == pytest.approx(83, abs=3)  # Damascus-Beirut
    near = gz.near(35.336, 40.141, 5)
    assert near[0].name == "Deir ez-Zor"
    assert all(haversine_km(35.336, 40.141, p.lat, p.lon) <= 5 for p in near)


def test_stats(gz):
    s = gz.stats()
    assert s["by_source"]["sites"] >= 300 and s["by_source"]["geonames"] > 15_000
    assert s["by_country"]["SY"] > 300 and s["by_country"]["AF"] >= 5
    assert s["by_kind"]["country"] >= 30


def test_load_rejects_malformed_sites(tmp_path):
    import shutil

    from rasd.geo.gazetteer import DATA_DIR

    shutil.copy(DATA_DIR / "geonames.tsv.gz", tmp_path / "geonames.tsv.gz")
    header = "id\tname\tar_forms\tkind\tcountry\tadmin1\tlat\tlon\tgeo_precision\tsource\n"
    (tmp_path / "sites.tsv").write_text(
        header + "site:x\tX\tاكس\ttown\tSY\t\t95\t40\t1\tnone\n", encoding="utf-8"
    )
    with pytest.raises(ResourceError, match=r"sites.tsv:2: bad coordinates"):
        Gazetteer.load(tmp_path)
    (tmp_path / "sites.tsv").write_text(
        header + "bad id\tX\tاكس\ttown\tSY\t\t35\t40\t1\tnone\n", encoding="utf-8"
    )
    with pytest.raises(ResourceError, match="bad id"):
        Gazetteer.load(tmp_path)
