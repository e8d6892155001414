"""Names that are also common words (``places/words.tsv``, from corpus counts vs population) name
no place in sentences where they are words, and still name the place with place context."""

from __future__ import annotations

import pytest

# (sentence, the word as written) — the word is not a place here
WORDS: list[tuple[str, str]] = [
    ("لعبت الوساطة المصرية دورا كبيرا في التوصل إلى وقف إطلاق النار.", "دورا"),
    ("أكد الوزير أن الحكومة ستؤدي دورا محوريا في إعادة الإعمار.", "دورا"),
    ("قال إن الاعتداء على المدنيين عمل غير بشري ويجب محاسبة المسؤولين.", "بشري"),
    ("حذرت المنظمة من كارثة على المستوى البشري في المخيمات.", "بشري"),
    ("تحدث الشيخ عن نزاع قبلي قديم بين العشيرتين على الأرض.", "قبلي"),
    ("أعرب الرئيس عن الأمل في التوصل إلى حل سياسي للأزمة.", "الأمل"),
    ("وقال إن هناك بارقة أمل في نجاح المفاوضات.", "أمل"),
    ("احتفل أنصار الحزب بالنصر في الانتخابات البلدية.", "النصر"),
    ("وقع البلدان اتفاقا للتعاون الأمني في بلد عربي آخر.", "بلد"),
    ("قال إن أي بلد لا يستطيع مواجهة الإرهاب وحده.", "بلد"),
    ("استمرت المعارك ثلاثين يوما دون توقف في الجبهة.", "يوما"),
    ("لم تعرف هوية المهاجمين حتى الآن بحسب الشرطة.", "هوية"),
    ("تجمع المحتجون في الميدان الرئيسي للمدينة وسط انتشار أمني.", "الميدان"),
    # blocked names (blocklist.txt) of towns: not from a preposition, an apposition or "في" + place
    ("وكانت قوات النظام قد استعادت السيطرة على كامل الغوطة الشرقية إلا دوما.", "كامل"),
    ("أقدمت قوات التمرد الحوثي على مداهمة جامعة ذمار، حيث اختطفت خمسة من الطلاب.", "جامعة"),
    ("قتل ثلاثة جنود في هجوم يوم الخميس في محافظة ديالى.", "الخميس"),
    ("قتل خمسة أشخاص في انفجار قرب منطقة القصر الرئاسي في مقديشو.", "القصر"),
]



@pytest.mark.parametrize(("sentence", "word"), WORDS, ids=[f"{i}-{w}" for i, (_, w) in enumerate(WORDS)])
def test_word_is_not_a_place(sentence: str, word: str, chosen_places) -> None:
    places = list(chosen_places(sentence))
    assert not any(word in p or p in word for p in places), places


@pytest.mark.parametrize(
    ("sentence", "word"),
    [
        ("سقطت قذائف هاون على قضاء بلد شمال بغداد.", "بلد"),
        ("قتل ثلاثة أشخاص في انفجار في مدينة بلد شمال بغداد.", "بلد"),
        # blocked names of towns of 10,000 inhabitants or more, after a town head noun (#15)
        ("استشهد شاب فلسطيني برصاص الاحتلال في بلدة دورا جنوب الخليل.", "دورا"),
        ("قتل خمسة جنود في هجوم لحركة الشباب على مدينة جوهر الصومالية.", "جوهر"),
        ("اندلعت مواجهات بين الشرطة ومحتجين في مدينة قبلي جنوب تونس.", "قبلي"),
    ],
)
def test_word_with_place_context_is_a_place(sentence: str, word: str, chosen_places) -> None:
    assert any(word in p for p in chosen_places(sentence))
