#!/usr/bin/env python3
"""Bounded fuzz benchmark: real bulk articles, mutated, through the whole extractor.

Usage::

    .venv/bin/python bench/fuzz.py [-n 20000] [--seed 17] [--corpus ../shared/corpus/bulk.jsonl.gz] [--max-seconds 2]

Takes the first ``-n`` articles of the corpus and mutates each with a fixed seed: one to four of
random cuts (a slice removed), duplications (a slice repeated up to 10 times), punctuation removal
(a slice with every mark dropped) and character noise (random Arabic letters, digits, harakat,
tatweel, bidi and zero-width controls, punctuation, newlines inserted or replaced). Every mutant is
extracted with the default per-article time budget; the run prints the number of exceptions (a
timeout counts as one), the slowest article and the time percentiles, and exits non-zero when any
article raised or took longer than ``--max-seconds``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from rasd.api import extract_article, time_budget  # noqa: E402
from rasd.resources.loader import load_resources  # noqa: E402
from rasd.types import Article  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "bulk.jsonl.gz"
NOISE = list(
    "ابتثجحخدذرزسشصضطظعغفقكلمنهويىأإآؤئة"
    "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0640"
    "٠١٢٣٤٥٦٧٨٩0123456789"
    "\u200b\u200c\u200d\u200e\u200f\u202b\u202e\ufeff\x00"
    " \n\t.,،؛:؟!«»\"'()-_#%"
)
_PUNCT = re.compile(r"[^\w\s]")


def read(corpus: Path, n: int) -> Iterator[dict]:
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= n:
                return
            yield json.loads(line)


def mutate(text: str, rnd: random.Random) -> str:
    for _ in range(rnd.randint(1, 4)):
        if not text:
            text = "".join(rnd.choice(NOISE) for _ in range(rnd.randint(1, 200)))
            continue
        a = rnd.randrange(len(text))
        b = min(len(text), a + rnd.randint(1, 2000))
        kind = rnd.random()
        if kind < 0.25:  # cut
            text = text[:a] + text[b:]
        elif kind < 0.5:  # duplication
            text = text[:b] + text[a:b] * rnd.randint(1, 10) + text[b:]
        elif kind < 0.65:  # punctuation removed
            text = text[:a] + _PUNCT.sub(" ", text[a:b]) + text[b:]
        else:  # character noise: insertions and replacements
            chars = list(text)
            for _ in range(rnd.randint(1, 60)):
                i = rnd.randrange(len(chars) + 1)
                if rnd.random() < 0.5 or i == len(chars):
                    chars.insert(i, rnd.choice(NOISE))
                else:
                    chars[i] = rnd.choice(NOISE)
            text = "".join(chars)
    return text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=20_000, help="articles to mutate (from the start of the corpus)")
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--max-seconds", type=float, default=2.0, help="fail when an article takes longer")
    args = ap.parse_args(argv)
    rnd = random.Random(args.seed)
    res = load_resources()
    times: list[tuple[float, str, int]] = []
    errors: list[tuple[str, str]] = []
    chars = 0
    started = time.perf_counter()
    for i, rec in enumerate(read(args.corpus, args.n)):
        text = mutate(str(rec.get("text") or ""), rnd)
        chars += len(text)
        doc_id = str(rec.get("id") or i)
        t = time.perf_counter()
        try:
            extract_article(Article(text=text, doc_id=doc_id, title=rec.get("title")), resources=res)
        except Exception as exc:  # counted and reported, never stops the run
            errors.append((doc_id, f"{type(exc).__name__}: {exc}"))
        times.append((time.perf_counter() - t, doc_id, len(text)))
        if (i + 1) % 5000 == 0:
            print(f"  {i + 1:,} articles, {len(errors)} exception(s)", file=sys.stderr, flush=True)
    wall = time.perf_counter() - started
    times.sort()
    slowest, slow_id, slow_len = times[-1] if times else (0.0, "-", 0)

    def pct(p: float) -> float:
        return times[min(len(times) - 1, int(p * len(times)))][0] * 1000 if times else 0.0

    print(f"fuzz: {len(times):,} mutated articles (seed {args.seed}), {chars / 1e6:.1f} M characters, {wall:.1f} s")
    print(f"exceptions: {len(errors)}")
    for doc_id, message in errors[:20]:
        print(f"  {doc_id}: {message}")
    print(f"slowest article: {slowest:.3f} s ({slow_id}, {slow_len:,} characters); time budget {time_budget():g} s")
    print(f"per article: p50 {pct(0.5):.2f} ms, p99 {pct(0.99):.2f} ms, p99.9 {pct(0.999):.2f} ms")
    ok = not errors and slowest <= args.max_seconds
    verdict = "OK: no exception, no article over" if ok else "FAILED: exceptions or an article over"
    print(f"{verdict} {args.max_seconds:g} s")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
