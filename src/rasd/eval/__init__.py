"""Evaluation: score predicted event records against the gold (``FORMAT.md``, "Scoring").

The library is :mod:`rasd.eval.scorer` (loading, matching, :class:`Report`); :mod:`rasd.eval.report`
renders a report; :mod:`rasd.eval.cli` holds the ``rasd eval`` command function.
"""

from .scorer import (
    Accuracy,
    CurvePoint,
    DocScore,
    ErrorItem,
    MatchedPair,
    PRFScore,
    Report,
    evaluate,
    is_match,
    load_gold,
    load_predictions,
    match_events,
    score,
)

__all__ = [
    "Accuracy",
    "CurvePoint",
    "DocScore",
    "ErrorItem",
    "MatchedPair",
    "PRFScore",
    "Report",
    "evaluate",
    "is_match",
    "load_gold",
    "load_predictions",
    "match_events",
    "score",
]
