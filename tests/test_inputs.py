"""Tests for the input readers (``rasd.inputs``).

Fixtures in ``tests/fixtures/read/`` are two real corpus articles (``dev_002``, BBC Arabic, and
``dev_017``, Al-Riyadh) with their ``meta.jsonl`` lines; every other input (HTML pages, feeds,
JSON Lines, other encodings, broken files) is built from that real text inside ``tmp_path``.
"""

from __future__ import annotations

import gzip
import io
import json
import pickle
import random
import shutil
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rasd import inputs as read_mod
from rasd.errors import InputTooLarge, RasdError, ReadError, ResourceError
from rasd.inputs import decode_bytes, iter_articles, load_meta, read_file
from rasd.types import Article

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "read"
BBC_ID = "dev_002_67592178"
RIYADH_ID = "dev_017_977e9b28"
BBC_TEXT = (FIXTURES / f"{BBC_ID}.txt").read_text(encoding="utf-8")
RIYADH_TEXT = (FIXTURES / f"{RIYADH_ID}.txt").read_text(encoding="utf-8")
BBC_TITLE, BBC_BODY = BBC_TEXT.split("\n", 1)
RIYADH_TITLE, RIYADH_BODY = RIYADH_TEXT.split("\n", 1)


def _articles(items: list[Article | ReadError]) -> list[Article]:
    return [a for a in items if isinstance(a, Article)]


def _errors(items: list[Article | ReadError]) -> list[ReadError]:
    return [e for e in items if isinstance(e, ReadError)]


def _read(*paths: str | Path, **kw: object) -> list[Article | ReadError]:
    return list(iter_articles(paths, **kw))  # type: ignore[arg-type]


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n") if p.strip()]


# --------------------------------------------------------------------------------------------
# errors module


def test_error_tree_and_one_line_messages() -> None:
    err = ReadError("a/b.txt", "bad\nthing", line=3)
    assert isinstance(err, RasdError)
    assert err.path == "a/b.txt" and err.line == 3 and err.reason == "bad thing"
    assert str(err) == "a/b.txt:3: bad thing"
    big = InputTooLarge("x.json", "too large")
    assert isinstance(big, ReadError) and str(big) == "x.json: too large"
    res = ResourceError("gaz.tsv", "bad column", line=7)
    assert isinstance(res, RasdError) and not isinstance(res, ReadError)
    assert (res.file, res.line, str(res)) == ("gaz.tsv", 7, "gaz.tsv:7: bad column")
    legacy = ResourceError("triggers.yaml: trigger group 3: unknown sub-event type 'X'")
    assert legacy.file == "" and str(legacy) == "triggers.yaml: trigger group 3: unknown sub-event type 'X'"
    for e in (err, big, res, legacy):
        copy = pickle.loads(pickle.dumps(e))
        assert type(copy) is type(e) and str(copy) == str(e)


# --------------------------------------------------------------------------------------------
# decoding


@pytest.mark.parametrize("text", [BBC_TEXT, RIYADH_TEXT], ids=["bbc", "riyadh"])
@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-8"),
        lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"),
        lambda t: t.encode("cp1256"),
        lambda t: b"\xff\xfe" + t.encode("utf-16-le"),
        lambda t: b"\xfe\xff" + t.encode("utf-16-be"),
        lambda t: t.encode("utf-16-le"),  # no BOM: recognised by the NUL positions
    ],
    ids=["utf8", "utf8-bom", "cp1256", "utf16le-bom", "utf16be-bom", "utf16le-nobom"],
)
def test_decode_bytes_real_articles(text: str, encode) -> None:
    assert decode_bytes(encode(text)) == text


def test_cp1256_file_reads_same_as_utf8(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(BBC_TEXT.encode("cp1256"))
    (tmp_path / "b.txt").write_bytes(BBC_TEXT.encode("utf-8"))
    a, b = read_file(tmp_path / "a.txt"), read_file(tmp_path / "b.txt")
    assert a[0].text == b[0].text == BBC_TEXT
    assert a[0].title == BBC_TITLE


def test_utf8_bom_removed_and_offsets_match(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + RIYADH_TEXT.encode("utf-8"))
    (art,) = read_file(path)
    assert art.text == RIYADH_TEXT and not art.text.startswith("\ufeff")
    assert art.text.index("الموصل") == RIYADH_TEXT.index("الموصل")


def test_crlf_and_cr_normalised(tmp_path: Path) -> None:
    (tmp_path / "crlf.txt").write_bytes(BBC_TEXT.replace("\n", "\r\n").encode("utf-8"))
    (tmp_path / "cr.txt").write_bytes(BBC_TEXT.replace("\n", "\r").encode("cp1256"))
    for name in ("crlf.txt", "cr.txt"):
        (art,) = read_file(tmp_path / name)
        assert "\r" not in art.text
        assert art.text == BBC_TEXT
        assert art.title == BBC_TITLE


def test_truncated_last_character_is_tolerated() -> None:
    data = BBC_TEXT.encode("utf-8")
    cut = data[:-4] + "ب".encode()[:1]  # last Arabic letter cut in half
    assert decode_bytes(cut) == data[:-4].decode("utf-8") + "\ufffd"


def test_rare_corrupt_byte_in_long_utf8_text_is_replaced() -> None:
    data = bytearray((RIYADH_TEXT * 10).encode("utf-8"))
    data[1001] = 0xFF  # one broken byte in ~12 KB of real UTF-8 Arabic
    text = decode_bytes(bytes(data))
    assert text.count("\ufffd") >= 1 and len(text) >= len(RIYADH_TEXT * 10) - 2
    assert text.startswith(RIYADH_TITLE)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", ("empty",)),
        (b"  \n\t\r\n  ", ("empty", "whitespace")),
        (b"\xef\xbb\xbf \n", ("empty",)),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(7).randbytes(3000), ("binary",)),
        (bytes(range(1, 9)) * 200, ("binary", "control")),
        ("Größe Übung straße ÄÖÜ äöü ß ±§° façade naïve".encode("latin-1"), ("undecodable",)),
        (
            "Ceci est un texte français, café crème à la façon de Noël.".encode("latin-1"),
            ("undecodable", "not UTF-8"),
        ),
    ],
    ids=["empty", "whitespace", "bom-only", "png", "controls", "latin1-german", "latin1-french"],
)
def test_decode_bytes_rejects(data: bytes, words: tuple[str, ...]) -> None:
    with pytest.raises(ReadError) as info:
        decode_bytes(data, path="x.txt")
    msg = str(info.value)
    assert msg.startswith("x.txt: ") and "\n" not in msg
    for word in words:
        assert word in msg


def test_cp1256_mojibake_of_latin_rejected_but_arabic_accepted() -> None:
    # The same byte values: as cp1256 they decode to Arabic only when they *are* Arabic text.
    arabic = RIYADH_BODY.encode("cp1256")
    assert decode_bytes(arabic) == RIYADH_BODY
    with pytest.raises(ReadError, match="undecodable"):
        decode_bytes(("Zürich Österreich Ärger " * 20).encode("latin-1"))


_ARABIC_CHARS = st.sampled_from(list("ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئةى0123 .،؛؟«»-"))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(_ARABIC_CHARS, min_size=1, max_size=40), min_size=1, max_size=6),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1256"]),
)
def test_decode_roundtrip_property(lines: list[str], newline: str, encoding: str) -> None:
    text = newline.join(lines)
    if sum(c.isalpha() for c in text) < 3:
        return  # too few Arabic letters to call the cp1256 decoding "mostly Arabic"
    if encoding == "cp1256":
        try:
            text.encode("cp1256").decode("utf-8")
            return  # the same bytes are valid UTF-8 ("آ«" is C2 AB, UTF-8 "«"): no decoder can tell
        except UnicodeDecodeError:
            pass
    assert decode_bytes(text.encode(encoding)) == "\n".join(lines)


# --------------------------------------------------------------------------------------------
# plain text files, folders, meta


def test_txt_file_is_verbatim(tmp_path: Path) -> None:
    (art,) = read_file(FIXTURES / f"{BBC_ID}.txt", auto_meta=False)
    assert art.text == BBC_TEXT  # a UTF-8 \n file is reproduced exactly, trailing newline included
    assert art.text.endswith("\n")
    assert art.title == BBC_TITLE
    assert art.doc_id == BBC_ID
    assert art.path == str(FIXTURES / f"{BBC_ID}.txt")
    assert art.pub_date is None and art.outlet is None


def test_folder_with_auto_meta() -> None:
    items = _read(FIXTURES)
    assert not _errors(items)
    arts = _articles(items)
    assert [a.doc_id for a in arts] == [BBC_ID, RIYADH_ID]  # sorted; meta.jsonl not read as articles
    assert arts[0].pub_date == date(2018, 4, 29) and arts[0].outlet == "BBC Arabic"
    assert arts[0].url == "http://www.bbc.co.uk/arabic/middleeast-43944996"
    assert arts[1].pub_date == date(2015, 8, 9) and arts[1].outlet == "Al-Riyadh"


def test_auto_meta_can_be_disabled() -> None:
    arts = _articles(_read(FIXTURES, auto_meta=False))
    assert [a.pub_date for a in arts] == [None, None]


def test_load_meta_and_precedence(tmp_path: Path) -> None:
    meta = load_meta(FIXTURES / "meta.jsonl")
    assert meta[BBC_ID]["pub_date"] == date(2018, 4, 29)
    assert meta[RIYADH_ID]["outlet"] == "Al-Riyadh"
    assert meta[BBC_ID]["source_dataset"] == "ANT Corpus v2.1 (multisource)"

    shutil.copy(FIXTURES / f"{BBC_ID}.txt", tmp_path)
    shutil.copy(FIXTURES / f"{RIYADH_ID}.txt", tmp_path)
    partial = {BBC_ID: {"pub_date": None, "outlet": "BBC Arabic"}, RIYADH_ID: meta[RIYADH_ID]}
    cli_date, cli_outlet = date(2020, 1, 1), "CLI outlet"
    bbc, riyadh = _articles(_read(tmp_path, meta=partial, pub_date=cli_date, outlet=cli_outlet))
    # meta has no pub_date for BBC: the CLI default fills it; meta's outlet wins over the CLI's.
    assert (bbc.pub_date, bbc.outlet) == (cli_date, "BBC Arabic")
    # meta has both for Riyadh: the CLI defaults do not override.
    assert (riyadh.pub_date, riyadh.outlet) == (date(2015, 8, 9), "Al-Riyadh")


def test_meta_overrides_record_values_and_cli_only_fills_gaps(tmp_path: Path) -> None:
    recs = [
        {"id": "r1", "pub_date": "2018-01-01", "outlet": "Own", "title": "", "text": BBC_BODY},
        {"id": "r2", "pub_date": "2018-01-02", "outlet": None, "title": "", "text": RIYADH_BODY},
        {"id": "r3", "pub_date": None, "outlet": None, "title": "", "text": RIYADH_BODY},
    ]
    path = tmp_path / "recs.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs), encoding="utf-8")
    meta = {"r1": {"pub_date": "2018-05-05", "outlet": "Meta outlet"}}
    r1, r2, r3 = _articles(_read(path, meta=meta, pub_date=date(2000, 1, 1), outlet="CLI"))
    assert (r1.pub_date, r1.outlet) == (date(2018, 5, 5), "Meta outlet")
    assert (r2.pub_date, r2.outlet) == (date(2018, 1, 2), "CLI")
    assert (r3.pub_date, r3.outlet) == (date(2000, 1, 1), "CLI")


def test_load_meta_malformed_line(tmp_path: Path) -> None:
    path = tmp_path / "meta.jsonl"
    path.write_text('{"doc_id": "a", "pub_date": "2018-01-01"}\n{"doc_id": "b", \n', encoding="utf-8")
    with pytest.raises(ReadError) as info:
        load_meta(path)
    assert info.value.line == 2 and str(info.value).startswith(f"{path}:2: ")
    path.write_text('{"doc_id": "a", "pub_date": "2018-13-45"}\n', encoding="utf-8")
    with pytest.raises(ReadError, match="invalid pub_date"):
        load_meta(path)


def test_meta_file_given_as_input_is_refused() -> None:
    (err,) = _read(FIXTURES / "meta.jsonl")
    assert isinstance(err, ReadError) and "metadata file" in str(err)


def test_bad_meta_file_is_reported_and_articles_still_read(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / f"{BBC_ID}.txt", tmp_path)
    (tmp_path / "meta.jsonl").write_text("not json\n", encoding="utf-8")
    items = _read(tmp_path)
    assert len(_errors(items)) == 1 and "meta.jsonl:1" in str(_errors(items)[0])
    assert _articles(items)[0].text == BBC_TEXT


def test_folder_recursive_sorted_skips_hidden_and_unknown(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "b" / "z.txt").write_text(BBC_TEXT, encoding="utf-8")
    (tmp_path / "a.txt").write_text(RIYADH_TEXT, encoding="utf-8")
    (tmp_path / ".secret.txt").write_text(BBC_TEXT, encoding="utf-8")
    (tmp_path / ".hidden" / "x.txt").write_text(BBC_TEXT, encoding="utf-8")
    (tmp_path / "notes.md").write_text(BBC_TEXT, encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    items = _read(tmp_path)
    assert not _errors(items)
    assert [Path(a.path or "").relative_to(tmp_path).as_posix() for a in _articles(items)] == [
        "a.txt",
        "b/z.txt",
    ]


def test_missing_and_empty_inputs_are_yielded_and_batch_continues(tmp_path: Path) -> None:
    empty_dir = tmp_path / "empty"
    empty_dir.mkdir()
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"   \r\n\n\t ")
    good = FIXTURES / f"{BBC_ID}.txt"
    items = _read(tmp_path / "missing.txt", empty_dir, tmp_path / "empty.txt", tmp_path / "blank.txt", good)
    assert [type(i).__name__ for i in items] == ["ReadError"] * 4 + ["Article"]
    missing, no_articles, empty, blank = items[:4]
    assert isinstance(missing, ReadError) and "no such file" in str(missing)
    assert missing.path == str(tmp_path / "missing.txt")
    assert "no article files" in str(no_articles)
    assert "empty" in str(empty) and "whitespace" in str(blank)
    with pytest.raises(ReadError, match="no such file"):
        read_file(tmp_path / "missing.txt")


def test_binary_and_latin1_files(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(1).randbytes(5000)
    (tmp_path / "img.txt").write_bytes(png)
    (tmp_path / "latin.txt").write_bytes("Größe Übung straße - ±§° façade".encode("latin-1"))
    binary, latin = _read(tmp_path / "img.txt", tmp_path / "latin.txt")
    assert isinstance(binary, ReadError) and "binary" in str(binary)
    assert isinstance(latin, ReadError) and "undecodable" in str(latin)


def test_file_over_max_bytes(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text(BBC_TEXT * 5, encoding="utf-8")
    (tmp_path / "small.txt").write_text(RIYADH_TEXT, encoding="utf-8")
    limit = len(RIYADH_TEXT.encode("utf-8")) + 10
    big, small = _read(tmp_path / "big.txt", tmp_path / "small.txt", max_bytes=limit)
    assert isinstance(big, InputTooLarge) and "too large" in str(big) and f"{limit:,}" in str(big)
    assert isinstance(small, Article) and small.text == RIYADH_TEXT


def test_million_character_line_is_fast(tmp_path: Path) -> None:
    line = ("قصف " * 250_000).strip()
    (tmp_path / "long.txt").write_text(f"{RIYADH_TITLE}\n{line}\n", encoding="utf-8")
    (tmp_path / "long.jsonl").write_text(
        json.dumps({"id": "x", "title": "t", "text": line}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (tmp_path / "long-cp1256.txt").write_bytes(f"{RIYADH_TITLE}\n{line}".encode("cp1256"))
    start = time.perf_counter()
    items = _read(tmp_path / "long.txt", tmp_path / "long.jsonl", tmp_path / "long-cp1256.txt")
    assert time.perf_counter() - start < 10
    assert [len(a.text) for a in _articles(items)] == [
        len(RIYADH_TITLE) + 1 + len(line) + 1,
        2 + len(line),
        len(RIYADH_TITLE) + 1 + len(line),
    ]


# --------------------------------------------------------------------------------------------
# HTML


def _html_page(title: str, body: str, *, charset: str = "utf-8") -> str:
    paras = "".join(f"<p>{p}</p>\n" for p in _paragraphs(body))
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="{charset}">
<title>{title} - BBC News عربي</title>
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="2018-04-29T23:30:00+03:00">
<style>.SECRET_STYLE {{ color: red; }}</style>
<script>var SECRET_SCRIPT = "سر لا يظهر"; document.write("ad");</script>
</head><body>
<nav><ul><li><a href="/">الصفحة الرئيسية</a></li><li><a href="/sport">رياضة</a></li></ul></nav>
<main><article><h1>{title}</h1>
{paras}<script>console.log("INLINE_SECRET")</script>
</article></main>
<aside><h3>الأكثر قراءة</h3><ul><li><a href="/x">خبر آخر عن الطقس</a></li></ul></aside>
<footer><p>حقوق النشر محفوظة لبي بي سي 2018</p></footer>
</body></html>"""


def _assert_clean_page_text(art: Article, title: str, body: str) -> None:
    for leak in ("SECRET_SCRIPT", "سر لا يظهر", "INLINE_SECRET", "SECRET_STYLE", "document.write"):
        assert leak not in art.text
    assert art.title == title
    assert art.text.split("\n")[0] == title
    assert art.text.count(title) == 1  # the <h1> in the body is not duplicated
    for para in _paragraphs(body):
        assert para.strip() in art.text


def test_html_page_with_boilerplate(tmp_path: Path) -> None:
    path = tmp_path / f"{BBC_ID}.html"
    path.write_text(_html_page(BBC_TITLE, BBC_BODY), encoding="utf-8")
    (art,) = read_file(path)
    _assert_clean_page_text(art, BBC_TITLE, BBC_BODY)
    assert "الصفحة الرئيسية" not in art.text  # nav
    assert "حقوق النشر" not in art.text  # footer
    assert art.doc_id == BBC_ID
    assert art.pub_date == date(2018, 4, 29)


def test_html_cp1256_with_declared_charset(tmp_path: Path) -> None:
    path = tmp_path / "page.htm"
    path.write_bytes(_html_page(RIYADH_TITLE, RIYADH_BODY, charset="windows-1256").encode("cp1256"))
    (art,) = read_file(path)
    _assert_clean_page_text(art, RIYADH_TITLE, RIYADH_BODY)


def test_html_fallback_when_trafilatura_finds_nothing(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(read_mod.trafilatura, "extract", lambda *a, **k: None)
    path = tmp_path / "page.html"
    path.write_text(_html_page(BBC_TITLE, BBC_BODY), encoding="utf-8")
    (art,) = read_file(path)
    _assert_clean_page_text(art, BBC_TITLE, BBC_BODY)


def test_html_title_from_title_tag_when_metadata_fails(tmp_path: Path, monkeypatch) -> None:
    def broken(*a: object, **k: object) -> None:
        raise RuntimeError("metadata failure")

    monkeypatch.setattr(read_mod.trafilatura, "extract_metadata", broken)
    html = (
        f"<html><head><title>{RIYADH_TITLE}</title><script>SECRET_SCRIPT()</script></head>"
        f"<body>{''.join(f'<p>{p}</p>' for p in _paragraphs(RIYADH_BODY))}</body></html>"
    )
    path = tmp_path / "t.html"
    path.write_text(html, encoding="utf-8")
    (art,) = read_file(path)
    assert art.title == RIYADH_TITLE
    assert art.text.split("\n")[0] == RIYADH_TITLE
    assert _paragraphs(RIYADH_BODY)[0] in art.text and "SECRET_SCRIPT" not in art.text


def test_html_sniffed_in_txt_and_unknown_extension(tmp_path: Path) -> None:
    page = _html_page(BBC_TITLE, BBC_BODY)
    (tmp_path / "page.txt").write_text(page, encoding="utf-8")
    (tmp_path / "page").write_text(page, encoding="utf-8")
    for name in ("page.txt", "page"):
        (art,) = read_file(tmp_path / name)
        _assert_clean_page_text(art, BBC_TITLE, BBC_BODY)


# --------------------------------------------------------------------------------------------
# JSON and JSON Lines


def _bulk_records() -> list[dict[str, object]]:
    return [
        {"id": "bulk_aaaaaaaaaaaa", "pub_date": "2018-04-29", "outlet": "BBC Arabic", "title": BBC_TITLE,
         "text": BBC_BODY.strip()},
        {"id": "bulk_bbbbbbbbbbbb", "pub_date": None, "outlet": "Al-Riyadh", "title": "",
         "text": RIYADH_BODY.strip()},
        {"doc_id": "alt_keys", "date": "2015-08-09T10:00:00+03:00", "outlet": "Al-Riyadh",
         "title": RIYADH_TITLE, "body": RIYADH_TEXT.strip(), "url": "http://www.alriyadh.com/1071765"},
    ]  # fmt: skip


def _write_jsonl(path: Path, lines: list[str]) -> None:
    data = ("\n".join(lines) + "\n").encode("utf-8")
    if path.name.endswith(".gz"):
        with gzip.open(path, "wb") as fh:
            fh.write(data)
    else:
        path.write_bytes(data)


@pytest.mark.parametrize("name", ["bulk.jsonl", "bulk.jsonl.gz"])
def test_jsonl_bulk_format(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    _write_jsonl(path, [json.dumps(r, ensure_ascii=False) for r in _bulk_records()])
    items = _read(path)
    assert not _errors(items)
    a, b, c = _articles(items)
    assert a.doc_id == "bulk_aaaaaaaaaaaa" and a.pub_date == date(2018, 4, 29) and a.outlet == "BBC Arabic"
    assert a.text == f"{BBC_TITLE}\n{BBC_BODY.strip()}" and a.title == BBC_TITLE
    assert a.path == str(path)
    assert b.title is None and b.text == RIYADH_BODY.strip() and b.pub_date is None
    # the body already starts with the title: not prepended twice
    assert c.doc_id == "alt_keys" and c.text == RIYADH_TEXT.strip() and c.text.count(RIYADH_TITLE) == 1
    assert c.pub_date == date(2015, 8, 9) and c.url == "http://www.alriyadh.com/1071765"


def test_jsonl_malformed_line_amid_good_ones(tmp_path: Path) -> None:
    recs = [json.dumps(r, ensure_ascii=False) for r in _bulk_records()]
    path = tmp_path / "mixed.jsonl.gz"
    lines = [recs[0], '{"id": "broken", "text": "نص', "", "[1, 2]", recs[1], '{"id": "x", "title": "عنوان"}']
    _write_jsonl(path, lines)
    items = _read(path)
    kinds = [(type(i).__name__, getattr(i, "line", None)) for i in items]
    assert kinds == [
        ("Article", None),
        ("ReadError", 2),
        ("ReadError", 4),
        ("Article", None),
        ("ReadError", 6),
    ]
    assert str(items[1]).startswith(f"{path}:2: malformed JSON")
    assert "expected a JSON object" in str(items[2])
    assert "no text" in str(items[4])
    assert [a.doc_id for a in _articles(items)] == ["bulk_aaaaaaaaaaaa", "bulk_bbbbbbbbbbbb"]


def test_deeply_nested_json(tmp_path: Path) -> None:
    good = json.dumps(_bulk_records()[0], ensure_ascii=False)
    extreme = "[" * 200_000 + "]" * 200_000  # would blow the C parser's recursion limit
    moderate = json.dumps({"id": "deep", "text": "نص", "extra": json.loads("[" * 100 + "]" * 100)})
    path = tmp_path / "deep.jsonl"
    _write_jsonl(path, [extreme, moderate, good])
    start = time.perf_counter()
    items = _read(path)
    assert time.perf_counter() - start < 10
    assert [type(i).__name__ for i in items] == ["ReadError", "ReadError", "Article"]
    assert "nested too deeply" in str(items[0]) and "nested too deeply" in str(items[1])
    (tmp_path / "deep.json").write_text(extreme, encoding="utf-8")
    (err,) = _read(tmp_path / "deep.json")
    assert isinstance(err, ReadError) and "nested too deeply" in str(err)


def test_jsonl_record_over_max_bytes_others_kept(tmp_path: Path) -> None:
    small = json.dumps({"id": "s", "title": "", "text": RIYADH_BODY.strip()}, ensure_ascii=False)
    huge = json.dumps({"id": "h", "title": "", "text": BBC_BODY * 50}, ensure_ascii=False)
    path = tmp_path / "sizes.jsonl"
    _write_jsonl(path, [small, huge, small.replace('"s"', '"s2"')])
    items = _read(path, max_bytes=len(small.encode("utf-8")) + 100)
    assert [type(i).__name__ for i in items] == ["Article", "InputTooLarge", "Article"]
    assert items[1].line == 2 and "max_bytes" in str(items[1])  # type: ignore[union-attr]
    assert [a.doc_id for a in _articles(items)] == ["s", "s2"]


def test_jsonl_gz_is_streamed_lazily(tmp_path: Path, monkeypatch) -> None:
    rng = random.Random(3)
    words = RIYADH_BODY.split()
    records = [{"id": f"r{i}", "title": "", "text": " ".join(rng.choices(words, k=200))} for i in range(2000)]
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    path = tmp_path / "many.jsonl.gz"
    _write_jsonl(path, lines)
    total = path.stat().st_size
    consumed: list[int] = []

    def spying_open(p: Path, mode: str = "rb") -> gzip.GzipFile:
        raw = open(p, "rb")  # noqa: SIM115 - handed over to GzipFile
        consumed.append(0)

        class Counting(io.RawIOBase):
            def readable(self) -> bool:
                return True

            def readinto(self, b) -> int:  # type: ignore[override]
                n = raw.readinto(b)
                consumed[0] += n or 0
                return n or 0

            def close(self) -> None:
                raw.close()
                super().close()

        return gzip.GzipFile(fileobj=io.BufferedReader(Counting()), mode="rb")

    monkeypatch.setattr(read_mod.gzip, "open", spying_open)
    gen = iter_articles([path])
    first = next(gen)
    assert isinstance(first, Article) and first.doc_id == "r0"
    assert consumed[0] < total / 2  # only the first part of the file was decompressed
    assert sum(1 for _ in gen) == 1999


def test_truncated_gzip_keeps_earlier_records(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl.gz"
    _write_jsonl(path, [json.dumps(r, ensure_ascii=False) for r in _bulk_records()] * 200)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    items = _read(path)
    assert len(_articles(items)) > 10
    assert isinstance(items[-1], ReadError) and "cannot read past this point" in str(items[-1])


def test_json_object_list_and_bad_items(tmp_path: Path) -> None:
    recs = _bulk_records()
    (tmp_path / "one.json").write_text(json.dumps(recs[0], ensure_ascii=False), encoding="utf-8")
    (tmp_path / "list.json").write_text(
        json.dumps([recs[1], 5, recs[2]], ensure_ascii=False), encoding="utf-8"
    )
    (tmp_path / "bad.json").write_text('{"id": "x", "text": ', encoding="utf-8")
    one = _read(tmp_path / "one.json")
    assert [a.doc_id for a in _articles(one)] == ["bulk_aaaaaaaaaaaa"]
    lst = _read(tmp_path / "list.json")
    assert [type(i).__name__ for i in lst] == ["Article", "ReadError", "Article"]
    assert "item 2" in str(lst[1])
    (bad,) = _read(tmp_path / "bad.json")
    assert isinstance(bad, ReadError) and "malformed JSON" in str(bad)


def test_record_without_id_gets_stable_fallback(tmp_path: Path) -> None:
    path = tmp_path / "noid.jsonl"
    _write_jsonl(path, [json.dumps({"title": BBC_TITLE, "text": BBC_BODY}, ensure_ascii=False)])
    (art,) = read_file(path)
    assert art.doc_id == "noid-1"


# --------------------------------------------------------------------------------------------
# RSS and Atom


def test_rss_feed(tmp_path: Path) -> None:
    paras = "".join(f"<p>{p}</p>" for p in _paragraphs(BBC_BODY))
    rss = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>BBC Arabic</title><link>http://www.bbc.co.uk/arabic</link>
<item>
  <title>{BBC_TITLE}</title>
  <link>http://www.bbc.co.uk/arabic/middleeast-43944996</link>
  <guid isPermaLink="false">bbc-43944996</guid>
  <pubDate>Sun, 29 Apr 2018 23:30:00 +0300</pubDate>
  <description><![CDATA[{paras}<script>SECRET_SCRIPT()</script>]]></description>
</item>
<item>
  <title>{RIYADH_TITLE}</title>
  <link>http://www.alriyadh.com/1071765</link>
  <pubDate>Sun, 09 Aug 2015 08:00:00 GMT</pubDate>
  <description>ملخص قصير</description>
  <content:encoded><![CDATA[<div>{"</div><div>".join(_paragraphs(RIYADH_BODY))}</div>]]></content:encoded>
</item>
</channel></rss>"""
    path = tmp_path / "feed.rss"
    path.write_text(rss, encoding="utf-8")
    items = _read(path)
    assert not _errors(items)
    a, b = _articles(items)
    assert a.text == f"{BBC_TITLE}\n" + "\n".join(_paragraphs(BBC_BODY))
    assert "SECRET_SCRIPT" not in a.text and "<p>" not in a.text
    assert (a.doc_id, a.url, a.pub_date, a.outlet) == (
        "bbc-43944996",
        "http://www.bbc.co.uk/arabic/middleeast-43944996",
        date(2018, 4, 29),
        "BBC Arabic",
    )
    assert b.text == f"{RIYADH_TITLE}\n" + "\n".join(_paragraphs(RIYADH_BODY))  # content:encoded preferred
    assert b.pub_date == date(2015, 8, 9)
    assert b.doc_id.startswith("feed_") and len(b.doc_id) == len("feed_") + 12  # hash fallback


def test_atom_feed(tmp_path: Path) -> None:
    atom = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Al-Riyadh</title>
  <entry>
    <title>{RIYADH_TITLE}</title>
    <link rel="alternate" href="http://www.alriyadh.com/1071765"/>
    <id>tag:alriyadh.com,2015:1071765</id>
    <updated>2015-08-10T01:00:00+03:00</updated>
    <published>2015-08-09T22:30:00+03:00</published>
    <content type="html">{"".join(f"&lt;p&gt;{p}&lt;/p&gt;" for p in _paragraphs(RIYADH_BODY))}</content>
  </entry>
  <entry>
    <title type="text">{BBC_TITLE}</title>
    <link href="http://www.bbc.co.uk/arabic/middleeast-43944996"/>
    <id>urn:bbc:43944996</id>
    <updated>2018-04-29T20:30:00Z</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">{
        "".join(f"<p>{p}</p>" for p in _paragraphs(BBC_BODY))
    }</div></content>
  </entry>
</feed>"""
    path = tmp_path / "feed.atom"
    path.write_text(atom, encoding="utf-8")
    a, b = _articles(_read(path))
    assert a.text == f"{RIYADH_TITLE}\n" + "\n".join(_paragraphs(RIYADH_BODY))
    assert (a.doc_id, a.url, a.outlet) == (
        "tag:alriyadh.com,2015:1071765",
        "http://www.alriyadh.com/1071765",
        "Al-Riyadh",
    )
    assert a.pub_date == date(2015, 8, 9)  # <published> preferred over <updated>, publisher-local day
    assert b.text == f"{BBC_TITLE}\n" + "\n".join(_paragraphs(BBC_BODY))
    assert (b.doc_id, b.pub_date) == ("urn:bbc:43944996", date(2018, 4, 29))


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    ents = "\n".join(f'  <!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    bomb = f"""<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol0 "lol">
{ents}
]>
<rss><channel><title>x</title><item><title>&lol9;</title><description>خبر</description></item></channel></rss>"""
    path = tmp_path / "bomb.xml"
    path.write_text(bomb, encoding="utf-8")
    start = time.perf_counter()
    items = _read(path, FIXTURES / f"{BBC_ID}.txt")
    assert time.perf_counter() - start < 10  # a hang guard: expansion would take minutes and gigabytes
    assert isinstance(items[0], ReadError) and "refused" in str(items[0]) and "entit" in str(items[0])
    assert isinstance(items[1], Article)  # the batch goes on


def test_external_entity_is_refused(tmp_path: Path) -> None:
    xxe = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss><channel><item><title>&xxe;</title><description>x</description></item></channel></rss>"""
    path = tmp_path / "xxe.rss"
    path.write_text(xxe, encoding="utf-8")
    (err,) = _read(path)
    assert isinstance(err, ReadError) and "refused" in str(err) and "root:" not in str(err)


def test_malformed_and_unsupported_xml(tmp_path: Path) -> None:
    (tmp_path / "broken.xml").write_text("<rss><channel><item><title>x</title>", encoding="utf-8")
    (tmp_path / "other.xml").write_text("<catalog><book>x</book></catalog>", encoding="utf-8")
    (tmp_path / "noitems.rss").write_text("<rss><channel><title>x</title></channel></rss>", encoding="utf-8")
    broken, other, noitems = _read(tmp_path / "broken.xml", tmp_path / "other.xml", tmp_path / "noitems.rss")
    assert isinstance(broken, ReadError) and "malformed XML" in str(broken)
    assert isinstance(other, ReadError) and "unsupported XML document" in str(other)
    assert isinstance(noitems, ReadError) and "no items" in str(noitems)


# --------------------------------------------------------------------------------------------
# stdin


def test_stdin_plain_text() -> None:
    (art,) = _read("-", stdin=io.BytesIO(BBC_TEXT.encode("cp1256")), pub_date=date(2018, 4, 29))
    assert isinstance(art, Article)
    assert art.text == BBC_TEXT and art.title == BBC_TITLE
    assert (art.doc_id, art.path, art.pub_date) == ("stdin", "<stdin>", date(2018, 4, 29))


def test_stdin_jsonl_with_bad_line() -> None:
    recs = [json.dumps(r, ensure_ascii=False) for r in _bulk_records()]
    data = ("\n" + recs[0] + "\n{oops}\n" + recs[1] + "\n").encode("utf-8")
    items = _read("-", stdin=io.BytesIO(data))
    assert [type(i).__name__ for i in items] == ["Article", "ReadError", "Article"]
    assert items[1].line == 3 and str(items[1]).startswith("<stdin>:3: ")  # type: ignore[union-attr]
    assert [a.doc_id for a in _articles(items)] == ["bulk_aaaaaaaaaaaa", "bulk_bbbbbbbbbbbb"]


def test_stdin_html_and_pretty_json() -> None:
    (page,) = _read("-", stdin=io.BytesIO(_html_page(BBC_TITLE, BBC_BODY).encode("utf-8")))
    assert isinstance(page, Article)
    _assert_clean_page_text(page, BBC_TITLE, BBC_BODY)
    pretty = json.dumps(_bulk_records()[0], ensure_ascii=False, indent=2).encode("utf-8")
    (rec,) = _read("-", stdin=io.BytesIO(pretty))
    assert isinstance(rec, Article) and rec.doc_id == "bulk_aaaaaaaaaaaa"


def test_stdin_feed_is_sniffed() -> None:
    rss = f"<rss><channel><title>BBC Arabic</title><item><title>{BBC_TITLE}</title>"
    rss += f"<description>{_paragraphs(BBC_BODY)[0]}</description></item></channel></rss>"
    (art,) = _read("-", stdin=io.BytesIO(rss.encode("utf-8")))
    assert isinstance(art, Article)
    assert art.text == f"{BBC_TITLE}\n{_paragraphs(BBC_BODY)[0]}" and art.outlet == "BBC Arabic"


def test_stdin_empty_and_too_large() -> None:
    (empty,) = _read("-", stdin=io.BytesIO(b""))
    assert isinstance(empty, ReadError) and "empty" in str(empty)
    (big,) = _read("-", stdin=io.BytesIO(BBC_TEXT.encode("utf-8")), max_bytes=100)
    assert isinstance(big, InputTooLarge) and big.path == "<stdin>"


def test_read_file_raises_first_error(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    _write_jsonl(path, [json.dumps(_bulk_records()[0], ensure_ascii=False), "{bad"])
    with pytest.raises(ReadError) as info:
        read_file(path)
    assert info.value.line == 2
