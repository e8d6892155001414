"""The Arabic gazetteer: places, their Arabic surface forms, and how an ambiguous name is resolved.

Data (``resources/data/places/``, see its README): ``geonames.tsv.gz`` — generated from GeoNames by
``tools/build_gazetteer.py``, ids ``geonames:<id>``, kinds ``place``/``admin1``/``admin2``;
``sites.tsv`` — curated sites, towns, regions and countries GeoNames' cities500 lacks, ids
``site:<slug>``; ``blocklist.txt`` — forms never used as GeoNames surface forms because in news
text they are common words ("المدينة", "جديدة", and "البيرة", which would match "كبيرة" = ك + بيرة).

**Surface forms** (``surface_forms``): every Arabic form of a place as written, plus generated
variants: without the leading article; joined/spaced "البو كمال"/"البوكمال" and "أبو حماد"/"أبوحماد";
"سورية"/"سوريا"; for GeoNames admin areas the bare name without its head noun ("محافظة حلب" → "حلب") and,
for admin1, "محافظة X" and "ولاية X" (plus "منطقة X" in SA, "شعبية X" in LY); curated forms get
no head-noun variants (they are listed exactly as wanted). Hamza, alef, ya and
ta-marbuta variants are left to ``normalize.fold``. Dropped: forms whose folded, article-free key
has fewer than three letters ("إب", "اللد" → "لد"), and GeoNames forms listed in the blocklist
(curated ``sites.tsv`` forms are trusted and never blocked). A GeoNames form that is also a common
word (``words.tsv``, written from corpus counts by ``tools/build_world_gazetteer.py``) is kept when
it is the bare name of a town of at least ``WORD_TOWN`` inhabitants or a regional name not in the
blocklist; a blocked bare one-word name of such a town is kept the same way ("بلد", "جوهر", "دورا",
"مشهد"), and then names a place only in place context
(``needs_context``, ``pipeline.places``); otherwise it is dropped.

``discovered.tsv.gz`` — Arabic forms of GeoNames places found in the news corpus by
``tools/discover_place_names.py`` (Turkish, Afghan, US… towns GeoNames gives no Arabic name); a new
place there is read like a world row (it needs the same evidence in an article).

**Disambiguation** (``choose``), candidates compared on, in order:

0. a discovered place (``discovered.tsv.gz``) never outranks an established one;
1. country: a country the article names (``countries``, most frequent first) beats one it names
   less often, which beats one it does not name;
2. admin1: a candidate in (or being) an admin1 area the article names;
3. anchors: a candidate within 75 km of another place the article names (optional ``anchors``);
4. outlet: a candidate in the outlet's usual focus country (``outlet_country``);
5. region: a town of ``world.tsv.gz`` (outside the 27 countries) under ``WORLD_CITY`` inhabitants
   yields to any other reading (a Syrian village beats Paris, Texas; Paris, France competes);
6. kind: a country first (a name shared by a country and a town means the country, e.g.
   "الكويت"), then towns, villages and sites, then neighbourhood/district-level sites, then admin2,
   then admin1 and regions — a name shared by a town and the province named after it ("حلب",
   "درعا", "الحديدة") means the town in running text; "محافظة X" forms are unique to the area;
7. a curated ``sites.tsv`` entry before a GeoNames one (curated entries exist because the name
   matters in the news: كابل is Kabul, not the Israeli village; they carry no population);
8. population, larger first; then the id, so the result is deterministic.

``geo_precision`` is the default when a place is named alone: 1 for towns, villages and sites, 2 for
admin2 districts and vague district-level areas, 3 for admin1, regions and countries.
"""

from __future__ import annotations

import difflib
import gzip
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import ResourceError
from ..text.match import variants
from ..text.normalize import fold

__all__ = ["DATA_DIR", "Gazetteer", "Place", "haversine_km"]

DATA_DIR = Path(__file__).resolve().parent.parent / "resources" / "data" / "places"

# Kinds by how wide an area they name (lower = preferred when one form names several places).
_KIND_TIER = {
    "country": 0,
    "place": 1,
    "neighbourhood": 2,
    "district": 2,
    "admin2": 3,
    "admin1": 4,
    "region": 4,
}
_SITE_TIER = 1  # any other curated kind: base, camp, oil_field, airport, town, village...
_ADMIN_KINDS = frozenset({"admin1", "admin2"})
_HEAD_NOUNS = (
    "محافظة", "منطقة", "مدينة", "ولاية", "شعبية", "إمارة", "امارة", "إقليم", "اقليم", "قضاء",
    "مديرية", "معتمدية", "دائرة", "بلدية", "محلية", "جهة", "ناحية", "مركز", "لواء", "مقاطعة",
)  # fmt: skip
_HEAD_RE = re.compile(r"^(?:" + "|".join(_HEAD_NOUNS) + r") (?=\S)")
_ADMIN1_HEADS = {"SA": ("منطقة",), "LY": ("شعبية",)}
_SITE_COLUMNS = (
    "id",
    "name",
    "ar_forms",
    "kind",
    "country",
    "admin1",
    "lat",
    "lon",
    "geo_precision",
    "source",
)
_SLUG_RE = re.compile(r"^site:[a-z0-9_]+$")
_ANCHOR_KM = 75.0


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry."""

    id: str  # "geonames:<id>" or "site:<slug>"
    name: str  # English
    name_ar: str  # preferred Arabic form
    kind: str  # "place", "admin1", "admin2", "country", or a site kind
    country: str  # ISO2
    admin1: str | None
    admin2: str | None
    lat: float | None
    lon: float | None
    population: int
    geo_precision: int  # default precision when named alone (see module docstring)
    world: bool = False  # a row of world.tsv.gz (GeoNames outside the 27 countries of geonames.tsv.gz)
    discovered: bool = False  # a place of discovered.tsv.gz (an Arabic form found in the news corpus)

    @property
    def source(self) -> str:
        """``"geonames"`` or ``"sites"``."""
        return "sites" if self.id.startswith("site:") else "geonames"


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


WORD_TOWN = 10_000  # a town this populous keeps a blocked bare name, in place context only


def _key(form: str) -> str:
    """Folded form with the first token's article stripped (the matcher's primary key)."""
    toks = fold(form).split()
    if not toks:
        return ""
    first = toks[0][2:] if toks[0].startswith("ال") and len(toks[0]) > 3 else toks[0]
    return " ".join([first, *toks[1:]])


def _latin_key(name: str) -> str:
    """Lower-case ASCII letters of an English name, without Arabic article particles ("al-", "ez-")."""
    s = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    s = re.sub(r"[‘’ʻʼ`'\-]", " ", s.lower())
    s = re.sub(r"(?:^| )(?:al|el|ar|as|ash|ad|an|at|az|ath|ez|es|ed|er|en|et) (?=\S)", " ", f" {s} ")
    return re.sub(r"[^a-z0-9]", "", s)


def _skeleton(latin_key: str) -> str:
    """Consonant skeleton of a Latin key, for spelling-tolerant English lookup ("dairzour" ~ "deirzor")."""
    s = re.sub(r"(.)\1+", r"\1", latin_key)
    return s[:1] + re.sub("[aeiouyw']", "", s[1:])


def _spacing_variants(form: str) -> set[str]:
    """ "البو كمال" <-> "البوكمال", "أبو حماد" <-> "أبوحماد"."""
    out = set()
    joined = re.sub(r"(^| )(البو|ابو|أبو) (?=\S)", r"\1\2", form)
    if joined != form:
        out.add(joined)
    spaced = re.sub(r"(^| )(البو|ابو|أبو)(?=[^\s]{3,})", r"\1\2 ", form)
    if spaced != form:
        out.add(spaced)
    return out


def _syria_variants(form: str) -> set[str]:
    toks = form.split()
    swap = {"سوريا": "سورية", "سورية": "سوريا"}
    if not any(t in swap for t in toks):
        return set()
    return {" ".join(swap.get(t, t) for t in toks)}


class Gazetteer:
    """Places by id and by Arabic surface form; load with :meth:`load`."""

    def __init__(self, places: Sequence[Place], forms: dict[str, tuple[str, ...]], blocklist: frozenset[str]):
        self._places: dict[str, Place] = {p.id: p for p in places}
        self._forms = forms  # place id -> Arabic forms as stored (preferred first)
        self._blocklist = blocklist
        self._surface: list[tuple[str, str]] | None = None
        self._by_key: dict[str, tuple[str, ...]] | None = None
        self._by_latin: dict[str, list[str]] | None = None
        self._by_skeleton: dict[str, list[str]] | None = None
        self.words: frozenset[str] = frozenset()  # keys of names that are also common words (words.tsv)
        self.context: dict[str, frozenset[str]] = {}  # context.yaml: folded word lists by kind
        self.vocabulary: frozenset[str] = frozenset()  # common words of news (vocabulary.txt.gz): no place names
        self.unlisted_head: re.Pattern[str] | None = None  # context.yaml unlisted_heads, in folded text

    # --- loading -------------------------------------------------------------------------------

    @classmethod
    def load(cls, data_dir: Path | None = None, discovered: bool = True) -> Gazetteer:
        """Read ``geonames.tsv.gz``, ``world.tsv.gz``, ``sites.tsv``, ``blocklist.txt`` and (unless
        ``discovered`` is false) ``discovered.tsv.gz`` from ``data_dir`` (default: the bundled
        ``resources/data/places``). Indexes are built on first use."""
        d = Path(data_dir) if data_dir else DATA_DIR
        places: list[Place] = []
        forms: dict[str, tuple[str, ...]] = {}
        _read_geonames(d / "geonames.tsv.gz", places, forms)
        if (d / "world.tsv.gz").exists():
            _read_geonames(d / "world.tsv.gz", places, forms, world=True)
        _read_sites(d / "sites.tsv", places, forms)
        if discovered and (d / "discovered.tsv.gz").exists():
            _read_discovered(d / "discovered.tsv.gz", places, forms)
        seen: set[str] = set()
        for p in places:
            if p.id in seen:
                raise ResourceError(str(d), f"duplicate place id {p.id}")
            seen.add(p.id)
        gz = cls(places, forms, _read_blocklist(d / "blocklist.txt"))
        gz.words = _read_words(d / "words.tsv")
        gz.context = _read_context(d / "context.yaml")
        gz.vocabulary = _read_vocabulary(d / "vocabulary.txt.gz")
        heads = sorted(gz.context.get("unlisted_heads", ()), key=len, reverse=True)
        # a head noun of an unlisted place as a whole word of folded text, with its clitic: "بمديرية"
        clitics = "|".join(sorted(gz.context.get("head_clitics", ()), key=len, reverse=True))
        gz.unlisted_head = re.compile(rf"(?<!\S)(?:{clitics})?(?:{'|'.join(heads)})(?=\s)") if heads else None
        return gz

    # --- lookups -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._places)

    def __contains__(self, place_id: object) -> bool:
        return place_id in self._places

    def __iter__(self) -> Iterator[Place]:
        return iter(self._places.values())

    def get(self, place_id: str) -> Place:
        """The place with this id (``KeyError`` if unknown)."""
        return self._places[place_id]

    def forms(self, place_id: str) -> tuple[str, ...]:
        """The stored Arabic forms of a place (preferred first), before variant generation."""
        return self._forms.get(place_id, ())

    def surface_forms(self) -> Iterator[tuple[str, str]]:
        """``(Arabic surface form as written, place id)`` pairs for the matcher (see module docstring)."""
        if self._surface is None:
            self._surface = list(self._generate_forms())
        return iter(self._surface)

    def by_form(self, form: str) -> list[Place]:
        """All places with this surface form (compared folded, first-token article ignored; a
        matcher key such as ``Mention.form`` works too)."""
        index = self._key_index()
        ids: dict[str, None] = {}
        for k in sorted(variants(form)):
            for pid in index.get(k, ()):
                ids[pid] = None
        return [self._places[i] for i in ids]

    def needs_context(self, form: str) -> bool:
        """Whether a GeoNames surface form (or matcher key) is also a common word (``words.tsv``),
        so that it names a place only in place context (see ``pipeline.places``)."""
        k = _key(form)
        return k in self.words or k in self._blocklist

    def blocked(self, form: str) -> bool:
        """Whether a surface form is in the blocklist: mostly another sense in news, so a place only
        after a head noun or before a direction and a place, never from a preposition alone."""
        return _key(form) in self._blocklist

    def lookup(self, name: str, limit: int = 10) -> list[tuple[Place, float]]:
        """Scored candidates for a name typed by a person, Arabic or English (1.0 = exact form)."""
        name = name.strip()
        if not name:
            return []
        scores: dict[str, float] = {}
        if re.search("[\u0600-\u06ff]", name):
            index = self._key_index()
            q = _key(name)
            for p in self.by_form(name):
                scores[p.id] = 1.0
            words = name.split()
            if not scores and len(words) > 1 and fold(words[0]) in self.context.get("head_nouns", ()):
                for p in self.by_form(" ".join(words[1:])):  # "مدينة حلب": the town's own forms
                    scores[p.id] = 1.0
            prefixed = [k for k in index if k != q and (k.startswith(q) or (q.startswith(k) and len(k) > 3))]
            for k in prefixed:
                for pid in index[k]:
                    scores.setdefault(pid, 0.8 * min(len(k), len(q)) / max(len(k), len(q)))
            for k in difflib.get_close_matches(q, list(index), n=limit * 3, cutoff=0.75):
                for pid in index[k]:
                    scores.setdefault(pid, 0.9 * difflib.SequenceMatcher(None, q, k).ratio())
        else:
            latin = self._latin_index()
            q = _latin_key(name)
            for pid in latin.get(q, ()):
                scores[pid] = 1.0
            for k in latin:
                if k != q and len(q) >= 3 and (k.startswith(q) or q in k):
                    for pid in latin[k]:
                        scores.setdefault(pid, 0.85 if k.startswith(q) else 0.7)
            skel = _skeleton(q)
            for k in self._skeleton_index().get(skel, ()) if len(skel) >= 3 else ():
                for pid in latin[k]:
                    scores.setdefault(pid, 0.8)
            for k in difflib.get_close_matches(q, list(latin), n=limit * 3, cutoff=0.8):
                for pid in latin[k]:
                    scores.setdefault(pid, 0.9 * difflib.SequenceMatcher(None, q, k).ratio())

        def rank(pid: str) -> tuple[float, int, int, int, str]:
            p = self._places[pid]
            return (-round(scores[pid], 3), _tier(p), 0 if p.source == "sites" else 1, -p.population, p.id)

        return [(self._places[pid], round(scores[pid], 3)) for pid in sorted(scores, key=rank)[:limit]]

    def explain(self, name: str, place: Place, score: float) -> tuple[str, str]:
        """How a :meth:`lookup` answer matched and what the pipeline needs to use it.

        Match: ``"exact"`` (a stored form or English name, as typed up to folding), ``"variant"``
        (a generated surface form: without the article or head noun, joined/spaced...) or
        ``"approximate"`` (a spelling-tolerant guess, ``score`` < 1; the pipeline never uses one:
        it reads only exact surface forms). Context: ``"word"`` for a name that is also a common
        word (``words.tsv``: a place only after a head noun, a preposition of place in an event
        sentence, or beside a known place), ``"foreign"`` for a place outside the 27 countries
        (only with its country or admin1 named in the article, or a head noun, and as a location
        only after a preposition of place), else ``""``."""
        if score < 1.0:
            match = "approximate"
        elif re.search("[\u0600-\u06ff]", name):
            stored = {_key(f) for f in self.forms(place.id)}
            match = "exact" if _key(name) in stored else "variant"
        else:
            match = "exact" if _latin_key(name) == _latin_key(place.name) else "variant"
        if place.world:
            context = "foreign"
        elif re.search("[\u0600-\u06ff]", name) and place.source != "sites" and self.needs_context(name):
            context = "word"
        else:
            context = ""
        return match, context

    def choose(
        self,
        candidates: Sequence[Place],
        *,
        countries: Sequence[str] = (),
        admin1s: Sequence[str] = (),
        outlet_country: str | None = None,
        anchors: Sequence[Place] = (),
    ) -> Place:
        """The most likely reading of an ambiguous name (rule in the module docstring).

        ``countries``: ISO2 codes the article names, most frequent first; ``admin1s``: admin1 names
        it names; ``anchors``: other places it names (already resolved)."""
        if not candidates:
            raise ValueError("choose() needs at least one candidate")
        if len(candidates) == 1:
            return candidates[0]
        crank = {c: i for i, c in reversed(list(enumerate(countries)))}
        a1 = {a.casefold() for a in admin1s}
        pts = [(a.id, a.lat, a.lon) for a in anchors if a.lat is not None and a.lon is not None]

        def in_admin1(p: Place) -> bool:
            return bool((p.admin1 and p.admin1.casefold() in a1) or (p.kind == "admin1" and p.name.casefold() in a1))

        def near_anchor(p: Place) -> bool:
            if p.lat is None or p.lon is None:
                return False
            return any(p.id != aid and haversine_km(p.lat, p.lon, la, lo) <= _ANCHOR_KM for aid, la, lo in pts)

        def key(p: Place) -> tuple[int, int, int, int, int, int, int, int, int, str]:
            return (
                1 if p.discovered else 0,
                crank.get(p.country, len(countries)),
                0 if in_admin1(p) else 1,
                0 if pts and near_anchor(p) else 1,
                0 if outlet_country and p.country == outlet_country else 1,
                1 if p.world and p.country not in crank else 0,
                _tier(p),
                0 if p.source == "sites" else 1,
                -p.population,
                p.id,
            )

        return min(candidates, key=key)

    def near(self, lat: float, lon: float, km: float) -> list[Place]:
        """Places with coordinates within ``km`` of a point, nearest first."""
        hits = []
        for p in self._places.values():
            if p.lat is None or p.lon is None or abs(p.lat - lat) > km / 110.0 + 0.01:
                continue
            d = haversine_km(lat, lon, p.lat, p.lon)
            if d <= km:
                hits.append((d, p.id, p))
        return [p for _, _, p in sorted(hits)]

    def stats(self) -> dict[str, dict[str, int]]:
        """Entry counts by country, by source (geonames/sites) and by kind."""
        by_country = Counter(p.country for p in self._places.values())
        by_source = Counter(p.source for p in self._places.values())
        by_kind = Counter(p.kind for p in self._places.values())
        return {
            "by_country": dict(sorted(by_country.items())),
            "by_source": dict(sorted(by_source.items())),
            "by_kind": dict(sorted(by_kind.items())),
            "surface_forms": {"pairs": sum(1 for _ in self.surface_forms()), "keys": len(self._key_index())},
        }

    # --- internals -----------------------------------------------------------------------------

    def _generate_forms(self) -> Iterator[tuple[str, str]]:
        for pid, stored in self._forms.items():
            p = self._places[pid]
            curated = p.source == "sites"
            out: dict[str, None] = {}
            for f in stored:
                cands = {f}
                if p.kind in _ADMIN_KINDS and not curated:
                    bare = _HEAD_RE.sub("", f)
                    cands.add(bare)
                    if p.kind == "admin1" and bare == f:
                        for head in ("محافظة", "ولاية", *_ADMIN1_HEADS.get(p.country, ())):
                            cands.add(f"{head} {f}")
                for c in list(cands):
                    cands |= _spacing_variants(c) | _syria_variants(c)
                for c in sorted(cands):
                    if c.startswith("ال") and len(c.split()[0]) > 4:
                        out.setdefault(c, None)
                        out.setdefault(c[2:], None)
                    else:
                        out.setdefault(c, None)
            for c in out:
                k = _key(c)
                if len(k.replace(" ", "")) < 3:
                    continue
                # a blocked one-word name that is the town's preferred form, without the article ("بلد",
                # "دورا", "جوهر"; not "المدينة", "the city", nor Medina's "مدينة"), of a town of WORD_TOWN
                # inhabitants or more stays, a place only in place context (``needs_context``, ``blocked``)
                bare = " " not in c and c == stored[0] and not c.startswith("ال")
                town = bare and p.kind == "place" and p.population >= WORD_TOWN
                blocked = k in self._blocklist and not town
                if not curated and (blocked or (p.world and (k in self.words or len(k) < 4))):
                    continue  # "المدينة" is "the city"; "إلي" (Ely, US) is "إلى"
                yield c, pid

    def _key_index(self) -> dict[str, tuple[str, ...]]:
        if self._by_key is None:
            idx: dict[str, list[str]] = {}
            for form, pid in self.surface_forms():
                for k in variants(form):
                    bucket = idx.setdefault(k, [])
                    if pid not in bucket:
                        bucket.append(pid)
            self._by_key = {k: tuple(v) for k, v in idx.items()}
        return self._by_key

    def _skeleton_index(self) -> dict[str, list[str]]:
        if self._by_skeleton is None:
            idx: dict[str, list[str]] = {}
            for k in self._latin_index():
                idx.setdefault(_skeleton(k), []).append(k)
            self._by_skeleton = idx
        return self._by_skeleton

    def _latin_index(self) -> dict[str, list[str]]:
        if self._by_latin is None:
            idx: dict[str, list[str]] = {}
            for p in self._places.values():
                keys = {_latin_key(p.name)}
                if p.source == "sites":  # the slug is an English name too ("site:omar_oil_field")
                    keys.add(_latin_key(p.id.removeprefix("site:").replace("_", " ")))
                for k in keys - {""}:
                    idx.setdefault(k, []).append(p.id)
            self._by_latin = idx
        return self._by_latin


def _tier(p: Place) -> int:
    return _KIND_TIER.get(p.kind, _SITE_TIER)


def _float(s: str) -> float | None:
    return float(s) if s else None


def _read_geonames(path: Path, places: list[Place], forms: dict[str, tuple[str, ...]], world: bool = False) -> None:
    try:
        text = gzip.decompress(path.read_bytes()).decode("utf-8")
    except OSError as exc:
        raise ResourceError(str(path), f"cannot read: {exc}") from exc
    lines = text.split("\n")
    if not lines or not lines[0].startswith("id\tkind\tname\tar_forms"):
        raise ResourceError(str(path), "unexpected header", line=1)
    precision = {"place": 1, "admin2": 2, "admin1": 3, "country": 3}
    for lineno, line in enumerate(lines[1:], 2):
        if not line:
            continue
        f = line.split("\t")
        if len(f) != 12:
            raise ResourceError(str(path), f"expected 12 columns, got {len(f)}", line=lineno)
        pid, kind, name, ar, cc, a1, a2, lat, lon, pop = f[:10]
        ar_forms = tuple(ar.split("|")) if ar else ()
        places.append(Place(pid, name, ar_forms[0] if ar_forms else "", kind, cc, a1 or None, a2 or None,
                            _float(lat), _float(lon), int(pop), precision[kind], world))  # fmt: skip
        if ar_forms:
            forms[pid] = ar_forms


def _read_discovered(path: Path, places: list[Place], forms: dict[str, tuple[str, ...]]) -> None:
    """``discovered.tsv.gz`` (``tools/discover_place_names.py``): rows of places the other files lack,
    read like world rows (they need the same evidence in an article) and marked ``discovered``; and
    rows of places they have (``coord_source`` "known"), whose forms are added after the place's own
    (a row that had none is marked ``discovered`` too, and stays regional or world as it was)."""
    new: list[Place] = []
    added: dict[str, tuple[str, ...]] = {}
    _read_geonames(path, new, added, world=True)
    index = {p.id: i for i, p in enumerate(places)}
    for p in new:
        extra = added.get(p.id, ())
        if p.id in index:
            old = places[index[p.id]]
            forms[p.id] = (*forms.get(p.id, ()), *(f for f in extra if f not in forms.get(p.id, ())))
            if not old.name_ar and extra:  # a row without Arabic forms: found only through discovered ones
                places[index[p.id]] = replace(old, name_ar=extra[0], discovered=True)
        else:
            places.append(replace(p, discovered=True))
            forms[p.id] = extra


def _read_sites(path: Path, places: list[Place], forms: dict[str, tuple[str, ...]]) -> None:
    if not path.exists():
        return
    lines = path.read_text(encoding="utf-8").split("\n")
    header = None
    for lineno, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        f = line.split("\t")
        if header is None:
            if tuple(f) != _SITE_COLUMNS:
                raise ResourceError(str(path), f"header must be {' '.join(_SITE_COLUMNS)}", line=lineno)
            header = f
            continue
        if len(f) != len(_SITE_COLUMNS):
            raise ResourceError(str(path), f"expected {len(_SITE_COLUMNS)} columns, got {len(f)}", line=lineno)
        sid, name, ar, kind, cc, a1, lat, lon, prec, _source = f
        if not _SLUG_RE.match(sid):
            raise ResourceError(str(path), f"bad id {sid!r} (want site:<slug>)", line=lineno)
        try:
            la, lo, gp = _float(lat), _float(lon), int(prec)
        except ValueError as exc:
            raise ResourceError(str(path), f"bad number: {exc}", line=lineno) from exc
        if (la is None) != (lo is None) or (
            la is not None and lo is not None and not (-90 <= la <= 90 and -180 <= lo <= 180)
        ):
            raise ResourceError(str(path), f"bad coordinates {lat!r}, {lon!r}", line=lineno)
        if gp not in (1, 2, 3) or not kind or len(cc) != 2 or not name:
            raise ResourceError(str(path), "need name, kind, ISO2 country and geo_precision 1-3", line=lineno)
        ar_forms = tuple(x.strip() for x in ar.split("|") if x.strip())
        if not ar_forms:
            raise ResourceError(str(path), "no Arabic form", line=lineno)
        places.append(Place(sid, name, ar_forms[0], kind, cc, a1 or None, None, la, lo, 0, gp))
        forms[sid] = ar_forms


def _read_words(path: Path) -> frozenset[str]:
    if not path.exists():
        return frozenset()
    out = set()
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line and not line.startswith("#") and not line.startswith("key\t"):
            out.add(line.split("\t", 1)[0])
    return frozenset(out)


def _read_context(path: Path) -> dict[str, frozenset[str]]:
    if not path.exists():
        return {}
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {k: frozenset(fold(w) for w in v) for k, v in data.items()}


def _read_vocabulary(path: Path) -> frozenset[str]:
    """One folded word per line (``tools/build_vocabulary.py``)."""
    if not path.exists():
        return frozenset()
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return frozenset(f.read().split())


def _read_blocklist(path: Path) -> frozenset[str]:
    if not path.exists():
        return frozenset()
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        form = line.split("#", 1)[0].strip()
        if form:
            out.add(_key(form))
    return frozenset(out)
