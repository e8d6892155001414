"""Shared fixtures for the scorer tests: an event builder and the bundled gold fixture directory.

``tests/eval/data`` mirrors the layout of ``../shared``: ``gold/`` holds five gold files copied
from the shared dev gold (one with no events), ``corpus/dev/`` and ``seed/`` their article texts.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parent / "data"

BASE_EVENT: dict[str, Any] = {
    "event_type": "Explosions/Remote violence",
    "sub_event_type": "Shelling/artillery/missile attack",
    "date": "2023-04-10",
    "date_precision": "day",
    "location": {
        "text": "حقل كونيكو للغاز",
        "name": "Conoco gas field",
        "country": "SY",
        "admin1": "Deir ez-Zor",
        "lat": 35.33,
        "lon": 40.28,
        "geo_precision": 1,
    },
    "actor1": {
        "text": "مجموعات مسلحة مدعومة من إيران",
        "name": "Iran-backed militias",
        "accept": ["Unidentified Armed Group", "Iran-backed militias", "Islamic Revolutionary Guard Corps"],
    },
    "actor2": {"text": "قوات أميركية", "name": "Military Forces of the United States"},
    "fatalities": 0,
    "injuries": 0,
    "sources": ["US military"],
    "certainty": "hedged",
    "role": "main",
    "evidence": [{"start": 0, "end": 48}],
}


def build_event(location: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    """A copy of ``BASE_EVENT``; ``location`` keys are merged into the base location."""
    event = copy.deepcopy(BASE_EVENT)
    if location is not None:
        event["location"].update(location)
    event.update(fields)
    return event


@pytest.fixture
def make_event() -> Callable[..., dict[str, Any]]:
    return build_event


@pytest.fixture
def gold_dir() -> Path:
    return DATA / "gold"
