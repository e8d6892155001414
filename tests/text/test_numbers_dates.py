"""Numbers and time expressions on real sentences of the corpus and the seed article."""

from datetime import date

import pytest

from rasd.text.dates import hijri_to_gregorian
from rasd.text.normalize import fold


@pytest.mark.parametrize(
    ("sentence", "values"),
    [
        ("وأعلن الجيش المصري عن مقتل ثمانية عناصر تكفيرية", [8]),
        ("قتل 16 شخصاً في نيجيريا في هجومين منفصلين", [16]),
        ("مقتل ٣ خبراء من ميليشيات حزب الله", [3]),
        ("سقط خمسة وعشرون قتيلا", [25]),
        ("أصيب ثلاثة عشر جريحا", [13]),
        ("مقتل وإصابة العشرات في انفجار", [10]),
        ("إصابة ستة أميركيين آخرين", [6]),
        # a multiplier word takes the number before it as its count
        ("ولقي حوالي ثلاثة آلاف أمريكي مصرعهم", [3000]),
        ("مسؤول يمني: ألف قتيل و 9 آلاف جريح", [1000, 9000]),
        ("قتلت أكثر من 14 ألف شخص منذ عام 2009", [14000, 2009]),
        ("خمسة وعشرين ألفا", [25000]),
        ("ألفي قتيل", [2000]),
    ],
)
def test_numbers(res, sentence, values):
    assert [n.value for n in res.numbers.find(fold(sentence))] == values


def test_vague_multiples_stay_vague(res):
    # "عشرات الآلاف": tens of thousands, a vague count (then too large to be one event's toll)
    assert [(n.value, n.vague) for n in res.numbers.find(fold("وقتل من الجيش عشرات الآلاف"))] == [(10000, True)]
    assert [(n.value, n.vague) for n in res.numbers.find(fold("آلاف القتلى"))] == [(1000, True)]


PUB = date(2023, 4, 11)  # a Tuesday


TIME_SENTENCES = [
    ("إن هجوما صاروخيا استهدف، الإثنين، قاعدة شرقي سورية", date(2023, 4, 10), "day"),
    ("وفي 25 آذار / مارس الماضي، شنت المجموعات", date(2023, 3, 25), "day"),
    ("وفي أواخر آذار/ مارس، ردت القوات الأميركية", date(2023, 3, 1), "month"),
    ("يوم الثلاثاء في غارة جوية", date(2023, 4, 11), "day"),
    ("أسفر انفجار سيارة مفخخة ليل الخميس وسط بنغازي", date(2023, 4, 6), "day"),
    ("أعلن الجيش عن مقتل ثمانية عناصر أمس", date(2023, 4, 10), "day"),
    ("في غارة جوية شنتها طائرات التحالف قبل أسبوع", date(2023, 4, 4), "week"),
    ("الذي اجتاح العراق وسورية، عام 2014", date(2014, 1, 1), "year"),
    ("ومنذ كانون الثاني/يناير الماضي، أغلقت السلطات", date(2023, 1, 1), "month"),
    ("في 12 أبريل 2018 وقع الهجوم", date(2018, 4, 12), "day"),
    ("في الخامس عشر من مايو", date(2022, 5, 15), "day"),
    ("مساء الاربعاء الماضي", date(2023, 4, 5), "day"),
    ("ليلة الجمعة 7 يونيوز", date(2022, 6, 7), "day"),
    ("في 1 رمضان 1436 هـ", date(2015, 6, 18), "day"),
]


@pytest.mark.parametrize(("sentence", "expected", "precision"), TIME_SENTENCES)
def test_time_expressions_resolve_against_pub_date(res, sentence, expected, precision):
    refs = res.calendar.find(fold(sentence), PUB)
    assert refs, sentence
    best = max(refs, key=lambda r: r.nend - r.nstart)
    assert (best.date, best.precision) == (expected, precision)


@pytest.mark.parametrize(
    "sentence",
    [s for s, _, _ in TIME_SENTENCES] + ["مارس الجيش ضغوطا كبيرة", "وقالت اليومية إن الأمسية انتهت", "في يوم السبت"],
)
def test_time_words_from_the_matcher_choose_the_same_patterns(res, sentence):
    # the pipeline passes find() the kinds of time words the dictionary matcher saw; find() looks
    # for them itself otherwise: both must give the same expressions
    text = fold(sentence)
    kinds = {m.ref for m in res.matcher.find(text) if m.kind == "time"}
    assert res.calendar.find(text, PUB, kinds) == res.calendar.find(text, PUB)


def test_no_pub_date_gives_no_relative_date(res):
    refs = res.calendar.find(fold("استهدف، الإثنين، قاعدة وفي 25 آذار الماضي"), None)
    assert refs and all(r.date is None for r in refs)


def test_written_year_resolves_without_pub_date(res):
    (ref,) = res.calendar.find(fold("في 7 أيار/مايو 2018"), None)
    assert ref.date == date(2018, 5, 7)


def test_ambiguous_month_word_is_not_a_date(res):
    assert res.calendar.find(fold("مارس الجيش ضغوطا كبيرة"), PUB) == []


def test_hijri_conversion():
    assert hijri_to_gregorian(1439, 10, 1) == date(2018, 6, 15)
