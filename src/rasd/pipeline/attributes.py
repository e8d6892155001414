"""Stage 6 — attributes: casualties, time, cited sources, certainty and role of each candidate.

* Casualties: a number right after a killed/injured word ("مقتل 8", "إصابة ستة") or right before a
  casualty noun ("16 قتيلا"); a singular victim noun counts 1 ("مقتل جندي"); "دون وقوع إصابات" → 0
  and 0; vague amounts take ACLED's values and yield to precise figures; several precise
  figures → the lowest (GUIDE.md).
* Time: the time expression of the trigger's clause, else the nearest in its sentence.
* Sources: sources named in the event's sentences, and actors named as speakers ("قال الجيش").
* Certainty: a hedge cue in the event's sentence, or in the next sentence of its paragraph when
  that one reports no event of its own ("وتبادل الطرفان الاتهام بالوقوف وراء القصف"), or, for main
  events, in any sentence of the article that reports no event of its own ("لم تعلن أي جهة
  مسؤوليتها").
* Role: background when a background cue precedes the trigger in its sentence ("وكانت",
  "في أعقاب") or the time expression lies before the publication week.
"""

from __future__ import annotations

import bisect
import itertools

from ..resources.loader import Resources
from ..text.match import Mention
from .doc import Candidate, Doc, cue_in, within

MAX_EVENT_DEATHS = 1000  # from here a toll is a campaign's ("قتل خلاله أكثر من 1600 مدني", "ما يزيد عن ألف")
MAX_EVENT_FIGURE = 5000  # larger tolls are cumulative summaries ("13672 جريحا منذ آذار"), not one event
VAGUE_TALLY = 1000  # "آلاف", "عشرات الآلاف": vague counts this large are cumulative tolls
NUMBER_GAP = 22  # characters between a casualty word and its number ("ما لا يقل عن", "نحو")


def fill_attributes(doc: Doc, res: Resources) -> Doc:
    event_sentences = {c.sentence for c in doc.candidates if c.sub != "casualty" and not c.flags}
    for cand in doc.candidates:
        _casualties(doc, res, cand)
        _time(doc, cand)
        _sources(doc, res, cand)
        _role(doc, cand)
    article_hedge = _article_hedge(doc, event_sentences)  # the same for every candidate
    for cand in doc.candidates:
        _certainty(doc, cand, article_hedge)
    return doc


def _casualties(doc: Doc, res: Resources, cand: Candidate) -> None:
    s = doc.sentences[cand.sentence].span
    if cue_in(doc, "no_casualties", s.start, s.end):
        cand.fatalities, cand.injuries = 0, 0
        cand.rules["casualties"] = "no-casualties phrase"
        return
    if cue_in(doc, "no_deaths", s.start, s.end):
        cand.fatalities = 0
    for kind, attr in (("killed", "fatalities"), ("injured", "injuries")):
        # "آلاف القتلى": a vague count in the thousands tallies a campaign, not one event
        values = [x for x in _figures(doc, res, kind, s.start, s.end) if not (x[1] and x[0] >= VAGUE_TALLY)]
        if not values:
            continue
        precise = [(v, pos) for v, vague, pos in values if not vague]
        pool = precise or [(v, pos) for v, _, pos in values]
        value, pos = min(pool)
        if getattr(cand, attr) is None:
            setattr(cand, attr, value)
            setattr(cand, f"{attr}_vague", not precise)
            setattr(cand, f"{attr}_src", pos)
            cand.rules[attr] = f"{kind} word with count {value}"


def _figures(doc: Doc, res: Resources, kind: str, start: int, end: int) -> list[tuple[int, bool, int]]:
    """(count, vague, position) of every casualty figure of ``kind`` in ``[start, end)``."""
    out: list[tuple[int, bool, int]] = []
    afters, befores = cue_in(doc, f"{kind}_after", start, end), cue_in(doc, f"{kind}_before", start, end)
    ones = cue_in(doc, f"{kind}_one", start, end)
    if not (afters or befores or ones):
        return out  # no casualty word of this kind: no figure (and no need to read the numbers)
    sentence = doc.sentence_at(start)
    times = within(doc.times_in(sentence), start, end)
    nums = [
        n
        for n in within(doc.numbers_in(sentence), start, end)
        if not (1900 <= n.value <= 2100 and n.nend - n.nstart == 4)  # a year, not a count
        and not any(t.nstart <= n.nstart < t.nend for t in times)
    ]
    text = doc.text
    all_cues = sorted(  # where every killed/injured cue starts
        p
        for kind, (_, starts) in doc.cues.items()
        if kind.startswith(("killed_", "injured_"))
        for p in starts[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)]
    )
    killed_ends = [c.nend for c in cue_in(doc, "killed_after", start, end)]
    for cue in afters:
        if kind == "injured" and any(0 <= cue.wstart - k <= 3 for k in killed_ends):
            continue  # "مقتل وجرح 110": a combined toll gives neither figure
        tail = text[cue.nend : cue.nend + 14].split()
        word = tail[0].rstrip("،,.؛:") if tail else ""
        bare = word[2:] if word.startswith("ال") else word  # "قتلت الناشطة ...": one known victim
        if word and (bare in res.cues["singular_victims"] or res.actors.is_nisba(word)):
            out.append((1, False, cue.nend))  # "مقتل متعاقد أميركي", "قتل فلسطيني": one victim
            continue
        if word in res.cues[f"dual_{kind}"]:
            out.append((2, False, cue.nend))  # "مقتل شخصين": two
            continue
        stop = min((p for p in all_cues if p > cue.nend), default=end)
        if kind == "killed" and any(0 <= p - cue.nend <= 3 for p in all_cues if p > cue.nend):
            continue  # "مقتل وجرح 110"
        n = next(
            (
                n
                for n in nums
                if 0 <= n.nstart - cue.nend <= NUMBER_GAP and n.nend <= stop and not _non_people(doc, res, n.nend)
            ),
            None,
        )
        if n is not None and not _number_blocked(text[cue.nend : n.nstart]):
            out.append((n.value, n.vague, n.nstart))
        elif cue_in(doc, "others", cue.nend, min(end, cue.nend + 12)):  # "وجرح آخرين", "وإصابة عدد آخر"
            out.append((3, True, cue.nend))
    for cue in befores:
        n = next((n for n in nums if 0 <= cue.wstart - n.nend <= 2), None)
        if n is not None:
            out.append((n.value, n.vague, n.nstart))
    if not out and ones:  # "لقي أمين شرطة مصرعه", "لإصابته بجروح"
        out.append((1, False, ones[0].nstart))
    limit = MAX_EVENT_DEATHS if kind == "killed" else MAX_EVENT_FIGURE
    return [f for f in out if f[0] < limit]


def _number_blocked(gap: str) -> bool:
    """A clause break between the casualty word and the number means they are unrelated."""
    return any(ch in gap for ch in "،,.؛:")


def _non_people(doc: Doc, res: Resources, pos: int) -> bool:
    nxt = doc.text[pos : pos + 14].split()
    return bool(nxt) and nxt[0] in res.cues["non_people"]


def _time(doc: Doc, cand: Candidate) -> None:
    s = doc.sentences[cand.sentence].span
    refs = doc.times_in(cand.sentence)
    if not refs:
        return
    cs, ce = doc.clause_of(cand.sentence, cand.trigger.nstart)
    # "قبل يومين من الانتخابات": two days before the elections, not before the publication date
    refs = [
        r
        for r in refs
        if not (
            r.kind == "relative"
            and cue_in(doc, "offset_words", r.nstart, r.nend)
            and cue_in(doc, "anchored", r.nstart, r.nend + 4)
        )
    ]
    if not refs:
        return
    hours = cue_in(doc, "hours_apart", s.start, cand.trigger.nstart)
    if hours:  # "اختطفت ... الأحد، بعد ساعات على استهدافها": the other event's day, not this one's
        refs = [r for r in refs if r.nstart > hours[-1].nend]
        if not refs:
            return
    # a date inside "منذ ..." starts a period ("منذ سقوط النظام في 2011"): it does not date the event
    since = cue_in(doc, "since", s.start, s.end)
    refs = [r for r in refs if not any(0 <= r.nstart - c.nend <= 40 for c in since)] or refs
    others = doc.other_triggers(cand)
    t = cand.trigger.nstart
    # "تجددت الاشتباكات ... بعد انهيار وقف لإطلاق النار كان قد تم التوصل إليه مساء الاثنين": a time
    # after another event's trigger dates that event (one before both may date a sequence: "مساء 22
    # شباط، هجمات ... تلاها تبادل إطلاق نار")
    refs = [r for r in refs if not any(t < o < r.nstart for o in others)]
    if not refs:
        return
    in_clause = [r for r in refs if cs <= r.nstart < ce]
    first = doc.sentences[cand.sentence].clauses[0]
    leading = [r for r in refs if first.start <= r.nstart < first.end and r.nstart < cand.trigger.nstart]
    pool = in_clause or leading or refs
    cand.time = min(pool, key=lambda r: abs(r.nstart - cand.trigger.nstart))  # its rule: resolve._rules


def _sources(doc: Doc, res: Resources, cand: Candidate) -> None:
    s = doc.sentences[cand.sentence].span
    names: list[str] = []
    for m in within(doc.entities, s.start, s.end):
        if m.kind == "source":
            names.append(res.sources.get(m.ref).name)
        elif (
            m.kind == "actor"
            and any(0 <= m.wstart - c.nend <= 3 for c in _cites_from(doc, s.start, m.wstart))
            and not res.actors.get(m.ref).generic  # "أفاد الجيش": whose army is unknown here
        ):
            names.append(res.source_name_for_actor(m.ref))
    for n in names:
        if n and n not in cand.sources:
            cand.sources.append(n)


def _cites_from(doc: Doc, start: int, upto: int):
    """Cites with ``start <= nstart <= upto`` (``doc.cites`` is sorted by nstart): a bisect, not a scan."""
    first = bisect.bisect_left(doc.cites, start, key=lambda c: c.nstart)
    return itertools.takewhile(lambda c: c.nstart <= upto, itertools.islice(doc.cites, first, None))


def _role(doc: Doc, cand: Candidate) -> None:
    s = doc.sentences[cand.sentence]
    if s.paragraph == 0 and doc.has_title:
        return  # a headline reports the news (a one-line text is all body)
    cues = cue_in(doc, "background", s.span.start, cand.trigger.nstart)
    pub = doc.article.pub_date
    recent = (  # "وكانت تظاهرات قد انطلقت الجمعة": the same or the previous day is still the news
        cand.time is not None and cand.time.date is not None and pub is not None and (pub - cand.time.date).days <= 1
    ) or bool(cue_in(doc, "hours_apart", s.span.start, cand.trigger.nstart))  # "يأتي ذلك بعد ساعات من استهداف"
    if cues and not recent:  # "وكانت تظاهرات قد انطلقت الجمعة": same day, still the news
        cand.background = True
        cand.rules["role"] = f"background cue '{cues[0].form}'"
    elif cand.time is not None and cand.time.past:
        cand.background = True
        cand.rules["role"] = "time before the publication week"


def _certainty(doc: Doc, cand: Candidate, article_hedge: Mention | None) -> None:
    s = doc.sentences[cand.sentence].span
    if cues := cue_in(doc, "hedge", s.start, s.end) or cue_in(doc, "accusation", s.start, s.end):
        cand.hedged = True
        cand.rules["certainty"] = f"hedge in the event's sentence '{cues[0].form}'"
        return
    follow = doc.sentences[cand.sentence + 1] if cand.sentence + 1 < len(doc.sentences) else None
    if (
        follow is not None
        and follow.paragraph == doc.sentences[cand.sentence].paragraph
        and not any(
            c.sentence == follow.index and c.sub != "casualty" and not (c.anaphoric or c.flags)
            for c in doc.candidates
        )
        and (
            cues := cue_in(doc, "hedge_article", follow.span.start, follow.span.end)
            or cue_in(doc, "accusation", follow.span.start, follow.span.end)
        )
    ):  # "قتل 55 مدنيا في قصف ... وتبادل التحالف والمتمردون الاتهام بالوقوف وراء القصف"
        cand.hedged = True
        cand.rules["certainty"] = f"hedge in the sentence that follows it '{cues[0].form}'"
        return
    if cand.background:
        return
    if article_hedge is not None:
        cand.hedged = True
        cand.rules["certainty"] = (
            f"nobody claimed it / suspected author, elsewhere in the article '{article_hedge.form}'"
        )


def _article_hedge(doc: Doc, event_sentences: set[int]) -> Mention | None:
    """The first hedge of the article in a sentence that reports no event ("لم تعلن أي جهة مسؤوليتها")."""
    for c in cue_in(doc, "hedge_article", 0, len(doc.text)):
        i = doc.sentence_at(c.nstart)
        span = doc.sentences[i].span
        if i not in event_sentences and span.start <= c.nstart and c.nend <= span.end:
            return c
    return None
