"""Place mentions from the dev corpus, the seed article and the bulk corpus resolve to the right place.

Each case is a mention as written in an article (head noun, clitics and all), the countries the
article names (what the pipeline passes to ``Gazetteer.choose``), and the expected result: country,
admin1 and true coordinates (from Wikipedia/OSM, independent of the data files; ``None`` where only
an approximate position is known) within 10 km.
"""

from __future__ import annotations

import pytest

from rasd.geo.gazetteer import haversine_km

# (mention, article countries, country, admin1, lat, lon, explanation)
CASES: list[tuple[str, tuple[str, ...], str, str | None, float | None, float | None, str]] = [
    # --- the seed article (Conoco / Omar fields, Deir ez-Zor) ---
    ("محافظة دير الزور شرقي سورية", ("SY",), "SY", "Deir ez-Zor", 35.34, 40.14, "admin1 form"),
    ("من البوكمال شرق دير الزور", ("SY",), "SY", "Deir ez-Zor", 34.45, 40.92, "Al-Bukamal, joined spelling"),
    ("مدينة البو كمال", ("SY",), "SY", "Deir ez-Zor", 34.45, 40.92, "Al-Bukamal, spaced spelling"),
    ("في مدينة منبج", ("SY",), "SY", "Aleppo", 36.53, 37.95, "Manbij"),
    ("تعرّض حقل كونيكو للغاز", ("SY",), "SY", "Deir ez-Zor", 35.34, 40.28, "Conoco gas field"),
    ("على حقلي عمر للنفط وكونيكو للغاز", ("SY",), "SY", "Deir ez-Zor", 35.03, 40.56, "Omar field, dual form"),
    ("حقل العمر النفطي", ("SY",), "SY", "Deir ez-Zor", 35.03, 40.56, "Omar field"),
    # --- dev articles: the gold locations ---
    ("مدينة كسلا القريبة من الحدود", ("SD", "ER"), "SD", "Kassala", 15.45, 36.40, "town"),
    ("في ريف حماة", ("SY",), "SY", "Hama", 35.13, 36.76, "countryside → the city"),
    ("ريفي حلب وحماة", ("SY",), "SY", "Aleppo", 36.20, 37.16, "dual 'countrysides'"),
    ("في منطقة العباسية", ("IQ",), "IQ", "Basra", 30.51, 47.78, "Basra neighbourhood"),
    ("في مدينة البصرة", ("IQ",), "IQ", "Basra", 30.51, 47.78, "city"),
    ("بلدة النشابية", ("SY",), "SY", "Rif Dimashq", 33.51, 36.49, "Eastern Ghouta village"),
    ("ومزارع أوتايا", ("SY",), "SY", "Rif Dimashq", None, None, "village not in GeoNames"),
    ("وحوش الصالحية", ("SY",), "SY", "Rif Dimashq", None, None, "village not in GeoNames"),
    ("وحوش خرابو", ("SY",), "SY", "Rif Dimashq", None, None, "village not in GeoNames"),
    ("وحزرما", ("SY",), "SY", "Rif Dimashq", None, None, "village not in GeoNames"),
    ("وبيت نايم", ("SY",), "SY", "Rif Dimashq", None, None, "village not in GeoNames"),
    ("في محور كتاف", ("YE",), "YE", "Saada", 17.03, 44.11, "district town"),
    ("على مديرية حيدان بمحافظة صعدة", ("YE",), "YE", "Saada", 16.78, 43.43, "district"),
    ("بسوق ضحيان", ("YE",), "YE", "Saada", None, None, "market town north of Saada"),
    ("استهدف مدينة الحديدة", ("YE",), "YE", "Al Hudaydah", 14.80, 42.95, "port city"),
    ("بمنطقة الطريق الجديدة في بيروت", ("LB",), "LB", "Beirut", 33.873, 35.496, "Beirut neighbourhood"),
    ("محلة برج أبو حيدر", ("LB",), "LB", "Beirut", 33.880, 35.505, "Beirut neighbourhood"),
    ("سوق مزدحمة في مايدوغوري", ("NG",), "NG", "Borno", 11.85, 13.16, "Nigeria (not in the extract)"),
    ("قرية في ولاية يوبي", ("NG",), "NG", "Yobe", None, None, "Nigerian state"),
    ("وسط بنغازي شرقي ليبيا", ("LY",), "LY", "Benghazi", 32.12, 20.07, "city"),
    ("مدينة درنة الساحلية", ("LY",), "LY", "Derna", 32.77, 22.64, "city"),
    ("بالقرب من مدينة بني وليد", ("LY",), "LY", "Misrata", 31.76, 13.98, "town"),
    ("بسرت", ("LY",), "LY", "Sirte", 31.21, 16.59, "clitic ب"),
    ("وسط كابل", ("AF",), "AF", "Kabul", 34.53, 69.17, "Afghanistan (not in the extract)"),
    ("معسكر كامب انتيغريتي", ("AF",), "AF", "Kabul", 34.53, 69.17, "base near Kabul"),
    ("من سجن كوبر شمالي الخرطوم", ("SD",), "SD", "Khartoum", 15.65, 32.54, "prison"),
    ("في الخرطوم", ("SD",), "SD", "Khartoum", 15.55, 32.53, "capital"),
    ("قرب الموصل", ("IQ", "SY"), "IQ", "Nineveh", 36.34, 43.12, "city"),
    ("قرب الرمادي", ("IQ", "SY"), "IQ", "Anbar", 33.42, 43.30, "city"),
    ("قرب سنجار", ("IQ", "SY"), "IQ", "Nineveh", 36.32, 41.88, "IQ Sinjar, not the Idlib village"),
    ("قرب كركوك", ("IQ",), "IQ", "Kirkuk", 35.47, 44.39, "city"),
    ("والفلوجة", ("IQ",), "IQ", "Anbar", 33.35, 43.78, "clitic و"),
    ("وتلعفر", ("IQ",), "IQ", "Nineveh", 36.38, 42.45, "clitic و"),
    ("ومخمور", ("IQ",), "IQ", "Erbil", 35.78, 43.58, "admin1 missing from the extract, named by names.tsv"),
    ("والحبانية", ("IQ",), "IQ", "Anbar", 33.37, 43.57, "town not in GeoNames"),
    ("حول الحسكة", ("SY", "IQ"), "SY", "Al-Hasakah", 36.50, 40.75, "city"),
    ("وكوباني", ("SY",), "SY", "Aleppo", 36.89, 38.35, "Kurdish name of Ayn al-Arab"),
    ("أمام محكمة مصر الجديدة", ("EG",), "EG", "Cairo", 30.09, 31.32, "Heliopolis, not Egypt"),
    ("داخل مخيم المية ومية", ("LB",), "LB", "South Governorate", 33.545, 35.40, "camp"),
    ("على مدينة دوما", ("SY",), "SY", "Rif Dimashq", 33.57, 36.40, "city"),
    ("شرقي خان يونس", ("PS",), "PS", "Gaza Strip", 31.34, 34.31, "city"),
    ("مسجد قوة طوارئ عسير في أبها", ("SA",), "SA", "Asir", 18.22, 42.51, "mosque in Abha"),
    ("سجن الحاير في الرياض", ("SA",), "SA", "Riyadh", None, None, "prison south of Riyadh"),
    ("مطار دمشق الدولي", ("SY", "IL"), "SY", "Rif Dimashq", 33.41, 36.52, "airport"),
    ("قرب بلدة اعزاز", ("SY",), "SY", "Aleppo", 36.59, 37.05, "spelling without hamza"),
    ("وسط مديرية السوادية", ("YE",), "YE", "Al Bayda", 14.30, 45.22, "district"),
    ("مديرية ناطع", ("YE",), "YE", "Al Bayda", None, None, "district not in GeoNames"),
    ("حي السمران بمدينة العريش", ("EG",), "EG", "North Sinai", 31.13, 33.80, "Arish neighbourhood"),
    ("والشيخ زويد", ("EG",), "EG", "North Sinai", 31.22, 34.11, "town"),
    ("جنوبي مدينة رفح", ("EG",), "EG", "North Sinai", 31.28, 34.24, "Egyptian Rafah by context"),
    ("مناطق الجورة", ("EG",), "EG", "North Sinai", 31.06, 34.13, "El Gorah"),
    ("والجرادات", ("EG",), "EG", "North Sinai", None, None, "village south of Sheikh Zuweid"),
    ("مركز أبوحماد بمحافظة الشرقية", ("EG",), "EG", "Sharqia", 30.54, 31.68, "joined 'أبوحماد'"),
    ("الحصيبة والملاحمة", ("IQ",), "IQ", "Anbar", None, None, "village east of Ramadi"),
    ("والبوعلوان شرقي الرمادي", ("IQ",), "IQ", "Anbar", None, None, "village east of Ramadi"),
    ("من منطقة أفجوي", ("SO",), "SO", "Lower Shabeelle", 2.14, 45.12, "Arabic form added by names.tsv"),
    ("العاصمة مقديشو", ("SO",), "SO", "Banadir", 2.04, 45.34, "capital"),
    ("من جبل هيلان", ("YE",), "YE", "Marib", None, None, "mountain west of Marib"),
    ("باتجاه مدينة مأرب", ("YE",), "YE", "Marib", 15.46, 45.33, "city"),
    ("بجبهة حرض", ("YE",), "YE", "Hajjah", 16.41, 43.06, "town"),
    ("من منطقة الحسينية", ("YE",), "YE", "Al Hudaydah", None, None, "Hodeidah village, not the Shia hall"),
    ("عند مفرق زبيد", ("YE",), "YE", "Al Hudaydah", 14.20, 43.32, "junction near Zabid"),
    ("أبواب المسجد الأقصى في القدس الشرقية", ("PS", "IL"), "PS", "West Bank", 31.776, 35.236, "mosque"),
    ("مركز المسيال بقطاع ظهران الجنوب", ("SA", "YE"), "SA", "Asir", None, None, "border post"),
    ("بقطاع الطوال بمنطقة جازان", ("SA", "YE"), "SA", "Jazan", None, None, "border town"),
    # --- sites named in the bulk corpus ---
    ("قاعدة عين الأسد", ("IQ",), "IQ", "Anbar", 33.80, 42.44, "air base"),
    ("قاعدة التنف", ("SY",), "SY", "Homs", 33.50, 38.65, "garrison"),
    ("قاعدة حميميم الروسية", ("SY",), "SY", "Latakia", 35.40, 35.95, "air base"),
    ("مطار الشعيرات", ("SY",), "SY", "Homs", 34.49, 36.91, "air base"),
    ("مطار التيفور", ("SY",), "SY", "Homs", 34.52, 37.63, "T4"),
    ("مطار المزة العسكري", ("SY",), "SY", "Damascus", 33.48, 36.22, "air base"),
    ("قاعدة بلد الجوية", ("IQ",), "IQ", "Salah al-Din", 33.94, 44.36, "air base"),
    ("قاعدة العند الجوية", ("YE",), "YE", "Lahij", 13.18, 44.77, "air base"),
    ("معبر باب الهوى", ("SY", "TR"), "SY", "Idlib", 36.23, 36.66, "crossing"),
    ("معبر نصيب", ("SY", "JO"), "SY", "Daraa", 32.55, 36.21, "crossing"),
    ("معبر رفح البري", ("PS", "EG"), "PS", "Gaza Strip", 31.25, 34.26, "crossing"),
    ("معبر كرم أبو سالم", ("PS", "IL"), "IL", "Southern District", 31.23, 34.28, "crossing"),
    ("مخيم الهول", ("SY",), "SY", "Al-Hasakah", 36.38, 41.15, "camp"),
    ("مخيم الركبان", ("SY", "JO"), "SY", "Homs", 33.31, 38.70, "camp on the Syrian side"),
    ("مخيم جباليا", ("PS",), "PS", "Gaza Strip", 31.53, 34.50, "camp"),
    ("مخيم الشاطئ غرب غزة", ("PS",), "PS", "Gaza Strip", 31.53, 34.45, "camp"),
    ("مخيم النصيرات", ("PS",), "PS", "Gaza Strip", 31.45, 34.39, "camp"),
    ("مخيم جنين", ("PS",), "PS", "West Bank", 32.46, 35.29, "camp, not the city"),
    ("مخيم عين الحلوة", ("LB",), "LB", "South Governorate", 33.54, 35.38, "camp"),
    ("مخيم اليرموك", ("SY",), "SY", "Damascus", 33.47, 36.30, "camp"),
    ("مخيم الزعتري", ("JO", "SY"), "JO", "Mafraq", 32.29, 36.32, "camp"),
    ("سجن صيدنايا", ("SY",), "SY", "Rif Dimashq", 33.66, 36.32, "prison"),
    ("حي الشجاعية", ("PS",), "PS", "Gaza Strip", 31.50, 34.48, "neighbourhood"),
    ("حي التضامن", ("SY",), "SY", "Damascus", 33.48, 36.30, "neighbourhood"),
    ("حي جوبر الدمشقي", ("SY",), "SY", "Damascus", 33.53, 36.33, "neighbourhood"),
    ("الضاحية الجنوبية لبيروت", ("LB",), "LB", "Mount Lebanon", 33.85, 35.50, "Dahieh"),
    ("مدينة الميادين", ("SY",), "SY", "Deir ez-Zor", 35.02, 40.45, "town"),
    ("بلدة هجين", ("SY",), "SY", "Deir ez-Zor", 34.70, 40.83, "town"),
    ("بلدة الشحيل", ("SY",), "SY", "Deir ez-Zor", None, None, "village not in GeoNames"),
    ("مدينة جرابلس", ("SY",), "SY", "Aleppo", 36.82, 38.01, "town"),
    ("مدينة تل أبيض", ("SY",), "SY", "Raqqa", 36.70, 38.95, "town"),
    ("مدينة الطبقة", ("SY",), "SY", "Raqqa", 35.84, 38.55, "town"),
    ("مدينة الباب", ("SY",), "SY", "Aleppo", 36.37, 37.52, "curated head-noun form; bare الباب is blocked"),
    ("صعدة", ("YE",), "YE", "Saada", 16.94, 43.76, "city over governorate"),
    ("مدينة تعز", ("YE",), "YE", "Taiz", 13.58, 44.02, "city"),
    ("في عدن", ("YE",), "YE", "Aden", 12.78, 45.04, "city"),
    ("بيت لاهيا", ("PS",), "PS", "Gaza Strip", 31.55, 34.50, "town"),
    ("دير البلح", ("PS",), "PS", "Gaza Strip", 31.42, 34.35, "town"),
    ("معرة النعمان", ("SY",), "SY", "Idlib", 35.65, 36.67, "town"),
    ("سراقب", ("SY",), "SY", "Idlib", 35.86, 36.80, "town"),
    ("خان شيخون", ("SY",), "SY", "Idlib", 35.44, 36.65, "town"),
    ("الغوطة الشرقية", ("SY",), "SY", "Rif Dimashq", 33.55, 36.42, "region"),
    ("هضبة الجولان المحتلة", ("SY", "IL"), "SY", "Quneitra", None, None, "region"),
    ("جزيرة ميون", ("YE",), "YE", "Taiz", 12.66, 43.42, "island"),
    ("سد الموصل", ("IQ",), "IQ", "Nineveh", 36.63, 42.82, "dam"),
]


@pytest.mark.parametrize(
    ("text", "countries", "cc", "admin1", "lat", "lon", "why"), CASES, ids=[c[0] for c in CASES]
)
def test_mention_resolves(resolve, text, countries, cc, admin1, lat, lon, why):
    places = resolve(text, countries)
    assert places, f"no place found in {text!r} ({why})"
    p = places[0]
    assert p.country == cc, (p, why)
    if admin1 is not None:
        assert admin1 in (p.admin1, p.name if p.kind == "admin1" else None), (p, why)
    if lat is not None and lon is not None:
        assert p.lat is not None and p.lon is not None, p
        assert haversine_km(p.lat, p.lon, lat, lon) < 10, (p, why)


def test_enough_cases():
    assert len(CASES) >= 65


def test_seed_sentence_yields_all_places(resolve):
    text = (
        "وفي 25 آذار / مارس الماضي، شنت المجموعات المدعومة من إيران هجمات صاروخية"
        " على حقلي عمر للنفط وكونيكو للغاز."
    )
    names = [p.name for p in resolve(text, ("SY",))]
    assert names == ["Iran", "Al-Omar oil field", "Conoco gas field"]


def test_ambiguous_raqqa(resolve, gz):
    readings = {p.country for p in gz.by_form("الرقة")}
    assert {"SY", "AE", "KW"} <= readings
    assert resolve("مدينة الرقة", ("SY",))[0].country == "SY"
    assert resolve("مدينة الرقة", ("KW", "SY"))[0].country == "KW"
    assert resolve("مدينة الرقة")[0].country == "SY"  # no context: the largest


def test_ambiguous_bayda(resolve, gz):
    assert {(p.country, p.kind) for p in gz.by_form("البيضاء")} >= {
        ("LY", "place"),
        ("YE", "place"),
        ("YE", "admin1"),
    }
    ly = resolve("مدينة البيضاء", ("LY",))[0]
    assert (ly.country, ly.admin1) == ("LY", "Al Jabal al Akhdar")
    assert haversine_km(ly.lat, ly.lon, 32.76, 21.76) < 10
    ye = resolve("مدينة البيضاء", ("YE",))[0]
    assert (ye.country, ye.kind) == ("YE", "place")
    assert haversine_km(ye.lat, ye.lon, 13.99, 45.57) < 10
    # without country context, an admin1 named elsewhere in the article decides
    assert resolve("البيضاء", (), ("Al Bayda",))[0].country == "YE"
    assert resolve("البيضاء", (), ("Al Jabal al Akhdar",))[0].country == "LY"


def test_rafah_by_context(resolve):
    assert resolve("رفح", ("PS",))[0].country == "PS"
    assert resolve("رفح", ("EG",))[0].country == "EG"


def test_town_beats_its_province(resolve):
    for text, name in [("حلب", "Aleppo"), ("درعا", "Daraa"), ("الحديدة", "Al Hudaydah")]:
        p = resolve(text)[0]
        assert (p.name, p.kind, p.geo_precision) == (name, "place", 1)
    p = resolve("محافظة حلب")[0]
    assert (p.kind, p.geo_precision) == ("admin1", 3)


def test_blocked_common_words_are_not_places(resolve):
    text = "قال مسؤول في المدينة إن الحرب أدت إلى أضرار كبيرة في الباب الرئيسي للمبنى يوم الجمعة"
    assert resolve(text) == []
