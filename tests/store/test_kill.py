"""A SIGKILLed ingest loses at most the batch in flight; re-running completes it exactly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from rasd.store import Store, ingest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
N_RECORDS = 60
BATCH = 10
TABLES = ("articles", "events", "evidence", "event_sources", "fused_events", "fused_event_members")

# Runs the real ingest, slowed down per article so that the kill lands in the middle of the run.
SLOW_INGEST = """
import importlib, sys, time
from rasd.store import Store, ingest

mod = importlib.import_module("rasd.store.ingest")  # the module (the package exports the function)

real = mod.extract_article

def slow(article, **kw):
    time.sleep(0.04)
    return real(article, **kw)

mod.extract_article = slow
ingest([sys.argv[2]], Store.open(sys.argv[1]), batch_size=int(sys.argv[3]), progress=False)
"""


def _letters(n: int) -> str:
    out = ""
    for _ in range(3):
        n, r = divmod(n, 26)
        out += "abcdefghijklmnopqrstuvwxyz"[r]
    return out


def _records(path: Path) -> None:
    """N_RECORDS JSON lines built from the examples texts, each text made unique."""
    meta = {json.loads(line)["doc_id"]: json.loads(line) for line in (EXAMPLES / "meta.jsonl").read_text().splitlines()}
    texts = sorted(EXAMPLES.glob("*.txt"))
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(N_RECORDS):
            src = texts[i % len(texts)]
            title, _, body = src.read_text(encoding="utf-8").partition("\n")
            rec = {
                "id": f"{src.stem}-{i}",
                "pub_date": meta[src.stem]["pub_date"],
                "outlet": meta[src.stem]["outlet"],
                "title": f"{title} - {_letters(i)}",
                "text": body,
            }
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def _counts(url: str) -> dict[str, int]:
    with Store.open(url) as st:
        return {t: st.count(t) for t in TABLES}


def test_sigkill_then_rerun_equals_uninterrupted_run(db_url: str, backend: str, tmp_path: Path, res) -> None:
    data = tmp_path / "records.jsonl"
    _records(data)
    script = tmp_path / "slow_ingest.py"
    script.write_text(SLOW_INGEST, encoding="utf-8")

    reference_url = f"sqlite:///{tmp_path / 'reference.db'}"
    with Store.open(reference_url) as ref:
        full = ingest([data], ref, batch_size=BATCH, progress=False, resources=res)
    assert full.new == N_RECORDS
    expected = _counts(reference_url)

    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(Path("src").resolve()), os.environ.get("PYTHONPATH")])),
    }
    proc = subprocess.Popen([sys.executable, str(script), db_url, str(data), str(BATCH)], env=env)
    try:
        store = Store.open(db_url)
        deadline = time.monotonic() + 60
        while store.count("articles") < BATCH:
            assert proc.poll() is None, "the ingest ended before its first batch was seen"
            assert time.monotonic() < deadline, "no batch committed within 60 s"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    partial = store.count("articles")
    assert partial % BATCH == 0, "a batch was committed only in part"
    assert BATCH <= partial < N_RECORDS, "the kill should have landed mid-run"

    again = ingest([data], store, batch_size=BATCH, progress=False, resources=res)
    assert (again.read, again.new, again.skipped) == (N_RECORDS, N_RECORDS - partial, partial)
    store.close()
    assert _counts(db_url) == expected
