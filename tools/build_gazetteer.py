#!/usr/bin/env python3
"""Build ``src/rasd/resources/data/places/geonames.tsv.gz`` from the shared GeoNames extract.

Usage::

    python tools/build_gazetteer.py                      # reads ../shared/geonames, writes the data file
    python tools/build_gazetteer.py --geonames DIR       # another copy of the extract
    python tools/build_gazetteer.py --check              # exit 1 if the committed file is stale
    python tools/build_gazetteer.py --blocklist-report   # frequent single-word forms, for blocklist.txt

Inputs: ``places_cities500.tsv.gz``, ``admin1.tsv.gz`` and ``admin2.tsv.gz`` (see that folder's
README; GeoNames data, CC BY 4.0) plus the small curated ``names.tsv`` next to the output (English
name overrides, Arabic forms to add or drop). The output is generated: never edit it by hand,
change this script or ``names.tsv`` and rebuild. ``tests/geo/test_data_integrity.py`` regenerates it
in memory and compares.

Rules (all deterministic; rows sorted by kind, country, id):

* **Arabic forms**: GeoNames' ``arabic_names`` (Arabic script without foreign letters), cleaned:
  harakat, tatweel and bidi marks removed, hyphens turned into spaces; dropped when they contain
  anything but Arabic letters and spaces, a one-letter word other than "و", three identical
  letters in a row, a word starting with "ة"/"ى", or when they are the visual (reversed) spelling
  of another form of the same row or another form with a proclitic attached ("لقدس"). The
  preferred form comes first (no head noun such as "محافظة", fewer words, fuller orthography
  أ/ة/ى, with the article when a bare twin exists).
* **English name**: ``names.tsv`` override; else for admin1 GeoNames' name when it is ASCII and also
  an alias, else the most frequent ASCII alias once generic words ("Governorate", "Province",
  "Gobolka", "Emirate of", ...) are stripped (first one on ties, never a bare compass word); else
  for a place that is its admin1's seat and has that admin1 name among its ASCII alternate names,
  the admin1 name (Ar Raqqah -> Raqqa); else GeoNames' name if ASCII, else its ``asciiname``,
  else the name with diacritics stripped.
* **Admin coordinates** (GeoNames has none for admin rows): the seat's, else the mean of the
  division's places, else (admin2) the place of the same admin1 whose Arabic name equals the
  district's name without its head noun; ``coord_source`` says which.
* Palestinian governorates, which the extract lists as admin1 rows with codes ``GZ.<id>`` /
  ``WE.<id>``, become admin2 rows of the "Gaza Strip" / "West Bank" admin1.
"""

from __future__ import annotations

import argparse
import collections
import csv
import gzip
import io
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PLACES_DIR = REPO / "src" / "rasd" / "resources" / "data" / "places"
DEFAULT_GEONAMES = REPO.parent / "shared" / "geonames"
OUTPUT = PLACES_DIR / "geonames.tsv.gz"
NAMES = PLACES_DIR / "names.tsv"

COLUMNS = (
    "id", "kind", "name", "ar_forms", "country", "admin1", "admin2",
    "lat", "lon", "population", "feature_code", "coord_source",
)  # fmt: skip

# --- Arabic cleaning ---------------------------------------------------------------------------

_HARAKAT_RE = re.compile(
    "[\u064b-\u065f\u0670\u0610-\u061a\u06d6-\u06ed\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
_ARABIC_WORDS_RE = re.compile(r"^[\u0621-\u063a\u0641-\u064a]+(?: [\u0621-\u063a\u0641-\u064a]+)*$")
_TRIPLE_RE = re.compile(r"(.)\1\1")
HEAD_NOUNS = (
    "محافظة", "منطقة", "مدينة", "ولاية", "شعبية", "إمارة", "امارة", "إقليم", "اقليم", "قضاء",
    "مديرية", "معتمدية", "دائرة", "بلدية", "محلية", "جهة", "بلدة", "قرية", "ناحية", "مركز",
    "لواء", "شهرستان", "استان", "مقاطعة",
)  # fmt: skip
_HEAD_RE = re.compile(r"^(?:" + "|".join(HEAD_NOUNS) + r") (?=\S)")
_RICH = "أإآةىئؤ"


def clean_arabic(form: str) -> str | None:
    """The cleaned form, or ``None`` when it is not a usable Arabic name (see module docstring)."""
    s = unicodedata.normalize("NFKC", form) if re.search("[\ufb50-\ufdff\ufe70-\ufeff]", form) else form
    s = _HARAKAT_RE.sub("", s)
    s = re.sub(r"\s*[-‐–—]\s*", " ", s)
    s = re.sub(r"[.\u060c,]+$", "", s.strip())
    s = re.sub(r"\s+", " ", s).strip()
    if not s or not _ARABIC_WORDS_RE.match(s):
        return None
    words = s.split()
    if any(len(w) == 1 and w != "و" for w in words) or any(w[0] in "ةى" for w in words):
        return None
    if _TRIPLE_RE.search(s):
        return None
    return s


def _visual_reversals(form: str) -> set[str]:
    r = form[::-1]
    return {r, re.sub("([اأإآ])ل", r"ل\1", r)}


def clean_forms(raw: Iterable[str]) -> list[str]:
    """Clean, de-duplicate and order a row's Arabic forms, preferred form first."""
    forms: list[str] = []
    for f in raw:
        c = clean_arabic(f) if f else None
        if c and c not in forms:
            forms.append(c)
    junk = {f for f in forms if any(f != g and f in _visual_reversals(g) for g in forms)}
    junk |= {f for f in forms if f[0] in "وفبلك" and f[1:] in forms}  # "لقدس" = ل + "قدس"
    forms = [f for f in forms if f not in junk]
    return sorted(forms, key=lambda f: _preference(f, forms))


def _bare(form: str) -> str:
    return form[2:] if form.startswith("ال") and len(form) > 4 else form


def _preference(form: str, forms: Sequence[str]) -> tuple:
    bares = [_bare(g) for g in forms]
    return (
        bool(_HEAD_RE.match(form)),
        len(form.split()),
        -sum(form.count(c) for c in _RICH),
        not (form.startswith("ال") and bares.count(_bare(form)) > 1),
        form,
    )


def strip_head(form: str) -> str:
    """``form`` without a leading administrative head noun ("محافظة حلب" -> "حلب")."""
    return _HEAD_RE.sub("", form)


# --- English names -----------------------------------------------------------------------------

_GENERIC_RE = re.compile(
    r"\s+(?:Governorate|Province|Region|District|State|Municipality|Emirate|Muhafazah|Wilaya|"
    r"Prefecture|County|Department|Area|Division|Sub-?district)$",
    re.I,
)
_GENERIC_PREFIX_RE = re.compile(
    r"^(?:Gobolka|Wilaya(?:t)? d[e'’]|District of|Emirate of|Governorship of|Governorate of|"
    r"Baladiyat|Province d[eu]|R[ée]gion d[eu]|The)\s+|^wilaya d['’]",
    re.I,
)
_COMPASS = {
    "north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
    "northeast", "northwest", "southeast", "southwest", "middle", "capital",
}  # fmt: skip
_ASCII_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z '\-]*[A-Za-z]$")


def ascii_fold(name: str) -> str:
    """Latin ``name`` with diacritics and ayn/hamza marks removed ("Dar‘ā" -> "Dar'a")."""
    s = re.sub("^[‘’ʻʼ`']+", "", name)
    s = re.sub("[‘’ʻʼ`]", "'", s)
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    s = s.replace("ı", "i").replace("ə", "a").replace("ł", "l")
    return re.sub(r"\s+", " ", s).strip()


def is_ascii_name(s: str) -> bool:
    return bool(_ASCII_NAME_RE.match(s))


def admin_name(name: str, aliases: Sequence[str]) -> str:
    """English name of an admin area: GeoNames' ``name`` when it is ASCII and also an alias, else the
    most frequent generic-stripped ASCII alias (first on ties), else ``name`` ASCII-folded."""
    counts: collections.Counter[str] = collections.Counter()
    order: list[str] = []
    for alias in aliases:
        a = _GENERIC_PREFIX_RE.sub("", re.sub("^[‘’ʻ`']+", "", alias.strip()))
        stripped = _GENERIC_RE.sub("", a)
        cand = stripped if stripped.lower() not in _COMPASS else a
        if not is_ascii_name(cand) or cand.lower() in _COMPASS:
            continue
        counts[cand] += 1
        if cand not in order:
            order.append(cand)
    plain = _GENERIC_PREFIX_RE.sub("", name)
    if is_ascii_name(plain) and plain in counts:
        return plain
    if counts:
        best = max(counts.values())
        return next(c for c in order if counts[c] == best)
    return ascii_fold(name)


def place_name(name: str, asciiname: str) -> str:
    folded = re.sub("^[‘’ʻ`']+", "", name)
    if is_ascii_name(folded):
        return folded
    if asciiname:
        return re.sub("`", "'", re.sub("^`+", "", asciiname))
    return ascii_fold(name)


# --- reading -----------------------------------------------------------------------------------


def read_tsv(path: Path) -> Iterator[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        yield from csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)


def read_names(path: Path) -> dict[str, dict[str, list[str]]]:
    """``names.tsv``: key (``geonames:N`` or ``admin1:CC.CODE``), field, value, note."""
    out: dict[str, dict[str, list[str]]] = {}
    if not path.exists():
        return out
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#") or line.startswith("key\t"):
            continue
        parts = line.split("\t")
        if len(parts) < 3 or parts[1] not in ("name", "ar_add", "ar_drop", "ar_prefer"):
            raise ValueError(f"{path}:{lineno}: expected key, field (name|ar_add|ar_drop|ar_prefer), value")
        out.setdefault(parts[0], {}).setdefault(parts[1], []).append(parts[2])
    return out


def _apply_ar(forms: list[str], over: dict[str, list[str]]) -> list[str]:
    drop = set(over.get("ar_drop", ()))
    extra = [f for f in over.get("ar_add", ()) if f not in forms]
    forms = [f for f in forms if f not in drop] + extra
    forms = clean_forms(forms)
    for pref in reversed(over.get("ar_prefer", ())):
        if pref in forms:
            forms.remove(pref)
            forms.insert(0, pref)
    return forms


def _num(s: str, nd: int = 5) -> str:
    return f"{float(s):.{nd}f}".rstrip("0").rstrip(".") if s else ""


# --- build -------------------------------------------------------------------------------------


def build_rows(geonames_dir: Path, names_path: Path = NAMES) -> list[tuple[str, ...]]:
    """All output rows (header excluded), deterministic for given inputs."""
    names = read_names(names_path)
    places = list(read_tsv(geonames_dir / "places_cities500.tsv.gz"))
    admin1 = list(read_tsv(geonames_dir / "admin1.tsv.gz"))
    admin2 = list(read_tsv(geonames_dir / "admin2.tsv.gz"))

    def over(key: str) -> dict[str, list[str]]:
        return names.get(key, {})

    # Palestinian governorates are listed as admin1 "GZ.<id>"/"WE.<id>": treat them as admin2.
    pse_admin2 = [r for r in admin1 if r["country_code"] == "PS" and "." in r["admin1_code"]]
    admin1 = [r for r in admin1 if not (r["country_code"] == "PS" and "." in r["admin1_code"])]

    a1_name: dict[tuple[str, str], str] = {}
    for r in admin1:
        key = (r["country_code"], r["admin1_code"])
        ov = over(f"geonames:{r['geonameid']}").get("name") or over(f"admin1:{key[0]}.{key[1]}").get("name")
        a1_name[key] = ov[0] if ov else admin_name(r["name"], [a for a in r["aliases"].split("|") if a])
    for key_str, fields in names.items():  # admin1 codes the extract lacks (e.g. IQ.05/08/11)
        if key_str.startswith("admin1:") and "name" in fields:
            cc, code = key_str[len("admin1:") :].split(".", 1)
            a1_name.setdefault((cc, code), fields["name"][0])

    def a2_display(r: dict[str, str]) -> str:
        ov = over(f"geonames:{r['geonameid']}").get("name")
        if ov:
            return ov[0]
        if is_ascii_name(r["name"]):
            return r["name"]
        for a in r["aliases"].split("|"):
            if is_ascii_name(a):
                return a
        return ascii_fold(r["name"])

    a2_name: dict[tuple[str, str, str], str] = {}
    for r in admin2:
        a2_name[(r["country_code"], r["admin1_code"], r["admin2_code"])] = a2_display(r)
    for r in pse_admin2:
        parent, sub = r["admin1_code"].split(".", 1)
        a2_name[("PS", parent, sub)] = a2_display(r)

    seat_of: dict[str, str] = {r["seat_geonameid"]: a1_name[(r["country_code"], r["admin1_code"])]
                               for r in admin1 if r["seat_geonameid"]}  # fmt: skip

    rows: list[tuple[str, ...]] = []
    place_forms: dict[tuple[str, str], list[tuple[str, str, str]]] = collections.defaultdict(list)
    for p in places:
        gid = p["geonameid"]
        ov = over(f"geonames:{gid}")
        forms = _apply_ar(clean_forms(p["arabic_names"].split("|")), ov)
        cc, a1c, a2c = p["country_code"], p["admin1_code"], p["admin2_code"]
        if ov.get("name"):
            name = ov["name"][0]
        elif gid in seat_of and seat_of[gid] in {a.strip() for a in p["alternatenames"].split(",")}:
            name = seat_of[gid]
        else:
            name = place_name(p["name"], p["asciiname"])
        lat, lon = _num(p["latitude"]), _num(p["longitude"])
        for f in forms:
            place_forms[(cc, a1c)].append((f, lat, lon))
        rows.append((
            f"geonames:{gid}", "place", name, "|".join(forms), cc, a1_name.get((cc, a1c), ""),
            a2_name.get((cc, a1c, a2c), ""), lat, lon, str(int(p["population"] or 0)),
            p["feature_code"], "geonames",
        ))  # fmt: skip

    def coords(r: dict[str, str], cc: str, a1c: str, forms: Sequence[str]) -> tuple[str, str, str]:
        if r.get("seat_latitude"):
            return _num(r["seat_latitude"]), _num(r["seat_longitude"]), "seat"
        if r.get("mean_place_latitude"):
            return _num(r["mean_place_latitude"]), _num(r["mean_place_longitude"]), "mean"
        bare = {strip_head(f) for f in forms}
        for f, lat, lon in place_forms.get((cc, a1c), ()):
            if f in bare:
                return lat, lon, "name"
        return "", "", ""

    for r in admin1:
        cc, a1c = r["country_code"], r["admin1_code"]
        forms = _apply_ar(clean_forms(r["arabic_names"].split("|")), over(f"geonames:{r['geonameid']}"))
        lat, lon, src = coords(r, cc, a1c, forms)
        rows.append((f"geonames:{r['geonameid']}", "admin1", a1_name[(cc, a1c)], "|".join(forms), cc,
                     a1_name[(cc, a1c)], "", lat, lon, "0", "ADM1", src))  # fmt: skip
    for r in admin2 + pse_admin2:
        cc = r["country_code"]
        if r in pse_admin2:
            a1c, a2c = r["admin1_code"].split(".", 1)
        else:
            a1c, a2c = r["admin1_code"], r["admin2_code"]
        forms = _apply_ar(clean_forms(r["arabic_names"].split("|")), over(f"geonames:{r['geonameid']}"))
        lat, lon, src = coords(r, cc, a1c, forms)
        a2 = a2_name[(cc, a1c, a2c)]
        rows.append((f"geonames:{r['geonameid']}", "admin2", a2, "|".join(forms), cc,
                     a1_name.get((cc, a1c), ""), a2, lat, lon, "0", "ADM2", src))  # fmt: skip

    kind_order = {"admin1": 0, "admin2": 1, "place": 2}
    rows.sort(key=lambda row: (kind_order[row[1]], row[4], int(row[0].split(":")[1])))
    return rows


def render(rows: Iterable[Sequence[str]]) -> str:
    """The output file's text (before gzip)."""
    buf = io.StringIO()
    buf.write("\t".join(COLUMNS) + "\n")
    for row in rows:
        if any("\t" in c or "\n" in c for c in row):
            raise ValueError(f"tab or newline in row {row[0]}")
        buf.write("\t".join(row) + "\n")
    return buf.getvalue()


def gz_bytes(text: str) -> bytes:
    """``text`` gzipped reproducibly (no file name, mtime 0)."""
    raw = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("utf-8"))
    return raw.getvalue()


def write(text: str, path: Path) -> None:
    """gzip ``text`` reproducibly into ``path``."""
    path.write_bytes(gz_bytes(text))


# --- blocklist report ----------------------------------------------------------------------------


def package_dir(name: str) -> Path:
    """The directory of an installed PyPI package (the ``build`` extra), or exit saying how to get it."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or not spec.origin:
        raise SystemExit(f"the build needs the PyPI package {name!r}: pip install -e '.[build]'")
    return Path(spec.origin).parent


def write_or_check(outputs: dict[Path, bytes], check: bool, script: str) -> int:
    """Write each output (``check`` False), or report those the committed files differ from; the
    exit status (1: some committed output is stale)."""
    stale = False
    for path, data in outputs.items():
        if check:
            if not path.exists() or path.read_bytes() != data:
                print(f"{path} is stale: run {script}", file=sys.stderr)
                stale = True
        else:
            path.write_bytes(data)
            print(f"wrote {path} ({len(data):,} bytes)")
    return 1 if stale else 0


def folded_word_counts(corpus: Path, n_articles: int) -> collections.Counter[str]:
    """How often each folded word (FORMAT.md folding) occurs in the first ``n_articles`` of a
    JSON-lines corpus (title and text)."""
    import json

    sys.path.insert(0, str(REPO / "src"))
    from rasd.text.normalize import fold

    counts: collections.Counter[str] = collections.Counter()
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= n_articles:
                break
            doc = json.loads(line)
            counts.update(fold(doc["title"] + " " + doc["text"]).split())
    return counts


def blocklist_report(
    rows: Sequence[Sequence[str]], corpus: Path, top: int = 2000, n_articles: int = 48000
) -> None:
    """Print single-word forms that are among the ``top`` most frequent corpus words, with the
    largest population bearing them (candidates for ``blocklist.txt``; review by hand)."""
    sys.path.insert(0, str(REPO / "src"))
    from rasd.text.match import PROCLITICS
    from rasd.text.normalize import fold

    counts = folded_word_counts(corpus, n_articles)
    # credit each word to its clitic-free stem(s)
    stems: collections.Counter[str] = collections.Counter()
    for w, c in counts.items():
        for p in sorted(PROCLITICS, key=len, reverse=True):
            if w.startswith(p) and len(w) - len(p) >= 2:
                stems[w[len(p) :]] += c
    rank = {w: i for i, (w, _) in enumerate(stems.most_common(top))}
    best: dict[str, tuple[int, str, str]] = {}
    for row in rows:
        for f in row[3].split("|") if row[3] else ():
            key = fold(strip_head(f))
            key = key[2:] if key.startswith("ال") and len(key) > 3 else key
            if " " in key or key not in rank:
                continue
            pop = int(row[9])
            if key not in best or pop > best[key][0]:
                best[key] = (pop, row[2], row[4])
    for key, (pop, name, cc) in sorted(best.items(), key=lambda kv: rank[kv[0]]):
        print(f"{rank[key]}\t{stems[key]}\t{key}\t{pop}\t{name}\t{cc}")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--geonames", type=Path, default=DEFAULT_GEONAMES, help="folder of the GeoNames extract")
    ap.add_argument("--out", type=Path, default=OUTPUT)
    ap.add_argument("--check", action="store_true", help="compare with --out instead of writing it")
    bulk = REPO.parent / "shared" / "corpus" / "bulk.jsonl.gz"
    ap.add_argument("--blocklist-report", type=Path, nargs="?", const=bulk, metavar="BULK_JSONL_GZ",
                    help="print blocklist candidates from a corpus")  # fmt: skip
    args = ap.parse_args(argv)
    rows = build_rows(args.geonames)
    if args.blocklist_report:
        blocklist_report(rows, args.blocklist_report)
        return 0
    text = render(rows)
    if args.check:
        current = gzip.decompress(args.out.read_bytes()).decode("utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is stale: run tools/build_gazetteer.py", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date ({len(rows)} rows)")
        return 0
    write(text, args.out)
    print(f"wrote {args.out} ({len(rows)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
