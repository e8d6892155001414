"""The learned decisions: sparse linear models over named features, in one small JSON file.

A :class:`Linear` model holds, per class, a weight for each feature name it kept and a bias.
Binary models have one class (the positive one) and give a logistic probability; multi-class
models give a softmax over their classes. Scoring is a dictionary look-up per feature, so deciding
costs microseconds and needs neither scikit-learn nor NumPy at run time. :class:`Model` bundles
the decisions with the confidence threshold and the provenance ``rasd train`` recorded (gold
digest, feature groups, cross-validated figures). Nothing here trains: see :mod:`rasd.learn.train`.
"""

from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ResourceError

Features = dict[str, float]
FORMAT = "rasd-decisions/1"
DECISIONS = ("place", "type", "role", "certainty", "event")


@dataclass(slots=True)
class Linear:
    """A linear model: ``classes[i]`` scores ``bias[i] + Σ weights[i][f] · x[f]``."""

    classes: list[str]
    weights: list[dict[str, float]]
    bias: list[float]
    _table: dict[str, list[tuple[int, float]]] = field(default_factory=dict, repr=False)  # feature → (class, w)

    def __post_init__(self) -> None:
        for i, w in enumerate(self.weights):
            for f, v in w.items():
                self._table.setdefault(f, []).append((i, v))

    @property
    def binary(self) -> bool:
        return len(self.classes) == 1

    def scores(self, x: Features) -> list[float]:
        out = list(self.bias)
        table = self._table
        for f, v in x.items():
            for i, w in table.get(f, ()):
                out[i] += w * v
        return out

    def probability(self, x: Features) -> float:
        """P(positive class) of a binary model."""
        z = self.scores(x)[0]
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))

    def distribution(self, x: Features) -> dict[str, float]:
        """P(class) of a multi-class model (softmax)."""
        zs = self.scores(x)
        top = max(zs)
        exps = [math.exp(z - top) for z in zs]
        total = sum(exps)
        return {c: e / total for c, e in zip(self.classes, exps, strict=True)}

    def contributions(self, x: Features, cls: str | None = None, n: int = 6) -> list[tuple[str, float]]:
        """The ``n`` features that weighed most for ``cls`` (the positive class when binary)."""
        i = 0 if cls is None else self.classes.index(cls)
        parts = [(f, self.weights[i].get(f, 0.0) * v) for f, v in x.items()]
        parts = [p for p in parts if p[1] != 0.0]
        parts.sort(key=lambda p: -abs(p[1]))
        return parts[:n]

    def to_json(self) -> dict[str, Any]:
        return {"classes": self.classes, "weights": self.weights, "bias": self.bias}

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Linear:
        return cls(list(obj["classes"]), [dict(w) for w in obj["weights"]], [float(b) for b in obj["bias"]])


@dataclass(slots=True)
class Model:
    """One model per decision, the confidence threshold, and how they were made."""

    decisions: dict[str, Linear]
    threshold: float = 0.5
    provenance: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Linear | None:
        return self.decisions.get(name)

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        obj = {
            "format": FORMAT,
            "threshold": self.threshold,
            "provenance": self.provenance,
            "decisions": {k: v.to_json() for k, v in sorted(self.decisions.items())},
        }
        data = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
        with open(path, "wb") as fh, gzip.GzipFile(filename="", fileobj=fh, mode="wb", mtime=0) as gz:
            gz.write(data)  # no name, mtime 0: the same model gives the same bytes
        return path

    @classmethod
    def load(cls, path: str | Path) -> Model:
        path = Path(path)
        try:
            with gzip.open(path, "rb") as fh:
                obj = json.loads(fh.read())
        except (OSError, ValueError) as exc:
            raise ResourceError(f"{path}: not a Rasd decision model ({exc})") from None
        if obj.get("format") != FORMAT:
            raise ResourceError(f"{path}: unknown model format {obj.get('format')!r} (expected {FORMAT})")
        return cls(
            {k: Linear.from_json(v) for k, v in obj["decisions"].items()},
            float(obj.get("threshold", 0.5)),
            dict(obj.get("provenance", {})),
        )


def shipped_path() -> Path:
    return Path(__file__).resolve().parents[1] / "resources" / "data" / "model" / "decisions.json.gz"


def confidence_floor() -> float:
    """The confidence below which events are left out by default everywhere (``extract``,
    ``query``, ``export``, the API and the dashboard): ``RASD_MIN_CONFIDENCE`` if set; else, when
    the learned decisions decide (``RASD_MODEL`` or ``RASD_DECISIONS=learned``), the model's
    threshold, which maximised cross-validated F1; else 0.5, the rules' "more likely than not"."""
    import os

    if os.environ.get("RASD_MIN_CONFIDENCE"):
        return float(os.environ["RASD_MIN_CONFIDENCE"])
    if os.environ.get("RASD_MODEL"):
        return Model.load(os.environ["RASD_MODEL"]).threshold
    if os.environ.get("RASD_DECISIONS") == "learned":
        return default_threshold()
    return 0.5


def default_threshold() -> float:
    """The confidence threshold of the shipped model (the one that maximised cross-validated F1),
    read from its header alone; 0.5 without a model."""
    path = shipped_path()
    if not path.exists():
        return 0.5
    try:
        return Model.load(path).threshold
    except ResourceError:
        return 0.5
