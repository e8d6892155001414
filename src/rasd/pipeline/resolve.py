"""Stage 7 — resolve: merge the mentions of one occurrence, fill inherited slots, build records.

1. Places: a candidate with no place of its own takes the previous event's place in its
   paragraph, else a place named before it there, else the country the article names most
   (at a lower confidence). Dates come only from an event's own sentences: a main event with no
   time reference gets ``pub_date`` with precision ``week`` (GUIDE.md); a background one keeps
   ``None``.
2. Merging (GUIDE.md "one event per place and day"): candidates merge when their types agree
   (a headline "casualty" candidate merges into any type), their places agree (same place, one
   missing, or one contains the other) and their dates agree. The merged event keeps the most
   precise place, every evidence sentence, the union of sources, the lowest precise casualty
   figures, and actors from whichever mention has them.
3. Records: places are geocoded from the gazetteer (precision 2 for "قرب/ريف/شرقي X"), actors get
   canonical names, and every span is mapped back to the original text.
"""

from __future__ import annotations

import bisect
import math
import operator
from collections import Counter
from dataclasses import replace
from datetime import date

from ..geo.gazetteer import Place, haversine_km
from ..resources.loader import Resources
from ..text.match import Mention
from ..types import CROWDS, FORCES, SUB_TO_TYPE, Actor, Event, Inter, Location, Span
from .doc import Candidate, Doc, PlaceRef, cue_before, cue_in
from .events import CONTAINER_KINDS, INTERCEPTION, _contains
from .places import dateline_end

_nstart = operator.attrgetter("nstart")

UNIDENTIFIED = "unidentified_armed_group"
NEAR_KM = 30.0
GENERIC_WEIGHT = 0.6  # as strong as a generic attack word ("هجوم")
AGREEMENT_REACH = 2  # sentences between an agreement and the clash whose sides made it
CLAUSE_ONLY_ABSORBER = INTERCEPTION  # it absorbs the missile it stopped only within its own clause


def resolve(doc: Doc, res: Resources) -> Doc:
    cands = [c for c in doc.candidates if not c.flags]
    _inherit_places(doc, res, cands)
    merged = _merge(doc, res, cands)
    if res.learned is not None:
        # a candidate a rule says is no event is for the learned decision to judge: it is merged
        # apart, so the rules' events stay as they are, and left out where it repeats one of them
        flagged = [c for c in doc.candidates if c.flags]
        _inherit_places(doc, res, flagged)
        merged += [c for c in _merge(doc, res, flagged) if not any(_fits(doc, res, o, c) for o in merged)]
    merged = [c for c in merged if c.sub != "casualty" and c.place is not None]
    _split_shared_figures(merged)
    _agreement_parties(res, merged)
    _inherit_actors(doc, merged)
    pairs = sorted(
        ((_to_event(doc, res, c), c) for c in merged),
        key=lambda p: (p[0].role != "main", p[0].evidence[0].start if p[0].evidence else 0),
    )
    doc.events = [e for e, _ in pairs]
    doc.resolved = [c for _, c in pairs]  # the candidate behind each event, for the decide stage
    return doc


def _place(doc: Doc, c: Candidate) -> Place | None:
    if c.place is None:
        return None
    return doc.places.get((c.place.mention.nstart, c.place.mention.nend))


def _inherit_places(doc: Doc, res: Resources, cands: list[Candidate]) -> None:
    """A candidate with no place of its own takes, in order: the place of the previous event of its
    paragraph, the nearest place named before it in its paragraph, or the country the article
    names most (precision 3) — an event is never dropped only because its place is vague."""
    # found once, not once per candidate (an article of thousands of candidates stays linear)
    placed = [m for m in doc.entities if m.kind == "place" and (m.nstart, m.nend) in doc.places]
    para_start: dict[int, int] = {}
    for s in doc.sentences:
        para_start.setdefault(s.paragraph, s.span.start)
    dl_end = dateline_end(doc)
    country: list[PlaceRef | None] = []

    def article_country() -> PlaceRef | None:
        if not country:
            country.append(_article_country(doc, res))
        return country[0]

    for i, c in enumerate(cands):
        if c.place is not None or c.sub == "casualty" or c.anaphoric:
            continue
        para = doc.sentences[c.sentence].paragraph
        for prev in reversed(cands[:i]):
            if prev.place is not None and doc.sentences[prev.sentence].paragraph == para:
                c.place = prev.place
                c.rules["location"] = "inherited from the previous event of the paragraph"
                break
        else:
            c.place = (
                _earlier_place(doc, c, max(para_start[para], dl_end), placed)
                or _main_place(doc, c, cands)
                or article_country()
            )
            if c.place is not None:
                c.place_fallback = True
                c.rules["location"] = (
                    "the place named before it in its paragraph, the place of the article's first event of"
                    " its sub-type, or the article's country"
                )


def _earlier_place(doc: Doc, c: Candidate, start: int, placed: list[Mention]) -> PlaceRef | None:
    """The last place (not a country) named in ``[start, trigger)`` that is not a direction, else
    the last one named there; ``placed``: the place mentions with a chosen place, by nstart."""
    lo = bisect.bisect_left(placed, start, key=_nstart)
    hi = bisect.bisect_left(placed, c.trigger.nstart, lo, key=_nstart)
    last = None
    for m in reversed(placed[lo:hi]):  # nearest first
        if doc.places[(m.nstart, m.nend)].kind == "country":
            continue
        last = last or m
        if not cue_before(doc, "toward", m.wstart, start, 2):  # "باتجاه المنطقة الخضراء": where they headed
            return _ref(doc, m)
    return _ref(doc, last) if last is not None else None


def _ref(doc: Doc, m: Mention) -> PlaceRef:
    """A place named before the event, as written: with the precise place named inside it."""
    inside = doc.precise.get((m.nstart, m.nend))
    if inside is not None:
        return PlaceRef(m, inside[0], inside[1], inside=True)
    return PlaceRef(m, m.wstart, m.nend)


def _main_place(doc: Doc, c: Candidate, cands: list[Candidate]) -> PlaceRef | None:
    """A witness's "مواجهات جرت بين الشرطة والمصلين" deep in an article about one place: the place of
    the article's first main event of the same sub-event type that has a place of its own."""
    if c.background:
        return None
    for o in cands:
        if o is not c and o.sub == c.sub and o.place is not None and not o.background:
            place = _place(doc, o)
            if place is not None and place.kind != "country":  # a named place, not the article's country
                return o.place
    return None


def _article_country(doc: Doc, res: Resources) -> PlaceRef | None:
    counts = Counter(m.ref for m in doc.countries)
    for m in doc.entities:
        if m.kind == "place" and (m.nstart, m.nend) in doc.places:
            counts[doc.places[(m.nstart, m.nend)].country] += 1
    for code, _ in counts.most_common(1):
        place_id = res.country_places.get(code)
        named = [m for m in doc.countries if m.ref == code]  # the country's name before a nisba ("فلسطيني")
        mention = next((m for m in named if m.wend == m.nend and not res.actors.is_nisba(m.form)), None) or next(
            iter(named), None
        )
        if place_id is None or mention is None:
            return None
        doc.places[(mention.nstart, mention.nend)] = res.gazetteer.get(place_id)
        return PlaceRef(mention, mention.wstart, mention.nend)
    return None


def _date_of(c: Candidate) -> date | None:
    return c.time.date if c.time else None


def _compatible_place(doc: Doc, a: Candidate, b: Candidate) -> bool:
    pa, pb = _place(doc, a), _place(doc, b)
    if pa is None or pb is None:
        return True
    if pa.id == pb.id:
        return True
    nested = _contains(pa, pb) or _contains(pb, pa)
    if nested or _near_each_other(a, b, pa, pb):
        # two places: the same occurrence only when one is the headline or lead's
        # summary, both mentions carry the same known date, or one place is only a fallback
        sa, sb = doc.sentences[a.sentence], doc.sentences[b.sentence]
        lead = min(sa.paragraph, sb.paragraph) <= 1
        same_day = _date_of(a) is not None and _date_of(a) == _date_of(b)
        # "...انطلقت الجمعة في محافظتي البصرة وذي قار. وتجمع المتظاهرون أمام مبنى محافظة البصرة"
        # (nested, not two towns near each other in a list)
        follow_up = (
            nested
            and sa.paragraph == sb.paragraph
            and abs(a.sentence - b.sentence) == 1
            and None in (_date_of(a), _date_of(b))
        )
        return lead or same_day or follow_up or a.place_fallback or b.place_fallback
    # a headline names the province's main town for a site in that province (once)
    in_title = _title_only(doc, a) or _title_only(doc, b)
    return in_title and pa.country == pb.country and pa.admin1 is not None and pa.admin1 == pb.admin1


def _list_siblings(doc: Doc, a: Candidate, b: Candidate) -> bool:
    """Events split from one sentence's list of places ("في رفح والشيخ زويد والعريش")."""
    pa, pb = _place(doc, a), _place(doc, b)
    return b.sentence in a.sentences and pa is not None and pb is not None and pa.id != pb.id


def _same_admin1(doc: Doc, a: Candidate, b: Candidate) -> bool:
    pa, pb = _place(doc, a), _place(doc, b)
    if pa is None or pb is None:
        return False
    a1 = pa.name if pa.kind == "admin1" else pa.admin1
    b1 = pb.name if pb.kind == "admin1" else pb.admin1
    return pa.country == pb.country and a1 is not None and a1 == b1


def _title_only(doc: Doc, c: Candidate) -> bool:
    # paragraphs grow with the sentence index: the last sentence tells
    return doc.has_title and (not c.sentences or doc.sentences[max(c.sentences)].paragraph == 0)


def _retold(doc: Doc, a: Candidate, b: Candidate) -> bool:
    """ "وكانت غرفة الحماية المدنية تلقت بلاغا يفيد بوقوع انفجار أمام محكمة مصر الجديدة": the news
    event retold with a background cue and no date of its own, at the very same place."""
    if a.background == b.background or a.sub != b.sub or a.place is None or b.place is None:
        return False
    told = a if a.background else b
    return told.time is None and _place(doc, a) is not None and _place(doc, a) == _place(doc, b)


def _overnight(doc: Doc, a: Candidate, b: Candidate) -> bool:
    """ "في وقت متأخر الاثنين" and "فجر الثلاثاء": one night reported on two days, at the same place."""
    da, db = _date_of(a), _date_of(b)
    if da is None or db is None or abs((da - db).days) != 1 or a.place is None or b.place is None:
        return False
    if _place(doc, a) != _place(doc, b):
        return False
    early, late = (a, b) if da < db else (b, a)
    return bool(
        cue_in(doc, "late_night", max(0, early.time.nstart - 20), early.time.nend)
        or cue_in(doc, "small_hours", max(0, late.time.nstart - 12), late.time.nend)
    )


def _compatible_date(a: Candidate, b: Candidate) -> bool:
    da, db = _date_of(a), _date_of(b)
    if da is None and db is None:
        return a.background == b.background
    if da is None or db is None:
        # an undated main report means "in the days up to publication": not a month-long tally
        dated = a if da is not None else b
        undated = b if da is not None else a
        if not undated.background and dated.time is not None and dated.time.precision in ("month", "year"):
            return False
        return a.background == b.background
    precisions = {a.time.precision if a.time else None, b.time.precision if b.time else None}
    # "مؤخرا" (some day this week) and "يوم الثلاثاء": a week-wide date holds the day within it
    return da == db or (
        a.time is not None
        and b.time is not None
        and ("day" not in precisions or (precisions == {"week", "day"} and a.background == b.background))
        and abs((da - db).days) <= 7
    )


def _same_kind(doc: Doc, res: Resources, a: Candidate, b: Candidate) -> bool:
    """Same occurrence type: equal sub-types, a headline casualty mention, or one type absorbing
    the other (``absorbs`` in triggers/events.yaml: a territory take absorbs its clash)."""
    if a.sub == b.sub or b.sub == "casualty":
        return True
    for x, y in ((a, b), (b, a)):  # "صاروخين إسرائيليين" are the missiles of the air strike reported there
        if x.trigger.ref in res.triggers and res.triggers[x.trigger.ref].absorbable and y.sub == "Air/drone strike":
            return True
    if CLAUSE_ONLY_ABSORBER in (a.sub, b.sub):
        return False  # an interception absorbs the missile only within its own clause
    if SUB_TO_TYPE.get(a.sub) == SUB_TO_TYPE.get(b.sub) and (_title_only(doc, a) or _title_only(doc, b)):
        return True  # a headline types loosely ("صواريخ تستهدف مواقع" for the body's air strikes)
    sa, sb = _base_sub(res, a), _base_sub(res, b)
    return sb in res.absorbs.get(a.sub, ()) or sa in res.absorbs.get(b.sub, ())


def _base_sub(res: Resources, c: Candidate) -> str:
    """ "generic" for an attack word the roles stage typed only by its target ("استهداف" → Armed
    clash), so a specific report of the same occurrence ("قذيفة مدفعية") can still absorb it."""
    trig = res.triggers.get(c.trigger.ref)
    return "generic" if trig is not None and trig.sub == "generic" and c.sub in res.types["generic_settled"] else c.sub


def _fits(doc: Doc, res: Resources, o: Candidate, c: Candidate) -> bool:
    """``c`` reports the occurrence ``o`` reports: same kind, compatible date and place."""
    return (
        _same_kind(doc, res, o, c)
        and (_compatible_date(o, c) or _overnight(doc, o, c) or _retold(doc, o, c))
        and (_compatible_place(doc, o, c) or ((c.anaphoric or c.sub == "casualty") and _same_admin1(doc, o, c)))
        and (c.sub != "casualty" or o.sub not in res.types["non_violent"])
        and not _list_siblings(doc, o, c)
    )


def _merge(doc: Doc, res: Resources, cands: list[Candidate]) -> list[Candidate]:
    out: list[Candidate] = []
    for c in sorted(cands, key=lambda c: (c.sub == "casualty" or c.anaphoric, c.sentence)):
        fits = [o for o in out if _fits(doc, res, o, c)]
        # the same casualty figure, then the nearest event, preferring one reported before
        target = min(
            fits,
            key=lambda o: (
                not (c.fatalities is not None and o.fatalities == c.fatalities),
                not (c.actor1 is not None and o.actor1 is not None and o.actor1.actor_id == c.actor1.actor_id),
                abs(o.sentence - c.sentence),
                o.sentence > c.sentence,
            ),
            default=None,
        )
        if target is None:
            if c.sub == "casualty" and not c.anaphoric and c.place is not None and (c.actor1 or c.actor2):
                # "مصرع عشرات الإرهابيين جراء عمليات لقوات الجيش في رفح": deaths, a place and an armed
                # actor but no attack word: a clash, or an attack when civilians were the victims
                victims = res.actors.get(c.actor2.actor_id) if c.actor2 else None
                c.sub = "Attack" if victims is not None and victims.inter == Inter.CIVILIANS else "Armed clash"
                c.weight = max(c.weight, GENERIC_WEIGHT)
                c.rules["type"] = "casualties with a place and an actor → " + c.sub
            if not c.anaphoric and c.sub != "casualty":
                out.append(c)
        else:
            if (
                c.sub != "casualty"
                and target.sub != c.sub
                and (
                    _base_sub(res, target) in res.absorbs.get(c.sub, ())
                    or _title_only(doc, target)
                    or (target.trigger.ref in res.triggers and res.triggers[target.trigger.ref].absorbable)
                )
            ):
                target.sub = c.sub  # the absorbing (more specific) reading, or the body's over the headline's
            _absorb(doc, target, c)
    return out


def _inherit_actors(doc: Doc, events: list[Candidate]) -> None:
    """News names the actors once, in the lead, then lists places ("وثلاث قرب سنجار"): an event
    without an actor takes it from the nearest earlier event of the same type and role, or from the
    headline's event of that type."""
    ordered = sorted(events, key=lambda c: c.sentence)
    for c in ordered:
        for attr in ("actor1", "actor2"):
            own = getattr(c, attr)
            if own is not None and own.actor_id != UNIDENTIFIED:
                continue  # a named actor stays; a generic "متشددين" yields to the lead's named one
            others = sorted(
                (o for o in ordered if o is not c),
                key=lambda o: (abs(o.sentence - c.sentence), o.sentence > c.sentence),
            )
            for prev in others:
                ref = getattr(prev, attr)
                if (
                    prev.sub == c.sub
                    and prev.background == c.background
                    and ref is not None
                    and ref.actor_id != UNIDENTIFIED
                ):
                    setattr(
                        c, attr, replace(ref, rule=f"inherited from the earlier {c.sub} event", score=ref.score / 2)
                    )
                    break


def _agreement_parties(res: Resources, events: list[Candidate]) -> None:
    """An agreement is made by the sides that fought ("وقف لإطلاق النار" after clashes between Fatah
    and Ansar Allah): civilians are not its parties, and missing parties come from the article's
    nearest armed clash."""
    clashes = [c for c in events if c.sub == "Armed clash" and (c.actor1 or c.actor2)]
    for c in events:
        if c.sub != "Agreement":
            continue
        for attr in ("actor1", "actor2"):
            ref = getattr(c, attr)
            if ref is not None and res.actors.get(ref.actor_id).inter == Inter.CIVILIANS:
                setattr(c, attr, None)
        close = [o for o in clashes if abs(o.sentence - c.sentence) <= AGREEMENT_REACH]
        if close and (c.actor1 is None or c.actor2 is None):
            near = min(close, key=lambda o: abs(o.sentence - c.sentence))
            taken = {r.actor_id for r in (c.actor1, c.actor2) if r is not None}
            for attr in ("actor1", "actor2"):
                ref = getattr(near, attr)
                if getattr(c, attr) is None and ref is not None and ref.actor_id not in taken:
                    setattr(c, attr, replace(ref, rule="a party of the clash the agreement ends", score=ref.score / 2))
                    taken.add(ref.actor_id)


def _split_shared_figures(events: list[Candidate]) -> None:
    """One figure reported for several events (places or days) is divided evenly among them, the
    parts adding up to the total (GUIDE.md, as ACLED does)."""
    for attr in ("fatalities", "injuries"):
        groups: dict[tuple[int, str], list[Candidate]] = {}
        for c in events:
            src = getattr(c, f"{attr}_src")
            if src is not None and getattr(c, attr):
                groups.setdefault((src, c.sub), []).append(c)  # the same event at several places
        for group in groups.values():
            if len(group) < 2:
                continue
            total = getattr(group[0], attr)
            base, extra = divmod(total, len(group))
            for i, c in enumerate(sorted(group, key=lambda c: c.sentence)):
                setattr(c, attr, base + (1 if i < extra else 0))


def _absorb(doc: Doc, a: Candidate, b: Candidate) -> None:
    pa, pb = _place(doc, a), _place(doc, b)
    headline = _title_only(doc, a) and not _title_only(doc, b)
    own = a.place_fallback and pb is not None and not b.place_fallback
    borrowed = b.place_fallback and not a.place_fallback  # never trade a named place for a fallback
    if pa is None or own or (pb is not None and not borrowed and (headline or _more_precise(pb, pa, b, a))):
        a.place = b.place
        a.place_fallback = b.place_fallback
    a.sentences |= b.sentences
    if not (b.anaphoric or b.sub == "casualty"):
        a.flags &= b.flags
    a.weight = max(a.weight, b.weight)
    for attr in ("fatalities", "injuries"):
        va, vb = getattr(a, attr), getattr(b, attr)
        qa, qb = getattr(a, f"{attr}_vague"), getattr(b, f"{attr}_vague")
        if vb is None:
            continue
        if va is None or (qa and not qb) or (qa == qb and vb < va):
            setattr(a, attr, vb)
            setattr(a, f"{attr}_vague", qb)
            setattr(a, f"{attr}_src", getattr(b, f"{attr}_src"))
    for attr in ("actor1", "actor2"):
        ra, rb = getattr(a, attr), getattr(b, attr)
        if rb is not None and (ra is None or rb.score > ra.score):
            setattr(a, attr, rb)
    if a.time is None or (b.time and a.time.precision != "day" and b.time.precision == "day"):
        a.time = b.time or a.time
    for s in b.sources:
        if s not in a.sources:
            a.sources.append(s)
    a.hedged = a.hedged or b.hedged
    if not (b.anaphoric or b.sub == "casualty"):  # a passing reference does not change the role
        a.background = a.background and b.background
    if a.sentence > b.sentence:
        a.sentence = b.sentence


def _near_each_other(a: Candidate, b: Candidate, pa: Place, pb: Place) -> bool:
    """ "شرقي الرمادي" and a village east of Ramadi: a vague place and a precise one close by."""
    vague = (a.place is not None and a.place.near) or (b.place is not None and b.place.near)
    return vague and _km(pa, pb) <= NEAR_KM


def _km(p: Place, q: Place) -> float:
    if None in (p.lat, p.lon, q.lat, q.lon):
        return float("inf")
    return haversine_km(p.lat, p.lon, q.lat, q.lon)


def _more_precise(p: Place, q: Place, cp: Candidate, cq: Candidate) -> bool:
    """Whether ``p`` (the place of ``cp``) is more precise than ``q`` (the place of ``cq``). A
    district, camp or neighbourhood named inside a place ("حي الشعار في حلب", geocoded to Aleppo) is
    more precise than that place and the places containing it; a place of its own inside it (a
    known site or town) is more precise still."""
    p_in = cp.place is not None and cp.place.inside
    q_in = cq.place is not None and cq.place.inside
    if p_in != q_in:
        inner, other = (p, q) if p_in else (q, p)
        if inner.id == other.id or _contains(other, inner):
            return p_in
    if (q.kind in CONTAINER_KINDS and p.kind not in CONTAINER_KINDS) or _contains(q, p):
        return True
    if cq.place is not None and cq.place.near and cp.place is not None and not cp.place.near and _km(p, q) <= NEAR_KM:
        return True
    return bool(cq.place and cq.place.near and cp.place and not cp.place.near and p.id == q.id)


def _orig_span(doc: Doc, s: int, e: int) -> Span:
    a, b = doc.norm.to_original(s, e)
    return Span(a, b)


def _to_event(doc: Doc, res: Resources, c: Candidate) -> Event:
    pub = doc.article.pub_date
    if c.time is not None and c.time.precision in ("month", "year") and not c.background:
        c.background = True  # a month's or a year's tally recalls context (GUIDE.md "role")
        c.rules["role"] = "dated only by month or year: context"
    sub = c.sub
    loc = location_of(doc, c.place) if c.place is not None else None
    if c.time is not None and c.time.date is not None:
        when, precision_t = c.time.date, c.time.precision
    elif c.background or pub is None:
        when, precision_t = None, (c.time.precision if c.time else None)
    else:
        when, precision_t = pub, "week"
    country = loc.country if loc else None
    actor1 = actor_of(doc, res, c.actor1, country)
    actor2 = actor_of(doc, res, c.actor2, country)
    actor1, actor2 = _conventions(doc, res, c, sub, actor1, actor2, loc)
    if actor1 is not None and actor2 is not None and actor1.name == actor2.name:
        weaker = _weaker_of_same(c)
        if weaker == "actor2":
            actor2 = None
        else:
            actor1 = None
    if sub == "Attack" and actor2 is None and loc is not None and loc.country:
        actor2 = Actor(text="", name=res.civilians_name(loc.country), inter=Inter.CIVILIANS)
    evidence = [_orig_span(doc, doc.sentences[i].span.start, doc.sentences[i].span.end) for i in sorted(c.sentences)]
    confidence = _confidence(doc, c, loc, actor1, actor2, precision_t)
    ev = Event(
        event_type=SUB_TO_TYPE[sub],
        sub_event_type=sub,
        date=when,
        date_precision=precision_t,
        location=loc,
        actor1=actor1,
        actor2=actor2,
        fatalities=c.fatalities,
        injuries=c.injuries,
        sources=list(c.sources),
        certainty="hedged" if c.hedged else "reported",
        role="background" if c.background else "main",
        confidence=round(confidence, 3),
        evidence=evidence,
        trigger=_orig_span(doc, c.trigger.nstart, c.trigger.nend),
        rules=_rules(doc, c),
    )
    ev.notes = notes_for(ev, res.note_phrases)
    return ev


def location_of(doc: Doc, ref: PlaceRef) -> Location | None:
    """The geocoded :class:`Location` of a place phrase (precision 2 for "قرب/ريف/شرقي X")."""
    place = doc.places.get((ref.mention.nstart, ref.mention.nend))
    if place is None:
        return None
    span = _orig_span(doc, ref.text_start, ref.text_end)
    precision = 2 if ref.near and place.geo_precision < 2 else place.geo_precision
    if ref.inside and place.kind not in ("country", "region", "unlisted"):
        precision = 2  # "حي الشعار في حلب", "مديرية حيس بمحافظة الحديدة": a district of the place
        # (in a country or region, "قاعدة إنغرليك جنوب تركيا", only the region is known: its precision)
    return Location(
        text=doc.article.text[span.start : span.end],
        name=place.name,
        country=place.country,
        admin1=place.admin1 if place.kind != "admin1" else place.name,
        admin2=place.admin2 if place.kind != "admin2" else place.name,
        lat=place.lat,
        lon=place.lon,
        geo_precision=precision,
        id=place.id,
        span=span,
    )


def _composed(res: Resources, template: str, country: str | None, text: str = "") -> Actor | None:
    if not country:
        return None
    actor_id = res.actors.composed_id(template, country)
    if actor_id not in res.actors:
        return None
    info = res.actors.get(actor_id)
    return Actor(text=text, name=info.name, inter=info.inter, id=info.id)


def _weaker_of_same(c: Candidate) -> str:
    """Both roles name the same actor ("قصف المتمردون ... ضد المتمردين الحوثيين"): keep the mention
    nearer the trigger, the one the trigger's own clause governs; else the higher score."""
    m1 = c.actor1.mention if c.actor1 else None
    m2 = c.actor2.mention if c.actor2 else None
    if m1 is not None and m2 is not None:
        t = c.trigger.nstart
        d1, d2 = abs(m1.nstart - t), abs(m2.nstart - t)
        if d1 != d2:
            return "actor2" if d1 < d2 else "actor1"
    return "actor2" if (c.actor2.score if c.actor2 else 0) <= (c.actor1.score if c.actor1 else 0) else "actor1"


def _conventions(doc: Doc, res: Resources, c: Candidate, sub: str, a1: Actor | None, a2: Actor | None, loc):
    """GUIDE.md's role conventions: protesters are actor1 of a protest and actor2 of excessive force;
    an unnamed attacker is the Unidentified Armed Group (for shelling only when the article attributes
    it with hedging: a plain "قذائف سقطت" leaves actor1 null); civilians hit are "Civilians (<country>)"."""
    country = loc.country if loc else None
    protester = {a.id for a in (a1, a2) if a is not None and a.inter == Inter.PROTESTERS}
    if sub in res.types["protests"]:
        if a2 is not None and a2.id in protester:
            a1, a2 = a2, a1
        if a1 is None or a1.inter != Inter.PROTESTERS:
            other = a1 if a1 is not None and a1.inter != Inter.PROTESTERS else a2
            a1, a2 = _composed(res, "protesters", country) or a1, other
        if sub == "Peaceful protest":
            a2 = None
    elif sub in res.types["riots"]:
        if a1 is not None and a1.inter in FORCES and (a2 is None or a2.inter not in FORCES):
            a1, a2 = a2, a1  # the crowd acts; the police that faces it is actor2
        if a1 is None or a1.inter in CROWDS:
            a1 = _composed(res, "rioters", country) or a1
    elif sub == "Excessive force against protesters":  # the force fired; the protesters were hit
        force = next((a for a in (a1, a2) if a is not None and a.inter not in CROWDS), None)
        a1, a2 = (
            force,
            _composed(res, "protesters", country)
            or next((a for a in (a1, a2) if a is not None and a.inter in CROWDS), None),
        )
    elif sub == "Non-violent transfer of territory" and a1 is not None:
        a1, a2 = a2, a1  # "انسحبت الميليشيات ... مع تقدم القوات": the side that withdraws hands over
    elif a1 is None and (sub in res.types["unnamed_attacker"] or (c.hedged and sub in res.types["violent"])):
        uag = res.actors.get("unidentified_armed_group") if "unidentified_armed_group" in res.actors else None
        if uag is not None:
            a1 = Actor(text="", name=uag.name, inter=uag.inter, id=uag.id)
    if sub in res.types["violent"] and a2 is None and country:
        spans = [doc.sentences[i].span for i in c.sentences]
        if any(cue_in(doc, "military_targets", s.start, s.end) for s in spans):
            a2 = _composed(res, "military", country)  # "تعرض مواقع عسكرية": the state's forces
        elif sub in res.types["bombings"] or any(cue_in(doc, "civilian_targets", s.start, s.end) for s in spans):
            # bombs in public places hit civilians
            a2 = Actor(text="", name=res.civilians_name(country), inter=Inter.CIVILIANS)
    elif sub == "Abduction/forced disappearance" and a2 is None and country:
        # an abducted person named by office
        a2 = Actor(text="", name=res.civilians_name(country), inter=Inter.CIVILIANS)
    return a1, a2


def _confidence(doc: Doc, c: Candidate, loc, actor1, actor2, date_precision) -> float:
    """How far the evidence supports the event, 0-1: a logistic score over the trigger's strength,
    repeated mentions, a lead position, casualty figures and named actors (each raising it) and a
    vague place, a year-only or missing date, hedging and a background role (each lowering it).
    Weights were set from how often each feature went with a correct event on the dev gold."""
    lead = min(doc.sentences[i].paragraph for i in c.sentences) <= 1
    score = 0.2 + 2.0 * (c.weight - 0.75)
    score += 0.45 * min(len(c.sentences) - 1, 2) + (0.5 if lead else 0.0)
    score += 0.8 if c.fatalities is not None or c.injuries is not None else 0.0
    score += (0.4 if actor1 is not None else -0.3) + (0.2 if actor2 is not None else 0.0)
    score -= 0.4 if loc is not None and loc.geo_precision == 3 else 0.0
    score -= 0.8 if c.place_fallback else 0.0  # its own sentences name no place
    score -= {"year": 0.9, "week": 0.3}.get(date_precision or "", 0.0)
    score -= (0.2 if c.hedged else 0.0) + (0.2 if c.background else 0.0)
    return 1.0 / (1.0 + math.exp(-score))


def actor_of(doc: Doc, res: Resources, ref, country: str | None) -> Actor | None:
    """The :class:`Actor` of a role reference, localized to the event's country."""
    if ref is None:
        return None
    info = res.actors.localize(ref.actor_id, country)
    text = ""
    span = None
    if ref.mention is not None:
        span = _orig_span(doc, ref.mention.nstart, ref.mention.nend)
        text = doc.article.text[span.start : span.end]
    return Actor(text=text, name=info.name, inter=res.actors.inter_in(info.id, country), id=info.id, span=span)


def _rules(doc: Doc, c: Candidate) -> dict[str, str]:
    """The rule behind each field, as it stands after merging (for ``rasd explain``)."""
    rules = dict(c.rules)
    if c.time is not None:
        rules["date"] = f"time expression '{doc.text[c.time.nstart : c.time.nend]}'"
    elif c.background or doc.article.pub_date is None:
        rules["date"] = "no time reference and no publication date: unknown"
    else:
        rules["date"] = "no time reference: publication date, precision week"
    for attr in ("actor1", "actor2"):
        ref = getattr(c, attr)
        if ref is not None:
            rules[attr] = ref.rule
    if c.place is not None and "location" not in rules:
        rules["location"] = "near word before the place" if c.place.near else "place named in the event's sentence"
    return rules


def notes_for(ev: Event, phrases: dict[str, dict[str, str]] | None = None) -> str:
    """One English sentence in ACLED's style, built from the fields and the verb phrases of
    ``resources/data/notes/phrases.yaml``."""
    when = ""
    if ev.date is not None:
        when = {
            "day": f"On {ev.date.day} {ev.date:%B %Y}",
            "week": f"Around {ev.date.day} {ev.date:%B %Y}",
            "month": f"In {ev.date:%B %Y}",
            "year": f"In {ev.date.year}",
        }.get(ev.date_precision or "day", "")
    who = ev.actor1.name if ev.actor1 else "Unidentified actors"
    phrase = (phrases or {}).get(ev.sub_event_type)
    if phrase:
        what = phrase["target"].format(target=ev.actor2.name) if ev.actor2 else phrase["alone"]
    else:
        what = ev.sub_event_type.lower() + (f" against {ev.actor2.name}" if ev.actor2 else "")
    where = ""
    if ev.location is not None:
        prep = "in" if ev.location.geo_precision == 3 else "at"
        where = f" {prep} {ev.location.name or ev.location.text}"
        if ev.location.admin1 and ev.location.admin1 != ev.location.name:
            where += f" ({ev.location.admin1})"
    if ev.fatalities == 0 and ev.injuries == 0:
        cas = "; no casualties"
    else:
        parts = []
        if ev.fatalities:
            parts.append(f"{ev.fatalities} killed")
        if ev.injuries:
            parts.append(f"{ev.injuries} injured")
        cas = f"; {', '.join(parts)}" if parts else ""
    hedge = " (attribution unconfirmed)" if ev.certainty == "hedged" else ""
    lead = f"{when}, " if when else ""
    sentence = f"{lead}{who} {what}{where}{cas}{hedge}."
    return sentence[0].upper() + sentence[1:]
