"""Why each event was extracted: the words that triggered it and the rule behind every field.

:func:`explain_record` turns an :class:`~rasd.types.ArticleRecord` plus the article text it was
extracted from into one :class:`EventExplanation` per event (plain data, easy to test);
:func:`render_explanations` prints them on a Rich console: each evidence sentence with the
trigger, the location and the actors highlighted in different styles, then a table
``field | value | rule``.

The rules come from ``Event.rules`` (field → rule text, written by the pipeline stages). A field
the pipeline filled without recording a rule gets a description derived from the record itself,
marked ``(derived)`` so it is never mistaken for the pipeline's own words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .types import Actor, ArticleRecord, Event, Location, Span

__all__ = ["STYLES", "EventExplanation", "FieldExplanation", "Highlight", "explain_record", "render_explanations"]

#: Terminal style of each highlighted role (also the legend printed above the events).
STYLES: dict[str, str] = {
    "trigger": "bold white on red",
    "location": "bold black on green",
    "actor1": "bold black on cyan",
    "actor2": "bold black on magenta",
}

# Rule keys the pipeline writes, in the order the table shows them (others follow, sorted).
_FIELD_ORDER = ("type", "date", "location", "actor1", "actor2", "fatalities", "injuries", "casualties",
                "sources", "certainty", "role")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Highlight:
    """A span of the original text playing one role in an event (``kind`` is a key of :data:`STYLES`)."""

    kind: str
    span: Span
    text: str


@dataclass(frozen=True, slots=True)
class FieldExplanation:
    """One row of the explanation table."""

    field: str
    value: str
    rule: str


@dataclass(slots=True)
class EventExplanation:
    """Everything needed to show why one event was extracted."""

    index: int  # 1-based position of the event in its record
    event: Event
    trigger: Highlight | None
    evidence: list[Span]
    highlights: list[Highlight] = field(default_factory=list)
    fields: list[FieldExplanation] = field(default_factory=list)

    @property
    def title(self) -> str:
        """A one-line heading: ``#1 Explosions/Remote violence / Shelling/artillery/missile attack``."""
        ev = self.event
        return f"#{self.index} {ev.event_type} / {ev.sub_event_type}"


def _clip(span: Span | None, text: str) -> Span | None:
    if span is None or span.start >= span.end:
        return None
    start, end = max(0, span.start), min(len(text), span.end)
    return Span(start, end) if start < end else None


def _highlight(kind: str, span: Span | None, text: str) -> Highlight | None:
    clipped = _clip(span, text)
    return Highlight(kind, clipped, text[clipped.start : clipped.end]) if clipped else None


def _offsets(span: Span | None) -> str:
    return f" [{span.start}, {span.end})" if span else ""


def _location_value(loc: Location) -> str:
    parts = [p for p in (loc.admin2, loc.admin1, loc.country) if p]
    where = f"{loc.name or '?'}" + (f" ({', '.join(parts)})" if parts else "")
    coords = f" {loc.lat:.3f}, {loc.lon:.3f}" if loc.lat is not None and loc.lon is not None else ""
    return f"{loc.text} → {where}{coords}; precision {loc.geo_precision}; {loc.id or 'no id'}"


def _actor_value(actor: Actor) -> str:
    said = f"{actor.text} → " if actor.text else ""
    inter = f" (inter {actor.inter})" if actor.inter is not None else ""
    return f"{said}{actor.name}{inter}"


def _location_rule(ev: Event) -> str:
    loc = ev.location
    if loc is None:
        return "no place found for the event"
    if loc.span is None:
        return f"(derived) geocoded to {loc.id or loc.name}"
    how = "near / district of the place named" if loc.geo_precision == 2 else "place named in the text"
    return f"(derived) {how}, geocoded by the gazetteer to {loc.id or loc.name}"


def _actor_rule(actor: Actor | None, slot: str) -> str:
    if actor is None:
        return "no actor found"
    if actor.span is not None:
        who = "who acted" if slot == "actor1" else "who was acted on"
        return f"(derived) named in the text ({who}): '{actor.text}'"
    return "(derived) not named in the text: filled by a role convention (unnamed attacker, civilians, protesters...)"


def _casualty_rule(ev: Event, attr: str) -> str:
    rules = ev.rules
    if attr in rules:
        return rules[attr]
    if "casualties" in rules:
        return rules["casualties"]
    value = getattr(ev, attr)
    if value is None:
        return "the article gives no figure: null"
    if value == 0:
        return "(derived) the article says there were none"
    return f"(derived) figure {value} in the evidence"


def _date_rule(ev: Event, pub_date: date | None) -> str:
    rule = ev.rules.get("date", "(derived) no date rule recorded")
    if "publication date" in rule and (ev.date != pub_date or ev.date_precision != "week"):
        rule += " [does not match the value: recorded for a mention merged away?]"
    return rule


def _fields(ev: Event, pub_date: date | None) -> list[FieldExplanation]:
    r = ev.rules
    when = f"{ev.date.isoformat()} ({ev.date_precision})" if ev.date else f"— ({ev.date_precision or 'none'})"
    rows = [
        FieldExplanation("type", f"{ev.event_type} / {ev.sub_event_type}", r.get("type", "(derived) trigger word")),
        FieldExplanation("date", when, _date_rule(ev, pub_date)),
        FieldExplanation(
            "location",
            _location_value(ev.location) if ev.location else "—",
            r.get("location") or _location_rule(ev),
        ),
        FieldExplanation(
            "actor1", _actor_value(ev.actor1) if ev.actor1 else "—", r.get("actor1") or _actor_rule(ev.actor1, "actor1")
        ),
        FieldExplanation(
            "actor2", _actor_value(ev.actor2) if ev.actor2 else "—", r.get("actor2") or _actor_rule(ev.actor2, "actor2")
        ),
        FieldExplanation(
            "fatalities", "—" if ev.fatalities is None else str(ev.fatalities), _casualty_rule(ev, "fatalities")
        ),
        FieldExplanation("injuries", "—" if ev.injuries is None else str(ev.injuries), _casualty_rule(ev, "injuries")),
        FieldExplanation(
            "sources",
            ", ".join(ev.sources) or "—",
            r.get("sources", "(derived) speakers and outlets the article cites" if ev.sources else "nobody cited"),
        ),
        FieldExplanation("certainty", ev.certainty, r.get("certainty", "default: reported as fact")),
        FieldExplanation("role", ev.role, r.get("role", "default: the article's own news")),
    ]
    shown = {row.field for row in rows} | {"casualties", "confidence"}
    for key in sorted(set(r) - shown, key=lambda k: (k not in _FIELD_ORDER, k)):
        rows.append(FieldExplanation(key, "", r[key]))
    rows.append(
        FieldExplanation(
            "confidence",
            f"{ev.confidence:.3f}",
            r.get(
                "confidence",
                "rules: logistic score over trigger strength, repeated mentions, lead position, figures, actors, "
                "place and date precision, hedging and role",
            ),
        )
    )
    return rows


def explain_record(record: ArticleRecord, text: str) -> list[EventExplanation]:
    """One :class:`EventExplanation` per event of ``record``; ``text`` is the original article
    text the record's spans point into (``Article.text``)."""
    out: list[EventExplanation] = []
    for i, ev in enumerate(record.events, 1):
        trigger = _highlight("trigger", ev.trigger, text)
        highlights = [
            h
            for h in (
                trigger,
                _highlight("location", ev.location.span if ev.location else None, text),
                _highlight("actor1", ev.actor1.span if ev.actor1 else None, text),
                _highlight("actor2", ev.actor2.span if ev.actor2 else None, text),
            )
            if h is not None
        ]
        evidence = [s for s in (_clip(e, text) for e in ev.evidence) if s is not None]
        out.append(EventExplanation(i, ev, trigger, evidence, highlights, _fields(ev, record.pub_date)))
    return out


def _sentence(text: str, span: Span, highlights: list[Highlight]) -> Text:
    """The evidence sentence ``text[span]`` with every highlight inside it styled."""
    sentence = Text(text[span.start : span.end].strip("\n"))
    lead = len(text[span.start : span.end]) - len(text[span.start : span.end].lstrip("\n"))
    for h in highlights:
        start, end = max(h.span.start, span.start), min(h.span.end, span.end)
        if start < end:
            sentence.stylize(STYLES[h.kind], start - span.start - lead, end - span.start - lead)
    return sentence


def render_explanations(
    explanations: list[EventExplanation], text: str, console: Console, *, heading: str | None = None
) -> None:
    """Print explanations: a legend, then per event its trigger, evidence sentences (highlighted)
    and the ``field | value | rule`` table."""
    if heading:
        console.rule(Text(heading, style="bold"))
    legend = Text("highlights: ")
    for kind, style in STYLES.items():
        legend.append(f" {kind} ", style=style)
        legend.append(" ")
    console.print(legend)
    if not explanations:
        console.print("no events")
        return
    for ex in explanations:
        console.print()
        console.print(Text(ex.title, style="bold underline"))
        trig = ex.trigger
        line = Text("trigger: ")
        if trig is not None:
            line.append(trig.text, style=STYLES["trigger"])
            line.append(_offsets(trig.span))
        else:
            line.append("—")
        console.print(line)
        outside = [
            h for h in ex.highlights if not any(s.start <= h.span.start and h.span.end <= s.end for s in ex.evidence)
        ]
        for span in ex.evidence:
            line = Text()
            line.append(f"  [{span.start}, {span.end}) ", style="dim")
            console.print(line.append_text(_sentence(text, span, ex.highlights)))
        for h in outside:  # e.g. an actor inherited from an earlier sentence
            line = Text()
            line.append(f"  ({h.kind} outside the evidence: ", style="dim")
            line.append(h.text, style=STYLES[h.kind])
            line.append(f"{_offsets(h.span)})", style="dim")
            console.print(line)
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        table.add_column("field", no_wrap=True)
        table.add_column("value", overflow="fold")
        table.add_column("rule", overflow="fold")
        for row in ex.fields:
            table.add_row(Text(row.field), Text(row.value), Text(row.rule))  # Text: never read as markup
        console.print(table)
    console.print()
    console.print(f"{len(explanations)} event(s)")
