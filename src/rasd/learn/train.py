"""Fit the decision models on gold (scikit-learn; only ``rasd train`` and ``rasd eval --cv`` need it).

Training data come from the pipeline itself: every gold article is run through the rule stages and
:func:`~rasd.learn.features.describe`, once (:func:`load_examples`). Each candidate event is then
aligned with the gold event whose evidence it shares (:func:`align`), which labels

* ``place``: each place option agrees with the gold location (FORMAT.md's location test);
* ``type``: the gold sub-event type; ``role`` and ``certainty``: the gold values;
* ``event``: after the four decisions above, the event matches a gold event (lenient scoring).

Each decision is an L2-regularised logistic regression over the features seen in at least
``MIN_COUNT`` training examples; fitting is deterministic (liblinear / lbfgs, fixed order). The
confidence threshold is the one that maximises F1 over out-of-fold probabilities of the event
model within the training articles.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..eval.scorer import actors_agree, evidence_overlap, load_gold, locations_agree, match_events
from ..inputs import iter_articles, load_meta
from ..pipeline import STAGES, run
from ..resources.loader import Resources
from ..types import SUB_TO_TYPE, Article
from .decide import choose
from .features import EventCase, Features, describe
from .model import Linear, Model

MIN_COUNT = 2  # a feature seen fewer times in training gets no weight
MIN_CLASS = 3  # a sub-event type with fewer gold examples is not a class of the type model
C = {  # inverse L2 strength of each decision
    "place": 0.5, "type": 0.5, "role": 0.3, "certainty": 0.3, "actor1": 0.3, "actor2": 0.3, "event": 0.03,
}  # fmt: skip  # inverse L2 strength
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(2, 19))
# The decisions fitted by default, chosen by cross-validation (rasd eval --cv 5 on the dev gold):
# the is-event model over the rules' choices scored 0.548 lenient F1; learning actor1 and actor2
# too raised their accuracy from 0.62/0.63 to 0.67/0.66 (lenient 0.549, main 0.523); the learned
# place and type models lowered F1 (they do not beat the rules' choices yet), and the role and
# certainty models changed nothing measurable. ``--learn`` fits any other set.
DEFAULT_DECISIONS = ("actor1", "actor2", "event")
ALL_DECISIONS = ("place", "type", "role", "certainty", "actor1", "actor2", "event")


@dataclass(slots=True)
class Example:
    """One gold article: its candidate events with their features, and its gold record."""

    doc_id: str
    cases: list[EventCase]
    gold: dict[str, Any]


def cases_of(article: Article, res: Resources) -> list[EventCase]:
    """The candidate events of one article with their features (the pipeline up to ``decide``)."""
    if res.learned is None and res.model is not None:
        res = res.deciding("learned")  # candidates the rules flag are kept: features, not choices
    elif res.model is None:
        from .model import Model

        res = res.with_model(Model({}))
    doc = run(article, res, stages=STAGES[:-1])
    return [] if doc.quiet else describe(doc, res)


def load_examples(
    gold_dir: Path | None,
    res: Resources,
    *,
    meta: Path | None = None,
    texts: Sequence[Path] = (),
    extra: Iterable[tuple[Article, dict[str, Any]]] = (),
    tick: Callable[[], None] | None = None,
) -> list[Example]:
    """Every gold article of ``gold_dir`` (if any) whose ``<doc_id>.txt`` is found in ``texts``
    (default: ``GOLD_DIR/../corpus/dev``, ``GOLD_DIR/../seed``, ``GOLD_DIR``), plus ``extra`` pairs
    (reviews)."""
    gold = load_gold(gold_dir) if gold_dir is not None else {}
    dirs = list(texts)
    if not dirs and gold_dir is not None:
        dirs = [gold_dir.parent / "corpus" / "dev", gold_dir.parent / "seed", gold_dir]
    meta_map = load_meta(meta) if meta is not None else {}
    out: list[Example] = []
    for doc_id, record in sorted(gold.items()):
        path = next((d / f"{doc_id}.txt" for d in dirs if (d / f"{doc_id}.txt").is_file()), None)
        if path is None:
            continue
        for article in iter_articles([str(path)], meta=meta_map):
            if not isinstance(article, Article):
                continue
            if article.pub_date is None and record.get("pub_date"):
                article.pub_date = date.fromisoformat(record["pub_date"])
            out.append(Example(doc_id, cases_of(article, res), dict(record)))
        if tick is not None:
            tick()
    for article, record in extra:
        out.append(Example(article.doc_id, cases_of(article, res), dict(record)))
    return out


def gold_digest(examples: Sequence[Example]) -> str:
    h = hashlib.sha256()
    for ex in sorted(examples, key=lambda e: e.doc_id):
        h.update(ex.doc_id.encode())
        h.update(repr(ex.gold.get("events")).encode())
    return h.hexdigest()[:16]


def align(event: dict[str, Any], gold_events: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The gold event ``event`` reports: one whose evidence it shares, preferring the same
    sub-type, type and place; ``None`` when its sentences report no gold event."""
    best, best_key = None, None
    for g in gold_events:
        overlap = evidence_overlap(g, event)
        if overlap <= 0:
            continue
        key = (
            g.get("sub_event_type") == event.get("sub_event_type"),
            g.get("event_type") == event.get("event_type"),
            locations_agree(g.get("location"), event.get("location")),
            overlap,
        )
        if best_key is None or key > best_key:
            best, best_key = g, key
    return best


def _vectorize(rows: Sequence[Features], min_count: int = MIN_COUNT):
    from scipy.sparse import csr_matrix

    counts = Counter(f for r in rows for f in r)
    vocab = {f: i for i, f in enumerate(sorted(f for f, n in counts.items() if n >= min_count))}
    data, indices, indptr = [], [], [0]
    for r in rows:
        for f, v in r.items():
            j = vocab.get(f)
            if j is not None and v:
                indices.append(j)
                data.append(float(v))
        indptr.append(len(indices))
    return csr_matrix((data, indices, indptr), shape=(len(rows), len(vocab))), list(vocab)


def _weights(coef, names: list[str]) -> dict[str, float]:
    return {names[j]: round(float(w), 4) for j, w in enumerate(coef) if abs(w) >= 1e-4}


def fit_binary(rows: Sequence[Features], labels: Sequence[bool], c: float, positive: str) -> Linear | None:
    """A logistic regression of ``labels`` (``None`` when one class is missing)."""
    from sklearn.linear_model import LogisticRegression

    if len(set(labels)) < 2:
        return None
    x, names = _vectorize(rows)
    clf = LogisticRegression(C=c, solver="liblinear", max_iter=1000)
    clf.fit(x, [int(y) for y in labels])
    return Linear([positive], [_weights(clf.coef_[0], names)], [round(float(clf.intercept_[0]), 4)])


def fit_multiclass(rows: Sequence[Features], labels: Sequence[str], c: float) -> Linear | None:
    from sklearn.linear_model import LogisticRegression

    keep = {y for y, n in Counter(labels).items() if n >= MIN_CLASS}
    pairs = [(r, y) for r, y in zip(rows, labels, strict=True) if y in keep]
    if len(keep) < 2:
        return None
    x, names = _vectorize([r for r, _ in pairs])
    ys = [y for _, y in pairs]
    classes = sorted(keep)
    weights, bias = [], []
    for cls in classes:  # one-vs-rest with liblinear: fast, deterministic, and the argmax is what counts
        clf = LogisticRegression(C=c, solver="liblinear", max_iter=1000)
        clf.fit(x, [int(y == cls) for y in ys])
        weights.append(_weights(clf.coef_[0], names))
        bias.append(round(float(clf.intercept_[0]), 4))
    return Linear(classes, weights, bias)


def _actor_data(examples: Sequence[Example], slot: str) -> tuple[list[Features], list[bool]]:
    """Each actor option of an aligned event, labelled by whether it agrees with the gold ``slot``
    (the "nobody" option: the gold has none)."""
    xs: list[Features] = []
    ys: list[bool] = []
    for ex in examples:
        for case in ex.cases:
            g = align(case.event.to_dict(), ex.gold.get("events") or [])
            if g is None or not case.actors:
                continue
            want = g.get(slot)
            agree = [
                want is None if o.actor is None else (want is not None and actors_agree(want, o.actor.to_dict()))
                for o in case.actors
            ]
            if any(agree) and not all(agree):
                xs.extend(o.features for o in case.actors)
                ys.extend(agree)
    return xs, ys


def _decision_data(examples: Sequence[Example]):
    place_x, place_y, type_x, type_y, role_x, role_y, cert_x, cert_y = [], [], [], [], [], [], [], []
    for ex in examples:
        gold_events = ex.gold.get("events") or []
        for case in ex.cases:
            g = align(case.event.to_dict(), gold_events)
            if g is None:
                continue
            if len(case.places) > 1 and g.get("location"):
                agree = [locations_agree(g["location"], o.location.to_dict()) for o in case.places]
                # a place where another gold event of the sentence happened is no negative example
                pred = case.event.to_dict()
                others = [o for o in gold_events if o is not g and o.get("location") and evidence_overlap(o, pred)]
                elsewhere = [
                    not a and any(locations_agree(o["location"], opt.location.to_dict()) for o in others)
                    for a, opt in zip(agree, case.places, strict=True)
                ]
                if any(agree) and not all(agree):
                    place_x.extend(o.features for o, e in zip(case.places, elsewhere, strict=True) if not e)
                    place_y.extend(a for a, e in zip(agree, elsewhere, strict=True) if not e)
            if g.get("sub_event_type") in SUB_TO_TYPE:
                type_x.append(case.type_features)
                type_y.append(g["sub_event_type"])
            role_x.append(case.features)
            role_y.append(g.get("role") == "background")
            cert_x.append(case.features)
            cert_y.append(g.get("certainty") == "hedged")
    return (place_x, place_y), (type_x, type_y), (role_x, role_y), (cert_x, cert_y)


def _event_data(examples: Sequence[Example], partial: Model, phrases: dict) -> tuple[list[Features], list[bool], int]:
    """Features and labels of the is-event model: the events the other decisions make, matched
    against the gold (lenient). Returns also the number of gold events."""
    rows: list[Features] = []
    labels: list[bool] = []
    n_gold = 0
    for ex in examples:
        gold_events = ex.gold.get("events") or []
        n_gold += len(gold_events)
        xs: list[Features] = []
        preds = [e.to_dict() for e in choose(ex.cases, partial, phrases, capture=xs, every_place=True)]
        matched = {pi for _, pi in match_events(gold_events, preds)}
        rows.extend(xs)
        labels.extend(i in matched for i in range(len(preds)))
    return rows, labels, n_gold


def best_threshold(probs: Sequence[float], labels: Sequence[bool], n_gold: int) -> float:
    """The threshold of largest F1 when events below it are dropped (ties: the lower one)."""
    best_t, best_f = 0.5, -1.0
    for t in THRESHOLDS:
        kept = [y for p, y in zip(probs, labels, strict=True) if p >= t]
        tp = sum(kept)
        f1 = 2 * tp / (len(kept) + n_gold) if kept or n_gold else 0.0
        if f1 > best_f + 1e-9:
            best_t, best_f = t, f1
    return best_t


def fit(
    examples: Sequence[Example],
    phrases: dict,
    *,
    seed: int = 0,
    inner_folds: int = 3,
    decisions_to_fit: Sequence[str] = DEFAULT_DECISIONS,
) -> Model:
    """Fit the decisions ``decisions_to_fit`` on ``examples`` (see the module docstring); the
    others stay with the rules."""
    unknown = set(decisions_to_fit) - set(ALL_DECISIONS)
    if unknown:
        raise ValueError(f"unknown decisions: {', '.join(sorted(unknown))} (known: {', '.join(ALL_DECISIONS)})")
    decisions: dict[str, Linear] = {}
    needed = set(decisions_to_fit) - {"event", "actor1", "actor2"}
    empty: tuple[list, list] = ([], [])
    (px, py), (tx, ty), (rx, ry), (cx, cy) = _decision_data(examples) if needed else (empty,) * 4
    fitters = {
        "place": lambda: fit_binary(px, py, C["place"], "here"),
        "type": lambda: fit_multiclass(tx, ty, C["type"]),
        "role": lambda: fit_binary(rx, ry, C["role"], "background"),
        "certainty": lambda: fit_binary(cx, cy, C["certainty"], "hedged"),
    }
    for slot in ("actor1", "actor2"):
        if slot in decisions_to_fit:
            fitters[slot] = lambda slot=slot: fit_binary(*_actor_data(examples, slot), C[slot], "this")
    for name, fitter in fitters.items():
        model = fitter() if name in decisions_to_fit else None
        if model is not None:
            decisions[name] = model
    partial = Model(dict(decisions))
    order = sorted(examples, key=lambda e: e.doc_id)
    random.Random(seed).shuffle(order)
    data = [_event_data([e], partial, phrases) for e in order]  # the other decisions are fixed: once
    event = None
    if "event" in decisions_to_fit:
        event = fit_binary([r for d in data for r in d[0]], [y for d in data for y in d[1]], C["event"], "event")
    if event is not None:
        decisions["event"] = event
    threshold = _inner_threshold(data, inner_folds) if event is not None else 0.5
    return Model(decisions, threshold)


def _inner_threshold(data: Sequence[tuple[list[Features], list[bool], int]], k: int) -> float:
    """The threshold maximising F1 over out-of-fold event probabilities within the training
    articles (``data``: per article, its events' features, labels and gold count)."""
    probs: list[float] = []
    labels: list[bool] = []
    n_gold = 0
    for i in range(k):
        rows = [r for j, d in enumerate(data) if j % k != i for r in d[0]]
        ys = [y for j, d in enumerate(data) if j % k != i for y in d[1]]
        model = fit_binary(rows, ys, C["event"], "event")
        for j, (t_rows, t_ys, t_gold) in enumerate(data):
            if j % k == i:
                n_gold += t_gold
                labels.extend(t_ys)
                probs.extend(model.probability(r) if model else 0.5 for r in t_rows)
    return best_threshold(probs, labels, n_gold)
