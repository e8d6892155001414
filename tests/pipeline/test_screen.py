"""The screen sets aside articles that cannot report an event, and only those."""

from pathlib import Path

import pytest

from rasd.pipeline import prepare, run
from rasd.resources.loader import starts_events
from rasd.text.match import Entry, Matcher
from rasd.types import Article

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

OIL_NEWS = (
    "ارتفعت أسعار النفط في الأسواق العالمية اليوم الثلاثاء بعد قرار منظمة أوبك خفض الإنتاج، "
    "وقال وزير الطاقة السعودي إن السوق تتجه نحو التوازن."
)


def test_news_without_event_words_is_set_aside_with_no_events(res):
    doc = run(Article(text=OIL_NEWS), res)
    assert doc.quiet
    assert doc.events == []
    assert doc.sentences == []  # the stages after the screen did not run


def test_a_trigger_passes_the_screen(res, seed_text):
    doc = run(Article(text=seed_text), res)
    assert not doc.quiet
    assert doc.events


def test_a_death_word_without_trigger_passes_and_makes_an_event(res):
    # no attack word: the deaths, a place and an armed actor make the event (resolve._merge)
    doc = run(Article(text="مصرع عشرات الإرهابيين جراء عمليات لقوات الجيش في رفح"), res)
    assert not doc.quiet
    assert [e.sub_event_type for e in doc.events] == ["Armed clash"]


def test_a_trigger_word_inside_another_word_does_not_pass(res):
    # "مقاتلين" holds the letters of "قتل", "المقاومة" those of "مقاومة" is no trigger here either
    doc = run(Article(text="التقى المدرب باللاعبين المقاتلين على الكرة في ملعب المدينة"), res)
    assert doc.quiet


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.txt")), ids=lambda p: p.name)
def test_screen_finds_exactly_the_full_matchers_event_words(res, path):
    text = prepare(Article(text=path.read_text(encoding="utf-8"))).text
    full = [m for m in res.matcher.find(text) if starts_events(Entry(m.kind, m.ref))]
    assert full  # every example reports events
    assert res.screen.find(text) == full
    assert res.screen.find(text, first=True) == full[:1]


def test_subset_keeps_keys_and_edge_rules():
    m = Matcher()
    m.add("البوكمال", Entry("place", "bukamal"))
    m.add("قصف", Entry("trigger", "shelling"))
    sub = m.subset(lambda e: e.kind == "trigger").compile()
    m.compile()
    text = "قصف البوكمال وقصفها ثم القصف"  # "قصفها": no suffix allowed; "و" and "ال" are clitics
    assert [(x.ref, x.nstart) for x in sub.find(text)] == [("shelling", 0), ("shelling", 25)]
    assert sub.find(text) == [x for x in m.find(text) if x.kind == "trigger"]
    with pytest.raises(RuntimeError):
        m.subset(lambda e: True)
