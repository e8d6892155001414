"""The compiled-resources disk cache: rebuilt on change, identical results, safe when unusable."""

import pickle
from datetime import date

import rasd
from rasd.resources import loader


def test_cached_resources_extract_exactly_like_fresh_ones(tmp_path, monkeypatch, seed_text):
    monkeypatch.setenv("RASD_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("RASD_NO_CACHE", raising=False)
    loader.load_resources.cache_clear()
    try:
        built = loader.load_resources()  # builds and writes the cache
        files = list(tmp_path.glob("resources-*.pickle"))
        assert len(files) == 1
        loader.load_resources.cache_clear()
        cached = loader.load_resources()  # reads it back
        assert cached is not built
        a = rasd.extract(seed_text, pub_date=date(2023, 4, 11), resources=built).to_dict()
        b = rasd.extract(seed_text, pub_date=date(2023, 4, 11), resources=cached).to_dict()
        assert a == b and a["events"]
    finally:
        loader.load_resources.cache_clear()


def test_corrupt_cache_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("RASD_CACHE_DIR", str(tmp_path))
    path = loader._cache_file(loader.DATA_DIR)
    path.write_bytes(b"not a pickle")
    loader.load_resources.cache_clear()
    try:
        res = loader.load_resources()
        assert len(res.matcher) > 10_000
        assert isinstance(pickle.loads(path.read_bytes()), loader.Resources)
    finally:
        loader.load_resources.cache_clear()


def test_cache_key_changes_with_the_data(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.yaml").write_text("x: 1\n")
    first = loader._cache_file(data)
    (data / "a.yaml").write_text("x: 22\n")
    assert loader._cache_file(data) != first
