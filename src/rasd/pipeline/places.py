"""Stage 4, part of ``events`` — places: choose one gazetteer reading for every place mention, from article context.

A surface form may name several places (الرقة in SY, AE, KW). The article's context decides
(see ``Gazetteer.choose``): countries it names (country names, demonyms and country-level place
mentions, most frequent first), admin1 areas it names, then the outlet. Mentions that are part of
the outlet's dateline ("دبي، الإمارات العربية المتحدة (CNN)—") are marked so that they never
become event locations.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter

from ..geo.gazetteer import Gazetteer, Place
from ..resources.loader import Resources
from ..text.match import Mention
from ..text.normalize import fold
from .doc import Doc, within

_DATELINE_END = re.compile(r"[-(]|\(\w+\)")
CONTEXT_MIN = 2  # mentions that make a country the article's context (a lone "فرانس برس" does not)
PRECISE_REACH = 70  # characters before a town that a precise phrase and its link words may span
NAME_WORDS = 3  # words of an unknown name after a precise head noun ("حي واحد حزيران")
# a town of world.tsv.gz smaller than this is a place only with its admin1 named in the article, or
# its country named and a preposition of place or a head noun right before it ("في باركلاند بولاية
# فلوريدا الأمريكية"): "كينيث ماكينزي" is a general, not McKenzie, Tennessee, in a story that names the
# United States; "مركز بوندي جانكشن" in Sydney is not Bondy, France
SMALL_WORLD_TOWN = 50_000
_TOKEN = re.compile(r"\S+")
_BREAKS = frozenset("،,.؛;:!?()[]{}«»")  # punctuation that ends a name
_QUOTES = "\"'“”#"
_LINK_CLITICS = ("ب", "ل", "ف")  # "بمحافظة", "لمحافظة" (never و: "مخيم X وحلب" lists two places)


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
    if _foreign_with_article(doc, gz, ms):
        return False  # "مزارع الأوبري" (Aleppo) is not Aubrey, Texas: a foreign name takes no article
    if any(p.admin1 and p.kind != "admin1" and p.admin1 in admin1s for p in places):
        return True
    before = [fold(w) for w in doc.text[max(0, ms[0].wstart - 40) : ms[0].wstart].split()]
    after = [fold(w) for w in doc.text[ms[0].wend : ms[0].wend + 20].split()[:1]]
    capital = gz.context.get("capital_words", frozenset())
    head = bool(before) and before[-1] in gz.context.get("head_nouns", ())
    country = any(p.country in named for p in places)
    if all(p.kind == "place" and p.population < SMALL_WORLD_TOWN for p in places):
        # a small town: its country named, and a preposition of place or a head noun right before it
        # ("مركز بوندي جانكشن" in Sydney is not Bondy, France: France is not named)
        prep = (bool(before) and before[-1] in gz.context.get("prepositions", ())) or doc.text[
            ms[0].wstart : ms[0].nstart
        ].endswith("ب")
        return country and (prep or head)
    if country:
        return True
    if any(w in capital for w in (*before[-3:], *after)):
        return True  # "في داكا عاصمة بنغلادش", "في العاصمة الأمريكية واشنطن"
    return head


def _foreign_with_article(doc: Doc, gz: Gazetteer, ms: list[Mention]) -> bool:
    """Whether a mention read only as world places carries the article ("الأوبري", "والأوبري")
    while no stored form of its readings has one: a foreign name is written without it."""
    word = fold(doc.text[ms[0].wstart : ms[0].nend])
    if word[:1] in ("و", "ف", "ب", "ك") and word[1:3] == "ال":
        word = word[1:]
    if not word.startswith("ال"):
        return False
    return not any(fold(f).startswith("ال") for m in ms for f in gz.forms(m.ref))


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
    blocked = gz.blocked(m.form)
    if blocked:  # "بلدة دورا", "مدينة جوهر"; not "منطقة القصر" (the palace area)
        if prev in ctx.get("town_heads", ()):
            return False
    elif prev in ctx.get("head_nouns", ()):
        return False
    after = doc.text[m.wend : m.wend + 40]
    nxt = after.split()
    for e in within(doc.entities, m.wend + 1, m.wend + 200):  # the entities starting just after it
        if e.kind == "place" and gz.needs_context(e.form):
            continue  # "ليل الخميس": two words, not Lille next to a place
        if e.kind in ("place", "country") and m.wend < e.nstart <= m.wend + 30 and e is not m:
            gap = fold(doc.text[m.wend : e.wstart]).strip(" ،,")
            if blocked and (gap in ctx.get("prepositions", ()) or (not gap and e.kind == "place")):
                break  # "الخميس في دمشق", "جامعة ذمار": a blocked name needs a direction ("بلد شمال بغداد")
            if not gap or gap in ctx.get("directions", ()):
                return False  # "بلد شمال بغداد", "جوهر الصومالية"
            break
    if blocked:
        return True  # "في بيان", "في إطار": a blocked town name needs a head noun or a direction and place
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


def precise_phrases(
    doc: Doc, res: Resources, chosen: dict[tuple[int, int], Place]
) -> dict[tuple[int, int], tuple[int, int]]:
    """The places named with a more precise area in front of them (issue #15, ACLED's "most precise
    place"): a head noun of ``context.yaml`` ``precise_heads`` (district, subdistrict, neighbourhood,
    camp, field, base, airport...), a name the gazetteer does not know, and link words to the town or
    province containing it — "حي الشعار في حلب", "مخيم النصيرات وسط قطاع غزة", "مديرية حيس بمحافظة
    الحديدة". Returns, for the mention of the containing place, the span of head noun and name (the
    head's clitic left out): the location's text, geocoded to the containing place.

    Not a precise phrase: a definite head ("القضاء على", "القاعدة", "المخيم": a verbal noun, a group,
    an anaphora), a name with a punctuation mark, a link or a non-name word (``not_names``) in it, a
    name holding a known place, a trigger or a country (a known name is its own place), a town
    joined by "و" ("مخيم اليرموك والحجر الأسود" names two places), or no link word or clitic "ب"
    between name and town."""
    ctx = res.gazetteer.context
    heads = ctx.get("precise_heads", frozenset())
    if not heads:
        return {}
    clitics = _clitics(ctx)
    links = (
        ctx.get("container_links", frozenset())
        | ctx.get("directions", frozenset())
        | ctx.get("head_nouns", frozenset())
        | ctx.get("capital_words", frozenset())
    )
    not_names = ctx.get("not_names", frozenset()) | ctx.get("prepositions", frozenset())
    out: dict[tuple[int, int], tuple[int, int]] = {}
    for key in chosen:
        m = next((e for e in within(doc.entities, key[0], key[1]) if (e.nstart, e.nend) == key), None)
        if m is None:
            continue
        clitic = doc.text[m.wstart : m.nstart]
        if clitic.startswith("و") or chosen[key].kind in ("country", "region"):
            continue  # "قاعدة إنغرليك جنوب تركيا": a country or region locates no district
        floor = max(doc.sentences[doc.sentence_at(m.nstart)].span.start, m.wstart - PRECISE_REACH)
        toks = [(t.start() + floor, t.end() + floor, t.group()) for t in _TOKEN.finditer(doc.text[floor : m.wstart])]
        n, linked = len(toks), clitic.removesuffix("ال").endswith("ب")
        folded = [fold(t[2]) for t in toks]
        i = n
        while i > 0:  # link words, right to left: "جنوب العاصمة", "بمحافظة", "في", "بالقرب من"
            for k in (3, 2, 1):
                if i - k >= 0 and _is_link(" ".join(folded[i - k : i]), links, k):
                    i -= k
                    linked = True
                    break
            else:
                break
        if not linked:
            continue
        head = None
        for j in range(i - 1, max(-1, i - 2 - NAME_WORDS), -1):
            tok = toks[j][2]
            if j == i - 1 and i < n:  # "قضاء الزبير، جنوب غرب البصرة": a name in apposition
                tok = tok.rstrip("،,")
            word = fold(tok.strip(_QUOTES))
            if any(ch in _BREAKS for ch in tok) or not word:
                break
            clitic_len = _head_clitic(word, heads, clitics)
            if clitic_len is not None:
                head = (j, clitic_len) if j < i - 1 else None  # "قاعدة في سوريا": no name
                break
            if word in not_names or _is_link(word, links, 1):
                break
        if head is None:
            continue
        j, clitic_len = head
        if any(fold(t[2]).startswith("و") and fold(t[2]) not in links for t in toks[j + 2 : i]):
            continue  # "حي الجهوري والحصبة بالعاصمة صنعاء": two neighbourhoods, neither one the place
        first = fold(toks[j + 1][2].strip(_QUOTES))
        if first.startswith("ل") and not first.startswith("ال"):
            continue  # "قاعدة للجيش الصومالي", "مخيم للاجئين": a description, not a name
        start, end = toks[j][0] + clitic_len, toks[i - 1][1]
        while doc.text[end - 1] in "،," or (doc.text[end - 1] in _QUOTES and doc.text[start:end].count('"') % 2):
            end -= 1  # the closing quote of a quoted head ("مطار دمشق الدولي"), not of a quoted name
        if any(
            e.nstart < end
            and e.nend > toks[j + 1][0]
            and (e.kind in ("trigger", "country") or (e.nstart, e.nend) in chosen)
            for e in within(doc.entities, max(0, start - 40), end + 40)
        ):
            continue  # a known name is its own place ("مخيم اليرموك"), a trigger or country is no name
        out[key] = (start, end)
    return out


def unlisted_places(
    doc: Doc, res: Resources, chosen: dict[tuple[int, int], Place]
) -> list[tuple[Mention, Place, tuple[int, int]]]:
    """Places the gazetteer lacks, named after a head noun of ``context.yaml`` ``unlisted_heads``:
    "قضاء سيلوبي", "مدينة بوزانتي", "مقاطعة باجور القبلية شمال غربي باكستان". The name is one to
    ``NAME_WORDS`` words that are neither common words of news (``vocabulary.txt.gz``, so "منطقة
    عسكرية", "مدينة كبيرة" name nothing), nor link or non-name words, nor part of a known entity.

    Each is geocoded to the place that contains it (ACLED's most precise place, written as the
    article writes it): a known place or country linked right after it ("بلدة ستاروناتيفكا شمالي
    مدينة ماريوبول": precision 2 near a town; "مدينة سيفاري في وسط مالي": 3 in a province, region
    or country), else the country the article names most, 1.5 times as often as any other, else
    the one country its sentence names if it is one of the article's two most named (precision 3).
    Another province or country of the sentence is not taken ("منطقة دوجو بايزيد في الإقليم الشرقي
    المتاخم لإيران" is in Turkey). Without a container it is left out. Returns the name's mention
    (kind "place"), its :class:`Place` (kind "unlisted") and the span of head noun and name (the
    location's text)."""
    gz = res.gazetteer
    ctx = gz.context
    heads = ctx.get("unlisted_heads", frozenset())
    if not heads or not gz.vocabulary:
        return []
    links = (
        ctx.get("container_links", frozenset())
        | ctx.get("directions", frozenset())
        | ctx.get("head_nouns", frozenset())
        | ctx.get("capital_words", frozenset())
    )
    stop = ctx.get("not_names", frozenset()) | ctx.get("prepositions", frozenset()) | links
    vocabulary = gz.vocabulary
    name_clitics = ctx.get("name_clitics", frozenset())
    clitics = _clitics(ctx)
    claimed = list(doc.precise.values())
    by_start: dict[int, Mention] = {}  # filled at the first name: most articles have none
    out: list[tuple[Mention, Place, tuple[int, int]]] = []
    article_country: list[Counter[str]] = []  # the article's country counts, once
    for hm in gz.unlisted_head.finditer(doc.text) if gz.unlisted_head else ():
        hs, he = hm.span()
        clitic_len = _head_clitic(hm.group(), heads, clitics)
        if clitic_len is None or _taken(doc, hs, he, chosen) or _overlaps(hs, he, claimed):
            continue
        # the head, its name and the link words after it: a window, not the whole text
        toks = [(hs, he, hm.group())]
        toks += [(t.start() + he, t.end() + he, t.group()) for t in _TOKEN.finditer(doc.text[he : he + UNLISTED_REACH])]
        starts = [t[0] for t in toks]
        i = 0
        name_end = None
        for j in range(i + 1, min(len(toks), i + 1 + NAME_WORDS)):
            ts, te, tok = toks[j]
            core = tok.strip(_QUOTES + "،,.؛;:!?()[]{}«»")
            word = fold(core)
            if (
                not word
                or not word.isalpha()
                or len(word) < 3
                or word in stop
                or word in vocabulary
                or (j > i + 1 and word.startswith("و"))  # "قرية X وبلدة Y": the next item of a list
                or (j > i + 1 and word[0] in name_clitics and word[1:] in vocabulary)  # "شقرة كتعزيز"
                or (j == i + 1 and word.startswith("ل") and not word.startswith("ال"))  # "قاعدة للجيش"
                or _taken(doc, ts, te, chosen)
                or doc.sentence_at(ts) != doc.sentence_at(hs)
            ):
                break
            name_end = ts + tok.find(core) + len(core)
            if any(ch in _BREAKS for ch in tok[tok.find(core) + len(core) :]):
                break  # "قضاء سيلوبي،": the comma ends the name
        if name_end is None:
            continue
        name_start = toks[i + 1][0] + toks[i + 1][2].find(toks[i + 1][2].strip(_QUOTES + "«»"))
        k = bisect_left(starts, name_end)
        if not by_start:
            by_start.update((m.wstart, m) for m in (*doc.countries, *doc.entities))  # an entity wins over a country
        container, precision = _container(doc, res, chosen, toks, k, by_start, links, article_country)
        if container is None:
            continue
        quoted = doc.text[name_start - 1 : name_start] in _QUOTES + "«"
        if quoted and doc.text[name_end : name_end + 1] in _QUOTES + "»":
            name_end += 1  # 'قرية "القرقور"': the text keeps both quotes
        name = doc.text[name_start:name_end]
        place = Place(
            id=f"unlisted:{container.country}:{fold(doc.text[hs + clitic_len : name_end])}",
            name=container.name,
            name_ar=name,
            kind="unlisted",
            country=container.country,
            admin1=container.name if container.kind == "admin1" else container.admin1,
            admin2=container.name if container.kind == "admin2" else container.admin2,
            lat=container.lat,
            lon=container.lon,
            population=0,
            geo_precision=precision,
            world=container.world,
        )
        m = Mention("place", place.id, name_start, name_end, name_start, name_end, name)
        out.append((m, place, (hs + clitic_len, name_end)))
    return out


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def _taken(doc: Doc, start: int, end: int, chosen: dict[tuple[int, int], Place]) -> bool:
    """Whether an entity covers part of the span: an actor, source or trigger, or a place the place
    stage kept (not a name read as a word: "منطقة دير" is an unlisted place, not the word "دير")."""
    return any(
        m.wstart < end and start < m.wend and (m.kind != "place" or (m.nstart, m.nend) in chosen)
        for m in within(doc.entities, max(0, start - 60), end + 60)
    )


def _container(
    doc: Doc,
    res: Resources,
    chosen: dict[tuple[int, int], Place],
    toks: list[tuple[int, int, str]],
    first: int,
    by_start: dict[int, Mention],
    links: frozenset[str],
    article_country: list[Counter[str]],
) -> tuple[Place | None, int]:
    """The known place containing an unlisted one whose name ends before token ``first``, and the
    precision of the unlisted place."""
    k = first
    sent = doc.sentence_at(max(0, toks[first - 1][1] - 1))
    for _ in range(4):  # link words, left to right: "شمال غربي", "بمحافظة", "التابع لولاية"
        if k >= len(toks) or doc.sentence_at(toks[k][0]) != sent:
            break
        m = by_start.get(toks[k][0])
        p = chosen.get((m.nstart, m.nend)) if m is not None else None
        if m is not None and p is None and m.kind == "country" and m.ref in res.country_places:
            p = res.gazetteer.get(res.country_places[m.ref])  # "في وسط مالي", "جنوب شرقي تركيا"
        if m is not None and p is not None:
            linked = k > first or doc.text[m.wstart : m.nstart].removesuffix("ال").endswith("ب")
            if linked or p.kind in CONTAINERS:
                return p, 3 if p.kind in CONTAINERS else 2
            break
        if not _is_link(fold(toks[k][2].strip("،,")), links, 1):
            break
        k += 1
    if not article_country:
        dl_end = dateline_end(doc)  # "دبي، الإمارات العربية المتحدة (CNN)": the outlet's, not the story's
        counts: Counter[str] = Counter(m.ref for m in doc.countries if m.nend > dl_end)
        counts.update(p.country for key, p in chosen.items() if key[1] > dl_end)
        article_country.append(counts)
    counts = article_country[0]
    top = counts.most_common(2)
    # a country the article is about: named half as often again as any other; else the one country its
    # sentence names, when it is one of the article's two most named
    code = top[0][0] if top and (len(top) == 1 or top[0][1] >= DOMINANT * top[1][1]) else None
    if code is None:
        s = doc.sentences[sent].span
        here = {m.ref for m in doc.countries if s.start <= m.nstart < s.end} | {
            chosen[(m.nstart, m.nend)].country
            for m in within(doc.entities, s.start, s.end)
            if (m.nstart, m.nend) in chosen
        }
        if len(here) == 1 and next(iter(here)) in {c for c, _ in top}:
            code = next(iter(here))
    pid = res.country_places.get(code) if code else None
    return (res.gazetteer.get(pid) if pid else None), 3


CONTAINERS = frozenset({"admin1", "region", "country"})
UNLISTED_REACH = 160  # characters after a head noun that its name and link words may span
DOMINANT = 1.5  # an article's country contains its unlisted places when named this many times as often as another


def _clitics(ctx: dict[str, frozenset[str]]) -> tuple[str, ...]:
    """``context.yaml`` ``head_clitics``, longest first."""
    return tuple(sorted(ctx.get("head_clitics", ()), key=lambda c: (-len(c), c)))


def _head_clitic(word: str, heads: frozenset[str], clitics: tuple[str, ...]) -> int | None:
    """The length of the clitic before a head noun ("بمديرية" → 1), or None."""
    if word in heads:
        return 0
    for c in clitics:
        if word.startswith(c) and word[len(c) :] in heads:
            return len(c)
    return None


def _is_link(phrase: str, links: frozenset[str], words: int) -> bool:
    """Link words between a precise phrase and its town ("في", "جنوب", "بمحافظة", "بالعاصمة")."""
    if phrase in links:
        return True
    return words == 1 and any(phrase.startswith(c) and phrase[len(c) :] in links for c in _LINK_CLITICS)
