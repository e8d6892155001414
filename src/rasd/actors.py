"""The actor lexicon: canonical conflict actors, their Arabic surface forms, and country data.

Data lives in ``resources/data/actors/`` (see its ``README.md``):

* ``countries.yaml`` — ~80 countries: ISO2 code, English names, capitals; the Arabic names and nisba
  stems of every country come from the shared table ``countries/countries.tsv`` (:mod:`rasd.countries`);
* ``actors.yaml`` — named actors (state forces, armed groups, generic crowds...) with forms;
* ``templates.yaml`` — head phrases composed with every country at load time ("قوات {adj}" ×
  Russia → "Military Forces of Russia"), so unseen combinations still get a sensible name.

:meth:`ActorLexicon.entries` yields ``(surface form, actor id, suffix class)`` triples ready for
``rasd.text.match.Matcher``; :meth:`ActorLexicon.get` returns the :class:`ActorDef` of an id
(explicit ids such as ``"us_forces"`` or composed ids such as ``"composed:military:RU"``).

Some forms name no country of their own ("الجيش", "المدنيين", "داعش"): they are *generic* and
:meth:`ActorLexicon.localize` turns them into the actor of the event's country. ``inter`` follows
ACLED (1 state forces ... 8 external forces); state forces are stored with 1 and
:meth:`ActorLexicon.inter_in` gives 8 for a state force acting outside its own country.

Loading is pure (no module-level state): callers cache the lexicon (``resources.loader`` does).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml

from .countries import read_countries
from .errors import ResourceError
from .text.match import SUFFIXES, variants
from .text.normalize import fold
from .types import Inter

__all__ = [
    "ACTOR_KINDS",
    "DATA_DIR",
    "INTER_CODES",
    "ActorDef",
    "ActorLexicon",
    "CountryDef",
    "LexiconError",
    "Template",
    "load_countries",
]

DATA_DIR = Path(__file__).parent / "resources" / "data" / "actors"

#: ACLED actor types ("inter" codes).
INTER_CODES: dict[int, str] = {
    1: "State Forces",
    2: "Rebel Groups",
    3: "Political Militias",
    4: "Identity Militias",
    5: "Rioters",
    6: "Protesters",
    7: "Civilians",
    8: "External/Other Forces",
}

#: Allowed values of ``ActorDef.kind``.
ACTOR_KINDS = frozenset(
    {
        "state",  # military forces (and coalitions led by a state)
        "police",  # police, gendarmerie, security services
        "government",  # authorities / government as an actor
        "group",  # named non-state armed group
        "backed",  # militias backed by a foreign state ("Iran-backed militias")
        "party",  # political party or movement (no armed wing of its own)
        "civilians",
        "protesters",
        "rioters",
        "communal",  # identity / tribal / settler militias
        "unidentified",
        "international",  # multinational missions (NATO, AMISOM, UN peacekeepers)
    }
)

_ID_RE = re.compile(r"^[a-z0-9_]+$")
_CODE_RE = re.compile(r"^[A-Z]{2}$")
_SLOT_RE = re.compile(r"\{(adj|country|l_country|adv)\}")
_MID_ADJ_ENDINGS = ("", "ة", "ين", "ون")
COMPOSED_PREFIX = "composed:"
# libyaml's safe loader when available (same semantics as yaml.safe_load, ~10x faster).
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LexiconError(ResourceError, ValueError):
    """A lexicon file is malformed. Both a :class:`~rasd.errors.ResourceError` and a ``ValueError``;
    the message names the file (and line when known) and the offending entry."""


@dataclass(frozen=True, slots=True)
class CountryDef:
    """One country: ISO2 code, English names for canonical names, Arabic names and nisbas."""

    code: str
    name_en: str  # "United States"
    of: str  # "the United States" (after "Military Forces of")
    short: str  # "US" (in "US-backed militias")
    adj_en: str  # "US", "Syrian" (in source names: "Syrian military source")
    names: tuple[str, ...]  # Arabic names: الولايات المتحدة، أمريكا...
    adj: tuple[str, ...]  # nisba stems: أمريكي، أميركي
    capitals: tuple[str, ...] = ()  # metonyms: واشنطن
    ambiguous: tuple[str, ...] = ()  # forms not indexed on their own
    adj_ambiguous: bool = False  # nisba too ambiguous to compose with

    def fill(self, pattern: str) -> str:
        """``pattern`` with ``{name}``, ``{of}``, ``{short}`` and ``{adj_en}`` filled in."""
        return pattern.format(name=self.name_en, of=self.of, short=self.short, adj_en=self.adj_en)


@dataclass(frozen=True, slots=True)
class ActorDef:
    """A canonical actor (explicit in ``actors.yaml`` or composed from a template)."""

    id: str
    name: str
    inter: int | None
    country: str | None
    accept: tuple[str, ...]
    kind: str
    template: str | None = None  # template it instantiates / fills / (when generic) localizes with
    generic: bool = False  # country comes from context: see ActorLexicon.localize
    by_country: tuple[tuple[str, str], ...] = ()  # ISO2 -> actor id overrides for localize
    source_name: str | None = None  # name to use when the actor is cited as a source
    note: str = ""

    @property
    def composed(self) -> bool:
        """True for actors generated from a template (ids ``composed:<template>:<ISO2>``)."""
        return self.id.startswith(COMPOSED_PREFIX)


@dataclass(frozen=True, slots=True)
class Template:
    """A composition template: head phrases with country slots → one canonical name pattern."""

    id: str
    name: str
    kind: str
    inter: int | None
    accept: tuple[str, ...]
    forms: tuple[str, ...]
    countries: tuple[str, ...] | None = None  # None = every country
    capitals: bool = False


def _err(file: Path, reason: str, text: str | None = None, needle: str | None = None) -> LexiconError:
    line = None
    if text is not None and needle:
        m = re.search(re.escape(needle.rstrip("\n")) + r"(?![A-Za-z0-9_])", text)
        if m is not None:
            line = text.count("\n", 0, m.start()) + 1
    return LexiconError(str(file), reason, line=line)


def _read_yaml(path: Path) -> tuple[Any, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LexiconError(str(path), f"cannot read: {exc}") from exc
    try:
        return yaml.load(text, Loader=YAML_LOADER), text
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise LexiconError(str(path), f"invalid YAML: {exc}", line=line) from exc


def _str_list(value: Any, what: str, file: Path, text: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _err(file, f"{key}: {what} must be a list of non-empty strings", text, key)
    return tuple(v.strip() for v in value)


def _read_items(path: Path, what: str, key: str | None = None) -> tuple[list[Any], str]:
    """The entries of a lexicon file (its top-level list, or with ``key`` the ``key`` list of its
    top-level mapping) and the file's text."""
    data, text = _read_yaml(path)
    if key is not None:
        data = data.get(key) if isinstance(data, dict) else None
    if not isinstance(data, list):
        expected = f"a mapping with a {key!r} list" if key is not None else f"a list of {what}"
        raise LexiconError(str(path), f"expected {expected}")
    return data, text


def _entry_id(
    item: Any, path: Path, text: str, noun: str, seen: Collection[str], allowed: Collection[str] | None = None
) -> tuple[str, str, str]:
    """Validate the ``id`` of a lexicon entry (a valid id not in ``seen``, and with ``allowed`` no
    other fields); returns ``(id, where, needle)``: the id, ``"<noun> <id>"`` for messages and the
    text :func:`_err` looks for to give the line."""
    eid = item.get("id") if isinstance(item, dict) else None
    if not isinstance(eid, str) or not _ID_RE.match(eid):
        raise _err(path, f"{noun} with a missing or invalid id: {eid!r} (lowercase a-z, 0-9, _)")
    where = f"{noun} {eid}"
    needle = f"id: {eid}"
    if eid in seen:
        raise _err(path, f"{where}: duplicate id", text, needle)
    unknown = set(item) - set(allowed) if allowed is not None else set()
    if unknown:
        raise _err(path, f"{where}: unknown field(s) {sorted(unknown)}", text, needle)
    return eid, where, needle


def load_countries(path: Path | None = None, table: Path | None = None) -> dict[str, CountryDef]:
    """Read and validate ``countries.yaml`` (default: the bundled one) with the Arabic names and
    nisbas of the shared country table ``table`` (default: ``countries/countries.tsv`` beside the
    actors folder, else the bundled one); ISO2 → :class:`CountryDef`. Every country of the table
    with an Arabic name is known: those ``countries.yaml`` does not list take their English names
    from the table's ACLED name."""
    path = Path(path) if path else DATA_DIR / "countries.yaml"
    if table is None:
        beside = path.parent.parent / "countries" / "countries.tsv"
        table = beside if beside.exists() else None
    shared = read_countries(table)
    data, text = _read_items(path, "countries")
    out: dict[str, CountryDef] = {}
    seen_forms: dict[str, str] = {}
    listed = {item.get("code") for item in data if isinstance(item, dict)}
    for c in shared.values():
        if c.code not in listed and c.names:
            data.append({"code": c.code, "name_en": c.acled_name, "adj_en": c.acled_name})
    for item in data:
        if not isinstance(item, dict) or not isinstance(item.get("code"), str):
            raise _err(path, f"country entry without a code: {item!r}")
        code = item["code"]
        where = f"country {code}"
        if not _CODE_RE.match(code):
            raise _err(path, f"{where}: code must be ISO 3166-1 alpha-2", text, f"code: {code}")
        if code in out:
            raise _err(path, f"{where}: duplicate code", text, f"code: {code}")
        for field in ("name_en", "adj_en"):
            if not isinstance(item.get(field), str) or not item[field]:
                raise _err(path, f"{where}: missing {field}", text, f"code: {code}")
        if "names" in item or "adj" in item:
            raise _err(path, f"{where}: Arabic names and nisbas come from countries/countries.tsv", text,
                       f"code: {code}")  # fmt: skip
        row = shared.get(code)
        names = row.names if row else ()
        if not names:
            raise _err(path, f"{where}: no Arabic name in countries/countries.tsv", text, f"code: {code}")
        country = CountryDef(
            code=code,
            name_en=item["name_en"],
            of=item.get("of") or item["name_en"],
            short=item.get("short") or item["name_en"],
            adj_en=item["adj_en"],
            names=names,
            adj=row.adj if row else (),
            capitals=_str_list(item.get("capitals"), "capitals", path, text, f"code: {code}"),
            ambiguous=_str_list(item.get("ambiguous"), "ambiguous", path, text, f"code: {code}"),
            adj_ambiguous=bool(item.get("adj_ambiguous", False)),
        )
        for form in (*country.names, *country.adj):
            key = _key(form)
            other = seen_forms.get(key)
            if other is not None and other != code:
                raise _err(path, f"{where}: form {form!r} already belongs to {other}", text, f"code: {code}")
            seen_forms[key] = code
        out[code] = country
    return out


def _key(form: str) -> str:
    """A canonical folded key for duplicate detection (the article-free variant)."""
    keys = sorted(variants(form), key=len)
    return keys[0] if keys else form


def _with_l(name: str) -> str:
    """Attach the preposition ل to a name as Arabic writes it: إيران → لإيران, الولايات → للولايات."""
    first, _, rest = name.partition(" ")
    first = "ل" + first[1:] if first.startswith("ال") else "ل" + first
    return f"{first} {rest}" if rest else first


class ActorLexicon:
    """Canonical actors, their surface forms (explicit and composed), and country data.

    Build with :meth:`load`; the object is immutable afterwards.
    """

    def __init__(
        self,
        actors: Mapping[str, ActorDef],
        forms: Iterable[tuple[str, str, str]],
        countries: Mapping[str, CountryDef],
        templates: Mapping[str, Template],
        aliases: Mapping[str, str],
    ) -> None:
        self._actors = dict(actors)
        self._forms = tuple(forms)
        self._countries = dict(countries)
        self._templates = dict(templates)
        self._aliases = dict(aliases)  # composed id -> explicit id that fills it
        self._nisbas = frozenset(  # folded nisba stems: "اسراييلي" in "قصف إسرائيلي"
            fold(stem) for c in self._countries.values() if not c.adj_ambiguous for stem in c.adj
        )

    # ----------------------------------------------------------------------------- loading
    @classmethod
    def load(cls, data_dir: Path | None = None) -> ActorLexicon:
        """Load and validate ``countries.yaml``, ``actors.yaml`` and ``templates.yaml`` from
        ``data_dir`` (default: the bundled data). Raises :class:`LexiconError` (a ``ValueError``)
        naming the file, line and actor id on bad data."""
        data_dir = Path(data_dir) if data_dir else DATA_DIR
        countries = load_countries(data_dir / "countries.yaml")
        templates = _load_templates(data_dir / "templates.yaml", countries)
        actors, forms, fills = _load_actors(data_dir / "actors.yaml", countries, templates)
        composed, composed_forms, aliases = _compose(templates, countries, fills, forms)
        all_actors = {**actors, **composed}
        _check_references(data_dir / "actors.yaml", all_actors)
        return cls(all_actors, _final_forms(forms, composed_forms), countries, templates, aliases)

    # ----------------------------------------------------------------------------- queries
    def entries(self) -> Iterator[tuple[str, str, str]]:
        """Every ``(Arabic surface form, actor id, suffix class)``, explicit then composed."""
        return iter(self._forms)

    def get(self, actor_id: str) -> ActorDef:
        """The :class:`ActorDef` of an explicit or composed id (``KeyError`` if unknown)."""
        actor_id = self._aliases.get(actor_id, actor_id)
        return self._actors[actor_id]

    def __contains__(self, actor_id: object) -> bool:
        return isinstance(actor_id, str) and (actor_id in self._actors or actor_id in self._aliases)

    def __len__(self) -> int:
        return len(self._actors)

    def actors(self, *, composed: bool = True) -> Iterator[ActorDef]:
        """All actor definitions (explicit first); ``composed=False`` leaves out composed ones."""
        for a in self._actors.values():
            if composed or not a.composed:
                yield a

    def templates(self) -> dict[str, Template]:
        """Template id → :class:`Template`."""
        return dict(self._templates)

    def countries(self) -> dict[str, CountryDef]:
        """ISO2 → :class:`CountryDef` (names, demonyms)."""
        return dict(self._countries)

    def country_entries(self) -> Iterator[tuple[str, str, str]]:
        """``(Arabic country name or nisba stem, ISO2, suffix class)``; names take no suffix,
        nisbas take the ``adj`` class (سوري → السورية، السوريين). Ambiguous forms are left out."""
        for c in self._countries.values():
            skip = set(c.ambiguous)
            for name in c.names:
                if name not in skip:
                    yield name, c.code, "none"
            if not c.adj_ambiguous:
                for stem in c.adj:
                    if stem not in skip:
                        yield stem, c.code, "adj"

    def is_nisba(self, folded_form: str) -> bool:
        """Whether a matched country form (folded, as in ``Mention.form``) is a nisba adjective
        ("إسرائيلي") rather than the country's name ("إسرائيل")."""
        return folded_form in self._nisbas

    def composed_id(self, template: str, country: str) -> str:
        """The id standing for ``template`` × ``country``: the explicit actor that fills it
        (``military``, ``US`` → ``"us_forces"``) or ``"composed:<template>:<ISO2>"``."""
        cid = f"{COMPOSED_PREFIX}{template}:{country}"
        return self._aliases.get(cid, cid)

    def localize(self, actor_id: str, country: str | None) -> ActorDef:
        """Resolve an actor for an event in ``country``: a ``by_country`` override if any, else for
        a generic actor the composed actor of its template ("الجيش" + EG → Military Forces of
        Egypt), else the actor itself."""
        actor = self.get(actor_id)
        if not country:
            return actor
        overrides = dict(actor.by_country)
        if country in overrides:
            return self.get(overrides[country])
        if actor.generic and actor.template:
            cid = self.composed_id(actor.template, country)
            if cid in self:
                return self.get(cid)
        return actor

    def inter_in(self, actor_id: str, country: str | None) -> int | None:
        """ACLED inter of the actor for an event in ``country``: state and police forces acting
        outside their own country are external forces (8)."""
        actor = self.get(actor_id)
        if (
            actor.inter == Inter.STATE
            and actor.kind in ("state", "police")
            and actor.country
            and country
            and actor.country != country
        ):
            return Inter.EXTERNAL
        return actor.inter

    def source_name(self, actor_id: str, country: str | None = None) -> str:
        """The name to list when the actor is cited as a source ("قال الجيش الأمريكي" →
        "US military"): its ``source_name``, or for state forces "<adj> military/police/government".
        A generic actor ("الجيش") is first localized to ``country`` when one is given."""
        actor = self.localize(actor_id, country) if country else self.get(actor_id)
        if actor.source_name:
            return actor.source_name
        country = self._countries.get(actor.country or "")
        if country is not None:
            suffix = {"state": "military", "police": "police", "government": "government"}.get(actor.kind)
            if suffix:
                return f"{country.adj_en} {suffix}"
        return actor.name


# --------------------------------------------------------------------------------- internals
def _load_templates(
    path: Path, countries: Mapping[str, CountryDef], kinds: Collection[str] = ACTOR_KINDS
) -> dict[str, Template]:
    """Read and validate a ``templates.yaml`` (of actors, or with ``kinds`` of another lexicon)."""
    items, text = _read_items(path, "templates", key="templates")
    out: dict[str, Template] = {}
    sample = next(iter(countries.values()))
    for item in items:
        tid, where, needle = _entry_id(item, path, text, "template", out)
        name = item.get("name")
        if not isinstance(name, str) or not name:
            raise _err(path, f"{where}: missing name", text, needle)
        kind = item.get("kind")
        if kind not in kinds:
            raise _err(path, f"{where}: unknown kind {kind!r}", text, needle)
        inter = _inter(item.get("inter"), path, where, text, needle)
        forms = _str_list(item.get("forms"), "forms", path, text, needle)
        if not forms:
            raise _err(path, f"{where}: at least one form is required", text, needle)
        for f in forms:
            if not _SLOT_RE.search(f):
                raise _err(path, f"{where}: form {f!r} has no country slot", text, needle)
            bad = set(re.findall(r"\{([^}]*)\}", f)) - {"adj", "country", "l_country", "adv"}
            if bad:
                raise _err(path, f"{where}: form {f!r} has unknown slot(s) {sorted(bad)}", text, needle)
        codes = item.get("countries")
        if codes is not None:
            codes = _str_list(codes, "countries", path, text, needle)
            unknown = [c for c in codes if c not in countries]
            if unknown:
                raise _err(path, f"{where}: unknown countries {unknown}", text, needle)
        accept = _str_list(item.get("accept"), "accept", path, text, needle)
        for pattern in (name, *accept):
            try:
                sample.fill(pattern)
            except (KeyError, IndexError, ValueError) as exc:
                raise _err(path, f"{where}: bad placeholder in {pattern!r}: {exc}", text, needle) from exc
        out[tid] = Template(
            id=tid,
            name=name,
            kind=kind,
            inter=inter,
            accept=accept,
            forms=forms,
            countries=codes,
            capitals=bool(item.get("capitals", False)),
        )
    return out


def _entry_fields(
    item: dict[str, Any],
    path: Path,
    text: str,
    where: str,
    needle: str,
    kinds: Collection[str],
    countries: Mapping[str, CountryDef],
    templates: Mapping[str, Template],
    fills: dict[tuple[str, str], str],
) -> tuple[str, str, str | None, str | None, bool]:
    """Validate the fields actor and source entries share: ``name``, ``kind``, ``country``,
    ``template``, ``generic`` and ``fills`` (recorded in ``fills``); returns ``(stripped name, kind,
    country, template, generic)``, the template being the first filled one when none is given."""
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _err(path, f"{where}: missing name", text, needle)
    kind = item.get("kind")
    if kind not in kinds:
        raise _err(path, f"{where}: unknown kind {kind!r} (one of {sorted(kinds)})", text, needle)
    country = item.get("country")
    if country is not None and country not in countries:
        raise _err(path, f"{where}: unknown country {country!r}", text, needle)
    template = item.get("template")
    if template is not None and template not in templates:
        raise _err(path, f"{where}: unknown template {template!r}", text, needle)
    generic = bool(item.get("generic", False))
    if generic and (template is None or country is not None):
        noun = where.split(" ", 1)[0]
        raise _err(path, f"{where}: a generic {noun} needs a template and no country", text, needle)
    for tid in _str_list(item.get("fills"), "fills", path, text, needle):
        if tid not in templates:
            raise _err(path, f"{where}: fills unknown template {tid!r}", text, needle)
        if country is None:
            raise _err(path, f"{where}: fills {tid!r} but has no country", text, needle)
        if (tid, country) in fills:
            raise _err(path, f"{where}: {tid}:{country} is already filled by {fills[(tid, country)]}", text, needle)
        fills[(tid, country)] = item["id"]
        template = template or tid
    return name.strip(), kind, country, template, generic


def _inter(value: Any, path: Path, where: str, text: str, needle: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value not in INTER_CODES:
        raise _err(path, f"{where}: unknown inter code {value!r} (expected 1-8 or null)", text, needle)
    return value


#: Fields of actor and source entries checked by :func:`_entry_id` and :func:`_entry_fields`.
_ENTRY_FIELDS = frozenset({"id", "name", "kind", "accept", "forms", "country", "template", "generic", "fills", "note"})
_ACTOR_FIELDS = _ENTRY_FIELDS | {"inter", "by_country", "source_name"}


def _load_actors(
    path: Path, countries: Mapping[str, CountryDef], templates: Mapping[str, Template]
) -> tuple[dict[str, ActorDef], list[tuple[str, str, str]], dict[tuple[str, str], str]]:
    data, text = _read_items(path, "actors")
    actors: dict[str, ActorDef] = {}
    forms: list[tuple[str, str, str]] = []
    fills: dict[tuple[str, str], str] = {}
    owner: dict[str, tuple[str, str]] = {}  # folded key -> (actor id, form)
    for item in data:
        aid, where, needle = _entry_id(item, path, text, "actor", actors, _ACTOR_FIELDS)
        name, kind, country, template, generic = _entry_fields(
            item, path, text, where, needle, ACTOR_KINDS, countries, templates, fills
        )
        inter = _inter(item.get("inter"), path, where, text, needle)
        by_country = item.get("by_country") or {}
        if not isinstance(by_country, dict) or not all(
            isinstance(k, str) and k in countries and isinstance(v, str) for k, v in by_country.items()
        ):
            raise _err(path, f"{where}: by_country must map known ISO2 codes to actor ids", text, needle)
        raw_forms = item.get("forms")
        if not isinstance(raw_forms, list) or not raw_forms:
            raise _err(path, f"{where}: at least one Arabic form is required", text, needle)
        for raw in raw_forms:
            form, suffix = _form(raw, path, where, text, needle)
            _claim(owner, variants(form), aid, form, path, text, where, needle)
            forms.append((form, aid, suffix))
        actors[aid] = ActorDef(
            id=aid,
            name=name,
            inter=inter,
            country=country,
            accept=_str_list(item.get("accept"), "accept", path, text, needle),
            kind=kind,
            template=template,
            generic=generic,
            by_country=tuple(sorted(by_country.items())),
            source_name=item.get("source_name"),
            note=" ".join(str(item.get("note") or "").split()),
        )
    return actors, forms, fills


def _claim(
    owner: dict[str, tuple[str, str]],
    keys: Iterable[str],
    ref: str,
    form: str,
    path: Path,
    text: str,
    where: str,
    needle: str,
) -> None:
    """Record ``form`` of entry ``ref`` under its matcher ``keys`` in ``owner`` (key → (id, form)),
    refusing a key another entry already owns."""
    for key in keys:
        prev = owner.get(key)
        if prev is not None and prev[0] != ref:
            noun = where.split(" ", 1)[0]
            raise _err(path, f"{where}: form {form!r} duplicates {prev[1]!r} of {noun} {prev[0]}", text, needle)
        owner[key] = (ref, form)


def _form(raw: Any, path: Path, where: str, text: str, needle: str) -> tuple[str, str]:
    if isinstance(raw, str) and raw.strip():
        return raw.strip(), "none"
    if isinstance(raw, dict) and isinstance(raw.get("form"), str) and raw["form"].strip():
        suffix = raw.get("suffix", "none")
        if suffix not in SUFFIXES:
            raise _err(path, f"{where}: unknown suffix class {suffix!r} (one of {sorted(SUFFIXES)})", text, needle)
        return raw["form"].strip(), suffix
    raise _err(path, f"{where}: bad form {raw!r}", text, needle)


def _check_references(path: Path, actors: Mapping[str, ActorDef]) -> None:
    text = path.read_text(encoding="utf-8")
    for a in actors.values():
        for code, target in a.by_country:
            if target not in actors:
                raise _err(path, f"actor {a.id}: by_country {code} -> unknown actor {target!r}", text, f"id: {a.id}")


def _final_forms(
    explicit: list[tuple[str, str, str]], composed: list[tuple[str, str, str]]
) -> list[tuple[str, str, str]]:
    """Explicit forms (plus their hashtag spelling, "حركة_الشباب") then composed forms. An explicit
    form that a composed "adj" form of the same actor already covers is dropped (the "adj" suffix
    class is a superset of "none"), so one mention does not come out twice."""
    out: list[tuple[str, str, str]] = []
    for form, ref, suffix in _uncovered(explicit, composed):
        out.append((form, ref, suffix))
        words = form.split()
        if 1 < len(words) <= 3:
            out.append(("_".join(words), ref, suffix))
    out.extend(composed)
    return out


def _uncovered(
    explicit: Iterable[tuple[str, str, str]], composed: Iterable[tuple[str, str, str]]
) -> list[tuple[str, str, str]]:
    """The explicit ``(form, id, suffix class)`` entries that no composed "adj" entry of the same
    id covers (it would match the same mentions)."""
    covered = {(_bare(fold(f)), ref) for f, ref, suffix in composed if suffix == "adj"}
    return [x for x in explicit if x[2] != "none" or (_bare(fold(x[0])), x[1]) not in covered]


def _bare(folded: str) -> str:
    """A folded form with every word's leading article removed: two forms share a matcher key
    (see ``match.variants``) exactly when their bare keys are equal."""
    return " ".join(t[2:] if t.startswith("ال") and len(t) > 3 else t for t in folded.split())


def _slot_values(country: CountryDef, slot: str, with_capitals: bool) -> list[str]:
    skip = set(country.ambiguous)
    if slot in ("adj", "adv"):
        if country.adj_ambiguous:
            return []
        stems = [a for a in country.adj if a not in skip]
        return stems if slot == "adj" else [s + "ا" for s in stems]
    names = [n for n in country.names if n not in skip]
    if with_capitals:
        names += [c for c in country.capitals if c not in skip]
    return names if slot == "country" else [_with_l(n) for n in names]


def _expand(form: str, country: CountryDef, with_capitals: bool) -> Iterator[tuple[str, str, str]]:
    """Concrete ``(form, suffix class, bare key)`` of one template form for one country."""
    slot = _SLOT_RE.search(form)
    assert slot is not None
    name, token = slot.group(1), slot.group(0)
    at_end = form.rstrip().endswith(token)
    folded = fold(form)  # the ASCII slot token survives folding
    for value in _slot_values(country, name, with_capitals):
        fvalue = fold(value)
        if name == "adj" and not at_end:
            for ending in _MID_ADJ_ENDINGS:
                yield form.replace(token, value + ending), "none", _bare(folded.replace(token, fvalue + fold(ending)))
        else:
            suffix = "adj" if (name == "adj" and at_end) else "none"
            yield form.replace(token, value), suffix, _bare(folded.replace(token, fvalue))


_Def = TypeVar("_Def")


def _compose_with(
    templates: Mapping[str, Template],
    countries: Mapping[str, CountryDef],
    fills: Mapping[tuple[str, str], str],
    explicit_forms: Iterable[tuple[str, str, str]],
    make: Callable[[str, Template, CountryDef], _Def],
) -> tuple[dict[str, _Def], list[tuple[str, str, str]], dict[str, str]]:
    """Expand every template × country into composed definitions (``make(id, template, country)``,
    unless an explicit entry fills the pair: then an alias to it) and surface forms. A composed
    form that shares its matcher key with an explicit form of another entry is dropped (explicit
    wins). Serves actors and sources alike."""
    explicit_keys: dict[str, str] = {}
    for form, eid, _ in explicit_forms:
        explicit_keys.setdefault(_bare(fold(form)), eid)
    defs: dict[str, _Def] = {}
    forms: list[tuple[str, str, str]] = []
    aliases: dict[str, str] = {}
    seen: set[tuple[str, str]] = set()
    for t in templates.values():
        codes = t.countries if t.countries is not None else tuple(countries)
        for code in codes:
            country = countries[code]
            cid = f"{COMPOSED_PREFIX}{t.id}:{code}"
            target = fills.get((t.id, code))
            if target is not None:
                aliases[cid] = target
            else:
                defs[cid] = make(cid, t, country)
            ref = target or cid
            for pattern in t.forms:
                for form, suffix, key in _expand(pattern, country, t.capitals):
                    if explicit_keys.get(key, ref) != ref or (form, ref) in seen:
                        continue
                    seen.add((form, ref))
                    forms.append((form, ref, suffix))
    return defs, forms, aliases


def _compose(
    templates: Mapping[str, Template],
    countries: Mapping[str, CountryDef],
    fills: Mapping[tuple[str, str], str],
    explicit_forms: Iterable[tuple[str, str, str]],
) -> tuple[dict[str, ActorDef], list[tuple[str, str, str]], dict[str, str]]:
    """Composed actors (see :func:`_compose_with`)."""

    def make(cid: str, t: Template, country: CountryDef) -> ActorDef:
        return ActorDef(
            id=cid,
            name=country.fill(t.name),
            inter=t.inter,
            country=country.code,
            accept=tuple(country.fill(a) for a in t.accept),
            kind=t.kind,
            template=t.id,
        )

    return _compose_with(templates, countries, fills, explicit_forms, make)
