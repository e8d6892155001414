"""Exports of a Rasd store: ACLED-style CSV, GeoJSON, JSON Lines and Parquet.

>>> from rasd.store import Store                     # doctest: +SKIP
>>> from rasd.export import export
>>> export(Store.open("sqlite:///rasd.db"), "acled-csv", "events.csv", country="SY")
"""

from .formats import (
    ACLED_COLUMNS,
    EXTRA_COLUMNS,
    FORMATS,
    FUSED_COLUMNS,
    export,
    iter_rows,
    record_rows,
    write_parquet,
)

__all__ = [
    "ACLED_COLUMNS",
    "EXTRA_COLUMNS",
    "FORMATS",
    "FUSED_COLUMNS",
    "export",
    "iter_rows",
    "record_rows",
    "write_parquet",
]
