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

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .actors import (
    COMPOSED_PREFIX,
    CountryDef,
    LexiconError,
    _bare,
    _err,
    _expand,
    _read_yaml,
    _str_list,
    load_countries,
)
from .actors import (
    DATA_DIR as ACTORS_DATA_DIR,
)
from .pipeline.match import SUFFIXES
from .pipeline.normalize import fold

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
#: Allowed values of ``CueDef.position`` (see ``cue_verbs.yaml``).
CUE_POSITIONS = frozenset({"before", "prep", "statement", "after"})

_ID_RE = re.compile(r"^[a-z0-9_]+$")
_SLOT_RE = re.compile(r"\{(adj|country|l_country|adv)\}")
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


@dataclass(frozen=True, slots=True)
class CueDef:
    """A citation cue: ``position`` says where its source stands (before | prep | statement | after)."""

    id: str
    position: str
    hedge: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class _SourceTemplate:
    id: str
    name: str
    kind: str
    accept: tuple[str, ...]
    forms: tuple[str, ...]
    countries: tuple[str, ...] | None
    capitals: bool


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
        templates = _load_templates(data_dir / "templates.yaml", countries)
        sources, forms, fills = _load_sources(data_dir / "sources.yaml", countries, templates)
        composed, composed_forms, aliases = _compose(templates, countries, fills, forms)
        cues, cue_forms = _load_cues(data_dir / "cue_verbs.yaml")
        # an explicit form that a composed "adj" form of the same source covers would match twice
        covered = {(_bare(fold(f)), ref) for f, ref, suffix in composed_forms if suffix == "adj"}
        forms = [x for x in forms if x[2] != "none" or (_bare(fold(x[0])), x[1]) not in covered]
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
def _load_templates(path: Path, countries: Mapping[str, CountryDef]) -> dict[str, _SourceTemplate]:
    data, text = _read_yaml(path)
    items = data.get("templates") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise LexiconError(str(path), "expected a mapping with a 'templates' list")
    out: dict[str, _SourceTemplate] = {}
    sample = next(iter(countries.values()))
    for item in items:
        tid = item.get("id") if isinstance(item, dict) else None
        if not isinstance(tid, str) or not _ID_RE.match(tid):
            raise _err(path, f"template with a missing or invalid id: {tid!r}")
        needle = f"id: {tid}"
        where = f"template {tid}"
        if tid in out:
            raise _err(path, f"{where}: duplicate id", text, needle)
        if item.get("kind") not in SOURCE_KINDS:
            raise _err(path, f"{where}: unknown kind {item.get('kind')!r}", text, needle)
        name = item.get("name")
        accept = _str_list(item.get("accept"), "accept", path, text, needle)
        for pattern in (name, *accept):
            try:
                sample.fill(str(pattern))
            except (KeyError, IndexError, ValueError) as exc:
                raise _err(path, f"{where}: bad placeholder in {pattern!r}: {exc}", text, needle) from exc
        forms = _str_list(item.get("forms"), "forms", path, text, needle)
        if not forms or not all(_SLOT_RE.search(f) for f in forms):
            raise _err(path, f"{where}: every form needs a country slot", text, needle)
        codes = item.get("countries")
        if codes is not None:
            codes = _str_list(codes, "countries", path, text, needle)
            if any(c not in countries for c in codes):
                raise _err(path, f"{where}: unknown countries in {codes}", text, needle)
        out[tid] = _SourceTemplate(tid, str(name), item["kind"], accept, forms, codes, bool(item.get("capitals")))
    return out


def _load_sources(
    path: Path, countries: Mapping[str, CountryDef], templates: Mapping[str, _SourceTemplate]
) -> tuple[dict[str, SourceDef], list[tuple[str, str, str]], dict[tuple[str, str], str]]:
    data, text = _read_yaml(path)
    if not isinstance(data, list):
        raise LexiconError(str(path), "expected a list of sources")
    sources: dict[str, SourceDef] = {}
    forms: list[tuple[str, str, str]] = []
    fills: dict[tuple[str, str], str] = {}
    owner: dict[str, tuple[str, str]] = {}
    allowed = {
        "id",
        "name",
        "kind",
        "accept",
        "forms",
        "country",
        "template",
        "generic",
        "fills",
        "correspondent",
        "suffix",
        "note",
    }
    for item in data:
        sid = item.get("id") if isinstance(item, dict) else None
        if not isinstance(sid, str) or not _ID_RE.match(sid):
            raise _err(path, f"source with a missing or invalid id: {sid!r}")
        where = f"source {sid}"
        needle = f"id: {sid}"
        if sid in sources:
            raise _err(path, f"{where}: duplicate id", text, needle)
        unknown = set(item) - allowed
        if unknown:
            raise _err(path, f"{where}: unknown field(s) {sorted(unknown)}", text, needle)
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _err(path, f"{where}: missing name", text, needle)
        kind = item.get("kind")
        if kind not in SOURCE_KINDS:
            raise _err(path, f"{where}: unknown kind {kind!r} (one of {sorted(SOURCE_KINDS)})", text, needle)
        country = item.get("country")
        if country is not None and country not in countries:
            raise _err(path, f"{where}: unknown country {country!r}", text, needle)
        template = item.get("template")
        if template is not None and template not in templates:
            raise _err(path, f"{where}: unknown template {template!r}", text, needle)
        generic = bool(item.get("generic", False))
        if generic and (template is None or country is not None):
            raise _err(path, f"{where}: a generic source needs a template and no country", text, needle)
        for tid in _str_list(item.get("fills"), "fills", path, text, needle):
            if tid not in templates or country is None:
                raise _err(path, f"{where}: fills needs a known template and a country", text, needle)
            if (tid, country) in fills:
                raise _err(path, f"{where}: {tid}:{country} already filled by {fills[(tid, country)]}", text, needle)
            fills[(tid, country)] = sid
            template = template or tid
        suffix = item.get("suffix", "none")
        if suffix not in SUFFIXES:
            raise _err(path, f"{where}: unknown suffix class {suffix!r}", text, needle)
        own_forms = _str_list(item.get("forms"), "forms", path, text, needle)
        if not own_forms:
            raise _err(path, f"{where}: at least one Arabic form is required", text, needle)
        accept = _str_list(item.get("accept"), "accept", path, text, needle)
        entries: list[tuple[str, str]] = [(f, sid) for f in own_forms]
        if item.get("correspondent"):
            target = sid
            if kind != "agency":
                target = f"{sid}:correspondent"
                sources[target] = SourceDef(target, f"{name.strip()} correspondent", kind, (name.strip(),), country)
            entries += [(f"{head} {f}", target) for f in own_forms for head in _CORRESPONDENT_HEADS]
        for form, ref in entries:
            key = _bare(fold(form))
            prev = owner.get(key)
            if prev is not None and prev[0] != ref:
                raise _err(path, f"{where}: form {form!r} duplicates {prev[1]!r} of source {prev[0]}", text, needle)
            owner[key] = (ref, form)
            forms.append((form, ref, suffix))
        sources[sid] = SourceDef(
            id=sid,
            name=name.strip(),
            kind=kind,
            accept=accept,
            country=country,
            template=template,
            generic=generic,
            note=" ".join(str(item.get("note") or "").split()),
        )
    return sources, forms, fills


def _compose(
    templates: Mapping[str, _SourceTemplate],
    countries: Mapping[str, CountryDef],
    fills: Mapping[tuple[str, str], str],
    explicit_forms: Iterable[tuple[str, str, str]],
) -> tuple[dict[str, SourceDef], list[tuple[str, str, str]], dict[str, str]]:
    explicit_keys: dict[str, str] = {}
    for form, sid, _ in explicit_forms:
        explicit_keys.setdefault(_bare(fold(form)), sid)
    sources: dict[str, SourceDef] = {}
    forms: list[tuple[str, str, str]] = []
    aliases: dict[str, str] = {}
    seen: set[tuple[str, str]] = set()
    for t in templates.values():
        for code in t.countries if t.countries is not None else tuple(countries):
            country = countries[code]
            cid = f"{COMPOSED_PREFIX}{t.id}:{code}"
            target = fills.get((t.id, code))
            if target is not None:
                aliases[cid] = target
            else:
                sources[cid] = SourceDef(
                    cid, country.fill(t.name), t.kind, tuple(country.fill(a) for a in t.accept), code, t.id
                )
            ref = target or cid
            for pattern in t.forms:
                for form, suffix, key in _expand(pattern, country, t.capitals):
                    if explicit_keys.get(key, ref) != ref or (form, ref) in seen:
                        continue
                    seen.add((form, ref))
                    forms.append((form, ref, suffix))
    return sources, forms, aliases


def _load_cues(path: Path) -> tuple[dict[str, CueDef], list[tuple[str, str, str]]]:
    data, text = _read_yaml(path)
    items = data.get("cues") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise LexiconError(str(path), "expected a mapping with a 'cues' list")
    cues: dict[str, CueDef] = {}
    forms: list[tuple[str, str, str]] = []
    for item in items:
        cid = item.get("id") if isinstance(item, dict) else None
        if not isinstance(cid, str) or not _ID_RE.match(cid):
            raise _err(path, f"cue with a missing or invalid id: {cid!r}")
        needle = f"id: {cid}"
        where = f"cue {cid}"
        if cid in cues:
            raise _err(path, f"{where}: duplicate id", text, needle)
        position = item.get("position")
        if position not in CUE_POSITIONS:
            raise _err(path, f"{where}: unknown position {position!r} (one of {sorted(CUE_POSITIONS)})", text, needle)
        suffix = item.get("suffix", "none")
        if suffix not in SUFFIXES:
            raise _err(path, f"{where}: unknown suffix class {suffix!r}", text, needle)
        own = _str_list(item.get("forms"), "forms", path, text, needle)
        if not own:
            raise _err(path, f"{where}: at least one form is required", text, needle)
        cues[cid] = CueDef(cid, position, bool(item.get("hedge", False)), str(item.get("note") or ""))
        forms.extend((f, cid, suffix) for f in own)
    return cues, forms
