"""The data files: the generated GeoNames file is what the build script makes (dateparser's
integrity-test pattern), and the curated files are well-formed and consistent with it."""

from __future__ import annotations

import gzip
import importlib.util
import re
from pathlib import Path

import pytest

from rasd.geo.gazetteer import DATA_DIR
from rasd.text.normalize import fold

ROOT = Path(__file__).resolve().parents[2]
GEONAMES = ROOT.parent / "shared" / "geonames"
# the 27 countries of the GeoNames extract (../shared/geonames/README.md)
EXTRACT_COUNTRIES = frozenset(
    {
        "SY", "IQ", "YE", "LB", "PS", "IL", "JO", "LY", "SD", "SS", "EG", "SA", "TR", "IR",
        "SO", "ML", "NE", "TN", "DZ", "MA", "KW", "BH", "QA", "AE", "OM", "MR", "TD",
    }
)  # fmt: skip


def _build_module():
    spec = importlib.util.spec_from_file_location("build_gazetteer", ROOT / "tools" / "build_gazetteer.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(
    not (GEONAMES / "places_cities500.tsv.gz").exists(),
    reason=f"the GeoNames extract ({GEONAMES}) is not available to regenerate geonames.tsv.gz",
)
def test_generated_file_is_up_to_date():
    build = _build_module()
    text = build.render(build.build_rows(GEONAMES, DATA_DIR / "names.tsv"))
    assert text == build.render(build.build_rows(GEONAMES, DATA_DIR / "names.tsv")), "build is not deterministic"
    committed = gzip.decompress((DATA_DIR / "geonames.tsv.gz").read_bytes()).decode("utf-8")
    assert committed == text, "geonames.tsv.gz is stale or hand-edited: run tools/build_gazetteer.py"


def _sites() -> list[list[str]]:
    lines = (DATA_DIR / "sites.tsv").read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines[1:] if line.strip() and not line.startswith("#")]


def _admin1_names() -> set[tuple[str, str]]:
    text = gzip.decompress((DATA_DIR / "geonames.tsv.gz").read_bytes()).decode("utf-8")
    out = set()
    for line in text.splitlines()[1:]:
        f = line.split("\t")
        if f[5]:
            out.add((f[4], f[5]))
    return out


def test_sites_rows():
    rows = _sites()
    assert len(rows) >= 300
    ids = [r[0] for r in rows]
    assert len(ids) == len(set(ids))
    for r in rows:
        sid, name, ar, kind, cc, _a1, lat, lon, prec, source = r
        assert re.fullmatch(r"site:[a-z0-9_]+", sid), sid
        assert name and kind and source, sid
        assert re.fullmatch(r"[A-Z]{2}", cc), sid
        assert prec in {"1", "2", "3"}, sid
        assert -90 <= float(lat) <= 90 and -180 <= float(lon) <= 180, sid
        forms = ar.split("|")
        assert all(f and f == f.strip() for f in forms), sid
        assert all(re.search("[\u0621-\u064a]", f) for f in forms if f != "T4"), sid
        assert len({fold(f) for f in forms}) == len(forms), f"{sid}: duplicate forms after folding"


def test_sites_admin1_names_match_generated_file():
    known = _admin1_names()
    for r in _sites():
        sid, cc, a1 = r[0], r[4], r[5]
        if a1 and cc in EXTRACT_COUNTRIES:
            assert (cc, a1) in known, f"{sid}: admin1 {a1!r} is not an admin1 name of {cc} in geonames.tsv.gz"


def test_every_country_is_a_site():
    countries = {r[4] for r in _sites() if r[3] == "country"}
    assert EXTRACT_COUNTRIES | {"AF", "NG"} <= countries


def test_blocklist_file():
    lines = [
        ln.split("#", 1)[0].strip() for ln in (DATA_DIR / "blocklist.txt").read_text(encoding="utf-8").splitlines()
    ]
    forms = [f for f in lines if f]
    assert len(forms) > 300 and len(forms) == len(set(forms))


CORPUS = ROOT.parent / "shared" / "corpus" / "bulk.jsonl.gz"


@pytest.mark.skipif(
    not CORPUS.exists(), reason=f"the bulk corpus ({CORPUS}) is not available to rebuild the vocabulary"
)
def test_vocabulary_is_up_to_date():
    spec = importlib.util.spec_from_file_location("build_vocabulary", ROOT / "tools" / "build_vocabulary.py")
    assert spec and spec.loader
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    total, after = build.counts()
    expected = build.render(build.vocabulary(total, after))
    committed = (DATA_DIR / "vocabulary.txt.gz").read_bytes()
    assert committed == expected, "vocabulary.txt.gz is stale or hand-edited: run tools/build_vocabulary.py"


def test_vocabulary_holds_words_not_unlisted_names():
    words = set(gzip.decompress((DATA_DIR / "vocabulary.txt.gz").read_bytes()).decode("utf-8").split())
    for word in ("عسكرية", "كبيرة", "صحراوية", "الجزاء", "استيطاني"):  # "منطقة عسكرية"...: words
        assert fold(word) in words, word
    for name in ("سيلوبي", "كورام", "المسلامية"):  # places GeoNames has no Arabic name for
        assert fold(name) not in words, name
