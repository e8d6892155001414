"""Stage 4 — events: triggers → typed event candidates, one per trigger group and place.

For every sentence:

1. triggers in a non-event frame are dropped: negation just before the trigger, a future/plan or
   threat cue before it in its clause, or a habitual description anywhere in the sentence
   (GUIDE.md "Not events");
2. each trigger is typed: specific triggers keep their sub-event type, refined by a stronger
   weapon word in the same clause; generic ones ("هجوم", "استهدف") take the strongest weapon word
   of the clause, then of the sentence, else stay "generic" (the roles stage decides);
3. within a sentence, triggers of the same type merge, and a type absorbs the types it lists in
   ``triggers/events.yaml`` ``absorbs`` (a suicide car bomb is not also an IED);
4. places are handed to the nearest trigger before them (else the first after): launch sites
   ("أطلقت من X"), the dateline, and containers (the province or country of another named place)
   are skipped; a trigger with several places yields one candidate per place (ACLED: one event
   per location and day).

Killed/injured words in a sentence without any trigger yield "casualty" candidates that can only
merge into a typed event (headline "مقتل 8 تكفيريين في سيناء").
"""

from __future__ import annotations

from ..geo.gazetteer import Place, haversine_km
from ..resources.loader import DEATH_CUES, Resources
from ..text.match import Mention
from ..text.normalize import fold
from .doc import Candidate, Doc, PlaceRef, cue_before, cue_in, within
from .places import choose_places, dateline_end, precise_phrases, unlisted_places

SITE_RADIUS_KM = 12.0
REGION_RADIUS_KM = 250.0  # regions without a province: Sinai, the Syrian desert...
TOWN_OR_AREA = frozenset({"place", "town", "village", "country", "admin1", "admin2", "region", "district", "unlisted"})
CONTAINER_KINDS = frozenset({"country", "admin1", "region"})
NEGATION_WINDOW = 14  # characters between a negation and the trigger it negates
PASSIVE_REACH = 70  # "تعرض مركز المسيال بقطاع ظهران الجنوب بمنطقة عسير لقذائف": the victim place may be long
CASUALTY_CUES = (*DEATH_CUES, "injured_after", "injured_before")
OBJECT_REACH = 40  # "سيطرت المقاومة الشعبية على مواقع": what is taken follows the verb closely
INTERCEPTION = "Disrupted weapons use"  # ACLED's sub-event type of an interception or a downing
DESCRIBING_VERB_GAP = 25  # "هجمات لبوكو حرام استهدفت": an attack verb right after an excluded attack noun


def build_candidates(doc: Doc, res: Resources) -> Doc:
    chosen = choose_places(doc, res)
    doc.precise = precise_phrases(doc, res, chosen)
    unlisted = unlisted_places(doc, res, chosen)
    for m, place, span in unlisted:
        chosen[(m.nstart, m.nend)] = place
        doc.precise[(m.nstart, m.nend)] = span
    if unlisted:
        doc.entities = sorted([*doc.entities, *(m for m, _, _ in unlisted)], key=lambda m: m.nstart)
    dl_end = dateline_end(doc)
    # only a sentence with a trigger or a death word can hold an event (see ``screen``)
    starters = {doc.sentence_at(m.nstart) for m in doc.entities if m.kind == "trigger"}
    starters.update(doc.sentence_at(c.nstart) for kind in DEATH_CUES for c in cue_in(doc, kind, 0, len(doc.text)))
    for sent in doc.sentences:
        if sent.index not in starters:
            continue
        s, e = sent.span.start, sent.span.end
        ents = within(doc.entities, s, e)
        trigs: list[Mention] = []
        flags: dict[int, str] = {}  # trigger start → the rule that would have excluded it (a feature)
        descriptive = False  # after "الذي اجتاح", a coordinated "وسيطر" describes the actor too
        excluded_end = -10
        habitual = bool(cue_in(doc, "habitual", s, e))
        for m in ents:
            if m.kind != "trigger":
                continue
            flag = _exclusion(doc, res, sent.index, m, ents, chosen, excluded_end, descriptive)
            if flag == "non_event":
                descriptive = descriptive or _describes_actor(doc, sent.index, m)
                excluded_end = m.wend
            if habitual and flag is None:
                flag = "habitual"
            if flag is not None:
                flags[m.nstart] = flag
            trigs.append(m)

        def typ(m: Mention, i: int = sent.index) -> tuple[str, float]:
            return _type_of(doc, res, i, m)

        typed = _merge_in_sentence(doc, res, [(m, typ(m)) for m in trigs if m.nstart not in flags])
        if not typed:
            kills = [c for kind in DEATH_CUES for c in cue_in(doc, kind, s, e)]
            # not the deaths of an excluded one, nor a toll since a year ("قتلت أكثر من 14 ألف شخص منذ عام 2009")
            if kills and not cue_in(doc, "future", s, e) and excluded_end < s and not _since_a_year(doc, sent.index):
                typed = [(kills[0], "casualty", 0.3)]
        # the triggers a rule excludes form their own candidates, as if the others were not there
        # (an event stays flagged only when every mention of it is: see ``resolve``)
        excluded = _merge_in_sentence(doc, res, [(m, typ(m)) for m in trigs if m.nstart in flags])
        for group in (typed, excluded):
            if group:
                _add_candidates(doc, res, chosen, sent, ents, dl_end, group, flags)
    doc.places = chosen
    return doc


def _add_candidates(
    doc: Doc, res: Resources, chosen: dict, sent, ents: list[Mention], dl_end: int, group, flags: dict
) -> None:
    """One candidate per trigger of ``group`` and place it owns (ACLED: one event per location)."""
    s = sent.span.start
    withdrawal = any(sub in res.types["from_is_place"] for _, sub, _ in group)
    places = _event_places(doc, sent.index, ents, chosen, dl_end, from_is_place=withdrawal)
    owners = _assign_places(doc, group, places, res.gazetteer.context.get("container_links", frozenset()))
    for i, (trig, sub, weight) in enumerate(group):
        mine = owners.get(i) or [None]
        definite = "ال" in doc.text[trig.wstart : trig.nstart] or doc.text[trig.wstart : trig.nstart] == "لل"
        if sub == "generic" and (mine == [None] or definite):
            sub = "casualty"  # an anaphoric "الهجوم" or one with no place of its own: merge-only
        anaphoric = mine == [None] and definite  # "وراء القصف": the shelling reported already
        # "هذا القصف" (a definite noun), not "إلى ذلك أوقفت" (a verb)
        if definite and cue_before(doc, "demonstratives", trig.wstart, s, 1):
            mine, anaphoric = [None], True  # "وحصد هذا القصف آلاف القتلى": the one told before
        if (
            mine != [None]
            and all(p.mention and chosen[(p.mention.nstart, p.mention.nend)].kind == "country" for p in mine)
            and len(mine) > 1
        ):
            # "16 غارة في العراق وسبع في سوريا": a summary, not one occurrence; it can only lend
            # its actors and sources to the events it sums up
            mine, anaphoric = [None], True
        for pref in mine:
            doc.candidates.append(
                Candidate(
                    anaphoric=anaphoric,
                    sub=sub,
                    sentence=sent.index,
                    trigger=trig,
                    weight=weight,
                    place=pref,
                    sentences={sent.index},
                    rules={"type": f"trigger '{trig.form}'"},
                    flags={flags[trig.nstart]} if trig.nstart in flags else set(),
                )
            )


def _exclusion(
    doc: Doc,
    res: Resources,
    sentence: int,
    m: Mention,
    ents: list[Mention],
    chosen: dict,
    excluded_end: int,
    descriptive: bool,
) -> str | None:
    """The rule that says a trigger reports no event here, or ``None``. Candidate generation keeps
    every trigger (recall); the name of the rule becomes a feature of the is-event decision."""
    if _non_event(doc, res, sentence, m):
        return "non_event"
    if res.triggers[m.ref].needs and not _in_context(doc, res, m, sentence, ents, chosen):
        return "no_context"  # "اتفاقية التعاون بين التعليم والصحة", "استعادة أموالها": not a conflict's
    coordinated = 0 <= m.wstart - excluded_end <= 2 and doc.text[m.wstart : m.nstart].startswith("و")
    if (descriptive and doc.text[m.wstart : m.nstart].startswith("و")) or coordinated:
        return "coordinated"  # "كتيبة المدفعية والصواريخ": coordinated with an excluded trigger
    if (
        res.triggers[m.ref].sub == "generic"
        and 0 <= m.wstart - excluded_end <= DESCRIBING_VERB_GAP
        and "،" not in doc.text[excluded_end : m.wstart]
        and "," not in doc.text[excluded_end : m.wstart]
    ):
        return "describing"  # "سلسلة هجمات لبوكو حرام استهدفت أسواقا": the verb describes the excluded noun
    return None


def _non_event(doc: Doc, res: Resources, sentence: int, trig: Mention) -> bool:
    cs, _ = doc.clause_of(sentence, trig.nstart)
    for c in cue_in(doc, "negation", max(cs, trig.wstart - NEGATION_WINDOW), trig.wstart):
        if trig.wstart - c.nend <= NEGATION_WINDOW:
            return True
    if cue_in(doc, "future", cs, trig.wstart) or cue_in(doc, "future_after", trig.wend, trig.wend + 12):
        return True
    sent = doc.sentences[sentence].span
    if cue_in(doc, "denial", sent.start, trig.wstart) and not cue_in(doc, "responsibility", sent.start, sent.end):
        return True  # "نفى الجيش السوري ... الأنباء حول استهداف إسرائيل لمطار المزة"
    if any(
        cue_in(doc, "denied_report", d.nend, min(sent.end, d.nend + 40))
        for d in cue_in(doc, "denial", trig.wend, sent.end)
    ):
        return True  # "وفيما تواترت أنباء عن إحباط عملية ...، نفت الوزارة تلك المعلومات"
    if _since_long_ago(doc, sentence, trig):
        return True  # "... جراء الرصاص الإسرائيلي ... منذ 30 مارس الماضي": a toll over weeks, not one event
    if cue_in(doc, "generic_after", trig.wend, trig.wend + 24):
        return True  # "ضربات صاروخية مماثلة": a kind of event, not an occurrence
    if any(trig.wstart - c.nend <= 8 for c in cue_in(doc, "not_event_before", max(cs, trig.wstart - 24), trig.wstart)):
        return True  # "كتيبة المدفعية", "منصة إطلاق صواريخ", "دوي انفجارات"
    if cue_before(doc, "series_before", trig.wstart, cs, 12):
        return True  # "العديد من التفجيرات الانتحارية", "الأخير في سلسلة هجمات": a campaign summarised
    if res.triggers[trig.ref].sub in res.types["territory"] and any(
        m.kind == "trigger" and 0 <= trig.wstart - m.wend <= 12
        for m in within(doc.entities, max(cs, trig.wstart - 40), trig.wstart)
    ):
        return True  # "تظاهرات اجتاحت محافظات": the verb describes the protests, not a take-over
    prefix = doc.text[trig.wstart : trig.nstart]
    if prefix in ("ل", "ول", "فل", "لل", "ولل") and not cue_in(  # "تعرضت دورية ...، لهجوم": across a comma
        doc, "passive", max(doc.sentences[sentence].span.start, trig.wstart - PASSIVE_REACH), trig.wstart
    ):
        return True  # "لتحرير درنة", "لسيطرة الجيش": purpose or genitive, unless "تعرض ل..."
    if _describes_actor(doc, sentence, trig):
        return True  # "تنظيم داعش الذي اجتاح العراق": describes the actor, not one occurrence
    if _since_a_year(doc, sentence):
        return True  # "منذ 2011 ...": a campaign summary, not one occurrence
    return bool(cue_in(doc, "frame_non_event", cs, trig.wstart))


def _since_a_year(doc: Doc, sentence: int) -> bool:
    """The sentence counts from a year on ("منذ 2011", "منذ عام 2009"): it sums up a campaign."""
    span = doc.sentences[sentence].span
    return any(
        any(t.precision == "year" and 0 <= t.nstart - c.nstart <= 25 for t in doc.times_in(sentence))
        for c in cue_in(doc, "since", span.start, span.end)
    )


def _in_context(doc: Doc, res: Resources, trig: Mention, sentence: int, ents: list[Mention], chosen: dict) -> bool:
    """A trigger with ``needs`` (events.yaml) is in a conflict's context: its sentence holds a cue of that
    kind or a death or injury, or names an actor of its ``context_actors`` kinds, or a cue of its
    ``object`` kind ("مواقع", "أشخاص") lies close to it, or (``place_object``) a named place follows it
    closely."""
    t = res.triggers[trig.ref]
    span = doc.sentences[sentence].span
    if any(cue_in(doc, kind, span.start, span.end) for kind in (t.needs, *CASUALTY_CUES)):
        return True  # (deaths and injuries are a conflict's context for any of them)
    if any(m.kind == "actor" and res.actors.get(m.ref).kind in t.context_actors for m in ents):
        return True
    # (the sentence, not the clause: "استعادت، يوم الثلاثاء، قرية المسلامية")
    reach = min(span.end, trig.wend + OBJECT_REACH)  # "حررت القوات العراقية مدينة الرمادي": a subject first
    before = max(span.start, trig.wstart - OBJECT_REACH)
    if t.object and (cue_in(doc, t.object, trig.wend, reach) or cue_in(doc, t.object, before, trig.wstart)):
        return True  # "سيطرت على مواقع", "أوقفت الشرطة في بنغلادش خمسة أشخاص", "مواطنين اختطفوا" (passive)
    if not t.place_object:
        return False
    places = (chosen.get((m.nstart, m.nend)) for m in ents if m.kind == "place" and trig.nend <= m.nstart < reach)
    return any(p is not None and p.kind != "country" for p in places)


def _since_long_ago(doc: Doc, sentence: int, trig: Mention) -> bool:
    """A "منذ <date>" after the trigger whose date lies before the publication week: a running total."""
    span = doc.sentences[sentence].span
    since = cue_in(doc, "since", trig.wend, span.end)
    if not since:
        return False
    times = doc.times_in(sentence)
    return any(any(0 <= r.nstart - c.nend <= 3 and r.past for r in times) for c in since)


def _describes_actor(doc: Doc, sentence: int, trig: Mention) -> bool:
    span = doc.sentences[sentence].span
    rel = cue_in(doc, "relative", max(span.start, trig.wstart - 6), trig.wstart)
    return bool(rel) and any(
        m.kind == "actor" and 0 <= rel[-1].nstart - m.nend <= 30 for m in within(doc.entities, span.start, trig.wstart)
    )


def _type_of(doc: Doc, res: Resources, sentence: int, trig: Mention) -> tuple[str, float]:
    t = res.triggers[trig.ref]
    cs, ce = doc.clause_of(sentence, trig.nstart)
    s = doc.sentences[sentence].span
    mods = [
        res.modifiers[m.ref]
        for m in within(doc.modifiers, cs, ce)
        if not (m.nstart >= trig.nstart and m.nend <= trig.nend)
    ]
    if fold(t.form) in res.confront_verbs and any(
        res.modifiers[m.ref].sub in ("Shelling/artillery/missile attack", "Air/drone strike")
        for m in within(doc.modifiers, cs, ce)
    ):
        return INTERCEPTION, t.weight  # "تصدت لقسم كبير من صواريخ": an interception
    if t.sub in res.types["protests"] and (cue_in(doc, "killed_after", cs, ce) or cue_in(doc, "killed_before", cs, ce)):
        return "Excessive force against protesters", t.weight  # "سقوط ثمانية قتلى خلال احتجاجات"
    if t.sub == "generic":
        if not mods:
            mods = [res.modifiers[m.ref] for m in within(doc.modifiers, s.start, s.end)]
        if mods:
            best = max(mods, key=lambda m: m.rank)
            return best.sub, t.weight + 0.15
        return "generic", t.weight
    own_rank = max((m.rank for m in mods if m.sub == t.sub), default=0)
    stronger = [m for m in mods if m.rank > max(own_rank, _rank(res, t.sub)) and _refines(res, t.sub, m.sub)]
    if stronger:
        return max(stronger, key=lambda m: m.rank).sub, t.weight
    return t.sub, t.weight


def _rank(res: Resources, sub: str) -> int:
    return max((m.rank for m in res.modifiers.values() if m.sub == sub), default=0)


def _refines(res: Resources, sub: str, mod_sub: str) -> bool:
    explosive = res.types["explosive"]
    return (sub in explosive and mod_sub in explosive) or (sub == "Attack" and mod_sub == "Suicide bomb")


def _merge_in_sentence(doc: Doc, res: Resources, typed: list[tuple[Mention, tuple[str, float]]]):
    """One (trigger, sub, weight) per event type in the sentence, after absorption."""
    out: list[tuple[Mention, str, float]] = []
    for trig, (sub, weight) in typed:
        absorbable = res.triggers[trig.ref].absorbable
        merged = False
        for i, (t2, sub2, w2) in enumerate(out):
            same_clause = _same_clause(doc, trig, t2)
            if sub2 == sub:
                out[i] = (t2, sub2, max(w2, weight))
                merged = True
            elif _absorbs(res, sub2, sub, absorbable) and (
                same_clause or sub == "generic" or absorbable or (sub2 == INTERCEPTION and trig.nstart > t2.nstart)
            ):  # "أسقطت ...، السبت، طائرة مسيرة": the interception's object
                merged = True
            elif _absorbs(res, sub, sub2, res.triggers[t2.ref].absorbable) and (same_clause or sub2 == "generic"):
                out[i] = (trig, sub, max(w2, weight))
                merged = True
            if merged:
                break
        if not merged:
            out.append((trig, sub, weight))
    return out


def _absorbs(res: Resources, big: str, small: str, small_absorbable: bool) -> bool:
    rule = res.absorbs.get(big, frozenset())
    return small in rule or (small_absorbable and "absorbable" in rule)


def _same_clause(doc: Doc, a: Mention, b: Mention) -> bool:
    sa = doc.sentence_at(a.nstart)
    return doc.clause_of(sa, a.nstart) == doc.clause_of(sa, b.nstart)


def _event_places(
    doc: Doc, sentence: int, ents: list[Mention], chosen: dict, dl_end: int, from_is_place: bool = False
) -> list[PlaceRef]:
    s = doc.sentences[sentence].span
    origins = cue_in(doc, "origin", s.start, s.end)
    betweens = [c.nstart for c in cue_in(doc, "between", s.start, s.end)]
    near = cue_in(doc, "near_words", s.start, s.end)
    preps = cue_in(doc, "location_preps", s.start, s.end)
    heads = cue_in(doc, "place_heads", s.start, s.end)
    refs: list[PlaceRef] = []
    seen: set[tuple[int, int]] = set()
    skipped_end = -100  # end of the last place skipped as a launch site
    for m in ents:
        key = (m.nstart, m.nend)
        if m.kind != "place" or key in seen or key not in chosen:
            continue
        seen.add(key)
        if dl_end > 0 and m.nend <= dl_end:
            continue
        inside = doc.precise.get(key)  # "حي الشعار في حلب": the phrase starts at its head noun
        wstart = inside[0] if inside else m.wstart
        here = bool(cue_in(doc, "here_after", m.nend, min(s.end, m.nend + 12)))  # "X، حيث وقع الهجوم"
        after_from = doc.text[max(0, wstart - 3) : wstart] == "من " and not (from_is_place or here)
        origin = any(0 <= (inside[0] if inside else m.nstart) - o.nend <= 12 for o in origins) or after_from
        if origin or 0 <= wstart - skipped_end <= 8:
            skipped_end = m.nend  # "من البوكمال شرق دير الزور": the apposition is the launch area too
            continue
        if chosen[key].kind == "country" and not (inside or _locative(doc, m, preps)):
            continue  # "اتهمت حماس إسرائيل", "منسوبة لإسرائيل": a country as an actor, not a place
        if chosen[key].world and not (
            inside or _locative(doc, m, preps) or any(0 <= m.wstart - h.nend <= 1 for h in heads)
        ):
            continue  # "ضغطت موسكو", "لاعب برشلونة": a foreign capital or club, not where it happened
        if any(0 <= wstart - b <= 30 for b in betweens):
            continue  # "الطريق الرابط بين صعدة والمزرق": a road or border, not where it happened
        refs.append(_extend(m, near, heads, here, inside))
    # "حاول متظاهرون عبور جسر الجمهورية باتجاه المنطقة الخضراء": a direction is where one was going,
    # not where it happened, unless it is the only place named
    if len(refs) > 1:
        refs = [r for r in refs if not cue_before(doc, "toward", r.text_start, s.start, 2)] or refs
    # drop containers: a province/country/region of another place named in the sentence
    kept = []
    for r in refs:
        p = chosen[(r.mention.nstart, r.mention.nend)]
        if (
            not r.inside  # "مديرية حيس بمحافظة الحديدة": the district, geocoded to its province
            and p.kind in CONTAINER_KINDS
            and any(_contains(p, chosen[(o.mention.nstart, o.mention.nend)]) for o in refs if o is not r)
        ):
            continue
        kept.append(r)
    return kept


def _extend(
    m: Mention, near: list[Mention], heads: list[Mention], here: bool = False, inside: tuple[int, int] | None = None
) -> PlaceRef:
    """The place phrase of ``m``: with the head noun and near words right before it; for a precise
    place named inside it (``inside``, see ``places.precise_phrases``), that place's head noun and
    name, with the near words before them ("قرب مخيم اليرموك جنوب دمشق" → "قرب مخيم اليرموك")."""
    first, end = inside if inside else (m.wstart, m.nend)
    start = first
    is_near = False
    for c in sorted(near + heads, key=lambda c: -c.nend):  # "بالقرب من مدينة X": near, head, name
        if 0 <= start - c.nend <= 1 or 0 <= first - c.nend <= 1:
            start = min(start, c.wstart)  # with its article: "شمال غربي العاصمة مقديشو"
            is_near = is_near or c.ref == "near_words"
    return PlaceRef(m, start, end, near=is_near, here=here, inside=inside is not None)


def place_ref(doc: Doc, m: Mention) -> PlaceRef:
    """The place phrase of any place mention (the location decision's options)."""
    s = doc.sentences[doc.sentence_at(m.nstart)].span
    inside = doc.precise.get((m.nstart, m.nend))
    first = inside[0] if inside else m.wstart
    lo = max(s.start, first - 60)
    return _extend(
        m, cue_in(doc, "near_words", lo, first + 1), cue_in(doc, "place_heads", lo, first + 1), inside=inside
    )


def _locative(doc: Doc, m: Mention, preps: list[Mention]) -> bool:
    """A place introduced as a location: a clitic "ب"/"في" or a locative word right before it."""
    clitic = doc.text[m.wstart : m.nstart]
    if clitic.rstrip("ال").endswith("ب"):
        return True
    return any(0 <= m.wstart - p.nend <= 2 for p in preps)


def _contains(outer: Place, inner: Place) -> bool:
    if outer.id == inner.id or inner.kind == "country":
        return False
    if outer.kind == "country":
        return inner.country == outer.country
    if outer.kind == "admin1":
        return (
            inner.country == outer.country
            and inner.admin1 in (outer.admin1 or outer.name, outer.name)
            and inner.kind != "admin1"
        )
    if outer.kind == "region":  # by its province when it has one, else by distance from its centre
        if inner.country != outer.country or inner.kind in ("country", "region"):
            return False  # a region holds provinces ("محافظة الديوانية جنوبي العراق"), not other regions
        if outer.admin1:
            return inner.admin1 == outer.admin1
        return None not in (outer.lat, outer.lon, inner.lat, inner.lon) and (
            haversine_km(outer.lat, outer.lon, inner.lat, inner.lon) <= REGION_RADIUS_KM
        )
    # a town contains the neighbourhoods, streets and sites around it ("البصرة" ⊃ "منطقة العباسية")
    return (
        outer.kind == "place"
        and inner.kind not in TOWN_OR_AREA
        and None not in (outer.lat, outer.lon, inner.lat, inner.lon)
        and haversine_km(outer.lat, outer.lon, inner.lat, inner.lon) <= SITE_RADIUS_KM
    )


def _assign_places(
    doc: Doc, typed: list[tuple[Mention, str, float]], places: list[PlaceRef], links: frozenset[str] = frozenset()
) -> dict[int, list[PlaceRef]]:
    """Places of each trigger: the first place after it (before the next trigger) and the places
    coordinated with that one ("قرب كركوك والفلوجة وتلعفر"); with none after it, the nearest before."""
    owners: dict[int, list[PlaceRef]] = {}
    order = sorted(range(len(typed)), key=lambda i: typed[i][0].nstart)
    starts = [typed[i][0].nstart for i in order]
    for rank, i in enumerate(order):
        t = typed[i][0]
        limit = starts[rank + 1] if rank + 1 < len(order) else None
        after = [p for p in places if p.mention.nstart >= t.nend and (limit is None or p.mention.nstart < limit)]
        chosen: list[PlaceRef] = []
        victim = _victim_place(doc, t, places)
        if victim is not None:  # "تعرض مركز المسيال ... لقذائف ... من داخل الأراضي اليمنية"
            chosen.append(victim)
        elif after:
            chosen.append(after[0])
            for p in after[1:]:
                gap = doc.text[chosen[-1].mention.nend : p.text_start]
                listed = "و" in gap.split() or gap.strip().startswith("و")
                if not _coordinated(gap, links) or (p.near and not listed):
                    break  # "الحصيبة والملاحمة شرقي الرمادي": a locator of the list, not another place
                chosen.append(p)
        else:  # the nearest place before it, within its clause or a sentence-initial "في X،"
            clause = doc.clause_of(doc.sentence_at(t.nstart), t.nstart)
            first = doc.sentences[doc.sentence_at(t.nstart)].clauses[0]
            before = [
                p
                for p in places
                if p.mention.nend <= t.nstart
                and (clause[0] <= p.mention.nstart or first.start <= p.mention.nstart < first.end or p.here)
            ]
            if before:
                chosen.append(before[-1])
        if chosen:
            owners[i] = chosen
    return owners


def _victim_place(doc: Doc, t: Mention, places: list[PlaceRef]) -> PlaceRef | None:
    """A place between a passive frame and the trigger it governs is the place that was hit:
    "تعرض مركز المسيال بقطاع ظهران الجنوب لقذائف", "استهدف الطيران مدينة الرقة بغارات"."""
    clause = doc.clause_of(doc.sentence_at(t.nstart), t.nstart)
    cues = cue_in(doc, "passive", clause[0], t.wstart)
    if not cues:
        return None
    between = [p for p in places if cues[-1].nend <= p.mention.nstart and p.mention.nend <= t.wstart]
    return between[0] if between else None


def _coordinated(gap: str, links: frozenset[str] = frozenset()) -> bool:
    """Text between two places that lists them: "و", "،", a short count ("وثلاث قرب"); not a
    link word of ``context.yaml`` ("قضاء سيلوبي، التابع لولاية شرناق": the second contains the first)."""
    tokens = gap.replace("،", " ، ").split()
    if len(tokens) > 4 or any(ch in gap for ch in ".؛:"):
        return False
    if any(fold(t) in links or fold(t[1:]) in links for t in tokens):
        return False
    return any(t in ("،", ",") or t.startswith("و") for t in tokens) or gap.strip().startswith("و") or not tokens
