"""Feed polling against a real HTTP server on 127.0.0.1 (no other network access)."""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from rasd.store import Store, schema
from rasd.store.feeds import FetchError, fetch, parse_interval, poll_feed, poll_forever

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
STORIES = sorted(EXAMPLES.glob("dev_*.txt"))[:3]
LAST_MODIFIED = "Tue, 25 Nov 2025 08:00:00 GMT"
PAGE_LIMIT = 100_000

Response = tuple[int, dict[str, str], bytes]


def _page(path: Path) -> bytes:
    """An example article wrapped in a news page with site chrome around the story."""
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    title, paragraphs = lines[0], lines[1:]
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta property="og:site_name" content="Test News"></head>
<body><nav><a href="/">الرئيسية</a> <a href="/world">العالم</a></nav>
<article><h1>{html.escape(title)}</h1>
{body}
</article>
<footer>جميع الحقوق محفوظة</footer></body></html>""".encode()


def _rss(links: list[tuple[str, str]]) -> bytes:
    items = "\n".join(
        f"<item><title>{html.escape(t)}</title><link>{html.escape(u)}</link><guid>{html.escape(u)}</guid>"
        f"<pubDate>Mon, 24 Nov 2025 10:00:00 +0000</pubDate><description>ملخص</description></item>"
        for t, u in links
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Test News</title><link>/</link>
{items}
</channel></rss>""".encode()


@dataclass
class Site:
    """A tiny web site: ``routes`` maps a path to a function of the request headers."""

    base: str = ""
    routes: dict[str, Callable[[dict[str, str]], Response]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> list[dict[str, str]]:
        return [h for p, h in self.requests if p == path]


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            state.requests.append((self.path, headers))
            route = state.routes.get(self.path)
            status, extra, body = route(headers) if route else (404, {}, b"not found")
            self.send_response(status)
            for k, v in extra.items():
                self.send_header(k, v)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _static(body: bytes, content_type: str = "text/html; charset=utf-8") -> Callable[[dict[str, str]], Response]:
    return lambda _h: (200, {"Content-Type": content_type}, body)


def _conditional_feed(body: bytes, etag: str = '"v1"') -> Callable[[dict[str, str]], Response]:
    def respond(h: dict[str, str]) -> Response:
        if h.get("if-none-match") == etag or h.get("if-modified-since") == LAST_MODIFIED:
            return 304, {"ETag": etag}, b""
        return 200, {"Content-Type": "application/rss+xml", "ETag": etag, "Last-Modified": LAST_MODIFIED}, body

    return respond


def _publish(site: Site, stories: list[Path]) -> list[str]:
    """Serve ``stories`` as pages and a conditional /feed.xml listing them; returns the page paths."""
    paths = []
    for story in stories:
        path = f"/news/{story.stem}.html"
        site.routes[path] = _static(_page(story))
        paths.append(path)
    links = [(s.read_text(encoding="utf-8").splitlines()[0], site.url(p)) for s, p in zip(stories, paths, strict=True)]
    site.routes["/feed.xml"] = _conditional_feed(_rss(links))
    return paths


def _no_sleep(delays: list[float] | None = None) -> Callable[[float], None]:
    return (lambda s: delays.append(s)) if delays is not None else (lambda s: None)


def test_poll_stores_new_items_then_gets_304(site: Site, db_url: str, res) -> None:
    pages = _publish(site, STORIES)
    with Store.open(db_url) as st:
        first = poll_feed(st, site.url("/feed.xml"), resources=res, sleep=_no_sleep())
        assert (first.status, first.http_status, first.error) == ("ok", 200, None)
        assert (first.items, first.known, first.fetched, first.failed) == (3, 0, 3, [])
        assert first.new == 3
        assert first.events > 0 and first.events == st.count("events")
        a = schema.articles
        with st.engine.connect() as conn:
            rows = conn.execute(select(a.c.url, a.c.outlet, a.c.doc_id, a.c.text).order_by(a.c.url)).all()
        assert [r.url for r in rows] == sorted(site.url(p) for p in pages)
        assert {r.outlet for r in rows} == {"Test News"}
        for r in rows:  # the story's text is there, the site chrome is not
            assert "جميع الحقوق محفوظة" not in r.text
            assert "الرئيسية" not in r.text
        story = STORIES[0].read_text(encoding="utf-8").splitlines()[1]
        assert any(story.strip()[:40] in r.text for r in rows)
        with st.engine.connect() as conn:
            feed = conn.execute(select(schema.feeds)).one()
        assert (feed.url, feed.etag, feed.last_modified, feed.n_items) == (
            site.url("/feed.xml"),
            '"v1"',
            LAST_MODIFIED,
            3,
        )

        before = st.counts()
        second = poll_feed(st, site.url("/feed.xml"), resources=res, sleep=_no_sleep())
        assert (second.status, second.http_status, second.new) == ("not-modified", 304, 0)
        last = site.hits("/feed.xml")[-1]
        assert last["if-none-match"] == '"v1"'
        assert last["if-modified-since"] == LAST_MODIFIED
        assert all(len(site.hits(p)) == 1 for p in pages)  # no page fetched again
        counts = st.counts()
        assert counts.pop("feeds") == before.pop("feeds") == 1
        counts.pop("runs"), before.pop("runs")
        assert counts == before


def test_items_already_stored_are_not_fetched_again(site: Site, tmp_path: Path, res) -> None:
    pages = _publish(site, STORIES[:2])
    site.routes["/plain.xml"] = _static(site.routes["/feed.xml"]({})[2], "application/rss+xml")  # no validators
    with Store.open(f"sqlite:///{tmp_path / 'f.db'}") as st:
        assert poll_feed(st, site.url("/feed.xml"), resources=res).new == 2
        again = poll_feed(st, site.url("/plain.xml"), resources=res)
        assert (again.status, again.items, again.known, again.fetched, again.new) == ("ok", 2, 2, 0, 0)
        assert all(len(site.hits(p)) == 1 for p in pages)


def test_oversized_page_is_refused_and_the_rest_goes_on(site: Site, tmp_path: Path, res) -> None:
    _publish(site, STORIES[:1])
    good = site.url(f"/news/{STORIES[0].stem}.html")
    site.routes["/news/huge.html"] = _static(_page(STORIES[1]) + b"<!--" + b"x" * PAGE_LIMIT + b"-->")
    links = [("ضخم", site.url("/news/huge.html")), ("جيد", good)]
    site.routes["/feed.xml"] = _conditional_feed(_rss(links))
    with Store.open(f"sqlite:///{tmp_path / 'f.db'}") as st:
        s = poll_feed(st, site.url("/feed.xml"), resources=res, max_page_bytes=PAGE_LIMIT, sleep=_no_sleep())
        assert s.status == "ok"
        assert [u for u, _ in s.failed] == [site.url("/news/huge.html")]
        assert "too large" in s.failed[0][1] and f"{PAGE_LIMIT:,}" in s.failed[0][1]
        assert s.new == 1
        with st.engine.connect() as conn:
            assert conn.execute(select(schema.articles.c.url)).scalars().all() == [good]
        assert len(site.hits("/news/huge.html")) == 1  # a size refusal is not retried


def test_server_error_is_retried_with_backoff(site: Site, tmp_path: Path, res) -> None:
    _publish(site, STORIES[:1])
    path = f"/news/{STORIES[0].stem}.html"
    calls = {"n": 0}
    ok = site.routes[path]

    def flaky(h: dict[str, str]) -> Response:
        calls["n"] += 1
        return (500, {}, b"boom") if calls["n"] == 1 else ok(h)

    site.routes[path] = flaky
    delays: list[float] = []
    with Store.open(f"sqlite:///{tmp_path / 'f.db'}") as st:
        s = poll_feed(st, site.url("/feed.xml"), resources=res, backoff=0.25, sleep=_no_sleep(delays))
        assert (s.failed, s.new) == ([], 1)
    assert calls["n"] == 2
    assert delays == [0.25]


def test_retries_are_bounded_and_reported(site: Site) -> None:
    site.routes["/down"] = lambda _h: (503, {"Retry-After": "120"}, b"")
    delays: list[float] = []
    with httpx.Client() as client, pytest.raises(FetchError) as err:
        fetch(client, site.url("/down"), max_bytes=1000, retries=3, backoff=1.0, sleep=_no_sleep(delays))
    assert len(site.hits("/down")) == 4
    assert delays == [30.0, 30.0, 30.0]  # Retry-After honoured up to the back-off cap
    assert err.value.status == 503 and err.value.transient
    # a connection refused is retried too, then reported
    with httpx.Client() as client, pytest.raises(FetchError, match="after 2 retries"):
        fetch(client, "http://127.0.0.1:9/", max_bytes=10, retries=2, backoff=0.5, sleep=_no_sleep())
    with httpx.Client() as client, pytest.raises(FetchError, match="only http and https"):
        fetch(client, "file:///etc/passwd", max_bytes=10, sleep=_no_sleep())


def test_feed_failures_are_reported_not_raised(site: Site, tmp_path: Path) -> None:
    site.routes["/notfeed"] = _static(b"\x00\x01\x02binary", "application/octet-stream")
    with Store.open(f"sqlite:///{tmp_path / 'f.db'}") as st:
        missing = poll_feed(st, site.url("/missing.xml"), sleep=_no_sleep())
        assert (missing.status, missing.http_status) == ("failed", 404)
        assert "HTTP 404" in (missing.error or "")
        bad = poll_feed(st, site.url("/notfeed"), sleep=_no_sleep())
        assert bad.status == "failed" and "not a readable feed" in (bad.error or "")
        big = poll_feed(st, site.url("/missing.xml"), max_feed_bytes=1, sleep=_no_sleep())
        assert big.status == "failed"
        assert st.count("articles") == 0


def test_injected_transport(tmp_path: Path, res) -> None:
    rss = _rss([("خبر", "https://news.example/a")])
    page = _page(STORIES[0])

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/rss":
            return httpx.Response(200, content=rss, headers={"ETag": "x"})
        return httpx.Response(200, content=page)

    with Store.open(f"sqlite:///{tmp_path / 'f.db'}") as st:
        s = poll_feed(st, "https://news.example/rss", transport=httpx.MockTransport(handler), resources=res)
        assert (s.status, s.new) == ("ok", 1)


def test_poll_forever_is_bounded_and_max_items(site: Site, tmp_path: Path, res) -> None:
    _publish(site, STORIES)
    seen: list[str] = []
    pauses: list[float] = []
    with Store.open(f"sqlite:///{tmp_path / 'f.db'}") as st:
        rounds = poll_forever(
            st,
            [site.url("/feed.xml")],
            every=60.0,
            max_polls=2,
            on_summary=lambda s: seen.append(s.status),
            sleep=pauses.append,
            max_items=2,
            resources=res,
        )
        assert rounds == 2 and seen == ["ok", "not-modified"]
        assert len(pauses) == 1 and 0 < pauses[0] <= 60
        assert st.count("articles") == 2  # --max-items 2


def test_parse_interval() -> None:
    assert [parse_interval(v) for v in ("90", "30s", "15m", "2h", "1d", "1.5m")] == [90, 30, 900, 7200, 86400, 90]
    for bad in ("", "15x", "-1m", "0"):
        with pytest.raises(ValueError):
            parse_interval(bad)


def test_ingest_feed_command(site: Site, tmp_path: Path) -> None:
    from rasd.cli import app

    _publish(site, STORIES[:2])
    url = f"sqlite:///{tmp_path / 'c.db'}"
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", "--feed", site.url("/feed.xml"), "--db", url])
    assert result.exit_code == 0, result.output
    assert "2 new article(s)" in result.output
    result = runner.invoke(app, ["ingest", "--feed", site.url("/feed.xml"), "--db", url])
    assert result.exit_code == 0 and "not modified (304)" in result.output
    result = runner.invoke(app, ["ingest", "--feed", site.url("/missing.xml"), "--db", url])
    assert result.exit_code == 1 and "FAILED: HTTP 404" in result.output
    result = runner.invoke(app, ["ingest", "--feed", site.url("/feed.xml"), "--every", "soon", "--db", url])
    assert result.exit_code == 2
    result = runner.invoke(app, ["ingest", "--every", "15m", "--db", url])
    assert result.exit_code == 2
