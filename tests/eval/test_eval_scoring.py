"""Scoring whole records: greedy one-to-one assignment, documents, main-only figures, false alarms,
the confidence curve, the PRF counter, and gold scored against itself."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rasd.eval.scorer import (
    FIELDS,
    PRFScore,
    load_gold,
    match_events,
    match_quality,
    score,
)

EventFactory = Callable[..., dict[str, Any]]
SIRTE = {"text": "سرت", "name": "Sirte", "admin1": "Sirte", "lat": 31.20892, "lon": 16.58866}
BANI_WALID = {
    "text": "مدينة بني وليد",
    "name": "Bani Walid",
    "admin1": "Misrata",
    "lat": 31.74554,
    "lon": 13.98354,
}
SHARED_GOLD = Path(__file__).resolve().parents[3] / "shared" / "gold"  # ../shared beside the repo


def record(doc_id: str, *events: dict[str, Any]) -> dict[str, Any]:
    return {"doc_id": doc_id, "pub_date": "2023-04-11", "events": list(events)}


def docs(*records: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["doc_id"]: r for r in records}


# --------------------------------------------------------------------------- PRF counter


def test_prf_score_is_additive() -> None:
    total = PRFScore(2, 1, 0) + PRFScore(1, 0, 3)
    assert (total.tp, total.fp, total.fn) == (3, 1, 3)
    total += PRFScore(1, 1, 1)
    assert (total.tp, total.fp, total.fn) == (4, 2, 4)
    assert total.precision == pytest.approx(4 / 6)
    assert total.recall == pytest.approx(4 / 8)
    p, r = 4 / 6, 4 / 8
    assert total.f1 == pytest.approx(2 * p * r / (p + r))


def test_prf_score_without_counts_is_zero() -> None:
    empty = PRFScore()
    assert (empty.precision, empty.recall, empty.f1) == (0.0, 0.0, 0.0)
    assert PRFScore(tp=0, fp=0, fn=2).precision == 0.0


# --------------------------------------------------------------------------- greedy assignment


def test_two_predictions_for_one_gold_give_one_tp_one_fp(make_event: EventFactory) -> None:
    gold = docs(record("d", make_event()))
    pred = docs(record("d", make_event(), make_event(location={"text": "كونيكو للغاز"})))
    report = score(gold, pred)
    assert (report.lenient.tp, report.lenient.fp, report.lenient.fn) == (1, 1, 0)
    assert (report.strict.tp, report.strict.fp, report.strict.fn) == (1, 1, 0)
    assert [e.index for e in report.spurious] == [1]


def test_best_pair_is_taken_first(make_event: EventFactory) -> None:
    gold = [make_event()]
    weak = make_event(
        sub_event_type="Air/drone strike",
        date="2023-01-01",
        location={"text": "كونيكو للغاز", "name": None, "lat": None, "lon": None},
    )
    assert match_events(gold, [weak, make_event()]) == [(0, 1)]
    assert match_events(gold, [make_event(), weak]) == [(0, 0)]


def test_greedy_prefers_identity_over_attributes(make_event: EventFactory) -> None:
    gold = [make_event()]
    right_place_and_day_wrong_actors = make_event(
        actor1=None, actor2=None, fatalities=9, certainty="reported"
    )
    right_actors_wrong_day = make_event(date="2023-04-20")
    pairs = match_events(gold, [right_actors_wrong_day, right_place_and_day_wrong_actors])
    assert pairs == [(0, 1)]
    assert match_quality(gold[0], right_place_and_day_wrong_actors) > match_quality(
        gold[0], right_actors_wrong_day
    )


def test_evidence_overlap_breaks_ties_then_index(make_event: EventFactory) -> None:
    gold = [make_event(evidence=[{"start": 100, "end": 200}])]
    elsewhere = make_event(evidence=[{"start": 300, "end": 400}])
    here = make_event(evidence=[{"start": 120, "end": 210}])
    assert match_events(gold, [elsewhere, here]) == [(0, 1)]
    assert match_events(gold, [make_event(), make_event()]) == [(0, 0)]


def test_each_gold_and_prediction_used_once(make_event: EventFactory) -> None:
    bukamal = {"text": "مدينة البوكمال", "name": "Al Bukamal", "lat": 34.45, "lon": 40.92}
    gold = [make_event(), make_event(location=bukamal)]
    pred = [make_event(location={"text": "البوكمال", "name": None}), make_event(), make_event()]
    assert match_events(gold, pred) == [(0, 1), (1, 0)]


def test_strict_runs_its_own_assignment(make_event: EventFactory) -> None:
    # The lenient pass pairs the gold with the better-located prediction of the wrong sub-type;
    # the strict pass may still use the other prediction.
    gold = docs(record("d", make_event()))
    wrong_sub = make_event(sub_event_type="Air/drone strike")
    right_sub_loose_place = make_event(actor1=None, location={"text": "كونيكو", "name": None, "lat": None})
    report = score(gold, docs(record("d", wrong_sub, right_sub_loose_place)))
    assert report.lenient.tp == 1 and report.pairs[0].pred_index == 0
    assert report.strict.tp == 1


# --------------------------------------------------------------------------- documents


def test_only_gold_documents_are_scored(make_event: EventFactory) -> None:
    gold = docs(record("a", make_event()), record("b", make_event(), make_event(role="background")))
    pred = docs(record("a", make_event()), record("x", make_event(), make_event()), record("y"))
    report = score(gold, pred)
    assert (report.lenient.tp, report.lenient.fp, report.lenient.fn) == (1, 0, 2)
    assert report.missing_docs == ["b"]
    assert (report.ignored_docs, report.ignored_events) == (2, 2)
    assert [(d.doc_id, d.has_prediction, d.lenient.fn) for d in report.per_doc] == [
        ("a", True, 0),
        ("b", False, 2),
    ]
    assert [(m.doc_id, m.index) for m in report.missed] == [("b", 0), ("b", 1)]


def test_events_match_only_within_their_document(make_event: EventFactory) -> None:
    report = score(docs(record("a", make_event()), record("b")), docs(record("a"), record("b", make_event())))
    assert (report.lenient.tp, report.lenient.fp, report.lenient.fn) == (0, 1, 1)


def test_false_alarms_on_documents_without_gold_events(make_event: EventFactory) -> None:
    gold = docs(record("empty1"), record("empty2"), record("empty3"), record("full", make_event()))
    pred = docs(
        record("empty1", make_event(), make_event(role="background")),
        record("empty2"),
        record("full", make_event(), make_event(location=SIRTE)),
    )
    report = score(gold, pred)
    assert (report.false_alarm_events, report.false_alarm_docs, report.empty_gold_docs) == (2, 1, 3)
    assert report.lenient.fp == 3  # false alarms are false positives too
    assert report.to_dict()["false_alarms"] == {"events": 2, "docs": 1, "empty_gold_docs": 3}


def test_tolerates_missing_keys_and_null_location(make_event: EventFactory) -> None:
    gold = docs(record("d", make_event()))
    sparse = {"event_type": "Explosions/Remote violence", "location": None}
    report = score(gold, docs({"doc_id": "d", "events": [sparse, {}, "junk"]}))
    assert (report.lenient.tp, report.lenient.fp, report.lenient.fn) == (0, 2, 1)


# --------------------------------------------------------------------------- main-only


def test_main_only_restricts_both_sides(make_event: EventFactory) -> None:
    gold = docs(record("d", make_event(), make_event(role="background", location=SIRTE)))
    pred = docs(
        record(
            "d",
            make_event(role="background"),  # matches the main gold event leniently, but is not main
            make_event(role="main", location=SIRTE),
        )
    )
    report = score(gold, pred)
    assert (report.lenient.tp, report.lenient.fp, report.lenient.fn) == (2, 0, 0)
    main = report.lenient_main
    assert (main.tp, main.fp, main.fn) == (0, 1, 1)
    assert report.fields["role"].correct == 0 and report.fields["role"].total == 2


def test_prediction_without_role_is_not_main(make_event: EventFactory) -> None:
    gold = docs(record("d", make_event()))
    no_role = {k: v for k, v in make_event().items() if k != "role"}
    report = score(gold, docs(record("d", no_role)))
    assert report.lenient.tp == 1
    assert (report.lenient_main.tp, report.lenient_main.fn) == (0, 1)


def test_strict_and_lenient_differ_on_date_and_sub_type(make_event: EventFactory) -> None:
    gold = docs(record("d", make_event(), make_event(location=SIRTE)))
    pred = docs(
        record(
            "d",
            make_event(date="2023-05-30"),
            make_event(sub_event_type="Air/drone strike", location=SIRTE),
        )
    )
    report = score(gold, pred)
    assert report.lenient.tp == 2
    assert (report.strict.tp, report.strict.fp, report.strict.fn) == (0, 2, 2)
    assert (report.strict_main.tp, report.strict_main.fn) == (0, 2)


# --------------------------------------------------------------------------- field accuracies


def test_field_accuracies_over_lenient_pairs(make_event: EventFactory) -> None:
    gold = docs(record("d", make_event(), make_event(location=SIRTE)))
    pred = docs(
        record(
            "d",
            make_event(
                actor1={"text": "مسلحين", "name": "Unidentified Armed Group"},
                fatalities=2,
                location={"lat": None},
            ),
            make_event(location={**SIRTE, "text": "مدينة سرت", "name": None, "lat": 31.3, "admin1": None}),
        )
    )
    report = score(gold, pred)
    fields = report.fields
    assert set(fields) == set(FIELDS)
    assert (fields["actor1"].correct, fields["actor1"].total) == (2, 2)  # via gold accept
    assert (fields["fatalities"].correct, fields["fatalities"].total) == (1, 2)
    assert (fields["coords"].correct, fields["coords"].total) == (1, 1)  # only pairs with both coords
    assert report.pairs[1].fields["coords"] is True  # 31.3 vs 31.209: about 10 km
    assert (fields["admin1"].correct, fields["admin1"].total) == (1, 2)
    assert fields["date"].value == 1.0


# --------------------------------------------------------------------------- curve


def test_confidence_curve(make_event: EventFactory) -> None:
    gold = docs(record("d", make_event(), make_event(location=SIRTE), make_event(location=BANI_WALID)))
    no_confidence = make_event(location=SIRTE)
    pred = docs(
        record(
            "d",
            make_event(confidence=0.95),
            no_confidence,  # counts as 1.0
            make_event(location=BANI_WALID, confidence=0.5),
            make_event(location={"text": "درعا", "name": "Daraa", "lat": 32.62, "lon": 36.1}, confidence=0.3),
            make_event(location={"text": "حمص", "name": "Homs", "lat": 34.73, "lon": 36.72}, confidence=0.05),
        )
    )
    curve = {round(p.threshold, 1): p for p in score(gold, pred).curve}
    assert sorted(curve) == [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    counts = {t: (p.predicted, p.score.tp, p.score.fp, p.score.fn) for t, p in curve.items()}
    assert counts[0.0] == (5, 3, 2, 0)
    assert counts[0.1] == (4, 3, 1, 0)
    assert counts[0.3] == (4, 3, 1, 0)  # confidence == threshold is kept
    assert counts[0.4] == (3, 3, 0, 0)
    assert counts[0.5] == (3, 3, 0, 0)
    assert counts[0.6] == (2, 2, 0, 1)
    assert counts[0.9] == (2, 2, 0, 1)
    assert curve[0.4].score.f1 == 1.0


# --------------------------------------------------------------------------- gold against itself


def _assert_perfect(gold: dict[str, dict[str, Any]]) -> None:
    report = score(gold, copy.deepcopy(gold))
    for prf in (report.lenient, report.strict, report.lenient_main, report.strict_main):
        assert (prf.precision, prf.recall, prf.f1) == (1.0, 1.0, 1.0)
    for name, acc in report.fields.items():
        assert acc.total > 0, name
        assert acc.value == 1.0, name
    assert all(p.gold_index == p.pred_index for p in report.pairs)
    assert report.missed == [] and report.spurious == []
    assert (report.false_alarm_events, report.false_alarm_docs) == (0, 0)
    assert all(p.score.f1 == 1.0 for p in report.curve)


def test_fixture_gold_scored_against_itself_is_perfect(gold_dir: Path) -> None:
    gold = load_gold(gold_dir)
    assert len(gold) == 5
    _assert_perfect(gold)


@pytest.mark.skipif(not SHARED_GOLD.is_dir(), reason="../shared/gold not present")
def test_shared_gold_scored_against_itself_is_perfect() -> None:
    _assert_perfect(load_gold(SHARED_GOLD))
