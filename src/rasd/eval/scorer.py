"""Score predicted event records against gold records, as ``FORMAT.md`` ("Scoring") defines it.

Pure library: functions load and compare plain v1 record dicts and return a :class:`Report`;
nothing here prints (rendering lives in :mod:`rasd.eval.report`, the command in :mod:`rasd.eval.cli`).

Matching a predicted event to a gold event of the same article
---------------------------------------------------------------
* ``event_type`` equal. **Strict** scoring also needs ``sub_event_type`` equal.
* The locations agree when at least one holds (:func:`locations_agree`):

  - the ``match_key`` (FORMAT.md's Arabic normalization) of one location ``text`` contains the
    other's as a plain substring, both non-empty ("حقل كونيكو للغاز" ⊇ "كونيكو للغاز");
  - the English ``name``s are equal ignoring case (both non-empty);
  - both have ``lat``/``lon`` and the great-circle distance is < 25 km.

  A missing (``None``) location agrees with nothing.
* Dates — the reading pinned here: FORMAT.md's closing "(strict scoring only)" qualifies the whole
  date condition, so **lenient matching ignores dates** and **strict matching requires** them to
  agree. The condition only binds "where the gold date is known": a gold ``date`` of ``null`` (or an
  unparseable one) never blocks a match. When it is known, the predicted date must be present and lie
  in the window of the *gold* ``date_precision`` (:func:`date_in_window`): ``day`` |Δ| ≤ 1 day,
  ``week`` |Δ| ≤ 7 days, ``month`` same calendar month, ``year`` same year; an unknown precision is
  treated as ``day``. The predicted precision plays no part.

Greedy one-to-one assignment (:func:`match_events`)
---------------------------------------------------
Every (gold, predicted) pair that matches gets a :class:`MatchQuality`; pairs are taken best first
and each gold and each predicted event is used at most once. "Best" is lexicographic:

1. ``identity`` — how many of these agree: ``sub_event_type``; the date (field-accuracy sense,
   below); location text containment; location text equality; English name; coordinates < 25 km;
2. ``attributes`` — how many of ``actor1``, ``actor2``, ``fatalities``, ``injuries``, ``role``,
   ``certainty`` agree (field-accuracy sense, below);
3. ``evidence`` — Jaccard overlap of the two events' evidence character spans;

then the lower gold index, then the lower predicted index (so the result is deterministic).
Strict and lenient scoring each run their own assignment; so do the ``main``-only figures, which
keep only events whose ``role`` is exactly ``"main"`` on both sides (a prediction without ``role``
is not a main event).

Field accuracies (over the lenient, all-events matched pairs)
-------------------------------------------------------------
* ``date``: gold date known → the predicted date lies in the gold precision window (the same test
  strict matching uses, so a week-precision gold accepts any day of that week); gold date ``null``
  → correct only when the prediction's date is ``null`` too.
* ``actor1``/``actor2`` (:func:`actors_agree`): both ``null``; or both present and the
  ``match_key`` of one Arabic ``text`` contains the other's (non-empty); or the predicted ``name``
  equals the gold ``name`` or one of the gold ``accept`` names, ignoring case. One side ``null``
  and the other not → wrong.
* ``fatalities``, ``injuries``, ``role``, ``certainty``, ``sub_event_type``: exact equality,
  ``null`` included (a missing key counts as ``null``).
* ``coords``: the predicted coordinates lie within 25 km of gold's, over pairs where both have them.
* ``admin1``: equal ignoring case, over pairs where the gold ``admin1`` is known (a missing
  predicted admin1 is wrong).

Documents
---------
Only documents present in the gold are scored. A gold document without a prediction record counts
all its events as misses. Prediction records for other documents are ignored and counted
(``ignored_docs``/``ignored_events``). "False alarms" are the predicted events on gold documents
whose gold has no events, and how many such documents received at least one prediction.

The confidence curve keeps only predictions with ``confidence >= t`` (a missing or non-numeric
confidence counts as 1.0) for ``t`` in 0.0, 0.1, ..., 0.9 and reports lenient all-events P/R/F1.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from rasd.text.normalize import match_key

Record = dict[str, Any]
"""A v1 article record: ``{"doc_id", "pub_date", "events": [...]}``."""
EventDict = dict[str, Any]
"""One event of a v1 record."""

MATCH_RADIUS_KM = 25.0
CURVE_THRESHOLDS: tuple[float, ...] = tuple(round(i / 10, 1) for i in range(10))
FIELDS: tuple[str, ...] = (
    "date",
    "actor1",
    "actor2",
    "fatalities",
    "injuries",
    "role",
    "certainty",
    "sub_event_type",
    "coords",
    "admin1",
)
_EARTH_RADIUS_KM = 6371.0088
_DAY_WINDOWS = {"day": 1, "week": 7}
_ATTRIBUTE_FIELDS = ("actor1", "actor2", "fatalities", "injuries", "role", "certainty")


# --------------------------------------------------------------------------- counters


@dataclass(slots=True)
class PRFScore:
    """Additive true-positive / false-positive / false-negative counter (like spaCy's ``PRFScore``)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: PRFScore) -> PRFScore:
        return PRFScore(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def __iadd__(self, other: PRFScore) -> PRFScore:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        return self

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


@dataclass(slots=True)
class Accuracy:
    """Additive correct/total counter; ``value`` is ``None`` when nothing was counted."""

    correct: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.total += 1
        self.correct += int(ok)

    def __add__(self, other: Accuracy) -> Accuracy:
        return Accuracy(self.correct + other.correct, self.total + other.total)

    @property
    def value(self) -> float | None:
        return self.correct / self.total if self.total else None

    def to_dict(self) -> dict[str, float | int | None]:
        return {"accuracy": self.value, "correct": self.correct, "total": self.total}


# --------------------------------------------------------------------------- field helpers


def _mapping(value: Any) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None


def _text_key(value: Any) -> str:
    return match_key(value) if isinstance(value, str) else ""


def _name_key(value: Any) -> str:
    return value.strip().casefold() if isinstance(value, str) else ""


def _contains_either(a: str, b: str) -> bool:
    return bool(a) and bool(b) and (a in b or b in a)


def _parse_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _coords(location: Mapping[str, Any] | None) -> tuple[float, float] | None:
    if location is None:
        return None
    try:
        lat, lon = float(location["lat"]), float(location["lon"])
    except (KeyError, TypeError, ValueError):
        return None
    if math.isnan(lat) or math.isnan(lon):
        return None
    return lat, lon


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two ``(lat, lon)`` points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _confidence(event: Mapping[str, Any]) -> float:
    value = event.get("confidence")
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        return 1.0
    return float(value)


# --------------------------------------------------------------------------- matching rules


class LocationAgreement(NamedTuple):
    """Which of the location signals hold for a pair of locations."""

    text_contains: bool
    text_equal: bool
    name_equal: bool
    near: bool

    @property
    def agree(self) -> bool:
        return self.text_contains or self.name_equal or self.near


def compare_locations(gold: Any, pred: Any) -> LocationAgreement:
    """The location signals between a gold and a predicted ``location`` dict (either may be None)."""
    g, p = _mapping(gold), _mapping(pred)
    if g is None or p is None:
        return LocationAgreement(False, False, False, False)
    gt, pt = _text_key(g.get("text")), _text_key(p.get("text"))
    gn, pn = _name_key(g.get("name")), _name_key(p.get("name"))
    gc, pc = _coords(g), _coords(p)
    return LocationAgreement(
        text_contains=_contains_either(gt, pt),
        text_equal=bool(gt) and gt == pt,
        name_equal=bool(gn) and gn == pn,
        near=gc is not None and pc is not None and haversine_km(gc, pc) < MATCH_RADIUS_KM,
    )


def locations_agree(gold: Any, pred: Any) -> bool:
    """FORMAT.md's location condition: contained normalized text, equal name, or coords < 25 km."""
    return compare_locations(gold, pred).agree


def date_in_window(gold_date: Any, gold_precision: Any, pred_date: Any) -> bool:
    """Whether ``pred_date`` lies in the window the gold precision allows around ``gold_date``.

    ``day``: within one day; ``week``: within seven days; ``month``: same month; ``year``: same
    year; any other precision is treated as ``day``. False when either date is missing/unparseable.
    """
    g, p = _parse_date(gold_date), _parse_date(pred_date)
    if g is None or p is None:
        return False
    if gold_precision == "month":
        return (g.year, g.month) == (p.year, p.month)
    if gold_precision == "year":
        return g.year == p.year
    return abs((g - p).days) <= _DAY_WINDOWS.get(gold_precision, 1)


def dates_agree_for_match(gold: Mapping[str, Any], pred: Mapping[str, Any]) -> bool:
    """Strict matching's date condition: vacuous when the gold date is unknown."""
    if _parse_date(gold.get("date")) is None:
        return True
    return date_in_window(gold.get("date"), gold.get("date_precision"), pred.get("date"))


def date_correct(gold: Mapping[str, Any], pred: Mapping[str, Any]) -> bool:
    """Date field accuracy: in the gold window, or both null when the gold date is unknown."""
    if _parse_date(gold.get("date")) is None:
        return pred.get("date") is None
    return date_in_window(gold.get("date"), gold.get("date_precision"), pred.get("date"))


def actors_agree(gold: Any, pred: Any) -> bool:
    """Both null; or overlapping normalized Arabic mentions; or pred name in gold name/accept."""
    g, p = _mapping(gold), _mapping(pred)
    if g is None or p is None:
        return g is None and p is None
    if _contains_either(_text_key(g.get("text")), _text_key(p.get("text"))):
        return True
    pred_name = _name_key(p.get("name"))
    accept = g.get("accept")
    gold_names = {_name_key(g.get("name"))}
    if isinstance(accept, list | tuple):
        gold_names.update(_name_key(a) for a in accept)
    return bool(pred_name) and pred_name in gold_names


def is_match(gold: Mapping[str, Any], pred: Mapping[str, Any], *, strict: bool = False) -> bool:
    """FORMAT.md's match test for one gold and one predicted event of the same article."""
    if gold.get("event_type") != pred.get("event_type"):
        return False
    if strict and gold.get("sub_event_type") != pred.get("sub_event_type"):
        return False
    if not locations_agree(gold.get("location"), pred.get("location")):
        return False
    return not strict or dates_agree_for_match(gold, pred)


def compare_fields(gold: Mapping[str, Any], pred: Mapping[str, Any]) -> dict[str, bool | None]:
    """Per-field agreement of a matched pair (keys: :data:`FIELDS`); ``None`` = not applicable."""
    g_loc, p_loc = _mapping(gold.get("location")), _mapping(pred.get("location"))
    gc, pc = _coords(g_loc), _coords(p_loc)
    g_admin1 = _name_key(g_loc.get("admin1")) if g_loc else ""
    p_admin1 = _name_key(p_loc.get("admin1")) if p_loc else ""
    return {
        "date": date_correct(gold, pred),
        "actor1": actors_agree(gold.get("actor1"), pred.get("actor1")),
        "actor2": actors_agree(gold.get("actor2"), pred.get("actor2")),
        "fatalities": gold.get("fatalities") == pred.get("fatalities"),
        "injuries": gold.get("injuries") == pred.get("injuries"),
        "role": gold.get("role") == pred.get("role"),
        "certainty": gold.get("certainty") == pred.get("certainty"),
        "sub_event_type": gold.get("sub_event_type") == pred.get("sub_event_type"),
        "coords": haversine_km(gc, pc) < MATCH_RADIUS_KM if gc and pc else None,
        "admin1": g_admin1 == p_admin1 if g_admin1 else None,
    }


def _spans(event: Mapping[str, Any]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    evidence = event.get("evidence")
    for span in evidence if isinstance(evidence, list) else ():
        s = _mapping(span)
        if s is None:
            continue
        start, end = s.get("start"), s.get("end")
        if isinstance(start, int) and isinstance(end, int) and end > start:
            out.append((start, end))
    out.sort()
    merged: list[tuple[int, int]] = []
    for start, end in out:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def evidence_overlap(gold: Mapping[str, Any], pred: Mapping[str, Any]) -> float:
    """Jaccard overlap (0..1) of the characters covered by the two events' evidence spans."""
    a, b = _spans(gold), _spans(pred)
    inter = sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)
    union = sum(e - s for s, e in a) + sum(e - s for s, e in b) - inter
    return inter / union if union else 0.0


class MatchQuality(NamedTuple):
    """How good a candidate pair is; greater is better (compared lexicographically)."""

    identity: int
    attributes: int
    evidence: float


def match_quality(gold: Mapping[str, Any], pred: Mapping[str, Any]) -> MatchQuality:
    """The ranking used by greedy assignment; see the module docstring."""
    fields = compare_fields(gold, pred)
    loc = compare_locations(gold.get("location"), pred.get("location"))
    identity = sum((bool(fields["sub_event_type"]), bool(fields["date"]), *loc))
    attributes = sum(bool(fields[f]) for f in _ATTRIBUTE_FIELDS)
    return MatchQuality(identity, attributes, evidence_overlap(gold, pred))


def match_events(
    gold: Sequence[Mapping[str, Any]], pred: Sequence[Mapping[str, Any]], *, strict: bool = False
) -> list[tuple[int, int]]:
    """Greedy one-to-one matching, best pair first; returns ``(gold_index, pred_index)`` pairs."""
    candidates = [
        (match_quality(g, p), gi, pi)
        for gi, g in enumerate(gold)
        for pi, p in enumerate(pred)
        if is_match(g, p, strict=strict)
    ]
    candidates.sort(key=lambda c: (-c[0].identity, -c[0].attributes, -c[0].evidence, c[1], c[2]))
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, gi, pi in candidates:
        if gi in used_gold or pi in used_pred:
            continue
        used_gold.add(gi)
        used_pred.add(pi)
        pairs.append((gi, pi))
    return sorted(pairs)


def _prf(gold: Sequence[Mapping[str, Any]], pred: Sequence[Mapping[str, Any]], *, strict: bool) -> PRFScore:
    tp = len(match_events(gold, pred, strict=strict))
    return PRFScore(tp, len(pred) - tp, len(gold) - tp)


def _main_only(events: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [e for e in events if e.get("role") == "main"]


# --------------------------------------------------------------------------- report


@dataclass(slots=True)
class DocScore:
    """Figures for one gold document."""

    doc_id: str
    gold: int
    predicted: int
    has_prediction: bool
    lenient: PRFScore
    strict: PRFScore

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "gold": self.gold,
            "predicted": self.predicted,
            "has_prediction": self.has_prediction,
            "lenient": self.lenient.to_dict(),
            "strict": self.strict.to_dict(),
        }


@dataclass(slots=True)
class ErrorItem:
    """A missed gold event or a spurious prediction (lenient, all events)."""

    doc_id: str
    index: int
    event: EventDict

    def to_dict(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "index": self.index, "event": self.event}


@dataclass(slots=True)
class MatchedPair:
    """A lenient matched pair and its per-field agreement (see :func:`compare_fields`)."""

    doc_id: str
    gold_index: int
    pred_index: int
    gold: EventDict
    pred: EventDict
    fields: dict[str, bool | None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "gold_index": self.gold_index,
            "pred_index": self.pred_index,
            "fields": self.fields,
        }


@dataclass(slots=True)
class CurvePoint:
    """Lenient all-events figures keeping predictions with ``confidence >= threshold``."""

    threshold: float
    predicted: int
    score: PRFScore

    def to_dict(self) -> dict[str, Any]:
        return {"threshold": self.threshold, "predicted": self.predicted, **self.score.to_dict()}


@dataclass(slots=True)
class Report:
    """Everything ``rasd eval`` reports; ``to_dict()`` is its JSON form."""

    lenient: PRFScore
    strict: PRFScore
    lenient_main: PRFScore
    strict_main: PRFScore
    fields: dict[str, Accuracy]
    per_doc: list[DocScore]
    pairs: list[MatchedPair]
    missed: list[ErrorItem]
    spurious: list[ErrorItem]
    curve: list[CurvePoint]
    false_alarm_events: int = 0
    false_alarm_docs: int = 0
    empty_gold_docs: int = 0
    missing_docs: list[str] = field(default_factory=list)
    ignored_docs: int = 0
    ignored_events: int = 0

    @property
    def gold_events(self) -> int:
        return sum(d.gold for d in self.per_doc)

    @property
    def predicted_events(self) -> int:
        return sum(d.predicted for d in self.per_doc)

    def to_dict(self) -> dict[str, Any]:
        return {
            "docs": {
                "gold": len(self.per_doc),
                "with_prediction": sum(d.has_prediction for d in self.per_doc),
                "missing_prediction": list(self.missing_docs),
                "ignored": self.ignored_docs,
                "ignored_events": self.ignored_events,
            },
            "events": {"gold": self.gold_events, "predicted": self.predicted_events},
            "lenient": self.lenient.to_dict(),
            "strict": self.strict.to_dict(),
            "lenient_main": self.lenient_main.to_dict(),
            "strict_main": self.strict_main.to_dict(),
            "fields": {name: acc.to_dict() for name, acc in self.fields.items()},
            "false_alarms": {
                "events": self.false_alarm_events,
                "docs": self.false_alarm_docs,
                "empty_gold_docs": self.empty_gold_docs,
            },
            "curve": [p.to_dict() for p in self.curve],
            "per_doc": [d.to_dict() for d in self.per_doc],
            "pairs": [p.to_dict() for p in self.pairs],
            "missed": [e.to_dict() for e in self.missed],
            "spurious": [e.to_dict() for e in self.spurious],
        }


def _events(record: Mapping[str, Any] | None) -> list[EventDict]:
    events = record.get("events") if record is not None else None
    return [e for e in events if isinstance(e, dict)] if isinstance(events, list) else []


def score(
    gold: Mapping[str, Mapping[str, Any]],
    predictions: Mapping[str, Mapping[str, Any]],
    *,
    thresholds: Sequence[float] = CURVE_THRESHOLDS,
) -> Report:
    """Score ``predictions`` against ``gold`` (both keyed by ``doc_id``); see the module docstring."""
    fields = {name: Accuracy() for name in FIELDS}
    curve = {t: PRFScore() for t in thresholds}
    kept = dict.fromkeys(thresholds, 0)
    report = Report(
        lenient=PRFScore(),
        strict=PRFScore(),
        lenient_main=PRFScore(),
        strict_main=PRFScore(),
        fields=fields,
        per_doc=[],
        pairs=[],
        missed=[],
        spurious=[],
        curve=[],
    )
    for doc_id in sorted(gold):
        g_events = _events(gold[doc_id])
        record = predictions.get(doc_id)
        p_events = _events(record)
        if record is None:
            report.missing_docs.append(doc_id)
        if not g_events:
            report.empty_gold_docs += 1
            report.false_alarm_events += len(p_events)
            report.false_alarm_docs += bool(p_events)

        pairs = match_events(g_events, p_events)
        lenient = PRFScore(len(pairs), len(p_events) - len(pairs), len(g_events) - len(pairs))
        strict = _prf(g_events, p_events, strict=True)
        report.lenient += lenient
        report.strict += strict
        g_main, p_main = _main_only(g_events), _main_only(p_events)
        report.lenient_main += _prf(g_main, p_main, strict=False)
        report.strict_main += _prf(g_main, p_main, strict=True)
        report.per_doc.append(DocScore(doc_id, len(g_events), len(p_events), record is not None, lenient, strict))

        for gi, pi in pairs:
            agreement = compare_fields(g_events[gi], p_events[pi])
            report.pairs.append(MatchedPair(doc_id, gi, pi, g_events[gi], p_events[pi], agreement))
            for name, ok in agreement.items():
                if ok is not None:
                    fields[name].add(ok)
        matched_gold = {gi for gi, _ in pairs}
        matched_pred = {pi for _, pi in pairs}
        report.missed += [ErrorItem(doc_id, i, e) for i, e in enumerate(g_events) if i not in matched_gold]
        report.spurious += [ErrorItem(doc_id, i, e) for i, e in enumerate(p_events) if i not in matched_pred]

        for t in thresholds:
            kept_events = [e for e in p_events if _confidence(e) >= t]
            kept[t] += len(kept_events)
            curve[t] += _prf(g_events, kept_events, strict=False)

    report.curve = [CurvePoint(t, kept[t], curve[t]) for t in thresholds]
    ignored = [doc_id for doc_id in predictions if doc_id not in gold]
    report.ignored_docs = len(ignored)
    report.ignored_events = sum(len(_events(predictions[d])) for d in ignored)
    return report


# --------------------------------------------------------------------------- loading


def _record_doc_id(record: Mapping[str, Any], fallback: str | None, where: str) -> str:
    doc_id = record.get("doc_id") or fallback
    if not isinstance(doc_id, str) or not doc_id:
        raise ValueError(f"{where}: record has no doc_id")
    if not isinstance(record.get("events"), list):
        raise ValueError(f"{where}: record {doc_id!r} has no 'events' list")
    return doc_id


def _records_in(obj: Any, where: str) -> list[Mapping[str, Any]]:
    if isinstance(obj, Mapping) and "events" in obj:
        return [obj]
    if isinstance(obj, Mapping) and isinstance(obj.get("records"), list):
        obj = obj["records"]
    if isinstance(obj, list) and all(isinstance(r, Mapping) for r in obj):
        return list(obj)
    raise ValueError(f"{where}: expected a record, a list of records or {{'records': [...]}}")


def _jsonl_records(text: str, where: str) -> list[Mapping[str, Any]]:
    records: list[Mapping[str, Any]] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{where}:{n}: invalid JSON ({exc.msg})") from None
        records += _records_in(obj, f"{where}:{n}")
    return records


def _read_json(file: Path) -> Any:
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{file}: invalid JSON ({exc.msg})") from None


def _add(out: dict[str, Record], record: Mapping[str, Any], fallback: str | None, where: str) -> None:
    doc_id = _record_doc_id(record, fallback, where)
    if doc_id in out:
        raise ValueError(f"{where}: duplicate doc_id {doc_id!r}")
    out[doc_id] = dict(record)


def load_predictions(path: str | Path) -> dict[str, Record]:
    """Predicted records keyed by ``doc_id``.

    ``path`` is a JSON file (one record, a list of records, or ``{"records": [...]}``), a JSONL file
    (one record per line; recognised by a ``.jsonl``/``.ndjson`` suffix or by not being one JSON
    document), or a directory whose ``*.json`` files each hold one of the JSON forms (a file's stem is
    the ``doc_id`` of a record that lacks one; files without records are skipped). Raises
    ``FileNotFoundError`` when ``path`` does not exist and ``ValueError`` on malformed input or a
    duplicate ``doc_id``.
    """
    p = Path(path)
    out: dict[str, Record] = {}
    if p.is_dir():
        for file in sorted(p.glob("*.json")):
            obj = _read_json(file)
            try:
                records = _records_in(obj, str(file))
            except ValueError:
                continue  # not a record file (a summary, a config...)
            for record in records:
                _add(out, record, file.stem if len(records) == 1 else None, str(file))
        return out
    text = p.read_text(encoding="utf-8")
    if p.suffix.lower() in (".jsonl", ".ndjson"):
        records = _jsonl_records(text, str(p))
    else:
        try:
            records = _records_in(json.loads(text), str(p)) if text.strip() else []
        except json.JSONDecodeError:
            records = _jsonl_records(text, str(p))
    for record in records:
        _add(out, record, None, str(p))
    return out


def load_gold(gold_dir: str | Path) -> dict[str, Record]:
    """Gold records keyed by ``doc_id``: every ``*.json`` in ``gold_dir`` that has ``"events"``.

    The record's ``doc_id`` is used, else the file's stem. Raises ``NotADirectoryError`` when
    ``gold_dir`` is not a directory and ``ValueError`` on unreadable JSON or a duplicate ``doc_id``.
    """
    d = Path(gold_dir)
    if not d.is_dir():
        raise NotADirectoryError(f"not a directory: {d}")
    out: dict[str, Record] = {}
    for file in sorted(d.glob("*.json")):
        obj = _read_json(file)
        if isinstance(obj, Mapping) and "events" in obj:
            _add(out, obj, file.stem, str(file))
    return out


def evaluate(pred: str | Path, gold_dir: str | Path) -> Report:
    """Load predictions and gold and score them (the library twin of ``rasd eval``)."""
    return score(load_gold(gold_dir), load_predictions(pred))
