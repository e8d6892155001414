#!/usr/bin/env python3
"""Peak memory of ``rasd ingest`` with very large records (issue 17: memory that follows the input).

Usage::

    .venv/bin/python bench/ingest_memory.py [--records 40] [--mb 18.8] [--workers 1] [--only-new]

Writes ``--records`` JSON Lines records of ``--mb`` MB of (everyday, event-free) Arabic text each
in a temporary folder, then runs ``rasd ingest`` on them into a fresh SQLite store under
``/usr/bin/time -v`` twice: with the default ``--batch-bytes`` (32 MB) and with batches cut by count
only (``--batch-bytes`` = 1 PB, the old behaviour: all ``--batch-size`` 200 records of a batch read
before the first is extracted). Prints the wall time and the peak RSS ("Maximum resident set size")
of each run; with ``--workers 2`` the workers' memory is included (``time -v`` reports the largest
process of the tree: see ``bench/run.py`` for per-process figures).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = "قال المدير إن الشركة ستفتتح فرعا جديدا في المدينة خلال العام المقبل لتقديم الخدمات للمواطنين".split()  # noqa: SIM905


def write_records(path: Path, n: int, mb: float) -> int:
    size = int(mb * 1_000_000)
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            words: list[str] = []
            total = 0
            k = i
            while total < size:
                w = f"{WORDS[k % len(WORDS)]}{i}"
                words.append(w)
                total += len(w.encode("utf-8")) + 1
                k += 7
            record = {"id": f"big{i}", "pub_date": "2020-01-01", "text": " ".join(words)}
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path.stat().st_size


def run(data: Path, db: Path, batch_bytes: int | None, workers: int) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (kB) and the summary line of one ``rasd ingest``."""
    cmd = ["/usr/bin/time", "-v", sys.executable, "-c", "from rasd.cli import app; app()", "ingest", str(data)]
    cmd += ["--db", f"sqlite:///{db}", "--no-progress", "--workers", str(workers)]
    if batch_bytes is not None:
        cmd += ["--batch-bytes", str(batch_bytes)]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr).group(1))  # type: ignore[union-attr]
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", out.stderr).group(1)  # type: ignore[union-attr]
    parts = [float(x) for x in wall.split(":")]
    seconds = sum(p * 60 ** (len(parts) - 1 - i) for i, p in enumerate(parts))
    table = [line for line in out.stdout.splitlines() if re.search(r"\d", line) and "│" in line]
    return seconds, rss, (table[-1].strip() if table else out.stderr.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=40)
    ap.add_argument("--mb", type=float, default=18.8, help="MB of UTF-8 text per record (max_bytes is 20 MB)")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--only-new", action="store_true", help="skip the count-only (old behaviour) run")
    args = ap.parse_args(argv)
    if not Path("/usr/bin/time").exists():
        print("needs /usr/bin/time (apt-get install time)", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="rasd-mem-"))
    try:
        data = tmp / "big.jsonl"
        size = write_records(data, args.records, args.mb)
        print(f"{args.records} records of {args.mb:g} MB ({size / 1e6:,.0f} MB), --workers {args.workers}")
        runs = [("--batch-bytes 32 MB (default)", None)]
        if not args.only_new:
            runs.append(("count only (old behaviour)", 10**15))
        for label, batch_bytes in runs:
            db = tmp / f"{len(label)}.db"
            seconds, rss, summary = run(data, db, batch_bytes, args.workers)
            print(f"{label:<32} peak RSS {rss / 1024:>7,.0f} MB   {seconds:>6.1f} s   {summary}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
