#!/usr/bin/env python3
"""Time extraction on long text without punctuation (issue 17: time that grows with the square of a
sentence).

Usage::

    .venv/bin/python bench/long_text.py [--sizes 10000 50000 200000] [--dev ../shared/corpus/dev] [--seed 0]

The text is real dev sentences that report an event, every punctuation mark removed, joined in a
random (seeded) order: one endless sentence full of triggers, actors, places and numbers, the worst
case of an unpunctuated article. Each size is extracted once with no time budget (``budget=0``);
the whole time and each stage's are printed, with the time per 1,000 characters (flat when the
pipeline is linear). Without ``--dev`` (or when the folder is missing) the bundled examples are used.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from rasd.api import extract  # noqa: E402
from rasd.pipeline import STAGES, prepare  # noqa: E402
from rasd.pipeline.segment import segment  # noqa: E402
from rasd.resources.loader import Resources, load_resources  # noqa: E402
from rasd.types import Article  # noqa: E402

DEFAULT_DEV = ROOT.parent / "shared" / "corpus" / "dev"
_PUNCT = re.compile(r"[^\w\s]|_")


def event_sentences(folder: Path, res: Resources) -> list[str]:
    """The sentences of ``folder``'s .txt articles that report an event on their own, unpunctuated."""
    out: list[str] = []
    for f in sorted(folder.glob("*.txt")):
        text = f.read_text(encoding="utf-8")
        for s in segment(text):
            sentence = text[s.span.start : s.span.end]
            if extract(sentence, resources=res).events:
                out.append(" ".join(_PUNCT.sub(" ", sentence).split()))
    return out


def unpunctuated(sentences: list[str], n: int, seed: int) -> str:
    rnd = random.Random(seed)
    parts: list[str] = []
    size = 0
    while size < n:
        parts.append(rnd.choice(sentences))
        size += len(parts[-1]) + 1
    return " ".join(parts)[:n]


def time_one(text: str, res: Resources) -> tuple[float, dict[str, float], int]:
    """Whole seconds, seconds per stage (normalize included), and the number of events."""
    stages: dict[str, float] = {}
    started = time.perf_counter()
    doc = prepare(Article(text=text, doc_id=f"long-{len(text)}"))
    stages["normalize"] = time.perf_counter() - started
    for name, stage in STAGES:
        t = time.perf_counter()
        doc = stage(doc, res)
        stages[name] = time.perf_counter() - t
        if doc.quiet:
            break
    return time.perf_counter() - started, stages, len(doc.events)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 200_000])
    ap.add_argument("--dev", type=Path, default=DEFAULT_DEV, help="folder of .txt articles (the dev corpus)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    res = load_resources()
    folder = args.dev if args.dev.is_dir() else ROOT / "examples"
    sentences = event_sentences(folder, res)
    print(f"{len(sentences)} event sentences from {folder}, punctuation removed, joined at random (seed {args.seed})")
    print(f"{'chars':>9} {'seconds':>8} {'ms/1k chars':>12} {'events':>7}  stages (s)")
    for n in args.sizes:
        text = unpunctuated(sentences, n, args.seed)
        seconds, stages, events = time_one(text, res)
        shares = " ".join(f"{k} {v:.3f}" for k, v in stages.items())
        print(f"{n:>9,} {seconds:>8.2f} {1000 * seconds / (n / 1000):>12.1f} {events:>7}  {shares}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
