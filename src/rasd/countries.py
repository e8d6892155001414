"""The shared country table: every country's ISO codes, ACLED name and region, Arabic names and
nisba adjectives (``resources/data/countries/countries.tsv``, built by ``tools/build_countries.py``;
its README gives the provenance of each column).

Read by the actor lexicon (country names and nationality adjectives: "قوات أفغانية" → Afghanistan)
and the exports (ACLED's ``country``, ``iso`` and ``region`` columns).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from .errors import ResourceError

__all__ = ["COUNTRIES_TSV", "Country", "countries", "read_countries"]

COUNTRIES_TSV = Path(__file__).parent / "resources" / "data" / "countries" / "countries.tsv"
_COLUMNS = ("iso2", "iso3", "iso_numeric", "name_en", "acled_name", "acled_region", "names_ar", "adj_ar", "ar_source")


@dataclass(frozen=True, slots=True)
class Country:
    """One row of ``countries.tsv``."""

    code: str  # ISO 3166-1 alpha-2
    iso3: str
    iso_numeric: int | None  # ISO 3166-1 numeric (ACLED's ``iso``); None for Kosovo and withdrawn codes
    name_en: str  # GeoNames' English name
    acled_name: str  # ACLED's spelling
    acled_region: str  # ACLED's region ("" when none)
    names: tuple[str, ...]  # Arabic names, preferred first
    adj: tuple[str, ...]  # masculine nisba stems ("أفغاني")
    source: str  # provenance of the Arabic: "curated", "iso-codes", "iso-codes + nisba rule"


def read_countries(path: Path | None = None) -> dict[str, Country]:
    """ISO2 → :class:`Country` from ``countries.tsv`` (default: the bundled one)."""
    path = Path(path) if path else COUNTRIES_TSV
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except OSError as exc:
        raise ResourceError(str(path), f"cannot read: {exc}") from exc
    out: dict[str, Country] = {}
    header = False
    for lineno, line in enumerate(lines, 1):
        if not line or line.startswith("#"):
            continue
        f = line.split("\t")
        if not header:
            if tuple(f) != _COLUMNS:
                raise ResourceError(str(path), f"header must be {' '.join(_COLUMNS)}", line=lineno)
            header = True
            continue
        if len(f) != len(_COLUMNS) or len(f[0]) != 2 or f[0] in out:
            raise ResourceError(str(path), f"bad or duplicate row {f[:1]}", line=lineno)
        code, iso3, num, name_en, acled, region, names, adj, source = f
        out[code] = Country(code, iso3, int(num) if num else None, name_en, acled, region,
                            tuple(names.split("|")) if names else (), tuple(adj.split("|")) if adj else (),
                            source)  # fmt: skip
    return out


@functools.lru_cache(maxsize=1)
def countries() -> dict[str, Country]:
    """The bundled country table (read once per process)."""
    return read_countries()
