#!/usr/bin/env python3
"""Benchmark the extractor end to end on the bulk corpus (``make bench``).

Usage::

    .venv/bin/python bench/run.py [--n 5000] [--workers 2] [--repeat 3] [--corpus ../shared/corpus/bulk.jsonl.gz]

Measures, on the same first ``--n`` articles of the corpus, each phase in a fresh process (so its
peak RSS and start-up are its own), ``--repeat`` times in interleaved rounds; each phase's best
round is reported (a virtual machine's speed drifts by tens of percent from minute to minute, and
the best round is the one least slowed by it) and every round's rate is kept in the results:

* ``floor``   — reading and decoding (``rasd.inputs.iter_articles``) and normalizing
  (``rasd.text.normalize.normalize``): the least any extraction has to do;
* ``single``  — the full pipeline in one process (``prepare`` + every stage of
  ``rasd.pipeline.STAGES``, each timed: the per-stage shares; ``quiet`` counts the articles the
  screen set aside);
* ``workers`` — the pipeline on ``--workers`` processes (``rasd.parallel.extract_parallel``, what
  ``rasd extract --workers N`` runs).

For each: articles/s and MB/s (UTF-8 text) over the processing loop, start-up (process launch to
resources loaded; for ``workers`` until the last worker has loaded them), end-to-end wall time and
peak RSS (``resource.getrusage``: the phase's own process, and for ``workers`` also the largest
worker). Prints a summary with the ratio single / floor and writes ``bench/results.json``. The
``single`` and ``workers`` outputs (``ArticleRecord`` objects, what ``rasd.extract`` returns) are
kept and hashed after the clock stops, to check they are identical: serializing them is an output
format's cost, not the pipeline's.

Every phase imports ``rasd`` from one snapshot of ``src/`` copied at the start (``--no-snapshot``:
the working tree), so editing the code during a run cannot mix two versions; the resources are
loaded once from it first, so every phase reads them from the disk cache (``load_resources``), as
a normal run does. With a snapshot that cache lives in the snapshot's own directory
(``RASD_CACHE_DIR``): another process building the cache for other code or data, which removes
the caches of other versions from the shared directory, cannot make a phase rebuild it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[1]

if TYPE_CHECKING:
    from rasd.types import Article, ArticleRecord

# rasd is imported inside the phases only: the parent stays small, because on Linux a child
# process starts with its parent's peak RSS as its own (ru_maxrss survives fork and exec).

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "bulk.jsonl.gz"
RESULTS = ROOT / "bench" / "results.json"


def _rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size in MB (``ru_maxrss`` is KB on Linux, bytes on macOS)."""
    peak = resource.getrusage(who).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def _articles(corpus: Path, n: int, read_times: list[float] | None = None) -> Iterator[Article]:
    """The first ``n`` articles of the corpus (read errors skipped), timing each read if asked."""
    from rasd.errors import ReadError
    from rasd.inputs import iter_articles

    it = iter_articles([corpus], auto_meta=False)
    count = 0
    while count < n:
        t = time.perf_counter()
        item = next(it, None)
        if read_times is not None:
            read_times.append(time.perf_counter() - t)
        if item is None:
            return
        if isinstance(item, ReadError):
            continue
        count += 1
        yield item


def _digest(records: list[ArticleRecord]) -> tuple[int, str]:
    """How many events ``records`` hold, and a hash of their JSON lines (to compare two phases)."""
    digest = hashlib.sha256()
    for record in records:
        digest.update(json.dumps(record.to_dict(), ensure_ascii=False).encode() + b"\n")
    return sum(len(r.events) for r in records), digest.hexdigest()


# --- phases (each runs in its own process) ------------------------------------------------------


def _phase_floor(args: argparse.Namespace, launched: float) -> dict[str, Any]:
    from rasd.text.normalize import normalize

    ready = time.time()
    n = size = 0
    t = time.perf_counter()
    for article in _articles(args.corpus, args.n):
        normalize(article.text)
        n += 1
        size += len(article.text.encode("utf-8"))
    elapsed = time.perf_counter() - t
    return {"articles": n, "bytes": size, "seconds": elapsed, "startup_s": ready - launched}


def _phase_single(args: argparse.Namespace, launched: float) -> dict[str, Any]:
    from rasd.api import MAX_CHARS
    from rasd.pipeline import STAGES, prepare
    from rasd.resources.loader import load_resources
    from rasd.types import ArticleRecord

    res = load_resources()
    ready = time.time()
    stage_s = {"read": 0.0, "prepare": 0.0, **{name: 0.0 for name, _ in STAGES}}
    read_times: list[float] = []
    records: list[ArticleRecord] = []
    n = size = quiet = 0
    t0 = time.perf_counter()
    for article in _articles(args.corpus, args.n, read_times):
        if len(article.text) > MAX_CHARS:  # as rasd.api.extract_article
            article.text = article.text[:MAX_CHARS]
        t = time.perf_counter()
        doc = prepare(article)
        t1 = time.perf_counter()
        stage_s["prepare"] += t1 - t
        for name, stage in STAGES:  # exactly rasd.pipeline.run, one timer per stage
            doc = stage(doc, res)
            t2 = time.perf_counter()
            stage_s[name] += t2 - t1
            t1 = t2
            if doc.quiet:
                quiet += 1
                break
        records.append(ArticleRecord(article.doc_id, article.pub_date, doc.events, article.outlet, article.title))
        n += 1
        size += len(article.text.encode("utf-8"))
    elapsed = time.perf_counter() - t0
    stage_s["read"] = sum(read_times)
    events, digest = _digest(records)  # after the clock: checking the output is no part of the pipeline
    return {
        "articles": n,
        "bytes": size,
        "events": events,
        "quiet": quiet,
        "seconds": elapsed,
        "startup_s": ready - launched,
        "stage_seconds": stage_s,
        "digest": digest,
    }


def _phase_workers(args: argparse.Namespace, launched: float) -> dict[str, Any]:
    from rasd.parallel import ExtractionFailure, WorkerInfo, extract_parallel
    from rasd.types import ArticleRecord

    ready_at: dict[int, float] = {}

    def on_chunk(info: WorkerInfo) -> None:
        ready_at[info.pid] = info.ready_at

    records: list[ArticleRecord] = []
    n = size = failed = 0
    t0 = time.perf_counter()
    for article, outcome in extract_parallel(_articles(args.corpus, args.n), args.workers, on_chunk=on_chunk):
        if isinstance(outcome, ExtractionFailure) or not isinstance(outcome, ArticleRecord):
            failed += 1
            continue
        records.append(outcome)
        n += 1
        size += len(article.text.encode("utf-8"))
    elapsed = time.perf_counter() - t0
    events, digest = _digest(records)  # after the clock, as in the single phase
    return {
        "articles": n,
        "bytes": size,
        "events": events,
        "failed": failed,
        "seconds": elapsed,
        "startup_s": (max(ready_at.values()) - launched) if ready_at else None,
        "workers_seen": len(ready_at),
        "worker_peak_rss_mb": round(_rss_mb(resource.RUSAGE_CHILDREN), 1),
        "digest": digest,
    }


PHASES = {"floor": _phase_floor, "single": _phase_single, "workers": _phase_workers}


def _run_phase(name: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run one phase in a fresh interpreter; its JSON result is the child's last stdout line."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--phase", name, "--n", str(args.n), "--src", str(args.src),
           "--workers", str(args.workers), "--corpus", str(args.corpus), "--launched", repr(time.time())]  # fmt: skip
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"bench: phase {name} failed (exit {proc.returncode})")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["end_to_end_s"] = wall
    return result


def _commit() -> str | None:
    """``git describe --always --dirty`` of the repository (figures depend on the code measured)."""
    try:
        proc = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True)
    except OSError:
        return None
    return proc.stdout.strip() or None


def _rates(r: dict[str, Any]) -> None:
    s = r["seconds"] or 1e-9
    r["articles_per_s"] = round(r["articles"] / s, 1)
    r["mb_per_s"] = round(r["bytes"] / s / 1e6, 3)
    for key in ("seconds", "startup_s", "end_to_end_s"):
        if r.get(key) is not None:
            r[key] = round(r[key], 3)


def _summary(results: dict[str, Any]) -> str:
    floor, single, workers = results["floor"], results["single"], results["workers"]
    lines = [
        f"corpus: {results['corpus']} — {single['articles']:,} articles, {single['bytes'] / 1e6:.1f} MB of text, "
        f"{single['events']:,} events ({single['quiet']:,} articles set aside by the screen); "
        f"{results['cpus']} CPU(s), Python {results['python']}, code {results['commit']}, "
        f"load average {results['load_average_1min']['before']} → {results['load_average_1min']['after']}",
        "",
        f"{'phase':<22}{'articles/s':>11}{'MB/s':>8}{'start-up s':>12}{'loop s':>9}{'total s':>9}{'peak RSS MB':>13}"
        f"   articles/s of each round",
    ]
    for label, r in (("floor (read+normalize)", floor), ("pipeline, 1 process", single),
                     (f"pipeline, {results['workers_n']} workers", workers)):  # fmt: skip
        rss = f"{r['peak_rss_mb']:.0f}"
        if "worker_peak_rss_mb" in r:
            rss += f" + {r['workers_seen']}×{r['worker_peak_rss_mb']:.0f}"
        startup = "—" if r.get("startup_s") is None else f"{r['startup_s']:.2f}"
        rounds = ", ".join(f"{x:,.0f}" for x in r.get("all_runs_articles_per_s", []))
        lines.append(
            f"{label:<22}{r['articles_per_s']:>11,.1f}{r['mb_per_s']:>8.3f}{startup:>12}"
            f"{r['seconds']:>9.1f}{r['end_to_end_s']:>9.1f}{rss:>13}   {rounds}"
        )
    lines += [
        "",
        f"pipeline (1 process) / floor, articles per second: {1 / results['ratio_single_to_floor']:.3f} "
        f"(the pipeline takes {results['ratio_single_to_floor']:.1f}× the floor's time per article)",
        f"speed-up with {results['workers_n']} workers: {results['speedup_workers']:.2f}×; "
        f"output identical to 1 process: {results['identical_output']}",
        "",
        "time shares of the 1-process loop:",
    ]
    total = sum(single["stage_seconds"].values()) or 1e-9
    for name, sec in sorted(single["stage_seconds"].items(), key=lambda kv: -kv[1]):
        ms = sec / max(single["articles"], 1) * 1000
        lines.append(f"  {name:<11}{sec / total:>7.1%}  {sec:8.2f} s  {ms:7.2f} ms/article")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=5000, help="how many articles (the first N of the corpus)")
    ap.add_argument("--workers", type=int, default=2, help="processes for the parallel phase")
    ap.add_argument("--repeat", type=int, default=3, help="rounds of the three phases; each phase's best round counts")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="a .jsonl.gz corpus (bulk.jsonl.gz)")
    ap.add_argument("--output", type=Path, default=RESULTS, help="where to write the JSON results")
    ap.add_argument(
        "--snapshot",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="measure a copy of src/ taken at the start (default), not the working tree as it changes",
    )
    ap.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    ap.add_argument("--src", type=Path, default=ROOT / "src", help=argparse.SUPPRESS)
    ap.add_argument("--launched", type=float, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.phase:  # child process: one phase, one JSON line
        sys.path.insert(0, str(args.src))
        result = PHASES[args.phase](args, args.launched or time.time())
        result["peak_rss_mb"] = round(_rss_mb(), 1)
        result["rasd_from"] = str(Path(sys.modules["rasd"].__file__ or "").parent)
        print(json.dumps(result))
        return 0

    if not args.corpus.exists():
        print(f"bench: corpus {args.corpus} not found (use --corpus)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="rasd-bench-") as tmp:
        if args.snapshot:
            args.src = Path(tmp) / "src"
            ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
            shutil.copytree(ROOT / "src", args.src, ignore=ignore)  # copy2 keeps mtimes: same cache key
            os.environ["RASD_CACHE_DIR"] = str(Path(tmp) / "cache")  # inherited by the warm-up and phases
        return _measure(args)


def _measure(args: argparse.Namespace) -> int:
    """Run the three phases on ``args.src`` and report."""
    t = time.perf_counter()
    warm_up = "from rasd.resources.loader import load_resources; load_resources()"
    # builds the disk cache if the data or code changed, so that every phase loads it from there
    subprocess.run([sys.executable, "-c", warm_up], check=True, env={**os.environ, "PYTHONPATH": str(args.src)})
    warm = time.perf_counter() - t
    print(f"resource cache ready in {warm:.2f} s; running phases on {args.n:,} articles...",
          file=sys.stderr)  # fmt: skip
    load_before = os.getloadavg()[0]
    runs: dict[str, list[dict[str, Any]]] = {"floor": [], "single": [], "workers": []}
    for round_ in range(1, args.repeat + 1):  # interleaved, so a slow spell of the machine hits every phase
        for name in runs:
            result = _run_phase(name, args)
            _rates(result)
            runs[name].append(result)
            print(f"  round {round_}, {name}: {result['articles_per_s']:,.1f} articles/s", file=sys.stderr)
    phases = {name: max(rs, key=lambda r: r["articles_per_s"]) for name, rs in runs.items()}  # each one's best
    for name, rs in runs.items():
        phases[name]["all_runs_articles_per_s"] = [r["articles_per_s"] for r in rs]
    floor, single, workers = phases["floor"], phases["single"], phases["workers"]
    total = sum(single["stage_seconds"].values()) or 1e-9
    results = {
        "corpus": str(args.corpus),
        "n": args.n,
        "workers_n": args.workers,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "commit": _commit(),
        "load_average_1min": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
        "parent_resources_load_s": round(warm, 3),
        **phases,
        "ratio_single_to_floor": round(floor["articles_per_s"] / single["articles_per_s"], 2),
        "speedup_workers": round(workers["articles_per_s"] / single["articles_per_s"], 2),
        "identical_output": len({r["digest"] for name in ("single", "workers") for r in runs[name]}) == 1,
        "rounds": args.repeat,
        "stage_shares": {k: round(v / total, 4) for k, v in single["stage_seconds"].items()},
    }
    single["stage_seconds"] = {k: round(v, 3) for k, v in single["stage_seconds"].items()}
    print(_summary(results))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"\nresults written to {args.output}")
    return 0 if results["identical_output"] else 1


if __name__ == "__main__":
    sys.exit(main())
