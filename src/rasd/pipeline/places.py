"""Stage — places: choose one gazetteer reading for every place mention, from article context.

A surface form may name several places (الرقة in SY, AE, KW). The article's context decides
(see ``Gazetteer.choose``): countries it names (country names, demonyms and country-level place
mentions, most frequent first), admin1 areas it names, then the outlet. Mentions that are part of
the outlet's dateline ("دبي، الإمارات العربية المتحدة (CNN)—") are marked so that they never
become event locations.
"""

from __future__ import annotations

import re
from collections import Counter

from ..geo.gazetteer import Place
from ..resources.loader import Resources
from .doc import Doc
from .match import Mention
from .normalize import fold

_DATELINE_END = re.compile(r"[-(]|\(\w+\)")
CONTEXT_MIN = 2  # mentions that make a country the article's context (a lone "فرانس برس" does not)


def choose_places(doc: Doc, res: Resources) -> dict[tuple[int, int], Place]:
    gz = res.gazetteer
    groups: dict[tuple[int, int], list[Mention]] = {}
    for m in doc.entities:
        if m.kind == "place":
            groups.setdefault((m.nstart, m.nend), []).append(m)
    for key in [k for k, ms in groups.items() if _word_without_context(doc, res, ms)]:
        del groups[key]  # "لعب دورا كبيرا", "في بلد عربي": a word, not Dura or Balad
    countries: Counter[str] = Counter(m.ref for m in doc.countries)
    regional = {k: ms for k, ms in groups.items() if not all(gz.get(m.ref).world for m in ms)}
    named = set(countries)  # countries the article names, or where one of its regional places lies
    for ms in regional.values():
        named.update(gz.get(m.ref).country for m in ms if not gz.get(m.ref).world)
    world_a1 = {gz.get(m.ref).admin1 for ms in groups.values() for m in ms if gz.get(m.ref).kind == "admin1"}
    for key, ms in list(groups.items()):
        if key not in regional and not _world_evidence(doc, res, ms, named, world_a1):
            del groups[key]  # "موسكو" in a Syria story: a foreign place needs its country, admin1 or a head noun
    admin1s: Counter[str] = Counter()
    for ms in groups.values():
        places = [gz.get(m.ref) for m in ms]
        if len(places) == 1:
            p = places[0]
            countries[p.country] += 1
            if p.kind == "admin1":
                admin1s[p.name] += 1
            elif p.admin1:
                admin1s[p.admin1] += 0.5
    ctx_countries = [c for c, _ in countries.most_common()]
    ctx_admin1 = [a for a, _ in admin1s.most_common()]
    chosen: dict[tuple[int, int], Place] = {}
    for key, ms in groups.items():
        cands = [gz.get(m.ref) for m in ms]
        if len(cands) == 1:
            chosen[key] = cands[0]
            continue
        pick = gz.choose(cands, countries=ctx_countries, admin1s=ctx_admin1)
        if ctx_countries and countries[ctx_countries[0]] >= CONTEXT_MIN and pick.country not in countries:
            continue  # "أكمة المحرس" in a Yemen story: no reading in a country the article names
        chosen[key] = pick
    return chosen


def _world_evidence(doc: Doc, res: Resources, ms: list[Mention], named: set[str], admin1s: set[str | None]) -> bool:
    """Whether a mention read only as places outside the 27 countries of ``geonames.tsv.gz`` has the
    evidence such a place needs: the article names its country (or the country is named by one of
    the article's other places), it lies in an admin1 area the article names ("مايدوغوري" with
    "ولاية بورنو"), a head noun of ``context.yaml`` stands right before it ("مدينة ماراوي"), or a
    capital word is next to it ("في داكا عاصمة بنغلادش", "العاصمة الأمريكية واشنطن")."""
    gz = res.gazetteer
    places = [gz.get(m.ref) for m in ms]
    if any(p.country in named or (p.admin1 and p.kind != "admin1" and p.admin1 in admin1s) for p in places):
        return True
    before = [fold(w) for w in doc.text[max(0, ms[0].wstart - 40) : ms[0].wstart].split()]
    after = [fold(w) for w in doc.text[ms[0].wend : ms[0].wend + 20].split()[:1]]
    capital = gz.context.get("capital_words", frozenset())
    if any(w in capital for w in (*before[-3:], *after)):
        return True  # "في داكا عاصمة بنغلادش", "في العاصمة الأمريكية واشنطن"
    return bool(before) and before[-1] in gz.context.get("head_nouns", ())


def _word_without_context(doc: Doc, res: Resources, ms: list[Mention]) -> bool:
    """A GeoNames name that is also a common word (``Gazetteer.needs_context``) without place
    context: no head noun right before it ("مدينة جوهر"), no direction and place after it ("بلد شمال
    بغداد") nor a country or nisba right after it, and no preposition of place right before it
    ("في دورا") in a sentence with an event trigger."""
    gz = res.gazetteer
    m = ms[0]
    if all(gz.get(x.ref).world for x in ms) and doc.text[m.wstart : m.nstart].endswith("ك"):
        return True  # "كبيرا" is not ك + Beira: a world town never takes the comparative clitic
    if any(gz.get(x.ref).source == "sites" for x in ms) or not gz.needs_context(m.form):
        return False
    ctx = gz.context
    before = doc.text[max(0, m.wstart - 30) : m.wstart].split()
    prev = fold(before[-1]) if before else ""
    prev2 = fold(" ".join(before[-2:])) if len(before) > 1 else prev
    if prev in ctx.get("head_nouns", ()):
        return False
    after = doc.text[m.wend : m.wend + 40]
    nxt = after.split()
    for e in doc.entities:
        if e.kind == "place" and gz.needs_context(e.form):
            continue  # "ليل الخميس": two words, not Lille next to a place
        if e.kind in ("place", "country") and m.wend < e.nstart <= m.wend + 30 and e is not m:
            gap = fold(doc.text[m.wend : e.wstart]).strip(" ،,")
            if not gap or gap in ctx.get("directions", ()):
                return False  # "بلد شمال بغداد", "جوهر الصومالية"
            break
    preps = ctx.get("prepositions", ())
    clitic = doc.text[m.wstart : m.nstart]
    if prev in preps or prev2 in preps or clitic.endswith("ب"):
        if nxt and fold(nxt[0]).startswith("ال") and len(nxt[0]) > 3:
            return True  # "في مشهد الحرب": a noun in construct
        sent = doc.sentence_at(m.nstart)
        return not any(e.kind == "trigger" and doc.sentence_at(e.nstart) == sent for e in doc.entities)
    return True


def dateline_end(doc: Doc) -> int:
    """End (normalized offset) of the dateline at the start of the first body paragraph, or -1."""
    for s in doc.sentences:
        if s.paragraph == 1:
            head = doc.text[s.span.start : s.span.start + 70]
            m = _DATELINE_END.search(head)
            if m and ("(" in head[: m.end()] or re.search(r"\w\s*-", head[: m.end()])):
                return s.span.start + m.end()
            return -1
    return -1
