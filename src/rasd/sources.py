"""The source lexicon: who an article cites for an event, and the verbs and phrases that cite.

Data lives in ``resources/data/sources/`` (see its ``README.md``):

* ``sources.yaml`` — news agencies, monitors and UN bodies, officials and institutions, generic
  sources ("مصادر محلية" → "Local sources") and news outlets, with canonical English names as in
  the gold annotations ("Agence France-Presse", "Syrian Observatory for Human Rights");
* ``templates.yaml`` — head phrases composed with every country ("مصدر عسكري {adj}" × Syria →
  "Syrian military source"), sharing the country data of ``resources/data/actors/countries.yaml``;
* ``cue_verbs.yaml`` — citation cues (قال، أفادت، بحسب، نقلا عن، في بيان...) and where the source
  stands relative to each (:class:`CueDef.position`).

Speakers that are also actors ("قال الجيش الأمريكي") are not duplicated here: they stay actor
mentions, and :meth:`rasd.actors.ActorLexicon.source_name` names them as sources.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .actors import (
    _ENTRY_FIELDS,
    COMPOSED_PREFIX,
    CountryDef,
    Template,
    _bare,
    _claim,
    _compose_with,
    _entry_fields,
    _entry_id,
    _err,
    _load_templates,
    _read_items,
    _str_list,
    _uncovered,
    load_countries,
)
from .actors import (
    DATA_DIR as ACTORS_DATA_DIR,
)
from .text.match import SUFFIXES
from .text.normalize import fold

__all__ = [
    "CUE_POSITIONS",
    "DATA_DIR",
    "SOURCE_KINDS",
    "CueDef",
    "SourceDef",
    "SourceLexicon",
]

DATA_DIR = Path(__file__).parent / "resources" / "data" / "sources"

#: Allowed values of ``SourceDef.kind``.
SOURCE_KINDS = frozenset({"agency", "monitor", "official", "outlet", "local", "generic"})
#: Allowed values of ``SourceDef.scope``: ACLED's source scales (``source_scale``).
SOURCE_SCOPES = ("Other", "New media", "Local", "National", "Regional", "International")
#: The scope of a source whose entry gives none (composed template sources), by kind.
DEFAULT_SCOPE = {"agency": "National", "monitor": "Other", "official": "National", "outlet": "National",
                 "local": "Local", "generic": "National"}  # fmt: skip
#: Allowed values of ``CueDef.position`` (see ``cue_verbs.yaml``).
CUE_POSITIONS = frozenset({"before", "prep", "statement", "after"})

_CORRESPONDENT_HEADS = ("مراسل", "مراسلة")


@dataclass(frozen=True, slots=True)
class SourceDef:
    """A cited source with its canonical English name."""

    id: str
    name: str
    kind: str  # agency | monitor | official | outlet | local | generic
    accept: tuple[str, ...] = ()
    country: str | None = None
    template: str | None = None  # template it instantiates, fills, or (when generic) localizes with
    generic: bool = False  # the country comes from context: see SourceLexicon.localize
    note: str = ""
    scope: str | None = None  # ACLED source scale: Local | National | Regional | International | Other | New media

    @property
    def source_scale(self) -> str:
        """The entry's ``scope``, else :data:`DEFAULT_SCOPE` of its kind."""
        return self.scope or DEFAULT_SCOPE.get(self.kind, "Other")


@dataclass(frozen=True, slots=True)
class CueDef:
    """A citation cue: ``position`` says where its source stands (before | prep | statement | after)."""

    id: str
    position: str
    hedge: bool = False
    note: str = ""


class SourceLexicon:
    """Sources and citation cues with their Arabic surface forms. Build with :meth:`load`."""

    def __init__(
        self,
        sources: Mapping[str, SourceDef],
        forms: Iterable[tuple[str, str, str]],
        cues: Mapping[str, CueDef],
        cue_forms: Iterable[tuple[str, str, str]],
        aliases: Mapping[str, str],
    ) -> None:
        self._sources = dict(sources)
        self._forms = tuple(forms)
        self._cues = dict(cues)
        self._cue_forms = tuple(cue_forms)
        self._aliases = dict(aliases)

    @classmethod
    def load(cls, data_dir: Path | None = None, countries: Mapping[str, CountryDef] | None = None) -> SourceLexicon:
        """Load and validate ``sources.yaml``, ``templates.yaml`` and ``cue_verbs.yaml`` from
        ``data_dir`` (default: the bundled data). Country data comes from ``countries`` or else from
        ``<data_dir>/../actors/countries.yaml`` (the bundled one when that does not exist). Raises
        :class:`~rasd.actors.LexiconError` (a ``ValueError``) naming file, line and entry."""
        data_dir = Path(data_dir) if data_dir else DATA_DIR
        if countries is None:
            sibling = data_dir.parent / "actors" / "countries.yaml"
            countries = load_countries(sibling if sibling.exists() else ACTORS_DATA_DIR / "countries.yaml")
        templates = _load_templates(data_dir / "templates.yaml", countries, SOURCE_KINDS)
        sources, forms, fills = _load_sources(data_dir / "sources.yaml", countries, templates)
        composed, composed_forms, aliases = _compose_with(templates, countries, fills, forms, _composed_source)
        cues, cue_forms = _load_cues(data_dir / "cue_verbs.yaml")
        # an explicit form that a composed "adj" form of the same source covers would match twice
        forms = _uncovered(forms, composed_forms)
        return cls({**sources, **composed}, [*forms, *composed_forms], cues, cue_forms, aliases)

    def entries(self) -> Iterator[tuple[str, str, str]]:
        """Every ``(Arabic surface form, source id, suffix class)`` (explicit, correspondents, composed)."""
        return iter(self._forms)

    def cue_entries(self) -> Iterator[tuple[str, str, str]]:
        """Every ``(Arabic cue form, cue id, suffix class)``."""
        return iter(self._cue_forms)

    def get(self, source_id: str) -> SourceDef:
        """The :class:`SourceDef` of an explicit or composed id (``KeyError`` if unknown)."""
        return self._sources[self._aliases.get(source_id, source_id)]

    def cue(self, cue_id: str) -> CueDef:
        """The :class:`CueDef` of a cue id (``KeyError`` if unknown)."""
        return self._cues[cue_id]

    def cues(self) -> dict[str, CueDef]:
        """Cue id → :class:`CueDef`."""
        return dict(self._cues)

    def sources(self, *, composed: bool = True) -> Iterator[SourceDef]:
        """All source definitions; ``composed=False`` leaves out the composed ones."""
        for s in self._sources.values():
            if composed or not s.id.startswith(COMPOSED_PREFIX):
                yield s

    def __contains__(self, source_id: object) -> bool:
        return isinstance(source_id, str) and (source_id in self._sources or source_id in self._aliases)

    def __len__(self) -> int:
        return len(self._sources)

    def composed_id(self, template: str, country: str) -> str:
        """The id for ``template`` × ``country`` (an explicit source that fills it, if any)."""
        cid = f"{COMPOSED_PREFIX}{template}:{country}"
        return self._aliases.get(cid, cid)

    def localize(self, source_id: str, country: str | None) -> SourceDef:
        """For a generic source ("وزارة الداخلية"), the source of ``country`` ("Saudi Ministry of
        Interior"); any other source is returned unchanged."""
        source = self.get(source_id)
        if country and source.generic and source.template:
            cid = self.composed_id(source.template, country)
            if cid in self:
                return self.get(cid)
        return source


# --------------------------------------------------------------------------------- internals
_SOURCE_FIELDS = _ENTRY_FIELDS | {"correspondent", "suffix", "scope"}


def _load_sources(
    path: Path, countries: Mapping[str, CountryDef], templates: Mapping[str, Template]
) -> tuple[dict[str, SourceDef], list[tuple[str, str, str]], dict[tuple[str, str], str]]:
    data, text = _read_items(path, "sources")
    sources: dict[str, SourceDef] = {}
    forms: list[tuple[str, str, str]] = []
    fills: dict[tuple[str, str], str] = {}
    owner: dict[str, tuple[str, str]] = {}
    for item in data:
        sid, where, needle = _entry_id(item, path, text, "source", sources, _SOURCE_FIELDS)
        name, kind, country, template, generic = _entry_fields(
            item, path, text, where, needle, SOURCE_KINDS, countries, templates, fills
        )
        suffix, own_forms = _suffixed_forms(item, path, text, where, needle, "Arabic form")
        accept = _str_list(item.get("accept"), "accept", path, text, needle)
        scope = item.get("scope")
        if scope is not None and scope not in SOURCE_SCOPES:
            raise _err(
                path, f"{where}: unknown scope {scope!r}; expected one of {', '.join(SOURCE_SCOPES)}", text, needle
            )
        entries: list[tuple[str, str]] = [(f, sid) for f in own_forms]
        if item.get("correspondent"):
            target = sid
            if kind != "agency":
                target = f"{sid}:correspondent"
                sources[target] = SourceDef(
                    target, f"{name} correspondent", kind, (name,), country, scope=str(scope) if scope else None
                )
            entries += [(f"{head} {f}", target) for f in own_forms for head in _CORRESPONDENT_HEADS]
        for form, ref in entries:
            _claim(owner, (_bare(fold(form)),), ref, form, path, text, where, needle)
            forms.append((form, ref, suffix))
        sources[sid] = SourceDef(
            id=sid,
            name=name,
            kind=kind,
            accept=accept,
            country=country,
            template=template,
            generic=generic,
            note=" ".join(str(item.get("note") or "").split()),
            scope=str(scope) if scope else None,
        )
    return sources, forms, fills


def _suffixed_forms(
    item: dict[str, object], path: Path, text: str, where: str, needle: str, what: str
) -> tuple[str, tuple[str, ...]]:
    """The ``suffix`` class and the (non-empty) ``forms`` of a source or cue entry."""
    suffix = item.get("suffix", "none")
    if suffix not in SUFFIXES:
        raise _err(path, f"{where}: unknown suffix class {suffix!r}", text, needle)
    forms = _str_list(item.get("forms"), "forms", path, text, needle)
    if not forms:
        raise _err(path, f"{where}: at least one {what} is required", text, needle)
    return str(suffix), forms


def _composed_source(cid: str, t: Template, country: CountryDef) -> SourceDef:
    """The source ``t`` × ``country`` (for :func:`rasd.actors._compose_with`)."""
    return SourceDef(cid, country.fill(t.name), t.kind, tuple(country.fill(a) for a in t.accept), country.code, t.id)


def _load_cues(path: Path) -> tuple[dict[str, CueDef], list[tuple[str, str, str]]]:
    items, text = _read_items(path, "cues", key="cues")
    cues: dict[str, CueDef] = {}
    forms: list[tuple[str, str, str]] = []
    for item in items:
        cid, where, needle = _entry_id(item, path, text, "cue", cues)
        position = item.get("position")
        if position not in CUE_POSITIONS:
            raise _err(path, f"{where}: unknown position {position!r} (one of {sorted(CUE_POSITIONS)})", text, needle)
        suffix, own = _suffixed_forms(item, path, text, where, needle, "form")
        cues[cid] = CueDef(cid, position, bool(item.get("hedge", False)), str(item.get("note") or ""))
        forms.extend((f, cid, suffix) for f in own)
    return cues, forms
