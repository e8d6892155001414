"""The dictionary matcher tolerates clitics and inflection; segmentation keeps original offsets."""

from rasd.pipeline.segment import segment
from rasd.text.match import Entry, Matcher, longest_first
from rasd.text.normalize import normalize


def _matcher():
    m = Matcher()
    m.add("البوكمال", Entry("place", "bukamal"))
    m.add("حقل العمر", Entry("place", "omar"))
    m.add("أميركي", Entry("actor", "us", "adj"))
    m.add("القوات الأميركية", Entry("actor", "us_forces"))
    m.add("مال", Entry("place", "mal"))
    return m.compile()


def test_clitics_and_article_variants():
    text = normalize("أطلقت من بالبوكمال وللقوات الأميركية في حقل عمر").text
    refs = [x.ref for x in longest_first(_matcher().find(text))]
    assert refs == ["bukamal", "us_forces", "omar"]


def test_no_match_inside_a_word():
    text = normalize("الكمال والمالية").text
    assert [x.ref for x in _matcher().find(text)] == []


def test_adjective_inflection():
    text = normalize("جنود أميركيين").text
    assert [x.ref for x in _matcher().find(text)] == ["us"]


def test_segments_are_original_spans(seed_text):
    sents = segment(seed_text)
    assert (sents[0].span.start, sents[0].span.end) == (0, 46)
    assert seed_text[sents[3].span.start : sents[3].span.end].startswith("قال الجيش الأميركي")
    assert all(seed_text[s.span.start : s.span.end].strip() for s in sents)


def _short_key_matcher():
    m = Matcher()
    m.add("لا", Entry("cue", "negation"))
    m.add("في", Entry("cue", "location_preps"))
    m.add("ان.بي.سي", Entry("source", "nbc"))
    m.add("ان بي سي", Entry("source", "nbc_spaced"))
    return m.compile()


def test_short_keys_hit_at_word_edges_only():
    # "لا" inside "خلال" and "الاسلام", "في" inside "الفيلم": no hit; after a proclitic, a quote,
    # a bracket, a digit or at the very start: a hit; touching a Latin letter: none
    text = normalize('لا خلال الاسلام ولا "لا (في 5في الفيلم xلا وفيx').text
    hits = [(x.ref, text[x.wstart : x.wend]) for x in _short_key_matcher().find(text)]
    assert hits == [
        ("negation", "لا"),
        ("negation", "ولا"),
        ("negation", "لا"),
        ("location_preps", "في"),
        ("location_preps", "في"),
    ]


def test_keys_with_one_scan_form_are_told_apart():
    # both keys read "ان بي سي" once punctuation is a word edge; the text decides which one it is
    m = _short_key_matcher()
    assert [x.ref for x in m.find(normalize("قالت شبكة ان.بي.سي إن").text)] == ["nbc"]
    assert [x.ref for x in m.find(normalize("قالت شبكة ان بي سي إن").text)] == ["nbc_spaced"]
    assert [x.ref for x in m.find(normalize("قالت شبكة ان-بي-سي إن").text)] == []
