"""Stage — decide: the learned models choose each event's place, type, role and certainty, then
score whether it is a real occurrence (its confidence).

Input: the :class:`~rasd.learn.features.EventCase` list of :func:`~rasd.learn.features.describe`.
Output: the final events, every one with its confidence, sorted main first. Two events that
the decisions made identical (same sub-type, place, role and day) become one. Without a model
(none shipped, or training from scratch) the rules decide: events a rule flags as no event are
left out and the rules' confidence stands.
"""

from __future__ import annotations

from dataclasses import replace

from ..geo.gazetteer import haversine_km
from ..text.normalize import match_key
from ..types import SUB_TO_TYPE, Event, Location
from .features import EventCase, Features
from .model import Linear, Model


def _why(model: Linear, x: Features, cls: str | None = None) -> str:
    parts = model.contributions(x, cls, n=4)
    return ", ".join(f"{w:+.2f} {f}" for f, w in parts)


def choose(
    cases: list[EventCase],
    model: Model | None,
    phrases: dict | None = None,
    *,
    capture: list | None = None,
    every_place: bool = False,
) -> list[Event]:
    """The final events of one article (see the module docstring).

    Each candidate event is read at each of its place options: the best place by the place
    model always gives an event, another place only when that reading clears the confidence
    threshold (a sentence that reports the same strike on two towns). ``every_place`` keeps every
    reading (training); ``capture`` receives the is-event features of each returned event."""
    from ..pipeline.resolve import notes_for  # the notes phrasing lives with the records' assembly

    if model is None:
        return [_copy(c.event) for c in cases if not c.flagged]
    out: list[tuple[Event, Features]] = []
    place_model, type_model, event_model = model["place"], model["type"], model["event"]
    role_model, cert_model = model["role"], model["certainty"]
    for case in cases:
        base = _copy(case.event)
        x = dict(case.features)
        if type_model is not None:
            dist = type_model.distribution(case.type_features)
            best_sub = max(dist, key=lambda s: dist[s])
            if best_sub != base.sub_event_type and best_sub in SUB_TO_TYPE and dist[best_sub] > dist.get(
                base.sub_event_type, 0.0
            ):
                base.rules["type"] = (
                    f"learned (p={dist[best_sub]:.2f}, rules: {base.sub_event_type}): "
                    f"{_why(type_model, case.type_features, best_sub)}"
                )
                base.sub_event_type, base.event_type = best_sub, SUB_TO_TYPE[best_sub]
                x["retyped"] = 1.0
            x["type_p"] = dist.get(base.sub_event_type, 0.0)
        x[f"decided_sub={base.sub_event_type}"] = 1.0
        x[f"decided_type={base.event_type}"] = 1.0
        if role_model is not None:
            p = role_model.probability(case.features)
            base.role = "background" if p >= 0.5 else "main"
            base.rules["role"] = f"learned (P(background)={p:.2f}): {_why(role_model, case.features)}"
        x[f"decided_role={base.role}"] = 1.0
        _choose_actors(base, case, model, x)
        if cert_model is not None:
            p = cert_model.probability(case.features)
            base.certainty = "hedged" if p >= 0.5 else "reported"
            base.rules["certainty"] = f"learned (P(hedged)={p:.2f}): {_why(cert_model, case.features)}"
        # without a place model the rules' place stands: one reading per candidate
        options = (case.places if place_model is not None else case.places[:1]) or [None]
        probs = [place_model.probability(o.features) if place_model and o else 1.0 for o in options]
        ranked = sorted(range(len(options)), key=lambda i: (-probs[i], i))
        for rank, i in enumerate(ranked):
            option = options[i]
            ev = _copy(base) if rank else base
            xi = dict(x)
            if option is not None:
                ev.location = option.location
                xi.update({f"pl:{k}": v for k, v in option.features.items()})
                xi["place_p"] = probs[i]
                xi["place_best"] = float(rank == 0)
                xi[f"place_options={min(len(options), 4)}"] = 1.0
                if i != 0 and place_model is not None:
                    ev.rules["location"] = f"learned (p={probs[i]:.2f}): {_why(place_model, option.features)}"
                xi[f"decided_precision={ev.location.geo_precision}"] = 1.0
            if event_model is not None:
                ev.confidence = round(event_model.probability(xi), 3)
                ev.rules["confidence"] = f"learned P(right event)={ev.confidence:.2f}: {_why(event_model, xi)}"
                if rank and not every_place and (
                    ev.confidence < model.threshold or _same_place(options[ranked[0]].location, ev.location, near=True)
                ):
                    continue  # another place of the same sentence's event: a distinct one, not its town
            elif rank and not every_place:
                continue
            ev.notes = notes_for(ev, phrases)
            out.append((ev, xi))
    if place_model is not None:  # readings moved to another place may now repeat one another
        out = _dedupe(out)
    out.sort(key=lambda p: (p[0].role != "main", p[0].evidence[0].start if p[0].evidence else 0))
    if capture is not None:
        capture.extend(x for _, x in out)
    return [e for e, _ in out]


def _choose_actors(ev: Event, case: EventCase, model: Model, x: Features) -> None:
    """The learned actor1 and actor2 among the case's options: the likeliest pair of two
    different actors (or nobody); a slot without a model keeps the rules' choice."""
    models = [model["actor1"], model["actor2"]]
    if not case.actors or models == [None, None]:
        return
    n = len(case.actors)
    probs = [
        [m.probability(o.features) for o in case.actors] if m is not None else [float(i == k) for i in range(n)]
        for k, m in enumerate(models)
    ]
    ids = [o.actor.id if o.actor is not None else None for o in case.actors]
    best = max(
        ((i, j) for i in range(n) for j in range(n) if ids[i] is None or ids[i] != ids[j]),
        key=lambda ij: (probs[0][ij[0]] * probs[1][ij[1]], -ij[0], -ij[1]),
    )
    for k, (slot, i) in enumerate(zip(("actor1", "actor2"), best, strict=True)):
        if models[k] is not None and i != k:
            setattr(ev, slot, case.actors[i].actor)
            ev.rules[slot] = f"learned (p={probs[k][i]:.2f}): {_why(models[k], case.actors[i].features)}"
            x[f"relearned_{slot}"] = 1.0


def _copy(ev: Event) -> Event:
    """A copy whose lists and rules can change without touching the case (cases are reused)."""
    return replace(ev, rules=dict(ev.rules), sources=list(ev.sources), evidence=list(ev.evidence))


SAME_PLACE_KM = 25.0  # FORMAT.md: two mentions of one place lie within 25 km of each other


def _same_place(a: Location | None, b: Location | None, *, near: bool = False) -> bool:
    """Two readings of one place: the same gazetteer row, one phrase inside the other, or closer
    than ``SAME_PLACE_KM`` when one is vague or ``near`` (a district and its town)."""
    if a is None or b is None:
        return a is b
    if a.id is not None and a.id == b.id:
        return True
    ka, kb = match_key(a.text), match_key(b.text)
    if ka and kb and (ka in kb or kb in ka):
        return True
    vague = near or max(a.geo_precision, b.geo_precision) > 1
    if not vague or None in (a.lat, a.lon, b.lat, b.lon):
        return False
    return haversine_km(a.lat, a.lon, b.lat, b.lon) < SAME_PLACE_KM


def _dedupe(events: list[tuple[Event, Features]]) -> list[tuple[Event, Features]]:
    """Events the decisions made the same occurrence (sub-type and role, one place, dates within
    a day) become one (GUIDE.md: one event per place and day): the more confident keeps its fields
    and gains the other's evidence and sources."""
    kept: list[tuple[Event, Features]] = []
    for ev, x in sorted(events, key=lambda p: -p[0].confidence):
        twin = next(
            (
                k
                for k, _ in kept
                if k.sub_event_type == ev.sub_event_type
                and k.role == ev.role
                and _same_place(k.location, ev.location)
                and (k.date is None or ev.date is None or abs((k.date - ev.date).days) <= 1)
            ),
            None,
        )
        if twin is None:
            kept.append((ev, x))
            continue
        spans = {(s.start, s.end): s for s in [*twin.evidence, *ev.evidence]}
        twin.evidence = [spans[k] for k in sorted(spans)]
        twin.sources.extend(s for s in ev.sources if s not in twin.sources)
        for attr in ("fatalities", "injuries", "actor1", "actor2", "date"):
            if getattr(twin, attr) is None and getattr(ev, attr) is not None:
                setattr(twin, attr, getattr(ev, attr))
                if attr == "date":
                    twin.date_precision = ev.date_precision
    return kept
