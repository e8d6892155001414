"""Load every language resource once and compile them into one :class:`Resources` object.

Resources are plain data files under ``resources/data/`` (each folder documents its provenance);
this module validates them and compiles all surface forms into a single Aho-Corasick matcher
(``rasd.text.match.Matcher``). ``load_resources()`` caches one instance per process and data
directory; the pipeline receives it as an argument (no module-level dictionaries elsewhere).
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import hashlib
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..actors import YAML_LOADER, ActorLexicon
from ..errors import ResourceError
from ..geo.gazetteer import Gazetteer
from ..sources import SourceLexicon
from ..text.dates import Calendar
from ..text.match import Entry, Matcher
from ..text.normalize import fold
from ..text.numbers import NumberWords
from ..types import SUB_TO_TYPE

DATA_DIR = Path(__file__).parent / "data"

CUE_SUFFIX = {"agent_verbs": "verb", "killed": "verb", "injured": "noun"}
# Cue kinds that are word lists the pipeline looks words up in (``Resources.cues``), never
# searched for in the text: the matcher does not hold them.
WORD_LIST_CUES = frozenset({"singular_victims", "non_people", "dual_killed", "dual_injured"})
# The cue kinds from which ``pipeline.events`` makes a candidate without a trigger.
DEATH_CUES = ("killed_after", "killed_before")


def starts_events(entry: Entry) -> bool:
    """Whether a dictionary entry can start an event candidate (what ``Resources.screen`` holds)."""
    return entry.kind == "trigger" or (entry.kind == "cue" and entry.ref in DEATH_CUES)


@dataclass(frozen=True, slots=True)
class Trigger:
    sub: str  # ACLED sub-event type or "generic"
    weight: float
    form: str
    absorbable: bool = False
    # events.yaml "needs" and its companions: the trigger reports an event only in a conflict's context
    needs: str | None = None  # a cue kind anywhere in its sentence
    context_actors: frozenset[str] = frozenset()  # or an actor of these kinds in its sentence
    object: str | None = None  # or a cue kind right after it ("سيطرت على مواقع", "أوقفت خمسة أشخاص")
    place_object: bool = False  # or a named place right after it ("تحرير عدن")


@dataclass(frozen=True, slots=True)
class Modifier:
    sub: str
    rank: int


@dataclass(slots=True)
class Resources:
    matcher: Matcher
    screen: Matcher  # the matcher's entries that start an event (``pipeline.screen``)
    numbers: NumberWords
    calendar: Calendar
    gazetteer: Gazetteer
    actors: ActorLexicon
    sources: SourceLexicon
    triggers: dict[str, Trigger]
    modifiers: dict[str, Modifier]
    cues: dict[str, Any]
    absorbs: dict[str, frozenset[str]]
    instrument_subs: frozenset[str]
    country_places: dict[str, str]  # ISO2 → the gazetteer id of the country itself
    note_phrases: dict[str, dict[str, str]]  # sub-event type → {"target": ..., "alone": ...}
    confront_verbs: frozenset[str]  # folded forms: with a missile word, an interception
    affixes: dict[str, tuple[str, ...]]  # model/affixes.yaml: light stems of the lexical features
    types: dict[str, frozenset[str]]  # triggers/types.yaml: named groups of sub-event types
    model: Any = None  # model/decisions.json.gz: the learned decisions (rasd.learn.model.Model), or None
    decisions: str = "rules"  # "rules", or "learned": the model decides (RASD_DECISIONS, RASD_MODEL)

    @classmethod
    def load(cls, data_dir: Path | None = None) -> Resources:
        data_dir = Path(data_dir) if data_dir else DATA_DIR
        numbers = NumberWords.from_data(_yaml(data_dir / "numbers" / "numbers.yaml"))
        calendar = Calendar(_yaml(data_dir / "dates" / "calendar.yaml"), numbers)
        gazetteer = Gazetteer.load(data_dir / "places")
        actors = ActorLexicon.load(data_dir / "actors")
        sources = SourceLexicon.load(data_dir / "sources")
        matcher = Matcher()
        for form, place_id in gazetteer.surface_forms():
            matcher.add(form, Entry("place", place_id))
        for form, actor_id, suffix in actors.entries():
            matcher.add(form, Entry("actor", actor_id, suffix))
        for form, code, suffix in actors.country_entries():
            matcher.add(form, Entry("country", code, suffix))
        for form, source_id, suffix in sources.entries():
            matcher.add(form, Entry("source", source_id, suffix))
        for form, cue_id, suffix in sources.cue_entries():
            matcher.add(form, Entry("cite", cue_id, suffix))
        for form, kind in calendar.words():
            matcher.add(form, Entry("time", kind))
        triggers, modifiers = _load_triggers(data_dir / "triggers" / "events.yaml", matcher)
        absorbs = _load_absorbs(data_dir / "triggers" / "events.yaml")
        instruments = frozenset(_yaml(data_dir / "triggers" / "events.yaml").get("instrument_subs", ()))
        cues = _load_cues(data_dir / "cues" / "cues.yaml", matcher)
        for t in triggers.values():
            for key, kind in (("needs", t.needs), ("object", t.object)):
                if kind is not None and kind not in cues:
                    raise ResourceError(f"{data_dir / 'triggers' / 'events.yaml'}: {key}: no cue kind {kind!r}")
        screen = matcher.subset(starts_events).compile()
        matcher.compile()
        country_places = {p.country: p.id for p in gazetteer if p.kind == "country"}
        note_phrases = _yaml(data_dir / "notes" / "phrases.yaml")["phrases"]
        confront = frozenset(fold(f) for f in _yaml(data_dir / "triggers" / "events.yaml").get("confront_verbs", ()))
        for sub in note_phrases:
            if sub not in SUB_TO_TYPE:
                raise ResourceError(f"{data_dir / 'notes' / 'phrases.yaml'}: unknown sub-event type {sub!r}")
        return cls(
            matcher,
            screen,
            numbers,
            calendar,
            gazetteer,
            actors,
            sources,
            triggers,
            modifiers,
            cues,
            absorbs,
            instruments,
            country_places,
            note_phrases,
            confront,
            _affixes(data_dir / "model" / "affixes.yaml"),
            _type_groups(data_dir / "triggers" / "types.yaml"),
            _model(data_dir / "model" / "decisions.json.gz"),
        )

    def with_model(self, model: Any) -> Resources:
        """The same resources deciding with ``model`` (a team's own model, cross-validation)."""
        return dataclasses.replace(self, model=model, decisions="learned")

    def deciding(self, decisions: str) -> Resources:
        """The same resources with the rules or the learned model deciding."""
        if decisions not in ("rules", "learned"):
            raise ResourceError(f"decisions must be 'rules' or 'learned', not {decisions!r}")
        if decisions == "learned" and self.model is None:
            raise ResourceError("no decision model: run 'make model' (rasd train) or set RASD_MODEL")
        return dataclasses.replace(self, decisions=decisions)

    @property
    def learned(self) -> Any:
        """The model that decides, or ``None`` when the rules do."""
        return self.model if self.decisions == "learned" else None

    def civilians_name(self, country: str) -> str:
        """ "Civilians (<Country>)" for an ISO2 code (the composed civilians actor)."""
        cid = self.actors.composed_id("civilians", country)
        if cid in self.actors:
            return self.actors.get(cid).name
        info = self.actors.countries().get(country)
        return f"Civilians ({info.name_en if info else country})"

    def source_name_for_actor(self, actor_id: str) -> str:
        """How an actor cited as a speaker is listed among sources ("US military")."""
        return self.actors.source_name(actor_id)


def _yaml(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=YAML_LOADER)  # libyaml's safe loader when available
    except (OSError, yaml.YAMLError) as exc:
        raise ResourceError(f"{path}: {exc}") from exc


def _load_triggers(path: Path, matcher: Matcher) -> tuple[dict[str, Trigger], dict[str, Modifier]]:
    data = _yaml(path)
    triggers: dict[str, Trigger] = {}
    for i, item in enumerate(data["triggers"]):
        sub = item["sub"]
        if sub != "generic" and sub not in SUB_TO_TYPE:
            raise ResourceError(f"{path}: trigger group {i}: unknown sub-event type {sub!r}")
        for form in item["forms"]:
            ref = f"t:{fold(form)}:{sub}"
            triggers[ref] = Trigger(
                sub, float(item["weight"]), form, bool(item.get("absorbable")), item.get("needs"),
                frozenset(item.get("context_actors", ())), item.get("object"), bool(item.get("place_object")),
            )  # fmt: skip
            matcher.add(form, Entry("trigger", ref, item.get("suffix", "noun")))
    modifiers: dict[str, Modifier] = {}
    for item in data["modifiers"]:
        if item["sub"] not in SUB_TO_TYPE:
            raise ResourceError(f"{path}: modifier: unknown sub-event type {item['sub']!r}")
        for form in item["forms"]:
            ref = f"m:{fold(form)}"
            modifiers[ref] = Modifier(item["sub"], int(item["rank"]))
            matcher.add(form, Entry("modifier", ref, "noun"))
    return triggers, modifiers


def _load_absorbs(path: Path) -> dict[str, frozenset[str]]:
    data = _yaml(path).get("absorbs", {})
    for key, subs in data.items():
        for sub in [key, *subs]:
            if sub not in SUB_TO_TYPE and sub not in ("generic", "absorbable"):
                raise ResourceError(f"{path}: absorbs: unknown sub-event type {sub!r}")
    return {key: frozenset(subs) for key, subs in data.items()}


def _load_cues(path: Path, matcher: Matcher) -> dict[str, Any]:
    data = _yaml(path)
    cues: dict[str, Any] = {}
    for kind, value in data.items():
        if isinstance(value, dict):  # killed/injured: {after: [...], before: [...]}
            for pos, forms in value.items():
                name = f"{kind}_{pos}"
                for form in forms:
                    matcher.add(form, Entry("cue", name, "verb" if pos == "after" else "noun"))
                cues[name] = {fold(f) for f in forms}
        else:
            if kind not in WORD_LIST_CUES:
                for form in value:
                    matcher.add(form, Entry("cue", kind, CUE_SUFFIX.get(kind, "none")))
            cues[kind] = {fold(f) for f in value}
    return cues


@functools.lru_cache(maxsize=4)
def load_resources(data_dir: str | None = None) -> Resources:
    """The process-wide cached :class:`Resources` for ``data_dir`` (default: the bundled data).

    Compiling every lexicon takes a few seconds; the compiled object is kept on disk (a pickle
    in ``$RASD_CACHE_DIR`` or ``~/.cache/rasd``) under a key made of the data files and the
    package's code, so any change to either rebuilds it. ``RASD_NO_CACHE=1`` turns the disk cache
    off; an unwritable cache directory just means no cache.
    """
    directory = Path(data_dir) if data_dir else DATA_DIR
    path = None if os.environ.get("RASD_NO_CACHE") else _cache_file(directory)
    if path is not None and path.exists():
        try:
            cached = _unpickle(path)
            if isinstance(cached, Resources):
                return _team_model(cached)
        except Exception:  # a corrupt or incompatible cache is rebuilt
            pass
    res = Resources.load(directory)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as tmp:
                _ResourcePickler(tmp).dump(res)
            os.replace(tmp.name, path)
            for old in path.parent.glob("resources-*.pickle"):
                if old != path:
                    old.unlink(missing_ok=True)  # built by an older version of the data or code
        except OSError:
            pass
    return _team_model(res)


class _ResourcePickler(pickle.Pickler):
    """The cache's pickler: it stores a slotted dataclass (places, actors, sources...) as a call of
    its class with its fields, and a named tuple (matcher entries) as ``tuple.__new__``, which
    load faster than the defaults (a Python ``__setstate__`` or ``__new__`` per object); any
    other object is pickled as usual. Loading needs nothing but ``pickle.load``."""

    def __init__(self, file: Any) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._fields: dict[type, tuple[str, ...] | None] = {}  # per class: fields to pass, or None

    def reducer_override(self, obj: Any) -> Any:
        cls = type(obj)
        if cls not in self._fields:
            self._fields[cls] = _plain_fields(cls)
        names = self._fields[cls]
        if names is None:
            return NotImplemented
        if isinstance(obj, tuple):
            return tuple.__new__, (cls, tuple(obj))
        return cls, tuple(getattr(obj, name) for name in names)


def _plain_fields(cls: type) -> tuple[str, ...] | None:
    """The fields with which ``cls(*values)`` rebuilds an instance exactly (a named tuple, or a
    slotted dataclass whose ``__init__`` only assigns them); ``None`` for any other class."""
    if issubclass(cls, tuple):
        return tuple(cls._fields) if hasattr(cls, "_fields") and "__reduce__" not in cls.__dict__ else None
    if not dataclasses.is_dataclass(cls) or "__slots__" not in cls.__dict__:
        return None
    if "__reduce__" in cls.__dict__ or "__reduce_ex__" in cls.__dict__ or hasattr(cls, "__post_init__"):
        return None
    fields = dataclasses.fields(cls)
    params = cls.__dataclass_params__  # type: ignore[attr-defined]
    if not params.init or len(fields) != len(cls.__dataclass_fields__):  # type: ignore[attr-defined]
        return None  # an own __init__, or InitVar / ClassVar pseudo-fields
    if any(not f.init or f.kw_only for f in fields):
        return None
    return tuple(f.name for f in fields)


def _unpickle(path: Path) -> Any:
    """Load a pickle with the cyclic garbage collector paused: unpickling the resources creates
    ~600k objects, and the collector's passes over them would double the loading time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    finally:
        if enabled:
            gc.enable()


def _cache_file(data_dir: Path) -> Path | None:
    base = os.environ.get("RASD_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "rasd"
    )
    digest = hashlib.sha1(sys.version.encode())
    code_dir = Path(__file__).resolve().parents[1]
    for root in (data_dir, code_dir):
        pattern = "*" if root == data_dir else "*.py"
        for f in sorted(root.rglob(pattern)):
            if f.is_file():
                st = f.stat()
                digest.update(f"{f.relative_to(root)}:{st.st_size}:{st.st_mtime_ns};".encode())
    return Path(base) / f"resources-{digest.hexdigest()[:20]}.pickle"


def _type_groups(path: Path) -> dict[str, frozenset[str]]:
    groups = {name: frozenset(subs) for name, subs in _yaml(path)["groups"].items()}
    for name, subs in groups.items():
        unknown = sorted(subs - SUB_TO_TYPE.keys())
        if unknown:
            raise ResourceError(f"{path}: group {name!r}: unknown sub-event types {unknown}")
    return groups


def _affixes(path: Path) -> dict[str, tuple[str, ...]]:
    data = _yaml(path)
    keys = ("prefixes", "suffixes", "conjunctions", "article")
    return {k: tuple(sorted((fold(a) for a in data[k]), key=len, reverse=True)) for k in keys}


def _model(path: Path) -> Any:
    """The shipped decision model (``None`` without one: the rules decide)."""
    from ..learn.model import Model  # the model module imports nothing of the pipeline

    return Model.load(path) if path.exists() else None


def _team_model(res: Resources) -> Resources:
    """``RASD_MODEL=path`` decides with a team's own model (``rasd train -o path``);
    ``RASD_DECISIONS=learned`` with the shipped one."""
    override = os.environ.get("RASD_MODEL")
    if override:
        from ..learn.model import Model

        return res.with_model(Model.load(Path(override)))
    mode = os.environ.get("RASD_DECISIONS")
    return res.deciding(mode) if mode else res
