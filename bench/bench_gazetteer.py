#!/usr/bin/env python3
"""Benchmark the gazetteer: load time and memory, and matching throughput of its surface forms.

Usage::

    .venv/bin/python bench/bench_gazetteer.py [--corpus ../shared/corpus/bulk.jsonl.gz] [--articles 2000]

Prints: ``Gazetteer.load`` time (median of 5) and the memory it allocates (tracemalloc peak), the
time to generate the surface forms and the by_form index, the time to compile every surface form
into ``rasd.text.match.Matcher``, and the matching throughput over the first N articles of the
bulk corpus (each normalized with ``rasd.text.normalize.normalize`` first; normalization is
timed separately), plus the forms with the most hits (candidates to review for ``blocklist.txt``).
Targets: load < 0.5 s and < 150 MB.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from rasd.geo.gazetteer import Gazetteer  # noqa: E402
from rasd.text.match import Entry, Matcher  # noqa: E402
from rasd.text.normalize import normalize  # noqa: E402


def _articles(path: Path, n: int) -> list[str]:
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            doc = json.loads(line)
            out.append(f"{doc.get('title') or ''}\n{doc['text']}")
            if len(out) >= n:
                break
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "bulk.jsonl.gz")
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--top", type=int, default=25, help="how many most-hit forms to list")
    args = ap.parse_args(argv)

    times = []
    for _ in range(5):
        t = time.perf_counter()
        Gazetteer.load()
        times.append(time.perf_counter() - t)
    gz = Gazetteer.load()
    t = time.perf_counter()
    forms = list(gz.surface_forms())
    t_forms = time.perf_counter() - t
    t = time.perf_counter()
    gz.by_form("حلب")
    t_index = time.perf_counter() - t
    tracemalloc.start()
    traced = Gazetteer.load()
    _, load_peak = tracemalloc.get_traced_memory()
    traced.by_form("حلب")
    _, full_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del traced
    stats = gz.stats()
    print(f"entries: {len(gz):,} ({stats['by_source']}), surface forms: {len(forms):,}")
    print(f"Gazetteer.load: {statistics.median(times) * 1000:.0f} ms (median of 5; target < 500 ms), "
          f"allocated {load_peak / 2**20:.1f} MB (target < 150 MB)")  # fmt: skip
    print(f"surface_forms(): {t_forms * 1000:.0f} ms; by_form index: {t_index * 1000:.0f} ms; "
          f"peak after both: {full_peak / 2**20:.1f} MB")  # fmt: skip

    t = time.perf_counter()
    matcher = Matcher()
    for form, place_id in forms:
        matcher.add(form, Entry("place", place_id))
    matcher.compile()
    print(f"Matcher: {len(matcher):,} keys compiled in {(time.perf_counter() - t) * 1000:.0f} ms")

    if not args.corpus.exists():
        print(f"corpus {args.corpus} not found: matching throughput skipped")
    else:
        texts = _articles(args.corpus, args.articles)
        chars = sum(len(x) for x in texts)
        t = time.perf_counter()
        norms = [normalize(x).text for x in texts]
        t_norm = time.perf_counter() - t
        hits: Counter[str] = Counter()
        t = time.perf_counter()
        mentions = [(text, m) for text in norms for m in matcher.find(text)]
        t_match = time.perf_counter() - t
        n_mentions = len(mentions)
        bare: Counter[str] = Counter()  # hits with a proclitic but no article: "فرقة" read as ف + "رقة"
        for text, m in mentions:
            hits[m.form] += 1
            clitic = text[m.wstart : m.nstart]
            if clitic and "ال" not in clitic and clitic != "لل":
                bare[text[m.wstart : m.wend]] += 1
        print(f"corpus: {len(texts):,} articles, {chars / 1e6:.1f} M chars; normalize {t_norm:.2f} s")
        print(f"matching: {t_match:.2f} s = {len(texts) / t_match:,.0f} articles/s, "
              f"{chars / t_match / 1e6:.1f} M chars/s; {n_mentions:,} place hits")  # fmt: skip
        top_bare = ", ".join(f"{k} {n}" for k, n in bare.most_common(10))
        n_bare = sum(bare.values())
        print(f"hits with a bare proclitic (و ف ب ل ك س, no ال): {n_bare:,}; top words: {top_bare}")
        print("most frequent forms (review for blocklist.txt): "
              + ", ".join(f"{k} {n}" for k, n in hits.most_common(args.top)))  # fmt: skip
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS: {rss:.0f} MB (includes the corpus and the compiled matcher)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
