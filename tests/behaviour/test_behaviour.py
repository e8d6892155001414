"""Table-driven behaviour tests: real Arabic sentences and what GUIDE.md says the extractor must produce.

The cases live in ``cases.yaml`` (``known_failures.yaml`` holds correct expectations the extractor does
not meet yet; it is not loaded here). Each case has ``text``, ``pub_date``, ``explanation``, ``source``
and ``expect``:

* ``none: true`` — no event at all;
* ``count: N`` — exactly N events;
* ``no_location: [names]`` / ``no_sub_event_type: [types]`` — no event has that location name / sub-type;
* ``events: [...]`` or the remaining keys of ``expect`` — assertions about one event each. The event is
  found by its selectors (``sub_event_type``, ``event_type``, ``location.name``, ``location.text~``);
  the other keys are dotted paths into the event (``actor1.name``, ``date``, ``fatalities``...).
  A key ending in ``~`` means "contains" instead of "equals".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import rasd

HERE = Path(__file__).resolve().parent
CASES: list[dict[str, Any]] = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))["cases"]

SELECTORS = ("sub_event_type", "event_type", "location.name", "location.text~")
CASE_KEYS = {"none", "count", "no_location", "no_sub_event_type", "events"}


def _get(obj: Any, path: str) -> Any:
    for part in path.rstrip("~").split("."):
        if obj is None:
            return None
        obj = getattr(obj, part)
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    return obj


def _check(event: Any, key: str, want: Any) -> str | None:
    got = _get(event, key)
    ok = (got is not None and str(want) in str(got)) if key.endswith("~") else got == want
    return None if ok else f"{key}: expected {want!r}, got {got!r}"


def _describe(events: list[Any]) -> str:
    rows = []
    for e in events:
        loc = e.location
        rows.append(
            f"  {e.sub_event_type} | {e.date} {e.date_precision} | "
            f"{loc.text if loc else None}={loc.name if loc else None} gp{loc.geo_precision if loc else None} | "
            f"{e.actor1.name if e.actor1 else None} -> {e.actor2.name if e.actor2 else None} | "
            f"f={e.fatalities} i={e.injuries} | {e.certainty} {e.role}"
        )
    return "\n".join(rows) or "  (no events)"


def check_case(case: dict[str, Any]) -> list[str]:
    """The failed assertions of one case (empty when it passes)."""
    kwargs: dict[str, Any] = {"pub_date": case.get("pub_date")}
    record = rasd.extract(case["text"], **kwargs)
    events = record.events
    if "min_confidence" in case:
        events = [e for e in events if e.confidence >= case["min_confidence"]]
    expect = case["expect"]
    errors: list[str] = []
    if expect.get("none"):
        if events:
            errors.append("expected no event")
        return errors
    if "count" in expect and len(events) != expect["count"]:
        errors.append(f"count: expected {expect['count']}, got {len(events)}")
    for name in expect.get("no_location", []):
        if any(e.location and e.location.name == name for e in events):
            errors.append(f"no event may be located at {name!r}")
    for sub in expect.get("no_sub_event_type", []):
        if any(e.sub_event_type == sub for e in events):
            errors.append(f"no event may be {sub!r}")
    wanted = list(expect.get("events", []))
    single = {k: v for k, v in expect.items() if k not in CASE_KEYS}
    if single:
        wanted.append(single)
    for want in wanted:
        selectors = {k: v for k, v in want.items() if k in SELECTORS}
        candidates = [e for e in events if all(_check(e, k, v) is None for k, v in selectors.items())]
        if not candidates:
            errors.append(f"no event matches {selectors}")
            continue
        best: list[str] | None = None
        for event in candidates:
            diffs = [d for k, v in want.items() if (d := _check(event, k, v))]
            if best is None or len(diffs) < len(best):
                best = diffs
        errors.extend(f"[{selectors}] {d}" for d in best or [])
    if errors:
        errors.append("events:\n" + _describe(events))
    return errors


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    errors = check_case(case)
    assert not errors, "\n".join(errors)


def test_every_case_is_documented() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    for case in CASES:
        assert str(case.get("explanation", "")).strip(), f"{case['id']}: no explanation"
        assert str(case.get("source", "")).strip(), f"{case['id']}: no source"
        assert str(case.get("text", "")).strip(), f"{case['id']}: no text"
        assert isinstance(case.get("expect"), dict) and case["expect"], f"{case['id']}: no expectations"
        assert "pub_date" in case, f"{case['id']}: pub_date missing (use null when unknown)"
