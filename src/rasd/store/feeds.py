"""Polling RSS/Atom feeds into the store: ``rasd ingest --feed URL [--every 15m]``.

One poll (:func:`poll_feed`):

1. GET the feed with the validators remembered from the previous poll (``If-None-Match`` /
   ``If-Modified-Since``, kept per feed URL in the ``feeds`` table); ``304 Not Modified`` ends the
   poll with nothing to do.
2. Parse the items with the reader's RSS/Atom support (defusedxml); items whose link is already
   stored (``articles.url``) are skipped without any request.
3. Fetch each new item's page and extract its main text with the reader's HTML path
   (trafilatura); an item without a link is stored with the feed's own title and description.
4. Store everything through :func:`rasd.store.ingest.ingest_articles` (idempotent by content
   hash; one transaction per batch; fusion afterwards).

Every request has a timeout, is retried on connection errors, timeouts, ``429`` and ``5xx`` with
bounded exponential back-off, and its body is limited in size (streamed, so an oversized response
is cut off as soon as it exceeds the limit). Each fetch (retries, redirects and body included) also
has an overall deadline (:data:`DEFAULT_DEADLINE`), so a server trickling bytes cannot hold a poll.

Server-side request forgery: a feed (or a feed's item links) must not make Rasd fetch addresses
of the machine or its network. Before every request — and again for each redirect, which are
followed by hand, at most :data:`MAX_REDIRECTS` — the host name is resolved
(``socket.getaddrinfo``, so numeric forms such as ``2130706433`` or ``0x7f.1`` are resolved as the
network stack would) and the URL is refused when *any* address is loopback, private, link-local,
multicast, reserved, unspecified or otherwise not global (:func:`check_url`). ``allow_private``
(``rasd ingest --feed URL --allow-private-feeds``) turns the check off, for intranet feeds.
(The connection itself resolves the name again; a DNS server that answers differently within
that moment is not caught.) A failing page is reported in
:attr:`FeedSummary.failed` and the other items go on. The feed's validators are saved only when
no page failed for a transient reason, so such items are retried by the next poll.

Tests inject an :class:`httpx.Client` (or any transport, e.g. :class:`httpx.MockTransport`).
"""

from __future__ import annotations

import io
import ipaddress
import re
import socket
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from rich.console import Console
from sqlalchemy import insert, select, update

from .. import __version__
from ..errors import ReadError
from ..inputs import iter_articles
from ..resources.loader import Resources
from ..types import Article
from . import schema
from .db import Store
from .ingest import IngestSummary, content_hash, ingest_articles
from .records import iter_chunks

__all__ = [
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_FEED_BYTES",
    "DEFAULT_MAX_PAGE_BYTES",
    "FeedSummary",
    "FetchError",
    "check_url",
    "fetch",
    "parse_interval",
    "poll_feed",
    "poll_forever",
]

DEFAULT_MAX_FEED_BYTES = 5_000_000
DEFAULT_MAX_PAGE_BYTES = 5_000_000
DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=10.0)
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF = 1.0
MAX_BACKOFF = 30.0
MAX_REDIRECTS = 5
DEFAULT_DEADLINE = 30.0
"""Seconds one :func:`fetch` may take in all: retries, redirects and reading the body."""
USER_AGENT = f"rasd/{__version__} (+https://github.com/rasd; conflict-event extraction)"

_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
_INTERVAL_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class FetchError(Exception):
    """A URL could not be fetched. ``transient`` errors (network, 5xx) are worth retrying later."""

    def __init__(self, url: str, reason: str, *, status: int | None = None, transient: bool = False) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status
        self.transient = transient


@dataclass
class FeedSummary:
    """What one :func:`poll_feed` did.

    ``status``: ``ok``, ``not-modified`` (304) or ``failed`` (the feed itself could not be
    fetched or parsed; see ``error``); ``items``: items in the feed; ``known``: items skipped
    because their link is already stored; ``fetched``: pages fetched; ``failed``: ``(url, reason)``
    per item that could not be fetched or read; ``ingest``: the ingest of the new articles.
    """

    url: str
    status: str = "ok"
    http_status: int | None = None
    error: str | None = None
    items: int = 0
    known: int = 0
    fetched: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    ingest: IngestSummary | None = None
    seconds: float = 0.0

    @property
    def new(self) -> int:
        """Articles stored by this poll."""
        return self.ingest.new if self.ingest else 0

    @property
    def events(self) -> int:
        """Events stored by this poll."""
        return self.ingest.events if self.ingest else 0


def parse_interval(value: str) -> float:
    """Seconds of an interval such as ``90``, ``30s``, ``15m``, ``2h`` or ``1d``.

    Raises:
        ValueError: not a positive number with an optional ``s``/``m``/``h``/``d`` unit.
    """
    m = _INTERVAL_RE.match(value)
    if not m:
        raise ValueError(f"{value!r} is not an interval such as 30s, 15m, 2h or 1d")
    seconds = float(m.group(1)) * _UNITS[m.group(2).lower()]
    if seconds <= 0:
        raise ValueError(f"{value!r}: the interval must be positive")
    return seconds


def _now() -> datetime:
    return datetime.now(UTC)


def _backoff(attempt: int, base: float, retry_after: str | None) -> float:
    """Seconds to wait before retry ``attempt`` (1-based): ``base * 2**(attempt-1)``, capped;
    a numeric ``Retry-After`` is honoured up to the same cap."""
    delay = base * 2 ** (attempt - 1)
    if retry_after and retry_after.strip().isdigit():
        delay = max(delay, float(retry_after.strip()))
    return min(delay, MAX_BACKOFF)


def _read_limited(response: httpx.Response, url: str, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(url, f"response too large ({int(declared):,} bytes; limit {max_bytes:,})")
    buf = bytearray()
    for chunk in response.iter_bytes():
        buf.extend(chunk)
        if len(buf) > max_bytes:
            raise FetchError(url, f"response too large (more than the {max_bytes:,}-byte limit)")
        if time.monotonic() > deadline:
            raise _deadline_error(url, len(buf))
    return bytes(buf)


def _deadline_error(url: str, received: int | None = None) -> FetchError:
    got = f"; {received:,} bytes received" if received is not None else ""
    return FetchError(url, f"deadline exceeded (the fetch took too long{got})", transient=True)


def _refused(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why ``ip`` may not be fetched (a non-public address), or ``None``."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind in ("loopback", "unspecified", "link_local", "multicast", "reserved", "private"):  # specific first
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if ip.is_global else "not global"


def check_url(url: str, *, allow_private: bool = False, allow_hosts: Collection[str] = ()) -> None:
    """Refuse ``url`` unless it is http(s) and (without ``allow_private``) every address its host
    resolves to is a public one. ``allow_hosts``: ``host`` or ``host:port`` entries exempt from the
    address check (a narrower opt-in than ``allow_private``: one intranet server, not all of them).

    Raises:
        FetchError: another scheme, no host, a name that does not resolve (``transient``), or an
            address that is loopback, private, link-local, multicast, reserved, unspecified or
            otherwise not global.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(url, "only http and https URLs are fetched")
    try:
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise FetchError(url, f"invalid URL ({exc})") from None
    if not host:
        raise FetchError(url, "the URL has no host")
    default_port = 443 if parts.scheme == "https" else 80
    if allow_private or host in allow_hosts or f"{host}:{port or default_port}" in allow_hosts:
        return
    try:
        infos = socket.getaddrinfo(host, port or default_port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise FetchError(url, f"cannot resolve host {host!r} ({exc})", transient=True) from None
    for info in infos:
        address = str(info[4][0]).split("%", 1)[0]  # drop an IPv6 zone
        ip = ipaddress.ip_address(address)
        why = _refused(ip)
        if why is not None:
            raise FetchError(
                url,
                f"refused: host {host!r} resolves to {ip} ({why} address); "
                "use --allow-private-feeds (allow_private=True) for intranet feeds",
            )


def fetch(
    client: httpx.Client,
    url: str,
    *,
    max_bytes: int,
    headers: dict[str, str] | None = None,
    retries: int = DEFAULT_RETRIES,
    backoff: float = DEFAULT_BACKOFF,
    sleep: Callable[[float], None] = time.sleep,
    allow_private: bool = False,
    allow_hosts: Collection[str] = (),
    deadline: float = DEFAULT_DEADLINE,
    timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
) -> tuple[httpx.Response, bytes]:
    """GET ``url`` and return the (final) response and its body (at most ``max_bytes``).

    The URL and every redirect target are checked by :func:`check_url` (``allow_private``,
    ``allow_hosts``) before they are requested; redirects are followed by hand, at most :data:`MAX_REDIRECTS`.
    Connection errors, timeouts, ``429`` and ``5xx`` are retried ``retries`` times with
    exponential back-off (``backoff``, ``2 × backoff``, ... capped at :data:`MAX_BACKOFF` s).
    Everything — retries, redirects, reading the body — must end within ``deadline`` seconds
    (each request's timeouts are cut to the time left). ``304`` is returned with an empty body.

    Raises:
        FetchError: a refused URL, an error status, too large a body, too many redirects, the
            deadline passed, or still failing after the retries (``transient`` set for network
            errors, 5xx and the deadline).
    """
    ends = time.monotonic() + deadline
    base = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
    first = url
    redirects = 0
    attempt = 0
    while True:
        check_url(url, allow_private=allow_private, allow_hosts=allow_hosts)
        left = ends - time.monotonic()
        if left <= 0:
            raise _deadline_error(first)
        cut = httpx.Timeout(
            connect=min(base.connect or left, left), read=min(base.read or left, left),
            write=min(base.write or left, left), pool=min(base.pool or left, left),
        )  # fmt: skip
        attempt += 1
        retry_after: str | None = None
        try:
            with client.stream("GET", url, headers=headers, follow_redirects=False, timeout=cut) as response:
                status = response.status_code
                if status in _REDIRECT_STATUS and response.headers.get("location"):
                    redirects += 1
                    if redirects > MAX_REDIRECTS:
                        raise FetchError(first, f"too many redirects (more than {MAX_REDIRECTS})")
                    url = urljoin(str(response.url), response.headers["location"])
                    attempt = 0
                    continue
                if status in _RETRY_STATUS and attempt <= retries:
                    retry_after = response.headers.get("retry-after")
                else:
                    if status == 304:
                        return response, b""
                    if status >= 400:
                        raise FetchError(
                            url, f"HTTP {status} {response.reason_phrase}".rstrip(), status=status,
                            transient=status in _RETRY_STATUS,
                        )  # fmt: skip
                    return response, _read_limited(response, url, max_bytes, ends)
        except (httpx.TransportError, httpx.DecodingError) as exc:
            if time.monotonic() >= ends:
                raise _deadline_error(url) from exc
            if attempt > retries:
                reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                raise FetchError(url, f"{reason} (after {retries} retries)", transient=True) from exc
        delay = _backoff(attempt, backoff, retry_after)
        if time.monotonic() + delay >= ends:
            raise _deadline_error(url)
        sleep(delay)


def _feed_state(store: Store, url: str) -> dict[str, str]:
    f = schema.feeds
    with store.engine.connect() as conn:
        row = conn.execute(select(f.c.etag, f.c.last_modified).where(f.c.url == url)).first()
    headers: dict[str, str] = {}
    if row is not None:
        if row.etag:
            headers["If-None-Match"] = row.etag
        if row.last_modified:
            headers["If-Modified-Since"] = row.last_modified
    return headers


def _save_feed_state(
    store: Store, url: str, *, status: int | None, etag: str | None, last_modified: str | None, keep: bool, new: int
) -> None:
    """Record the poll; the validators are replaced only when ``keep`` is false."""
    f = schema.feeds
    values: dict[str, object] = {"last_polled_at": _now(), "last_status": status}
    if not keep:
        values.update(etag=etag, last_modified=last_modified)
    with store.begin() as conn:
        found = conn.execute(select(f.c.id, f.c.n_items).where(f.c.url == url)).first()
        if found is None:
            conn.execute(insert(f), {"url": url, "n_items": new, "etag": None, "last_modified": None, **values})
        else:
            conn.execute(update(f).where(f.c.id == found.id).values(n_items=found.n_items + new, **values))


def _known_urls(store: Store, urls: list[str]) -> set[str]:
    a = schema.articles
    found: set[str] = set()
    with store.engine.connect() as conn:
        for chunk in iter_chunks(sorted(set(urls)), 500):
            found.update(conn.execute(select(a.c.url).where(a.c.url.in_(chunk))).scalars())
    return found


def _known_hashes(store: Store, hashes: list[str]) -> set[str]:
    a = schema.articles
    with store.engine.connect() as conn:
        return set(conn.execute(select(a.c.content_hash).where(a.c.content_hash.in_(hashes))).scalars())


def _read_bytes(data: bytes) -> list[Article | ReadError]:
    """The reader's articles of an in-memory document (sniffed: feed, HTML, JSON or text)."""
    return list(iter_articles(["-"], stdin=io.BytesIO(data), auto_meta=False))


def _page_article(item: Article, data: bytes, url: str) -> Article:
    """The article of a fetched page, with the feed item's metadata as fallback."""
    found = [a for a in _read_bytes(data) if isinstance(a, Article)]
    if not found:
        errors = [e.reason for e in _read_bytes(data) if isinstance(e, ReadError)]
        raise FetchError(url, f"no article text in the page ({errors[0] if errors else 'unreadable'})")
    page = found[0]
    return Article(
        text=page.text,
        doc_id=item.doc_id,
        pub_date=page.pub_date or item.pub_date,
        outlet=item.outlet or page.outlet,
        title=page.title or item.title,
        url=item.url,
        path=url,
    )


def poll_feed(
    store: Store,
    url: str,
    *,
    client: httpx.Client | None = None,
    transport: httpx.BaseTransport | None = None,
    max_items: int | None = None,
    max_feed_bytes: int = DEFAULT_MAX_FEED_BYTES,
    max_page_bytes: int = DEFAULT_MAX_PAGE_BYTES,
    timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
    backoff: float = DEFAULT_BACKOFF,
    sleep: Callable[[float], None] = time.sleep,
    resources: Resources | None = None,
    batch_size: int = 50,
    progress: bool = False,
    console: Console | None = None,
    allow_private: bool = False,
    allow_hosts: Collection[str] = (),
    deadline: float = DEFAULT_DEADLINE,
) -> FeedSummary:
    """Poll one RSS/Atom feed and store its new items (see the module docstring).

    Args:
        store: an open :class:`Store`.
        url: the feed URL (http or https).
        client: the HTTP client to use (not closed here); by default one is made with ``timeout``
            and ``transport`` if given. Redirects are followed by :func:`fetch` (at most
            :data:`MAX_REDIRECTS`, each target checked), whatever the client's own setting.
        max_items: process at most this many new items (in feed order) in this poll.
        max_feed_bytes / max_page_bytes: body size limits of the feed and of each page.
        retries / backoff / sleep: retry policy of every request (``sleep`` is injectable for tests).
        allow_private: fetch loopback, private, link-local ... addresses too (intranet feeds);
            by default such URLs — the feed's, its items' and redirect targets — are refused.
        allow_hosts: ``host`` / ``host:port`` entries exempt from that check (see :func:`check_url`).
        deadline: seconds each fetch (the feed, each page) may take in all.

    Returns:
        A :class:`FeedSummary`. Network and HTTP failures are reported in it, never raised;
        database errors are raised.
    """
    started = time.perf_counter()
    summary = FeedSummary(url=url)
    own = client is None
    if client is None:
        client = httpx.Client(
            timeout=timeout,
            follow_redirects=False,  # fetch() follows them itself, checking each target
            transport=transport,
            headers={"User-Agent": USER_AGENT},
        )
    fetch_kw = {"allow_private": allow_private, "allow_hosts": allow_hosts, "deadline": deadline, "timeout": timeout}
    try:
        _poll(store, url, client, summary, max_items=max_items, max_feed_bytes=max_feed_bytes,
              max_page_bytes=max_page_bytes, retries=retries, backoff=backoff, sleep=sleep,
              resources=resources, batch_size=batch_size, progress=progress, console=console,
              fetch_kw=fetch_kw)  # fmt: skip
    finally:
        if own:
            client.close()
        summary.seconds = time.perf_counter() - started
    return summary


def _poll(
    store: Store,
    url: str,
    client: httpx.Client,
    summary: FeedSummary,
    *,
    max_items: int | None,
    max_feed_bytes: int,
    max_page_bytes: int,
    retries: int,
    backoff: float,
    sleep: Callable[[float], None],
    resources: Resources | None,
    batch_size: int,
    progress: bool,
    console: Console | None,
    fetch_kw: dict[str, Any],
) -> None:
    kw = {"retries": retries, "backoff": backoff, "sleep": sleep, **fetch_kw}
    try:
        response, data = fetch(client, url, max_bytes=max_feed_bytes, headers=_feed_state(store, url), **kw)
    except FetchError as exc:
        summary.status, summary.error, summary.http_status = "failed", exc.reason, exc.status
        _save_feed_state(store, url, status=exc.status, etag=None, last_modified=None, keep=True, new=0)
        return
    summary.http_status = response.status_code
    if response.status_code == 304:
        summary.status = "not-modified"
        _save_feed_state(store, url, status=304, etag=None, last_modified=None, keep=True, new=0)
        return
    parsed = _read_bytes(data)
    items = [a for a in parsed if isinstance(a, Article)]
    if not items:
        errors = [e.reason for e in parsed if isinstance(e, ReadError)]
        summary.status, summary.error = "failed", f"not a readable feed: {errors[0] if errors else 'no items'}"
        _save_feed_state(store, url, status=response.status_code, etag=None, last_modified=None, keep=True, new=0)
        return
    summary.items = len(items)
    for item in items:
        item.url = urljoin(str(response.url), item.url) if item.url else None
    known = _known_urls(store, [i.url for i in items if i.url])
    no_link_known = _known_hashes(store, [content_hash(i.text) for i in items if not i.url])
    todo: list[Article] = []
    for item in items:
        if (item.url and item.url in known) or (not item.url and content_hash(item.text) in no_link_known):
            summary.known += 1
        elif item.url not in {t.url for t in todo if t.url}:
            todo.append(item)
    if max_items is not None:
        todo = todo[:max_items]
    transient = False

    def articles() -> Iterator[Article]:
        nonlocal transient
        for item in todo:
            if not item.url:
                yield item
                continue
            try:
                _, page = fetch(client, item.url, max_bytes=max_page_bytes, **kw)
                summary.fetched += 1
                yield _page_article(item, page, item.url)
            except FetchError as exc:
                transient = transient or exc.transient
                summary.failed.append((item.url, exc.reason))

    summary.ingest = ingest_articles(
        articles(), store, inputs=f"feed {url}", batch_size=batch_size, progress=progress,
        resources=resources, console=console,
    )  # fmt: skip
    _save_feed_state(
        store,
        url,
        status=response.status_code,
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
        keep=transient,
        new=summary.ingest.new,
    )


def poll_forever(
    store: Store,
    urls: list[str],
    *,
    every: float | None,
    on_summary: Callable[[FeedSummary], None] = lambda s: None,
    max_polls: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
    **poll_kw: object,
) -> int:
    """Poll every feed of ``urls``, then (with ``every`` seconds) again after a pause, until
    interrupted (``KeyboardInterrupt`` propagates to the caller) or ``max_polls`` rounds.

    The pause is measured from the start of a round, so rounds start every ``every`` seconds
    (immediately again when a round took longer). Returns the number of rounds run.
    """
    rounds = 0
    while True:
        started = time.monotonic()
        for url in urls:
            on_summary(poll_feed(store, url, **poll_kw))  # type: ignore[arg-type]
        rounds += 1
        if every is None or (max_polls is not None and rounds >= max_polls):
            return rounds
        sleep(max(0.0, every - (time.monotonic() - started)))
