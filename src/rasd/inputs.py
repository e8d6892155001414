"""The input readers: read articles from files, folders and stdin into :class:`rasd.types.Article` records.

Inputs
------
* ``.txt`` — UTF-8 (or UTF-8 with BOM, UTF-16 with BOM, Windows-1256) plain text; the first
  non-blank line is the title and the article text is the *whole* decoded file, as in the corpus
  ``dev/*.txt`` files. A ``.txt`` file that starts with ``<!DOCTYPE html`` or ``<html`` is read as HTML.
* ``.html`` / ``.htm`` (or content sniffed as HTML) — main text extracted with trafilatura
  (``favor_precision``: sidebars of other headlines would otherwise produce spurious events),
  with an lxml tag-stripping fallback; ``<script>``/``<style>`` content never reaches the text.
* ``.json`` (one object or a list of objects), ``.jsonl`` and ``.jsonl.gz`` (streamed lazily) —
  records with the fields of ``bulk.jsonl.gz``: ``id``, ``pub_date``, ``outlet``, ``title``,
  ``text`` (also ``doc_id``/``_id``/``guid``, ``body``/``content``, ``date``/``published``,
  ``source``, ``url``/``link``).
* ``.xml`` / ``.rss`` / ``.atom`` (or sniffed) — RSS 2.0, RSS 1.0 (RDF) and Atom feeds, parsed
  with defusedxml: entity declarations ("billion laughs") and external entities are refused.
* ``-`` — standard input (bytes), sniffed as JSON Lines, JSON, a feed, HTML or plain text.

The text Rasd reports offsets into
----------------------------------
Every span produced by later stages is an offset into ``Article.text``. That text is:

* for ``.txt``: the decoded file, BOM removed, with ``\\r\\n`` and lone ``\\r`` turned into ``\\n``
  (nothing else changes: a UTF-8 ``.txt`` file with ``\\n`` line ends is reproduced exactly);
* for HTML, JSON(L) and feeds: the constructed text ``title + "\\n" + body`` (just ``body`` when
  there is no title or the body already starts with the title), body stripped of surrounding
  whitespace and newline-normalised the same way. The first line is thus always the title, as in
  the corpus files.

Metadata precedence (``pub_date``, ``outlet``, ``url``)
--------------------------------------------------------
1. the ``meta`` entry for the article's ``doc_id`` (explicit, curated sidecar), when its value is
   not null;
2. the record's own value (JSON field, feed ``pubDate``/``published``, feed/channel title as
   outlet, HTML ``<meta>`` date / ``og:site_name`` / canonical URL);
3. the caller's defaults (the CLI's ``--pub-date`` / ``--outlet``) — used ONLY when neither of
   the above gives a value.

``title`` is the record's own title (it is the first line of the text); a meta title is used only
when the record has none. Unparseable dates in records count as absent. When ``meta`` is ``None``
and ``auto_meta`` is true, a ``meta.jsonl`` next to an input file is loaded automatically (so
``rasd extract corpus/dev/`` picks up ``corpus/dev/meta.jsonl``).

``doc_id`` is the file stem for ``.txt``/HTML files, the record ``id`` for JSON(L) records
(``<stem>-<line>`` / ``<stem>-<n>`` when a record has none), the ``guid``/``id`` for feed items
(``<stem>_<sha1 prefix>`` when absent), and ``stdin`` for a non-JSON standard input.

Errors
------
:func:`iter_articles` never raises for a bad input: it *yields* a :class:`~rasd.errors.ReadError`
(missing file, folder without articles, empty/whitespace-only, binary, undecodable, malformed JSON
line, refused XML, ...) and goes on with the next input or record. Inputs over ``max_bytes``
(per file; per record for JSON Lines) give :class:`~rasd.errors.InputTooLarge`.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import io
import json
import os
import re
import sys
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, BinaryIO

import charset_normalizer
import defusedxml
import defusedxml.ElementTree as SafeET
import lxml.etree
import lxml.html
import trafilatura

from rasd.errors import InputTooLarge, ReadError
from rasd.types import Article

__all__ = [
    "ARTICLE_SUFFIXES",
    "DEFAULT_MAX_BYTES",
    "MAX_JSON_DEPTH",
    "decode_bytes",
    "iter_articles",
    "load_meta",
    "read_file",
]

DEFAULT_MAX_BYTES = 20_000_000
"""Default size limit: per file, or per record for JSON Lines."""

MAX_JSON_DEPTH = 64
"""Deepest JSON nesting accepted in one record (the record object itself is level 1)."""

ARTICLE_SUFFIXES = (".txt", ".html", ".htm", ".json", ".jsonl", ".jsonl.gz", ".xml", ".rss", ".atom")
"""File name endings picked up when a folder is read."""

META_FILENAME = "meta.jsonl"
STDIN_LABEL = "<stdin>"
HTML_FAVOR_PRECISION = True

_SUFFIX_KIND = {
    ".jsonl.gz": "jsonl.gz",
    ".jsonl": "jsonl",
    ".json": "json",
    ".html": "html",
    ".htm": "html",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
    ".txt": "text",
}

# Encodings tried (via charset-normalizer) when the bytes are not UTF-8 and carry no BOM.
_CANDIDATE_ENCODINGS = ["cp1256", "iso8859_6", "cp1252"]
_ARABIC_ENCODINGS = {"cp1256", "iso8859_6"}

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: FF FE 00 00 starts with FF FE
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_ARABIC_CLASS = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefc"
_ARABIC_RE = re.compile(f"[{_ARABIC_CLASS}]")
_LATIN_LETTER_RE = re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]")
# Characters expected in news text: Arabic, printable ASCII, whitespace, common typographic marks.
_TEXTLIKE_RE = re.compile(f"[{_ARABIC_CLASS}\\x20-\\x7e\\s\u00a0«»“”‘’„–—…•·×÷°\u200c\u200d\u200e\u200f]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_WS_RE = re.compile(r"\s")
_ASCII_RE = re.compile(r"[\x00-\x7f]")
_NEWLINE_RE = re.compile(r"\r\n?")
_TAG_RE = re.compile(r"<[^<>]*>")
_SCRIPT_RE = re.compile(r"(?is)<(script|style)\b.*?</\1\s*>")
_META_CHARSET_RE = re.compile(rb"""(?i)<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""")
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
_FIRST_ELEMENT_RE = re.compile(r"<([A-Za-z_][\w:.\-]*)")
_ISO_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")

_PLAUSIBILITY_SAMPLE = 1_000_000  # characters examined by the text-likeness checks
_MAX_CONTROL_SHARE = 0.05
_MIN_ARABIC_SHARE_OF_LETTERS = 0.6
_MAX_ODD_SHARE = 0.05

_DROP_TAGS = ("script", "style", "noscript", "template", "head", "iframe", "object", "embed", "svg")
_CHROME_TAGS = ("nav", "header", "footer", "aside", "form", "menu", "dialog")
_BLOCK_TAGS = (
    "p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
    "tr", "table", "section", "article", "header", "footer", "aside", "nav", "blockquote",
    "pre", "figure", "figcaption", "main", "hr", "address", "form", "fieldset",
)  # fmt: skip


# --------------------------------------------------------------------------------------------
# decoding


def normalize_newlines(text: str) -> str:
    """Turn ``\\r\\n`` and lone ``\\r`` into ``\\n`` (the only change made to a decoded ``.txt``)."""
    return _NEWLINE_RE.sub("\n", text) if "\r" in text else text


def _count(pattern: re.Pattern[str], text: str) -> int:
    """How many characters of ``text`` match a one-character ``pattern`` (C speed)."""
    return len(text) - len(pattern.sub("", text))


def _is_arabic_plausible(text: str, *, markup: bool = False) -> bool:
    """True when ``text`` reads as Arabic prose: mostly Arabic letters, few odd symbols."""
    sample = text[:_PLAUSIBILITY_SAMPLE]
    if markup:
        sample = _TAG_RE.sub(" ", _SCRIPT_RE.sub(" ", sample))
    non_ws = len(sample) - _count(_WS_RE, sample)
    if non_ws == 0:
        return False
    arabic = _count(_ARABIC_RE, sample)
    latin = _count(_LATIN_LETTER_RE, sample)
    odd = len(sample) - _count(_TEXTLIKE_RE, sample)
    return arabic > 0 and arabic >= _MIN_ARABIC_SHARE_OF_LETTERS * (arabic + latin) and odd <= _MAX_ODD_SHARE * non_ws


def _is_textlike(text: str) -> bool:
    """True when ``text`` (any script) is not mostly control characters."""
    sample = text[:_PLAUSIBILITY_SAMPLE]
    if not sample:
        return False
    return _count(_CONTROL_RE, sample) <= _MAX_CONTROL_SHARE * len(sample)


def _declared_charset(data: bytes) -> str | None:
    """The ``<meta charset=...>`` of an HTML document, as a Python codec name, if valid."""
    m = _META_CHARSET_RE.search(data[:8192])
    if not m:
        return None
    try:
        return codecs.lookup(m.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None


def _decode_raw(data: bytes, path: str, *, markup: bool, declared: str | None) -> str:
    """Decode ``data`` (BOM, UTF-8, declared charset, Windows-1256) or raise :class:`ReadError`."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise ReadError(
                    path, f"undecodable: invalid {codec.upper()} after BOM (byte {exc.start + len(bom)})"
                ) from None

    if b"\x00" in data:
        text = _try_bomless_utf16(data)
        if text is None:
            raise ReadError(path, "binary file (contains NUL bytes), not text")
        return text

    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data":  # truncated in the middle of the last character
            return data[: exc.start].decode("utf-8", "replace") + "\ufffd"
    if declared and declared not in ("utf-8", "utf-16", "utf-32"):
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            pass
    # Nearly UTF-8: a few corrupted sequences (at most 1 per 10 000 bytes) in a text that is
    # demonstrably UTF-8 (at least 10 valid non-ASCII characters per corrupted sequence).
    loose = data.decode("utf-8", "replace")
    bad = loose.count("\ufffd")
    if bad * 10_000 <= len(data) and len(loose) - _count(_ASCII_RE, loose) - bad >= 10 * bad:
        return loose

    guesses: list[str] = []
    for match in charset_normalizer.from_bytes(data, cp_isolation=_CANDIDATE_ENCODINGS):
        guesses.append(match.encoding)
        if match.encoding in _ARABIC_ENCODINGS:
            text = str(match)
            if _is_arabic_plausible(text, markup=markup):
                return text
    # charset-normalizer can prefer cp1252 on short inputs: give Windows-1256 its own chance.
    text = data.decode("cp1256", "replace")
    if _is_arabic_plausible(text, markup=markup):
        return text
    if not guesses:
        raise ReadError(path, "binary or undecodable data: no plausible text encoding found")
    raise ReadError(
        path,
        "undecodable: not UTF-8, UTF-16 or Arabic Windows-1256 text "
        f"(charset-normalizer's best guess {guesses[0]} is not Arabic)",
    )


def _try_bomless_utf16(data: bytes) -> str | None:
    """Decode BOM-less UTF-16 when the NUL bytes all sit at odd (LE) or even (BE) offsets."""
    if len(data) % 2:
        return None
    even_nuls, odd_nuls = data[0::2].count(0), data[1::2].count(0)
    if odd_nuls and not even_nuls:
        codec = "utf-16-le"
    elif even_nuls and not odd_nuls:
        codec = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    sample = text[:_PLAUSIBILITY_SAMPLE]
    odd = len(sample) - _count(_TEXTLIKE_RE, sample)
    return text if _is_textlike(text) and odd <= _MAX_ODD_SHARE * max(1, len(sample)) else None


def _decode(data: bytes, path: str, *, markup: bool = False, declared: str | None = None) -> str:
    """Decode, normalise newlines and reject empty or binary input (see :func:`decode_bytes`)."""
    if not data.strip():
        raise ReadError(path, "empty input" if not data else "empty input (whitespace only)")
    text = normalize_newlines(_decode_raw(data, path, markup=markup, declared=declared))
    if not text.strip():
        raise ReadError(path, "empty input (whitespace only)")
    if not _is_textlike(text):
        raise ReadError(path, "binary or undecodable data (mostly control characters), not text")
    return text


def decode_bytes(data: bytes, *, path: str = "<bytes>") -> str:
    """Decode the bytes of an article file to text.

    Tried in order: a BOM (UTF-8, UTF-16, UTF-32; the BOM is removed), BOM-less UTF-16 (only
    when NUL bytes sit consistently at odd or even offsets), strict UTF-8 (a character truncated
    at the very end, or at most one corrupted sequence per 10 000 bytes, becomes U+FFFD), then
    charset-normalizer restricted to cp1256 / iso8859_6 / cp1252, accepting an Arabic code page
    only when the result is mostly Arabic letters with few odd symbols. ``\\r\\n`` and ``\\r`` become
    ``\\n``; offsets reported by Rasd are into this newline-normalised text.

    Raises:
        ReadError: empty or whitespace-only input, binary data (NUL bytes outside UTF-16, mostly
            control characters, no plausible encoding), or bytes that are neither UTF-8/UTF-16 nor
            plausible Windows-1256 Arabic.
    """
    return _decode(data, path)


# --------------------------------------------------------------------------------------------
# small helpers


def _parse_date(value: Any) -> date | None:
    """Parse ``YYYY-MM-DD``, ISO 8601 timestamps and RFC 822 dates; ``None`` if absent/invalid.

    A timestamp keeps its own (publisher-local) calendar day; it is not converted to UTC.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    s = value.strip()
    if not s:
        return None
    if _ISO_DAY_RE.match(s):
        try:
            return date.fromisoformat(s[:10])
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(s).date()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(s).date()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _clean_line(value: str | None) -> str | None:
    """Collapse whitespace to single spaces (titles must stay on one line); ``None`` if empty."""
    if value is None:
        return None
    s = " ".join(value.split())
    return s or None


def _compose(title: str | None, body: str) -> str:
    """Article text for structured inputs: ``title + "\\n" + body`` unless redundant."""
    body = normalize_newlines(body).strip()
    if not title:
        return body
    if not body:
        return title
    if body.startswith(title):
        return body
    return f"{title}\n{body}"


def _stem(path: Path) -> str:
    """File name without its article suffix (``bulk.jsonl.gz`` → ``bulk``)."""
    name = path.name
    lower = name.lower()
    for suffix in sorted(_SUFFIX_KIND, key=len, reverse=True):
        if lower.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return path.stem or name


def _kind_of(path: Path) -> str | None:
    lower = path.name.lower()
    for suffix in sorted(_SUFFIX_KIND, key=len, reverse=True):
        if lower.endswith(suffix):
            return _SUFFIX_KIND[suffix]
    return None


def _head_text(data: bytes, size: int = 4096) -> str:
    """The start of ``data`` decoded loosely, lower-cased and left-stripped, for sniffing."""
    head = data[:size]
    for bom, codec in _BOMS:
        if head.startswith(bom):
            body = head[len(bom) :]
            if codec.startswith("utf-16"):
                body = body[: len(body) // 2 * 2]
            return body.decode(codec, "ignore").lstrip().lower()
    return head.decode("utf-8", "ignore").lstrip().lower()


def _looks_like_html_document(head: str) -> bool:
    """Strong HTML signal: the document starts with a doctype or an ``<html>`` tag."""
    return head.startswith(("<!doctype html", "<html"))


def _sniff(data: bytes) -> str:
    """Guess ``json``, ``feed``, ``html`` or ``text`` from the first bytes."""
    head = _head_text(data)
    if head.startswith(("{", "[")):
        return "json"
    if _looks_like_html_document(head):
        return "html"
    if head.startswith("<"):
        rest = re.sub(r"(?s)<\?.*?\?>|<!--.*?-->|<!doctype[^>]*>", "", head).lstrip()
        m = _FIRST_ELEMENT_RE.match(rest)
        name = m.group(1).split(":")[-1] if m else ""
        if name in ("rss", "feed", "rdf"):
            return "feed"
        if head.startswith("<?xml") and name != "html":
            return "feed"  # the feed reader names unsupported XML documents clearly
        if re.search(r"<(html|head|body|div|p|article|title|meta)\b", head):
            return "html"
    return "text"


def _too_deep(obj: Any, limit: int) -> bool:
    """True when ``obj`` nests dicts/lists deeper than ``limit`` (iterative, no recursion)."""
    stack: list[tuple[Any, int]] = [(obj, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        if depth > limit:
            return True
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return False


def _loads(text: str, *, in_line: bool) -> Any:
    """``json.loads`` with depth limits; raises ``ValueError`` with a one-line reason."""
    try:
        obj = json.loads(text)
    except RecursionError:
        raise ValueError(f"JSON nested too deeply (more than {MAX_JSON_DEPTH} levels)") from None
    except json.JSONDecodeError as exc:
        where = f"column {exc.colno}" if in_line else f"line {exc.lineno} column {exc.colno}"
        at = "" if exc.msg.endswith(" at") else " at"  # "Unterminated string starting at": no "at at"
        raise ValueError(f"malformed JSON ({exc.msg}{at} {where})") from None
    except ValueError as exc:  # e.g. integer literals over the int-digits limit
        raise ValueError(f"malformed JSON ({exc})") from None
    if isinstance(obj, (dict, list)) and _too_deep(obj, MAX_JSON_DEPTH):
        raise ValueError(f"JSON nested too deeply (more than {MAX_JSON_DEPTH} levels)")
    return obj


# --------------------------------------------------------------------------------------------
# plain text


def _text_article(text: str, *, label: str, doc_id: str) -> Article:
    """A ``.txt`` article: the text is kept verbatim, the first non-blank line is the title."""
    title = None
    for line in text.split("\n", 50)[:50]:
        if line.strip():
            title = _clean_line(line)
            break
    return Article(text=text, doc_id=doc_id, title=title, path=label)


# --------------------------------------------------------------------------------------------
# HTML


def _tree_text(root: lxml.html.HtmlElement) -> str:
    """Visible text of an lxml tree, one block element per line, scripts and styles dropped."""
    for el in [el for el in root.iter(*_DROP_TAGS) if el is not root]:
        el.drop_tree()
    for el in root.iter(*_BLOCK_TAGS):
        el.text = "\n" + (el.text or "")
        el.tail = "\n" + (el.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


def _page_text(tree: lxml.html.HtmlElement) -> str:
    """Fallback main text of a page: chrome (nav, header, footer, aside, forms) dropped, and the
    first ``<article>`` (else ``<main>``, else ``<body>``) with text is used."""
    for el in [el for el in tree.iter(*_CHROME_TAGS) if el is not tree]:
        el.drop_tree()
    for tag in ("article", "main", "body"):
        for el in tree.iter(tag):
            text = _tree_text(el)
            if text:
                return text
    return _tree_text(tree)


def _parse_html_tree(text: str) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.document_fromstring(_XML_DECL_RE.sub("", text, count=1))
    except (lxml.etree.ParserError, ValueError):
        return None


def _html_fragment_text(fragment: str) -> str:
    """Plain text of an HTML fragment (feed descriptions): tags stripped, entities decoded."""
    if "<" not in fragment and "&" not in fragment:
        return "\n".join(" ".join(ln.split()) for ln in fragment.split("\n") if ln.strip())
    tree = _parse_html_tree(f"<html><body><div>{fragment}</div></body></html>")
    return _tree_text(tree) if tree is not None else _TAG_RE.sub(" ", fragment).strip()


def _html_article(text: str, *, label: str, doc_id: str) -> Article | ReadError:
    """Extract the main text and metadata of an HTML page."""
    body: str | None = None
    try:
        body = trafilatura.extract(
            text,
            include_comments=False,
            include_tables=False,
            favor_precision=HTML_FAVOR_PRECISION,
            deduplicate=False,
        )
    except Exception:  # trafilatura can fail on pathological markup; the fallback handles it
        body = None
    title = pub_date = url = outlet = None
    try:
        meta = trafilatura.extract_metadata(text, date_config={"extensive_search": False, "original_date": True})
        title, url, outlet = _clean_line(meta.title), meta.url, _clean_line(meta.sitename)
        pub_date = _parse_date(meta.date)
    except Exception:  # metadata is optional
        pass

    tree = _parse_html_tree(text)
    if tree is not None and not title:
        for tag in ("title", "h1"):
            el = next(tree.iter(tag), None)
            if el is not None and _clean_line(el.text_content()):
                title = _clean_line(el.text_content())
                break
    if not body or not body.strip():
        body = _page_text(tree) if tree is not None else ""
    if not body.strip():
        return ReadError(label, "no text found in HTML page")
    return Article(
        text=_compose(title, body),
        doc_id=doc_id,
        pub_date=pub_date,
        outlet=outlet,
        title=title,
        url=url,
        path=label,
    )


# --------------------------------------------------------------------------------------------
# JSON and JSON Lines


def _first(obj: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = obj.get(key)
        if value is not None and value != "":
            return value
    return None


def _record_article(obj: Any, *, label: str, line: int | None, fallback_id: str) -> Article | ReadError:
    """One JSON record → :class:`Article` (or a :class:`ReadError` naming the line)."""
    if not isinstance(obj, dict):
        return ReadError(label, f"expected a JSON object, got {type(obj).__name__}", line=line)
    fields: dict[str, str | None] = {}
    for name, keys in (
        ("title", ("title",)),
        ("body", ("text", "body", "content")),
        ("outlet", ("outlet", "source")),
        ("url", ("url", "link")),
    ):
        value = _first(obj, keys)
        if value is not None and not isinstance(value, str):
            return ReadError(label, f"field {keys[0]!r} is not a string", line=line)
        fields[name] = value
    raw_id = _first(obj, ("id", "doc_id", "_id", "guid"))
    if raw_id is not None and not isinstance(raw_id, (str, int)):
        return ReadError(label, "field 'id' is not a string", line=line)
    if not (fields["body"] or "").strip():
        return ReadError(label, "record has no text (no 'text', 'body' or 'content' field)", line=line)
    title = _clean_line(fields["title"])
    text = _compose(title, fields["body"] or "")
    return Article(
        text=text,
        doc_id=str(raw_id).strip() if raw_id is not None and str(raw_id).strip() else fallback_id,
        pub_date=_parse_date(_first(obj, ("pub_date", "date", "published"))),
        outlet=_clean_line(fields["outlet"]),
        title=title,
        url=(fields["url"] or "").strip() or None,
        path=label,
    )


def _iter_jsonl(
    readline: Callable[[int], bytes], *, label: str, stem: str, max_bytes: int
) -> Iterator[Article | ReadError]:
    """Stream JSON Lines records; a bad line yields a :class:`ReadError` and reading goes on."""
    lineno = 0
    seen_record = False
    while True:
        try:
            raw = readline(max_bytes + 1)
        except (OSError, EOFError, zlib.error) as exc:
            yield ReadError(label, f"cannot read past this point: {exc}", line=lineno + 1)
            return
        if not raw:
            break
        lineno += 1
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            try:  # skip the rest of the over-long line without holding it in memory
                while True:
                    chunk = readline(1 << 20)
                    if not chunk or chunk.endswith(b"\n"):
                        break
            except (OSError, EOFError, zlib.error) as exc:
                yield ReadError(label, f"cannot read past this point: {exc}", line=lineno)
                return
            yield InputTooLarge(label, f"record larger than max_bytes ({max_bytes:,} bytes)", line=lineno)
            continue
        if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        if not raw.strip():
            continue
        seen_record = True
        try:
            line_text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield ReadError(label, f"line is not valid UTF-8 (byte {exc.start})", line=lineno)
            continue
        try:
            obj = _loads(line_text, in_line=True)
        except ValueError as exc:
            yield ReadError(label, str(exc), line=lineno)
            continue
        yield _record_article(obj, label=label, line=lineno, fallback_id=f"{stem}-{lineno}")
    if not seen_record:
        yield ReadError(label, "empty input (no JSON records)")


def _json_document(data: bytes, *, label: str, stem: str, max_bytes: int) -> Iterator[Article | ReadError]:
    """A ``.json`` document: one object or a list of objects (JSON Lines content is accepted too)."""
    try:
        text = _decode(data, label)
    except ReadError as err:
        yield err
        return
    try:
        obj = _loads(text, in_line=False)
    except ValueError as exc:
        if "Extra data" in str(exc):  # several top-level values: it is JSON Lines
            yield from _iter_jsonl(io.BytesIO(data).readline, label=label, stem=stem, max_bytes=max_bytes)
        else:
            yield ReadError(label, str(exc))
        return
    if isinstance(obj, list):
        if not obj:
            yield ReadError(label, "empty input (empty JSON list)")
        for i, item in enumerate(obj, 1):
            art = _record_article(item, label=label, line=None, fallback_id=f"{stem}-{i}")
            yield ReadError(label, f"item {i}: {art.reason}") if isinstance(art, ReadError) else art
    else:
        yield _record_article(obj, label=label, line=None, fallback_id=stem)


# --------------------------------------------------------------------------------------------
# RSS / Atom


def _local(tag: Any) -> str:
    """Local name of an ElementTree tag (``{ns}name`` → ``name``), lower-cased."""
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _child(el: ET.Element, *names: str) -> ET.Element | None:
    """First direct child whose local name is one of ``names``, in the order of ``names``."""
    kids = [(_local(c.tag), c) for c in el]
    for name in names:
        for local, c in kids:
            if local == name:
                return c
    return None


def _feed_text(el: ET.Element | None) -> str:
    """Text of a feed element, HTML stripped (Atom ``type="xhtml"`` children included)."""
    if el is None:
        return ""
    if len(el):  # inline XHTML (Atom) or other markup: drop namespaces so HTML tags are recognised
        for sub in el.iter():
            if isinstance(sub.tag, str):
                sub.tag = sub.tag.rsplit("}", 1)[-1]
        markup = (el.text or "") + "".join(ET.tostring(c, encoding="unicode") for c in el)
        return _html_fragment_text(markup)
    return _html_fragment_text(el.text or "")


def _feed_link(item: ET.Element) -> str | None:
    links = [c for c in item if _local(c.tag) == "link"]
    for c in links:  # Atom: <link rel="alternate" href="..."/>
        if c.get("href") and c.get("rel", "alternate") == "alternate":
            return c.get("href", "").strip() or None
    for c in links:
        if (c.text or "").strip():
            return (c.text or "").strip()
        if c.get("href"):
            return c.get("href", "").strip() or None
    return None


def _feed_articles(data: bytes, *, label: str, stem: str) -> Iterator[Article | ReadError]:
    """Items of an RSS 2.0 / RSS 1.0 / Atom feed, one :class:`Article` each."""
    if not data.strip():
        yield ReadError(label, "empty input")
        return
    try:
        root = SafeET.fromstring(data)
    except defusedxml.EntitiesForbidden:
        yield ReadError(
            label,
            "refused: XML declares entities (entity expansion such as 'billion laughs' and external "
            "entities are not allowed)",
        )
        return
    except defusedxml.ExternalReferenceForbidden:
        yield ReadError(label, "refused: XML references an external entity or DTD")
        return
    except defusedxml.DefusedXmlException as exc:
        yield ReadError(label, f"refused: unsafe XML ({type(exc).__name__})")
        return
    except ET.ParseError as exc:
        yield ReadError(label, f"malformed XML ({exc})")
        return
    except (ValueError, LookupError) as exc:
        yield ReadError(label, f"unreadable XML ({exc})")
        return

    root_name = _local(root.tag)
    if root_name == "html":  # XHTML saved as .xml
        try:
            text = _decode(data, label, markup=True)
        except ReadError as err:
            yield err
            return
        yield _html_article(text, label=label, doc_id=stem)
        return
    if root_name not in ("rss", "feed", "rdf"):
        yield ReadError(label, f"unsupported XML document (root element <{root_name}>); expected RSS or Atom")
        return

    channel = _child(root, "channel") if root_name in ("rss", "rdf") else root
    feed_title = _clean_line(_feed_text(_child(channel, "title"))) if channel is not None else None
    items = [el for el in root.iter() if _local(el.tag) in ("item", "entry")]
    if not items:
        yield ReadError(label, "feed has no items")
        return
    for n, item in enumerate(items, 1):
        title = _clean_line(_feed_text(_child(item, "title")))
        body = _feed_text(_child(item, "encoded", "content")) or _feed_text(_child(item, "description", "summary"))
        text = _compose(title, body)
        if not text:
            yield ReadError(label, f"item {n}: no title or text")
            continue
        link = _feed_link(item)
        date_el = _child(item, "pubdate", "published", "date", "issued", "updated", "modified")
        guid_el = _child(item, "guid", "id")
        guid = _clean_line(guid_el.text) if guid_el is not None else None
        digest = hashlib.sha1((link or text).encode("utf-8")).hexdigest()[:12]
        yield Article(
            text=text,
            doc_id=guid or f"{stem}_{digest}",
            pub_date=_parse_date(date_el.text if date_el is not None else None),
            outlet=feed_title,
            title=title,
            url=link,
            path=label,
        )


# --------------------------------------------------------------------------------------------
# dispatch


def _document_articles(
    data: bytes, kind: str, *, label: str, stem: str, max_bytes: int
) -> Iterator[Article | ReadError]:
    """Articles of a whole in-memory document of the given (or sniffed) kind."""
    if kind == "sniff":
        kind = _sniff(data)
    elif kind == "text" and _looks_like_html_document(_head_text(data)):
        kind = "html"
    if kind == "json":
        yield from _json_document(data, label=label, stem=stem, max_bytes=max_bytes)
        return
    if kind == "feed":
        yield from _feed_articles(data, label=label, stem=stem)
        return
    try:
        if kind == "html":
            text = _decode(data, label, markup=True, declared=_declared_charset(data))
            yield _html_article(text, label=label, doc_id=stem)
        else:
            text = _decode(data, label)
            yield _text_article(text, label=label, doc_id=stem)
    except ReadError as err:
        yield err


def _too_large(label: str, size: int, max_bytes: int) -> InputTooLarge:
    return InputTooLarge(label, f"input too large ({size:,} bytes; max_bytes is {max_bytes:,})")


def _file_articles(path: Path, *, max_bytes: int) -> Iterator[Article | ReadError]:
    """Articles of one file (by suffix, else sniffed)."""
    label = str(path)
    kind = _kind_of(path) or "sniff"
    stem = _stem(path)
    try:
        if kind in ("jsonl", "jsonl.gz"):
            with gzip.open(path, "rb") if kind == "jsonl.gz" else open(path, "rb") as fh:
                yield from _iter_jsonl(fh.readline, label=label, stem=stem, max_bytes=max_bytes)
            return
        size = path.stat().st_size
        if size > max_bytes:
            yield _too_large(label, size, max_bytes)
            return
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        yield ReadError(label, "no such file or directory")
        return
    except IsADirectoryError:
        yield ReadError(label, "is a directory")
        return
    except OSError as exc:
        yield ReadError(label, f"cannot read: {exc.strerror or exc}")
        return
    if len(data) > max_bytes:
        yield _too_large(label, len(data), max_bytes)
        return
    yield from _document_articles(data, kind, label=label, stem=stem, max_bytes=max_bytes)


class _Prefixed:
    """A byte stream that first replays ``prefix`` (already consumed for sniffing)."""

    def __init__(self, prefix: bytes, stream: BinaryIO) -> None:
        self._buf = io.BytesIO(prefix)
        self._stream = stream

    def readline(self, size: int = -1) -> bytes:
        line = self._buf.readline(size)
        if line.endswith(b"\n") or (size >= 0 and len(line) >= size):
            return line
        return line + self._stream.readline(size - len(line) if size >= 0 else -1)


def _stdin_articles(stream: BinaryIO, *, max_bytes: int) -> Iterator[Article | ReadError]:
    """Standard input: JSON Lines when the first non-blank line is a one-line JSON object."""
    label = STDIN_LABEL
    try:
        consumed: list[bytes] = []
        total = 0
        while True:  # skip (but keep) leading blank lines to find the first meaningful one
            line = stream.readline(max_bytes + 1)
            consumed.append(line)
            total += len(line)
            if not line or line.strip() or total > max_bytes:
                break
        head = b"".join(consumed)
        first = line.strip().removeprefix(codecs.BOM_UTF8)
        if first.startswith(b"{") and first.endswith(b"}"):
            yield from _iter_jsonl(_Prefixed(head, stream).readline, label=label, stem="stdin", max_bytes=max_bytes)
            return
        data = head + stream.read(max(0, max_bytes + 1 - len(head)))
    except OSError as exc:
        yield ReadError(label, f"cannot read: {exc.strerror or exc}")
        return
    if len(data) > max_bytes:
        yield InputTooLarge(label, f"input too large (more than max_bytes, {max_bytes:,} bytes)")
        return
    yield from _document_articles(data, "sniff", label=label, stem="stdin", max_bytes=max_bytes)


def _list_folder(root: Path) -> tuple[list[Path], list[ReadError]]:
    """Article files under ``root`` (recursive, sorted; hidden entries and meta.jsonl skipped)."""
    found: list[Path] = []
    errors: list[ReadError] = []

    def onerror(exc: OSError) -> None:
        errors.append(ReadError(str(exc.filename or root), f"cannot list folder: {exc.strerror or exc}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.startswith(".") or name == META_FILENAME:
                continue
            if _kind_of(Path(name)) is not None:
                found.append(Path(dirpath) / name)
    return sorted(found), errors


def _apply_meta(
    article: Article, entry: Mapping[str, Any] | None, pub_date: date | None, outlet: str | None
) -> Article:
    """Fill metadata with the documented precedence: meta entry > record > caller defaults."""
    if entry:
        d = _parse_date(entry.get("pub_date"))
        if d is not None:
            article.pub_date = d
        o = entry.get("outlet")
        if isinstance(o, str) and o.strip():
            article.outlet = o.strip()
        u = entry.get("url")
        if isinstance(u, str) and u.strip():
            article.url = u.strip()
        t = entry.get("title")
        if not article.title and isinstance(t, str):
            article.title = _clean_line(t)
    if article.pub_date is None:
        article.pub_date = pub_date
    if article.outlet is None:
        article.outlet = outlet
    return article


# --------------------------------------------------------------------------------------------
# public API


def load_meta(path: Path | str) -> dict[str, dict[str, Any]]:
    """Load a ``meta.jsonl`` sidecar: ``doc_id`` → ``{pub_date, outlet, url, title, ...}``.

    ``doc_id`` is the article file's stem. ``pub_date`` is returned as a :class:`datetime.date`
    (or ``None``); other fields are kept as given. A later line with the same ``doc_id`` wins.

    Raises:
        ReadError: unreadable file, malformed JSON line, missing ``doc_id`` or invalid ``pub_date``
            (naming ``path:line``).
    """
    label = str(path)
    meta: dict[str, dict[str, Any]] = {}
    try:
        with open(path, "rb") as fh:
            for lineno, raw in enumerate(fh, 1):
                if lineno == 1:
                    raw = raw.removeprefix(codecs.BOM_UTF8)
                if not raw.strip():
                    continue
                try:
                    obj = _loads(raw.decode("utf-8"), in_line=True)
                except (ValueError, UnicodeDecodeError) as exc:
                    raise ReadError(label, str(exc), line=lineno) from None
                if not isinstance(obj, dict):
                    raise ReadError(label, "expected a JSON object", line=lineno)
                doc_id = obj.get("doc_id", obj.get("id"))
                if not isinstance(doc_id, str) or not doc_id.strip():
                    raise ReadError(label, "missing 'doc_id'", line=lineno)
                entry = dict(obj)
                raw_date = entry.get("pub_date")
                entry["pub_date"] = _parse_date(raw_date)
                if raw_date not in (None, "") and entry["pub_date"] is None:
                    raise ReadError(label, f"invalid pub_date {raw_date!r}", line=lineno)
                meta[doc_id.strip()] = entry
    except OSError as exc:
        raise ReadError(label, f"cannot read meta file: {exc.strerror or exc}") from None
    return meta


def iter_articles(
    paths: Iterable[str | Path],
    *,
    meta: Mapping[str, Mapping[str, Any]] | None = None,
    pub_date: date | None = None,
    outlet: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    stdin: BinaryIO | None = None,
    auto_meta: bool = True,
) -> Iterator[Article | ReadError]:
    """Yield an :class:`Article` per input article and a :class:`ReadError` per failure.

    Args:
        paths: files, folders (read recursively in sorted order: every ``.txt .html .htm .json
            .jsonl .jsonl.gz .xml .rss .atom``, hidden files/folders and ``meta.jsonl`` skipped)
            and ``"-"`` for standard input. Files with other endings are sniffed.
        meta: ``doc_id`` → metadata (see :func:`load_meta`); its non-null ``pub_date``, ``outlet``
            and ``url`` override the record's own values.
        pub_date: default publication date, used only when neither meta nor record has one.
        outlet: default outlet, used only when neither meta nor record has one.
        max_bytes: size limit per file (per record for JSON Lines); larger inputs yield
            :class:`~rasd.errors.InputTooLarge`.
        stdin: byte stream read for ``"-"`` (default ``sys.stdin.buffer``).
        auto_meta: when ``meta`` is ``None``, use a ``meta.jsonl`` found next to each input file.

    Errors are yielded, never raised, so callers can report one line and continue.
    """
    if isinstance(paths, (str, Path)):  # a single path passed by mistake: not its characters
        paths = [paths]
    meta_cache: dict[Path, Mapping[str, Mapping[str, Any]] | None] = {}

    def meta_for(file: Path) -> Iterator[ReadError]:
        folder = file.parent
        if folder in meta_cache:
            return
        meta_cache[folder] = None
        candidate = folder / META_FILENAME
        if candidate.is_file():
            try:
                meta_cache[folder] = load_meta(candidate)
            except ReadError as err:
                yield err

    def emit(file: Path | None, items: Iterator[Article | ReadError]) -> Iterator[Article | ReadError]:
        table = meta
        if table is None and auto_meta and file is not None:
            yield from meta_for(file)
            table = meta_cache.get(file.parent)
        for item in items:
            if isinstance(item, Article):
                entry = table.get(item.doc_id) if table else None
                yield _apply_meta(item, entry, pub_date, outlet)
            else:
                yield item

    for p in paths:
        if str(p) == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield from emit(None, _stdin_articles(stream, max_bytes=max_bytes))
            continue
        path = Path(p)
        if path.is_dir():
            files, errors = _list_folder(path)
            yield from errors
            if not files:
                yield ReadError(str(path), f"folder contains no article files ({' '.join(ARTICLE_SUFFIXES)})")
            for file in files:
                yield from emit(file, _file_articles(file, max_bytes=max_bytes))
        elif not path.exists():
            yield ReadError(str(path), "no such file or directory")
        elif path.name == META_FILENAME:
            yield ReadError(str(path), "this is a metadata file, not articles: pass it as meta (--meta)")
        else:
            yield from emit(path, _file_articles(path, max_bytes=max_bytes))


def read_file(
    path: Path | str,
    *,
    meta: Mapping[str, Mapping[str, Any]] | None = None,
    pub_date: date | None = None,
    outlet: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    auto_meta: bool = True,
) -> list[Article]:
    """Read every article of one file (or folder) and return them as a list.

    Strict convenience wrapper around :func:`iter_articles`.

    Raises:
        ReadError: the first problem met (including one malformed line of a JSON Lines file).
    """
    articles: list[Article] = []
    for item in iter_articles(
        [path], meta=meta, pub_date=pub_date, outlet=outlet, max_bytes=max_bytes, auto_meta=auto_meta
    ):
        if isinstance(item, ReadError):
            raise item
        articles.append(item)
    return articles
