"""Fusion on real reports: two outlets' articles on the Abha mosque bombing become one fused event."""

from __future__ import annotations

import json
from pathlib import Path

from rasd.export import export
from rasd.store import Store, ingest

FIXTURE = Path(__file__).parent / "fixtures" / "abha_mosque" / "reports.jsonl"


def test_two_outlets_one_fused_event(db_url: str, res, tmp_path: Path) -> None:
    with Store.open(db_url) as st:
        summary = ingest([FIXTURE], st, progress=False, resources=res)
        assert summary.new == 2
        out = tmp_path / "fused.jsonl"
        export(st, "jsonl", out, fused=True)
        fused = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        both = [f for f in fused if {r["doc_id"] for r in f["reports"]} == {"bulk_15e158a686b5", "bulk_39717659b6e7"}]
        assert len(both) == 1, fused
        event = both[0]
        assert event["n_reports"] == 2
        assert event["date"] == "2015-08-06"
        assert event["country"] in ("SA", "Saudi Arabia")
        outlets = {r.get("outlet") for r in event["reports"]}
        assert outlets >= {"Al-Riyadh", "Al-Madina"} or len(outlets) == 2
