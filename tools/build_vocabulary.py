#!/usr/bin/env python3
"""Build ``src/rasd/resources/data/places/vocabulary.txt.gz``: the common words of Arabic news, so
that a word after a place head noun can be told from the name of a place the gazetteer lacks.

Usage::

    python tools/build_vocabulary.py            # writes the file below
    python tools/build_vocabulary.py --check    # exit 1 if the committed file is stale
    python tools/build_vocabulary.py --report WORD...   # the counts behind a word

Inputs (build time only): ``../shared/corpus/bulk.jsonl.gz`` (48,000 articles, 2015-18) and
``../shared/corpus/recent.jsonl.gz`` (772 articles, 2023-24), title and text, folded as the
matcher folds (``rasd.text.normalize.fold``).

Output: one folded word per line, sorted, gzip-compressed (mtime 0, so the bytes are
reproducible): every Arabic-letter word seen at least ``MIN_COUNT`` times of which fewer than
``HEAD_SHARE`` of the occurrences follow a place head noun of ``places/context.yaml``
(``head_nouns``, with a clitic "ب"/"ل"/"و"/"ف"), and every word seen at least ``MIN_OTHER`` times,
and at least as often, in the definiteness it lacks (with the article for a bare word, bare for
one with the article): an adjective ("منطقة صحراوية" / "الصحراوية", "حي استيطاني"), which follows
head nouns most of the time but takes the article with them. Such a word is a word of the language ("منطقة
عسكرية", "مدينة كبيرة", "ولاية ترامب"), not the name of a place: a name the gazetteer lacks ("قضاء
سيلوبي", "مدينة بوزانتي") is rare, or seen mostly after a head noun. ``pipeline.places`` reads a
head noun followed by words outside this list (and outside the gazetteer) as an unlisted place.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import itertools
import json
import re
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
from rasd.text.normalize import fold  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_gazetteer as base  # noqa: E402

PLACES_DIR = REPO / "src" / "rasd" / "resources" / "data" / "places"
OUTPUT = PLACES_DIR / "vocabulary.txt.gz"
CORPORA = (REPO.parent / "shared" / "corpus" / "bulk.jsonl.gz", REPO.parent / "shared" / "corpus" / "recent.jsonl.gz")
MIN_COUNT = 30  # a word seen fewer times is too rare to call a word (it may be a place's name)
HEAD_SHARE = 0.3  # a word this often after a head noun is a name ("عسير", "دوما"), not a word
MIN_OTHER = 10  # ... unless seen this often, and more often than itself, in the other definiteness
_WORD = re.compile("[\u0621-\u064a]+")


def head_nouns() -> frozenset[str]:
    """``context.yaml``'s head nouns, folded, bare and with each of its ``head_clitics``."""
    ctx = yaml.safe_load((PLACES_DIR / "context.yaml").read_text(encoding="utf-8"))
    heads = {fold(h) for h in ctx["head_nouns"]}
    return frozenset(heads | {fold(c) + h for h in heads for c in ctx["head_clitics"]})


def counts() -> tuple[collections.Counter[str], collections.Counter[str]]:
    """Occurrences of each folded word, and occurrences right after a head noun."""
    is_head = head_nouns()
    total: collections.Counter[str] = collections.Counter()
    after: collections.Counter[str] = collections.Counter()
    for corpus in CORPORA:
        with gzip.open(corpus, "rt", encoding="utf-8") as f:
            for line in f:
                doc = json.loads(line)
                toks = fold(doc.get("title", "") + " " + doc.get("text", "")).split()
                total.update(toks)
                after.update(b for a, b in itertools.pairwise(toks) if a in is_head)
    return total, after


def other_definiteness(total: collections.Counter[str], w: str) -> int:
    """Occurrences of ``w`` with the article removed, or added."""
    return total[w[2:]] if w.startswith("ال") and len(w) > 4 else total["ال" + w]


def vocabulary(total: collections.Counter[str], after: collections.Counter[str]) -> list[str]:
    return sorted(
        w
        for w, n in total.items()
        if _WORD.fullmatch(w)
        and ((n >= MIN_COUNT and after[w] < HEAD_SHARE * n) or other_definiteness(total, w) >= max(MIN_OTHER, n))
    )


def render(words: list[str]) -> bytes:
    return gzip.compress(("\n".join(words) + "\n").encode("utf-8"), mtime=0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the committed file differs")
    ap.add_argument("--report", nargs="+", metavar="WORD", help="print the counts behind these words")
    args = ap.parse_args(argv)
    total, after = counts()
    if args.report:
        for w in args.report:
            k = fold(w)
            other = other_definiteness(total, k)
            print(f"{w}\ttotal {total[k]}\tafter a head noun {after[k]}\tother definiteness {other}")
        return 0
    data = render(vocabulary(total, after))
    return base.write_or_check({OUTPUT: data}, args.check, "tools/build_vocabulary.py")


if __name__ == "__main__":
    raise SystemExit(main())
