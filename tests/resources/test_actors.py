"""The actor lexicon: data validation, and real phrases from the dev corpus, seed and gold matched
with ``rasd.text.match.Matcher`` (longest match wins, as in the pipeline)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rasd.actors import (
    ACTOR_KINDS,
    DATA_DIR,
    INTER_CODES,
    ActorDef,
    ActorLexicon,
    LexiconError,
)
from rasd.errors import ResourceError
from rasd.text.match import Entry, Matcher, longest_first
from rasd.text.normalize import normalize


@pytest.fixture(scope="module")
def lex() -> ActorLexicon:
    return ActorLexicon.load()


@pytest.fixture(scope="module")
def matcher(lex: ActorLexicon) -> Matcher:
    m = Matcher()
    for form, actor_id, suffix in lex.entries():
        m.add(form, Entry("actor", actor_id, suffix))
    return m.compile()


def longest(matcher: Matcher, lex: ActorLexicon, text: str) -> ActorDef | None:
    """The actor of the longest mention in ``text`` (None when nothing matches)."""
    mentions = longest_first(matcher.find(normalize(text).text))
    if not mentions:
        return None
    best = max(mentions, key=lambda m: m.nend - m.nstart)
    return lex.get(best.ref)


# --------------------------------------------------------------------------------- the data
def test_loads_and_validates(lex: ActorLexicon) -> None:
    explicit = list(lex.actors(composed=False))
    assert len(explicit) >= 250
    assert len({a.id for a in explicit}) == len(explicit)
    for a in lex.actors():
        assert a.kind in ACTOR_KINDS, a.id
        assert a.inter is None or a.inter in INTER_CODES, a.id
        assert a.name.strip() == a.name and a.name, a.id
        assert a.country is None or a.country in lex.countries(), a.id
        for code, target in a.by_country:
            assert code in lex.countries() and target in lex, (a.id, code, target)
        if a.generic:
            assert a.template and a.country is None, a.id


def test_every_explicit_actor_has_forms(lex: ActorLexicon) -> None:
    with_forms = {ref for _, ref, _ in lex.entries()}
    missing = [a.id for a in lex.actors(composed=False) if a.id not in with_forms]
    assert not missing


def test_countries(lex: ActorLexicon) -> None:
    countries = lex.countries()
    assert len(countries) >= 60
    expected = {"US", "RU", "TR", "IR", "IL", "FR", "GB", "SA", "AE", "SY", "IQ", "YE", "EG", "LY", "SD"}
    expected |= {"LB", "PS", "JO", "AF", "NG", "SO", "ML", "NO"}  # NO: Norway, not YAML's false
    assert expected <= set(countries)
    assert countries["US"].of == "the United States" and countries["US"].short == "US"
    assert set(countries["US"].adj) >= {"أمريكي", "أميركي"}


def test_country_entries(lex: ActorLexicon) -> None:
    m = Matcher()
    for form, code, suffix in lex.country_entries():
        m.add(form, Entry("country", code, suffix))
    m.compile()

    def codes(text: str) -> list[str]:
        return [h.ref for h in longest_first(m.find(normalize(text).text))]

    assert codes("القوات السورية") == ["SY"]
    assert codes("قتل ستة أميركيين آخرين") == ["US"]
    assert codes("في الولايات المتحدة الأمريكية") == ["US"]
    assert codes("الدعم المالي") == []  # "مالي" (Mali) is ambiguous and not indexed alone


def test_composition_size(lex: ActorLexicon) -> None:
    """Templates × countries expand into concrete forms at load time; keep the table bounded."""
    composed = [f for f, ref, _ in lex.entries() if lex.get(ref).template and not lex.get(ref).generic]
    assert 3000 < len(composed) < 20000


# --------------------------------------------------------------------------------- phrases
# (text, expected canonical name, explanation). Phrases come from the seed, the dev articles and
# their gold annotations; the composed ones are combinations that appear in no gold file.
PHRASES = [
    ("تتمركز فيه قوات أميركية ومحيطه", "Military Forces of the United States", "seed: indefinite + nisba"),
    ("تتمركز فيها القوات الأميركية، دون وقوع إصابات", "Military Forces of the United States", "seed"),
    ("قال الجيش الأمريكي إن القوات", "Military Forces of the United States", "dev_017: أمريكي spelling"),
    ("من مناطق توجد فيها مجموعات مسلحة مدعومة من إيران في دير الزور", "Iran-backed militias", "seed, 5 words"),
    ("شنت المجموعات المدعومة من إيران هجمات صاروخية", "Iran-backed militias", "seed, definite head"),
    ("إن مسلحين مدعومين من إيران متمركزين", "Iran-backed militias", "seed: mask-plural head"),
    ("للمجموعات التابعة لطهران التي يديرها", "Iran-backed militias", "seed: capital metonym + ل"),
    ("تستخدمها الجماعات التابعة للحرس الثوري الإيراني", "Islamic Revolutionary Guard Corps", "seed → IRGC"),
    ("يديرها الحرس الثوري الإيراني", "Islamic Revolutionary Guard Corps", "seed"),
    ("شنت قوات الأمن المصرية حملة دهم", "Police Forces of Egypt", "dev_032: security forces → police"),
    ("وأعلن الجيش المصري عن مقتل ثمانية", "Military Forces of Egypt", "dev_032"),
    ("من جماعة أنصار بيت المقدس الإرهابية", "Islamic State (Egypt)", "dev_032"),
    ("تنظيم ولاية سيناء", "Islamic State (Egypt)", "Sinai Province"),
    ("إثر قيام مجهولين يستقلان دراجة بخارية", "Unidentified Armed Group", "dev_032"),
    ("لقي أمين شرطة من قوة مركز أبوحماد مصرعه", "Police Forces", "dev_032 police rank"),
    ("برصاص عناصر تابعة لميليشيا بدر", "Badr Organization", "dev_026: ل proclitic"),
    ("واجهت قوات مكافحة الشغب المتظاهرين", "Police Forces", "dev_026: generic police"),
    ("وللقوات الأميركية", "Military Forces of the United States", "clitics و + لل"),
    ("بالجيش المصري", "Military Forces of Egypt", "clitic بال"),
    ("مقتل قيادي حوثي ميداني", "Houthi Movement", "dev_007 title: nisba adj"),
    ("القيادي الحوثي العميد", "Houthi Movement", "dev_007"),
    ("وتستغل ميليشيات الحوثي الإيرانية تواجدها", "Houthi Movement", "dev_036"),
    ("إن مسلحين حوثيين اختطفوا", "Houthi Movement", "dev_030"),
    ("اختطفت #ميليشيا_الحوثي الانقلابية", "Houthi Movement", "dev_030 hashtag"),
    ("وتبنت #حركة_الشباب المتطرفة", "Al Shabaab", "dev_034 hashtag"),
    ("دمرت مقاتلات تحالف دعم الشرعية في اليمن", "Military Forces of Saudi Arabia", "dev_035"),
    ("في غارة جوية للتحالف العربي في محور كتاف", "Military Forces of Saudi Arabia", "dev_007"),
    ("القوات التي تقودها الولايات المتحدة شنت", "Military Forces of the United States", "dev_017"),
    ("تابعة لتحالف تقوده الولايات المتحدة قصفت", "Military Forces of the United States", "dev_029"),
    ("مع قوات الجيش والشرطة المصرية", "Military Forces of Egypt", "dev_031"),
    ("مع قوات الشرطة المصرية في شمال سيناء", "Police Forces of Egypt", "dev_031"),
    ("استهدف مستودعات أسلحة لحزب الله اللبناني", "Hezbollah", "dev_027"),
    ("مقتل 3 خبراء من ميليشيات حزب الله اللبناني", "Hezbollah", "dev_007"),
    ("من مقاتلي الحشد الشعبي العراقي", "Popular Mobilization Forces", "dev_027"),
    ("عناصر جبهة النصرة في الغوطة الشرقية", "Jabhat al-Nusra", "dev_004"),
    ("وقالت إن مقاتلي النصرة هاجموا", "Jabhat al-Nusra", "dev_029"),
    ("وقتل خمسة من أفراد الفرقة 30", "Division 30", "dev_029"),
    ("تحت سيطرة فصيل جيش الإسلام المعارض", "Jaysh al-Islam", "dev_038"),
    ("استأنفت القوات الحكومية السورية القصف", "Military Forces of Syria", "dev_038"),
    ("استهدفت مدفعية النظام حقولا", "Military Forces of Syria", "dev_038"),
    ("منظومات الدفاع الجوي السوري دمرت", "Military Forces of Syria", "dev_006"),
    ("وقال الجيش الإسرائيل إن دبابة", "Military Forces of Israel", "dev_028 misspelling"),
    ("جيش الاحتلال الإسرائيلي", "Military Forces of Israel", "occupation army"),
    ("أغلقت الشرطة الإسرائيلية أبواب المسجد", "Police Forces of Israel", "dev_037"),
    ("مواجهات بين شبان فلسطينيين", "Rioters (Palestine)", "dev_037 composed rioters"),
    ("قتل مزارع فلسطيني بقصف", "Civilians (Palestine)", "dev_028 composed civilians"),
    ("أسفر عن مقتل متعاقد أميركي", "Civilians (United States)", "seed composed civilians"),
    ("تعرض الإعلامي السوري منهل عبدالقادر", "Civilians (Syria)", "dev_024"),
    ("وتمكن قوات الشرطة السودانية من تفريق", "Police Forces of Sudan", "dev_016"),
    ("حينما قمعت قوات الأمن السودانية احتجاجات", "Military Forces of Sudan", "dev_016 gold"),
    ("أفرجت السلطات السودانية عن عشرات", "Government of Sudan", "dev_016 composed government"),
    ("أطلق حفتر هجوما واسعا", "Libyan National Army", "dev_012"),
    ("لسيطرة الجيش الوطني الليبي بقيادة", "Libyan National Army", "dev_012"),
    ("قرب مخيم يسيطر عليه إسلاميون وجهاديون", "Derna Mujahideen Shura Council", "dev_012"),
    ("قالت قيادة الولايات المتحدة في أفريقيا أفريكوم", "Military Forces of the United States", "dev_014"),
    ("في الغارات الأميركية المساندة", None, "dev_014: attack noun + nisba left to roles (would mask the trigger)"),
    ("قتل في غارات شنتها طائرات التحالف العربي", "Military Forces of Saudi Arabia", "dev_007"),
    ("شنه مقاتلو بوكو حرام على سكان", "Boko Haram", "dev_010"),
    ("وتبنت حركة طالبان هذا الهجوم", "Taliban", "dev_015"),
    ("تتمركز فيه القوات الأميركية الخاصة", "Military Forces of the United States", "dev_015"),
    ("مواجهات مسلحة بين حركة فتح الفلسطينية", "Fatah", "dev_019"),
    ("بين مناصري تيار المستقبل", "Future Movement", "dev_009"),
    ("وآخرين من جمعية المشاريع الإسلامية", "Al-Ahbash", "dev_009"),
    ("واستعادت قوات الشرعية السيطرة", "Military Forces of Yemen", "dev_036"),
    ("مع تقدم قوات المقاومة اليمنية المشتركة", "Yemeni Joint Resistance", "dev_036"),
    ("كما تعرض سبعة من رجال حرس الحدود للإصابة", "Military Forces", "dev_040 generic (localize → SA)"),
    ("قتل 51 شخصا وإصابة آخرين في هجوم نفذه مسلحون مجهولون", "Unidentified Armed Group", "UAG"),
    ("الانتحاري الذي ينتمي إلى تنظيم داعش الإرهابي", "Islamic State", "dev_023 generic IS"),
    ("اعترضهم مسلحان وأنزلاهما من السيارة", "Unidentified Armed Group", "dev_024"),
    ("قتل 55 مدنيا وأصيب 170", "Civilians", "dev_008 generic civilians"),
    # composed combinations that appear in no gold file
    ("تقدمت قوات روسية نحو المدينة", "Military Forces of Russia", "composed: Russia, indefinite"),
    ("فرقت الشرطة التونسية المحتجين", "Police Forces of Tunisia", "composed/filled: Tunisia"),
    ("هاجم مسلحون مدعومون من تركيا القرية", "Turkey-backed militias", "composed: backed × Turkey"),
    ("قصفت المقاتلات التركية مواقع", "Military Forces of Turkey", "aircraft + nisba"),
    ("أطلق الجنود الهنود النار", "Military Forces", "broken plural هنود is not a nisba: generic head only"),
    ("اعتقلت السلطات الأردنية ثلاثة", "Government of Jordan", "composed: government × Jordan"),
    ("قصفت القوات الكورية الجنوبية", "Military Forces of South Korea", "two-word nisba"),
    ("هاجمت الميليشيات الموالية للولايات المتحدة", "US-backed militias", "{l_country} with للـ"),
    ("الفصائل المدعومة إيرانيا", "Iran-backed militias", "{adv} إيرانيا"),
    ("قتل متظاهرين عراقيين", "Protesters (Iraq)", "composed protesters"),
    ("التحالف الدولي بقيادة واشنطن", "Military Forces of the United States", "led coalition, capital"),
    ("داعش في ليبيا", "Islamic State (Libya)", "IS × country"),
    ("الجيش المالي", "Military Forces of Mali", "Mali listed explicitly (nisba is ambiguous)"),
]


@pytest.mark.parametrize(("text", "expected", "explanation"), PHRASES, ids=[p[2] for p in PHRASES])
def test_phrase(matcher: Matcher, lex: ActorLexicon, text: str, expected: str | None, explanation: str) -> None:
    actor = longest(matcher, lex, text)
    assert (actor.name if actor else None) == expected, explanation


# Common words that must not become actors on their own.
NON_ACTORS = [
    "قوات",
    "الأمن والاستقرار في المنطقة",
    "مجلس الأمن الدولي",
    "الدعم المالي والأمن المالي",
    "قاعدة عسكرية شرقي سورية",
    "القاعدة الجوية",
    "الشباب والرياضة",
    "فتح الطريق أمام الشاحنات",
    "لنصرة الشعب السوري",
    "المسجد الأقصى في بيت المقدس",
    "التحالف الحاكم",
    "المهاجم محمد مجرشي",
]


@pytest.mark.parametrize("text", NON_ACTORS)
def test_no_actor(matcher: Matcher, lex: ActorLexicon, text: str) -> None:
    assert longest(matcher, lex, text) is None


# --------------------------------------------------------------------------------- resolution
@pytest.mark.parametrize(
    ("actor_id", "country", "expected"),
    [
        ("generic_military", "EG", "Military Forces of Egypt"),  # "قوات الجيش" dev_031
        ("generic_military", "SA", "Military Forces of Saudi Arabia"),  # "القوات البرية" dev_040
        ("generic_police", "IQ", "Police Forces of Iraq"),  # "الشرطة" dev_003
        ("generic_protesters", "IQ", "Protesters (Iraq)"),
        ("generic_civilians", "SY", "Civilians (Syria)"),
        ("generic_government", "SD", "Government of Sudan"),
        ("islamic_state", "IQ", "Islamic State (Iraq)"),
        ("islamic_state", "SY", "Islamic State (Syria)"),
        ("islamic_state", "LY", "Islamic State (Libya)"),
        ("islamic_state", "SA", "Islamic State (Saudi Arabia)"),
        ("islamic_state", "EG", "Islamic State (Egypt)"),
        ("islamic_state", "NG", "Islamic State West Africa Province"),
        ("ansar_allah", "LB", "Ansar Allah (Palestine)"),  # dev_019
        ("ansar_allah", "YE", "Houthi Movement"),
        ("coalition_generic", "YE", "Military Forces of Saudi Arabia"),
        ("coalition_generic", "SY", "Military Forces of the United States"),
        ("generic_national_guard", "SA", "Military Forces of Saudi Arabia"),
        ("generic_national_guard", "TN", "Police Forces of Tunisia"),
        ("kurdish_forces", "TR", "PKK: Kurdistan Workers' Party"),
        ("al_qaeda", "YE", "AQAP: Al Qaeda in the Arabian Peninsula"),
        ("us_forces", "SY", "Military Forces of the United States"),  # not generic: unchanged
        ("generic_military", None, "Military Forces"),
    ],
)
def test_localize(lex: ActorLexicon, actor_id: str, country: str | None, expected: str) -> None:
    assert lex.localize(actor_id, country).name == expected


def test_fills_and_composed_ids(lex: ActorLexicon) -> None:
    assert lex.composed_id("military", "US") == "us_forces"
    assert lex.get("composed:military:US").id == "us_forces"
    ru = lex.get(lex.composed_id("police", "DE"))
    assert ru.id == "composed:police:DE" and ru.name == "Police Forces of Germany" and ru.composed
    assert "Military Forces of Germany" in ru.accept
    with pytest.raises(KeyError):
        lex.get("no_such_actor")


def test_inter_in_and_source_name(lex: ActorLexicon) -> None:
    assert lex.get("us_forces").inter == 1
    assert lex.inter_in("us_forces", "SY") == 8  # a state force abroad is an external force
    assert lex.inter_in("us_forces", "US") == 1
    assert lex.inter_in("hezbollah", "SY") == 3  # non-state actors keep their type
    assert lex.source_name("us_forces") == "US military"
    assert lex.source_name("generic_military", "US") == "US military"
    assert lex.source_name("composed:military:RU") == "Russian military"
    assert lex.source_name("us_africom") == "United States Africa Command"


# --------------------------------------------------------------------------------- bad data
def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "actors"
    shutil.copytree(DATA_DIR, target)
    return target


def _append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(text)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("- {id: hezbollah, name: X, inter: 3, kind: group, forms: [س ص ع]}\n", "duplicate id"),
        ("- {id: bad_inter, name: X, inter: 9, kind: group, forms: [س ص ع]}\n", "unknown inter code"),
        ("- {id: bad_kind, name: X, inter: 2, kind: gang, forms: [س ص ع]}\n", "unknown kind"),
        ("- {id: bad_country, name: X, inter: 2, country: XX, kind: group, forms: [س ص ع]}\n", "unknown country"),
        ("- {id: dup_form, name: X, inter: 2, kind: group, forms: [حزب الله]}\n", "duplicates"),
        ("- {id: no_forms, name: X, inter: 2, kind: group, forms: []}\n", "at least one Arabic form"),
        ("- {id: bad_ref, name: X, inter: 2, kind: group, forms: [س ص ع], by_country: {YE: nope}}\n", "unknown actor"),
    ],
)
def test_bad_actor_data(tmp_path: Path, extra: str, message: str) -> None:
    data = _copy_data(tmp_path)
    _append(data / "actors.yaml", "\n" + extra)
    with pytest.raises(ValueError, match=message) as info:
        ActorLexicon.load(data)
    err = info.value
    assert isinstance(err, LexiconError) and isinstance(err, ResourceError)
    assert "actors.yaml" in str(err)
    actor_id = extra.split("id: ")[1].split(",")[0]
    assert actor_id in str(err)


def test_bad_template_and_country(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    _append(data / "templates.yaml", '  - {id: broken, name: "X {nope}", kind: state, inter: 1, forms: ["ق {adj}"]}\n')
    with pytest.raises(ValueError, match=r"templates\.yaml.*broken"):
        ActorLexicon.load(data)
    data2 = _copy_data(tmp_path / "second")
    _append(data2 / "countries.yaml", '- {code: "SY", name_en: Again, adj_en: Again}\n')
    with pytest.raises(ValueError, match=r"countries\.yaml.*SY.*duplicate code"):
        ActorLexicon.load(data2)
