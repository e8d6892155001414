"""Fixtures for the gazetteer tests: the bundled gazetteer and a matcher over its surface forms."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import pytest

from rasd.geo.gazetteer import Gazetteer, Place
from rasd.text.match import Entry, Matcher, longest_first
from rasd.text.normalize import normalize


@pytest.fixture(scope="session")
def gz() -> Gazetteer:
    return Gazetteer.load()


@pytest.fixture(scope="session")
def place_matcher(gz: Gazetteer) -> Matcher:
    m = Matcher()
    for form, place_id in gz.surface_forms():
        m.add(form, Entry("place", place_id))
    return m.compile()


Resolve = Callable[..., list[Place]]


@pytest.fixture(scope="session")
def resolve(gz: Gazetteer, place_matcher: Matcher) -> Resolve:
    """``resolve(text, countries=(), admin1s=())``: one chosen place per place mention in ``text``
    (left to right), as the pipeline does it: matcher, longest-first, ``by_form`` + ``choose``."""

    def _resolve(text: str, countries: Sequence[str] = (), admin1s: Sequence[str] = ()) -> list[Place]:
        mentions = longest_first(m for m in place_matcher.find(normalize(text).text) if m.kind == "place")
        spans: dict[tuple[int, int], str] = {}
        for m in mentions:
            spans.setdefault((m.nstart, m.nend), m.form)
        out = []
        for form in spans.values():
            cands = gz.by_form(form)
            assert cands, f"matcher key {form!r} has no place in by_form"
            out.append(gz.choose(cands, countries=countries, admin1s=admin1s))
        return out

    return _resolve


ChosenPlaces = Callable[[str], dict[str, Place]]


@pytest.fixture(scope="session")
def chosen_places() -> ChosenPlaces:
    """``chosen_places(sentence)``: the place stage's choice for ``sentence`` (the pipeline's stages
    up to ``events`` run on it), as ``{mention text: place}``; empty when the screen stops it."""
    import rasd
    from rasd.pipeline import STAGES, prepare
    from rasd.pipeline.places import choose_places
    from rasd.types import Article

    res = rasd.load_resources()

    def _chosen(text: str) -> dict[str, Place]:
        doc = prepare(Article(doc_id="t", text=text, pub_date=date(2019, 3, 1)))
        for name, stage in STAGES:
            if name == "events":
                break
            doc = stage(doc, res)
            if doc.quiet:
                return {}
        return {doc.text[s:e]: place for (s, e), place in choose_places(doc, res).items()}

    return _chosen
