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

_DATELINE_END = re.compile(r"[-(]|\(\w+\)")
CONTEXT_MIN = 2  # mentions that make a country the article's context (a lone "فرانس برس" does not)


def choose_places(doc: Doc, res: Resources) -> dict[tuple[int, int], Place]:
    gz = res.gazetteer
    groups: dict[tuple[int, int], list[Mention]] = {}
    for m in doc.entities:
        if m.kind == "place":
            groups.setdefault((m.nstart, m.nend), []).append(m)
    countries: Counter[str] = Counter(m.ref for m in doc.countries)
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
