"""Plain typed records exchanged by the pipeline stages and returned by the library.

Field names follow the gold format (``../shared/gold/FORMAT.md``): a record's ``to_dict()`` is
exactly the v1 JSON shape, so stored, exported and scored records share one vocabulary.
Every span is ``[start, end)`` over the ORIGINAL decoded article text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum
from typing import Any, Literal

EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "Battles": ("Armed clash", "Government regains territory", "Non-state actor overtakes territory"),
    "Explosions/Remote violence": (
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    ),
    "Violence against civilians": ("Sexual violence", "Attack", "Abduction/forced disappearance"),
    "Protests": ("Peaceful protest", "Protest with intervention", "Excessive force against protesters"),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": (
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ),
}
SUB_TO_TYPE: dict[str, str] = {sub: et for et, subs in EVENT_TYPES.items() for sub in subs}

class Inter(IntEnum):
    """ACLED's actor type codes ("inter1"/"inter2", ACLED Codebook 2023, section 4)."""

    STATE = 1  # state forces
    REBELS = 2  # rebel groups
    POLITICAL_MILITIA = 3
    IDENTITY_MILITIA = 4
    RIOTERS = 5
    PROTESTERS = 6
    CIVILIANS = 7
    EXTERNAL = 8  # external/other forces


FORCES = frozenset({Inter.STATE, Inter.EXTERNAL})  # state and external forces
CROWDS = frozenset({Inter.PROTESTERS, Inter.CIVILIANS})  # people, not armed organisations


DatePrecision = Literal["day", "week", "month", "year"]
Certainty = Literal["reported", "hedged"]
Role = Literal["main", "background"]


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character span ``[start, end)`` into the original text."""

    start: int
    end: int

    def to_dict(self) -> dict[str, int]:
        return {"start": self.start, "end": self.end}


@dataclass(slots=True)
class Article:
    """One input article: the decoded original text plus its metadata."""

    text: str
    doc_id: str = ""
    pub_date: date | None = None
    outlet: str | None = None
    title: str | None = None
    url: str | None = None
    path: str | None = None


@dataclass(slots=True)
class Location:
    text: str
    name: str | None = None
    country: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    lat: float | None = None
    lon: float | None = None
    geo_precision: int = 1
    id: str | None = None
    span: Span | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "text": self.text,
            "name": self.name,
            "country": self.country,
            "admin1": self.admin1,
            "admin2": self.admin2,
            "lat": self.lat,
            "lon": self.lon,
            "geo_precision": self.geo_precision,
            "id": self.id,
        }
        return d


@dataclass(slots=True)
class Actor:
    text: str
    name: str
    inter: int | None = None
    id: str | None = None
    span: Span | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "name": self.name, "inter": self.inter, "id": self.id}


@dataclass(slots=True)
class Event:
    event_type: str
    sub_event_type: str
    date: date | None = None
    date_precision: DatePrecision | None = None
    location: Location | None = None
    actor1: Actor | None = None
    actor2: Actor | None = None
    fatalities: int | None = None
    injuries: int | None = None
    sources: list[str] = field(default_factory=list)
    certainty: Certainty = "reported"
    role: Role = "main"
    confidence: float = 0.5
    notes: str = ""
    evidence: list[Span] = field(default_factory=list)
    trigger: Span | None = None
    rules: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "event_type": self.event_type,
            "sub_event_type": self.sub_event_type,
            "date": self.date.isoformat() if self.date else None,
            "date_precision": self.date_precision,
            "location": self.location.to_dict() if self.location else None,
            "actor1": self.actor1.to_dict() if self.actor1 else None,
            "actor2": self.actor2.to_dict() if self.actor2 else None,
            "fatalities": self.fatalities,
            "injuries": self.injuries,
            "sources": list(self.sources),
            "certainty": self.certainty,
            "role": self.role,
            "confidence": round(self.confidence, 3),
            "notes": self.notes,
            "evidence": [s.to_dict() for s in self.evidence],
            "trigger": self.trigger.to_dict() if self.trigger else None,
        }


@dataclass(slots=True)
class ArticleRecord:
    """The extractor's output for one article (the v1 record of FORMAT.md)."""

    doc_id: str
    pub_date: date | None
    events: list[Event]
    outlet: str | None = None
    title: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "pub_date": self.pub_date.isoformat() if self.pub_date else None,
            "outlet": self.outlet,
            "title": self.title,
            "events": [e.to_dict() for e in self.events],
        }
