"""The source lexicon and citation cues: data validation and real citing phrases from the seed
and dev articles (with the names their gold annotations use)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rasd.actors import ActorLexicon, LexiconError
from rasd.sources import CUE_POSITIONS, DATA_DIR, SOURCE_KINDS, SourceLexicon
from rasd.text.match import Entry, Matcher, longest_first, variants
from rasd.text.normalize import normalize


@pytest.fixture(scope="module")
def lex() -> SourceLexicon:
    return SourceLexicon.load()


@pytest.fixture(scope="module")
def matcher(lex: SourceLexicon) -> Matcher:
    m = Matcher()
    for form, source_id, suffix in lex.entries():
        m.add(form, Entry("source", source_id, suffix))
    return m.compile()


@pytest.fixture(scope="module")
def cue_matcher(lex: SourceLexicon) -> Matcher:
    m = Matcher()
    for form, cue_id, suffix in lex.cue_entries():
        m.add(form, Entry("cite", cue_id, suffix))
    return m.compile()


def names(matcher: Matcher, lex: SourceLexicon, text: str) -> list[str]:
    """Source names in ``text``, longest mentions first-come."""
    return [lex.get(m.ref).name for m in longest_first(matcher.find(normalize(text).text))]


def test_loads_and_validates(lex: SourceLexicon) -> None:
    explicit = list(lex.sources(composed=False))
    assert len(explicit) >= 150
    assert len({s.id for s in explicit}) == len(explicit)
    for s in lex.sources():
        assert s.kind in SOURCE_KINDS, s.id
        assert s.name, s.id
        if s.generic:
            assert s.template and s.country is None, s.id
    cues = lex.cues()
    assert len(cues) >= 25
    assert all(c.position in CUE_POSITIONS for c in cues.values())
    assert {ref for _, ref, _ in lex.cue_entries()} == set(cues)


def test_no_form_is_also_an_actor_form(lex: SourceLexicon) -> None:
    """Sources win exact ties against actors in the pipeline, so a shared key would hide an actor."""
    actor_keys = {k for form, _, _ in ActorLexicon.load().entries() for k in variants(form)}
    shared = sorted({f for f, _, _ in lex.entries() if variants(f) & actor_keys})
    assert not shared


SOURCE_PHRASES = [
    ("وأوردت وكالة “الأناضول”، أن الهجمات تم تنفيذها", ["Anadolu Agency"], "seed: quoted name"),
    ("قالت وكالة الأناضول", ["Anadolu Agency"], "plain"),
    ("وقال المرصد السوري لحقوق الإنسان ومقره بريطانيا", ["Syrian Observatory for Human Rights"], "seed"),
    ("وأفاد المرصد أن الطائرات الحربية", ["Syrian Observatory for Human Rights"], "dev_038 bare المرصد"),
    ("أكد ضابط شرطة لوكالة فرانس برس", ["Agence France-Presse"], "dev_001 ل + agency"),
    ("نقلت وكالة الصحافة الفرنسية", ["Agence France-Presse"], "dev_015 other name"),
    ("فرانس 24/ أ ف ب", ["France 24", "Agence France-Presse"], "dev_008 byline"),
    ("وذكرت نقلا عن مصادر محلية، لم تسمّها", ["Local sources"], "seed"),
    ("وقال مسؤول بجماعة مدعومة من إيران في العراق", ["Iran-backed group official"], "seed composed"),
    (
        "ونقلت وكالة الأنباء السورية الرسمية سانا عن مصدر عسكري سوري قوله",
        ["Syrian Arab News Agency", "Syrian military source"],
        "dev_002",
    ),
    ("وكان التلفزيون السوري الرسمي قد أورد", ["Syrian state television"], "dev_002 composed"),
    ("ونقلت وكالة رويترز عن سكان في المنطقة قولهم", ["Reuters", "Local residents"], "dev_002"),
    ("وكانت مصادر يمنية قد أكدت", ["Yemeni sources"], "dev_007 composed"),
    ("وبحسب مراسل سكاي نيوز عربية", ["Sky News Arabia correspondent"], "dev_007 outlet correspondent"),
    ("وقال مراسل بي بي سي في الخرطوم", ["BBC correspondent"], "dev_016"),
    ("وفقا لمراسل وكالة الصحافة الفرنسية", ["Agence France-Presse"], "dev_016 agency correspondent"),
    (
        "ونقلت وكالة الأنباء السعودية الرسمية الجمعة عن مسؤول رفيع في التحالف",
        ["Saudi Press Agency", "Coalition official"],
        "dev_008",
    ),
    ("وفقا للصليب الأحمر", ["International Committee of the Red Cross"], "dev_008"),
    ("وكانت السفارة الأمريكية في الخرطوم قد قالت", ["US Embassy"], "dev_016 composed"),
    ("وقالت منظمات حقوقية إن عشرات", ["Human rights organisations"], "dev_016"),
    ("وقالت قوة المهام المشتركة في بيان", ["Combined Joint Task Force"], "dev_017"),
    ("وكان وزير الدفاع الإسرائيلي أفيغدور ليبرمان أعلن", ["Israeli Defence Minister"], "dev_006 composed"),
    ("فيما ذكرت وزارة الدفاع الروسية أن", ["Russian Ministry of Defence"], "dev_006 composed"),
    ("وقالت القيادة العامة للجيش السوري، في بيان", ["Syrian Army General Command"], "dev_006"),
    ("وكانت وسائل إعلام عراقية قد تناقلت", ["Iraqi media"], "dev_025 composed"),
    ("ووفقاً لما ذكرته وسائل إعلام لبنانية", ["Lebanese media"], "dev_024 composed"),
    ("أفادت خلية الإعلام الحربي الحكومية العراقية", ["Iraqi War Media Cell"], "dev_033"),
    ("حسبما أفاد مدير أمن الشرقية اللواء خالد يحيى", ["Sharqia Security Directorate"], "dev_032"),
    ("وقال نقيب الشرطة، حسن نور، لرويترز", ["Police official", "Reuters"], "dev_034"),
    ("وأوضحت وزارة الفلسطينية أن من بين المصابين", ["Palestinian Ministry of Health"], "dev_022 as printed"),
    ("وقالت وزارة الصحة في غزة", ["Palestinian Ministry of Health"], "Gaza ministry"),
    ("بحسب ما ذكره مسؤولون فلسطينيون", ["Palestinian officials"], "dev_028 composed"),
    ("وقالت مصادر طبية إن شخصا قُتل", ["Medical sources"], "dev_028"),
    ("وأكد مصدر طبي في مستشفى مدينة كسلا", ["Medical source"], "dev_001"),
    ("وبحسب شهود عيان، فإن", ["Witnesses"], "dev_028"),
    ("وقال مصدر أمني لبي بي سي", ["Security source", "BBC"], "dev_025"),
    ("وذكر مصدران أمنيان، طلبا عدم كشف هويتيهما", ["Security sources"], "dev_015 dual"),
    ("وأوضح مراسلنا أن نحو 30 شخصا", ["Correspondent"], "dev_026"),
    ("صرح المتحدث الأمني لوزارة الداخلية بأنه", ["Saudi Ministry of Interior"], "dev_040"),
    ("وقال المتحدث الأمني اللواء", ["Security spokesman"], "dev_023"),
    ("وذكر مصدر عسكري في جبهة صرواح", ["Military source"], "dev_035"),
    ("وأكد المصدر، طبقا لموقع الجيش اليمني الرسمي", ["Yemeni army website"], "dev_035"),
    ("وذكرت مصادر عسكرية أن", ["Military sources"], "dev_036"),
    ("بحسب مصادر ميدانية من منطقة الحسينية", ["Field sources"], "dev_036"),
    ("وأفاد مصدر ميداني، أن الميليشيا", ["Field source"], "dev_030"),
    ("وتقول مصادر في المعارضة السورية إن", ["Syrian opposition sources"], "dev_029 composed"),
    ("حسب ما قالت الوكالة الوطنية للإعلام", ["National News Agency"], "dev_019"),
    ("المتحدث باسم الرئيس الأفغاني أشرف غني", ["Afghan presidential spokesman"], "dev_015 composed"),
    ("وقال عبد الرحمن المهدي، مساعد الرئيس السوداني", ["Sudanese presidential assistant"], "dev_016"),
    ("وصرح قائد شرطة كابل عبد الرحمن رحيمي", ["Kabul police chief"], "dev_015"),
    ("وقال مدير مكتب الصحة في محافظة صعدة", ["Saada health office"], "dev_008"),
    ("قالت دائرة الأوقاف الإسلامية", ["Islamic Waqf Department"], "dev_037"),
    (
        "حسبما أفاد عمال إغاثة والمرصد السوري لحقوق الإنسان",
        ["Relief workers", "Syrian Observatory for Human Rights"],
        "dev_038",
    ),
    ("وأظهر مقطع فيديو انتشر على مواقع التواصل الاجتماعي", ["Social media video"], "dev_003"),
    ("وقال الجيش الأمريكي إن", [], "speakers that are actors stay actors (ActorLexicon.source_name)"),
    ("وزارة الداخلية تعلن", ["Ministry of Interior"], "generic: localize with the country"),
]


@pytest.mark.parametrize(("text", "expected", "explanation"), SOURCE_PHRASES, ids=[p[2] for p in SOURCE_PHRASES])
def test_source_phrase(matcher: Matcher, lex: SourceLexicon, text: str, expected: list[str], explanation: str) -> None:
    assert names(matcher, lex, text) == expected, explanation


@pytest.mark.parametrize(
    ("text", "cue_id", "position"),
    [
        ("قالت مصادر محلية إن الهجمات", "qala", "before"),
        ("وأوردت وكالة الأناضول", "awrada", "before"),
        ("وأفاد الجيش في بيان بأن صاروخا", "afada", "before"),
        ("وذكرت نقلا عن مصادر محلية", "dhakara", "before"),
        ("ونقلت وكالة رويترز", "naqala", "before"),
        ("وبحسب مراسل سكاي نيوز", "bihasab", "prep"),
        ("حسبما أفاد مدير أمن الشرقية", "bihasab", "prep"),
        ("وفقا للصليب الأحمر", "wifqan", "prep"),
        ("وفق ما أوردت مراسلتنا", "wifqan", "prep"),
        ("نقلا عن مصادر محلية", "naqlan", "prep"),
        ("على لسان مصدر عسكري", "ala_lisan", "prep"),
        ("واستنادًا الى روايات سكّان", "istinadan", "prep"),
        ("عن مصدر عسكري سوري قوله", "qawluhu", "after"),
        ("في بيان اليوم الأحد", "fi_bayan", "statement"),
        ("وقالت في تغريدة لها", "fi_taghrida", "statement"),
    ],
)
def test_cues(cue_matcher: Matcher, lex: SourceLexicon, text: str, cue_id: str, position: str) -> None:
    found = [m.ref for m in longest_first(cue_matcher.find(normalize(text).text))]
    assert cue_id in found
    assert lex.cue(cue_id).position == position


def test_hedge_cue(lex: SourceLexicon) -> None:
    assert lex.cue("zaama").hedge and not lex.cue("qala").hedge


@pytest.mark.parametrize(
    ("source_id", "country", "expected"),
    [
        ("ministry_interior", "SA", "Saudi Ministry of Interior"),
        ("ministry_interior", "EG", "Egyptian Ministry of Interior"),
        ("ministry_health", "PS", "Palestinian Ministry of Health"),
        ("ministry_defence", "US", "US Department of Defense"),
        ("state_television", "SY", "Syrian state television"),
        ("state_news_agency", "SY", "Syrian Arab News Agency"),
        ("military_spokesman", "IL", "Israeli military spokesman"),
        ("civil_defence", "SY", "Syrian Civil Defence"),
        ("reuters", "SY", "Reuters"),
        ("ministry_interior", None, "Ministry of Interior"),
    ],
)
def test_localize(lex: SourceLexicon, source_id: str, country: str | None, expected: str) -> None:
    assert lex.localize(source_id, country).name == expected


def test_get(lex: SourceLexicon) -> None:
    assert lex.get("afp").name == "Agence France-Presse" and "AFP" in lex.get("afp").accept
    assert lex.get("sky_news_arabia:correspondent").name == "Sky News Arabia correspondent"
    assert lex.get("composed:news_agency:SY").id == "sana"
    with pytest.raises(KeyError):
        lex.get("nope")


def test_bad_source_data(tmp_path: Path) -> None:
    data = tmp_path / "sources"
    shutil.copytree(DATA_DIR, data)
    with open(data / "sources.yaml", "a", encoding="utf-8") as fh:
        fh.write("\n- {id: copycat, name: Copy, kind: agency, forms: [رويترز]}\n")
    with pytest.raises(ValueError, match=r"sources\.yaml.*copycat.*duplicates") as info:
        SourceLexicon.load(data)
    assert isinstance(info.value, LexiconError)
    shutil.copy(DATA_DIR / "sources.yaml", data / "sources.yaml")
    with open(data / "cue_verbs.yaml", "a", encoding="utf-8") as fh:
        fh.write("  - {id: sideways, position: sideways, forms: [قال]}\n")
    with pytest.raises(ValueError, match=r"cue_verbs\.yaml.*sideways.*unknown position"):
        SourceLexicon.load(data)
