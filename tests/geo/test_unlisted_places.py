"""Places the gazetteer lacks, named after a head noun (issue #15): "ولاية سيعرت", "مقاطعة كورام".
The location is the phrase as written, geocoded to the place containing it (precision 2 near a
town, 3 in a province or country); a common word after a head noun ("منطقة صحراوية", "منطقة
الجزاء") is no place. Sentences from the bulk corpus (``../shared/corpus/bulk.jsonl.gz``)."""

from __future__ import annotations

from datetime import date

import pytest

import rasd
from rasd.pipeline import STAGES, prepare
from rasd.pipeline.places import choose_places, precise_phrases, unlisted_places
from rasd.types import Article, Location


def _locations(text: str, pub: date = date(2016, 8, 1)) -> list[Location]:
    return [e.location for e in rasd.extract(text, pub_date=pub).events if e.location is not None]


def _unlisted(text: str) -> dict[str, tuple[str, str, int]]:
    """The unlisted places of ``text``: {text of head and name: (country, container name, precision)}."""
    res = rasd.load_resources()
    doc = prepare(Article(doc_id="t", text=text, pub_date=date(2016, 8, 1)))
    for name, stage in STAGES:
        if name == "events":
            break
        doc = stage(doc, res)
    chosen = choose_places(doc, res)
    doc.precise = precise_phrases(doc, res, chosen)
    return {doc.text[s:e]: (p.country, p.name, p.geo_precision) for _, p, (s, e) in unlisted_places(doc, res, chosen)}


@pytest.mark.parametrize(
    ("text", "phrase", "country", "name", "precision"),
    [
        (  # bulk_37b5163c30d9: a Turkish province GeoNames has no Arabic name for; Turkey is named
            "أفادت مصادر أمنية تركية الجمعة بمقتل ستة من عناصر الأمن في هجوم شنه مسلحو حزب العمال الكردستاني"
            " بالقرب من قاعدة عسكرية في ولاية سيعرت جنوب شرقي تركيا.",
            "ولاية سيعرت",
            "TR",
            "Turkey",
            3,
        ),
        (  # bulk_dc558b4629ff: a district linked to its province ("في هاتاي")
            "وجاء في بيان صادر عن مكتب حاكم الإقليم أن قوات الأمن التركية فتحت النار فقتلت المسلحين بعدما رصدت"
            " وجودهم في منطقة أرسوز في هاتاي قرب البحر المتوسط.",
            "منطقة أرسوز",
            "TR",
            "Hatay",
            3,
        ),
        (  # bulk_5fa28271578f: a Pakistani tribal agency, linked to its country by a direction
            "أحرق مسلحون مجهولون مبنى مدرسة حكومية وخطفوا عشرة عمال كانوا داخل المدرسة الواقعة في مقاطعة كورام"
            " شمال غرب باكستان.",
            "مقاطعة كورام",
            "PK",
            "Pakistan",
            3,
        ),
        (  # bulk_c115bfaa2b02: a village the gazetteer lacks, in a town it knows
            "وقالت مصادر في المقاومة إن المقاومة استعادت يوم الثلاثاء، قرية المسلامية في لودر أبين.",
            "قرية المسلامية",
            "YE",
            "Lawdar",
            2,
        ),
    ],
)
def test_unlisted_place_is_the_event_location(text: str, phrase: str, country: str, name: str, precision: int) -> None:
    locs = [x for x in _locations(text) if x.text == phrase]
    assert locs, [x.text for x in _locations(text)]
    loc = locs[0]
    assert loc.country == country and loc.name == name and loc.geo_precision == precision and loc.lat is not None
    assert loc.id is not None and loc.id.startswith("unlisted:")


@pytest.mark.parametrize(
    "text",
    [
        # bulk_7b5c91722aa4: an adjective ("الصحراوية" is common), not a name
        "يبدو أحد عناصر الميليشيات، في التسجيل المصور، وهو يطلق قذيفة من سلاح في منطقة صحراوية.",
        # bulk_aa5de937ff17: the penalty area
        "ومنح الحكم والتر لوبيز الذي أدار المباراة فرصة رائعة للمنتخب المكسيكي لحسم المباراة، إذ احتسب ضربة"
        " جزاء مثيرة للجدل للاعب أوريبي بيرالتا الذي سقط داخل منطقة الجزاء إثر التحام مع اللاعب الكوستاريكي.",
        # bulk_a3c2e095704c: a closed military zone
        "أعلنت السلطات التركية منطقة شرناق الحدودية مع العراق “منطقة عسكرية مغلقة يحظر التجول فيها” لمدة أسبوعين.",
        # bulk_1c205bd857ec: "a large city"
        "قال المدير العام لمنظمة الصحة العالمية تيدروس أدهانوم، الاثنين، إن وصول فيروس إيبولا إلى مدينة كبيرة"
        " في جمهورية الكونغو الديمقراطية أمر مقلق.",
        # bulk_110ca44ba61a: "a settlement neighbourhood" (the article form "الاستيطاني" is common)
        "مرجحا أن لديهم مخططات من أجل بناء حي استيطاني في المنطقة التي نعيش فيها في الضفة الغربية.",
    ],
)
def test_common_word_after_a_head_noun_is_no_place(text: str) -> None:
    found = _unlisted(text)
    assert not [phrase for phrase in found if phrase.split()[-1] not in ("شرناق",)], found
