"""Honest figures: grouped K-fold cross-validation by article, and the learning curve.

Every article is scored only by models fitted without it: the articles are shuffled with a fixed
seed and dealt into K folds; for each fold the decisions are fitted on the other folds
(:func:`rasd.learn.train.fit`, threshold included) and decide the fold's candidate events.
The out-of-fold records (events at or above their fold's threshold) are what ``rasd eval --cv``
scores and writes with ``--predictions``. The learning curve repeats this with 25, 50, 75 and 100 %
of each fold's training articles.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..eval.scorer import Report, score
from .decide import choose
from .train import DEFAULT_DECISIONS, Example, fit

FRACTIONS = (0.25, 0.5, 0.75, 1.0)


@dataclass(slots=True)
class CVResult:
    report: Report  # out-of-fold records at their folds' thresholds
    curve_report: Report  # out-of-fold records with every event (for the confidence curve)
    records: list[dict[str, Any]]  # out-of-fold v1 records, thresholded
    thresholds: list[float]
    learning: list[tuple[float, int, float, float]] = field(default_factory=list)  # fraction, n, lenient, strict


def folds(examples: Sequence[Example], k: int, seed: int = 0) -> list[list[Example]]:
    order = sorted(examples, key=lambda e: e.doc_id)
    random.Random(seed).shuffle(order)
    return [[e for j, e in enumerate(order) if j % k == i] for i in range(k)]


def _record(ex: Example, events: list) -> dict[str, Any]:
    return {"doc_id": ex.doc_id, "pub_date": ex.gold.get("pub_date"), "events": [e.to_dict() for e in events]}


def _run(parts: list[list[Example]], phrases: dict, fraction: float, seed: int, learn: Sequence[str]):
    thresholded: list[dict[str, Any]] = []
    everything: list[dict[str, Any]] = []
    thresholds: list[float] = []
    for i, test in enumerate(parts):
        train = [e for j, part in enumerate(parts) if j != i for e in part]
        if fraction < 1.0:
            train = sorted(train, key=lambda e: e.doc_id)
            random.Random(seed + i).shuffle(train)
            train = train[: max(1, round(len(train) * fraction))]
        model = fit(train, phrases, seed=seed, decisions_to_fit=learn)
        thresholds.append(model.threshold)
        for ex in test:
            events = choose(ex.cases, model, phrases)
            everything.append(_record(ex, events))
            thresholded.append(_record(ex, [e for e in events if e.confidence >= model.threshold]))
    return thresholded, everything, thresholds


def cross_validate(
    examples: Sequence[Example],
    phrases: dict,
    *,
    k: int = 5,
    seed: int = 0,
    fractions: Sequence[float] = FRACTIONS,
    tick: Callable[[], None] | None = None,
    learn: Sequence[str] = DEFAULT_DECISIONS,
) -> CVResult:
    """K-fold cross-validation and the learning curve over ``fractions`` (1.0 always included)."""
    gold = {ex.doc_id: ex.gold for ex in examples}
    parts = folds(examples, k, seed)
    records, everything, thresholds = _run(parts, phrases, 1.0, seed, learn)
    if tick:
        tick()
    by_id = {r["doc_id"]: r for r in records}
    result = CVResult(
        report=score(gold, by_id),
        curve_report=score(gold, {r["doc_id"]: r for r in everything}),
        records=sorted(records, key=lambda r: r["doc_id"]),
        thresholds=thresholds,
    )
    n_train = round(len(examples) * (k - 1) / k)
    for fraction in fractions:
        if fraction >= 1.0:
            rep = result.report
        else:
            recs, _, _ = _run(parts, phrases, fraction, seed, learn)
            rep = score(gold, {r["doc_id"]: r for r in recs})
            if tick:
                tick()
        result.learning.append((fraction, round(n_train * fraction), rep.lenient.f1, rep.strict.f1))
    return result
