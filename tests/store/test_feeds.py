"""Feed polling against a real HTTP server on 127.0.0.1 (no other network access)."""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from rasd.store import Store, schema
from rasd.store.feeds import FetchError, check_url, fetch, parse_interval, poll_feed, poll_forever

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
STORIES = sorted(EXAMPLES.glob("dev_*.txt"))[:3]
LAST_MODIFIED = "Tue, 25 Nov 2025 08:00:00 GMT"
PAGE_LIMIT = 100_000

Response = tuple[int, dict[str, str], bytes | Iterable[bytes]]
"""status, headers, body: bytes (sent with a Content-Length) or chunks (each flushed; no length)."""


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
            if status != 304 and isinstance(body, bytes):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status == 304:
                return
            if isinstance(body, bytes):
                self.wfile.write(body)
                return
            try:  # streamed chunks (a trickling server); the client may hang up
                for chunk in body:
                    self.wfile.write(chunk)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass

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
        first = poll_feed(st, site.url("/feed.xml"), resources=res, sleep=_no_sleep(), allow_private=True)
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
        second = poll_feed(st, site.url("/feed.xml"), resources=res, sleep=_no_sleep(), allow_private=True)
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
        assert poll_feed(st, site.url("/feed.xml"), resources=res, allow_private=True).new == 2
        again = poll_feed(st, site.url("/plain.xml"), resources=res, allow_private=True)
        assert (again.status, again.items, again.known, again.fetched, again.new) == ("ok", 2, 2, 0, 0)
        assert all(len(site.hits(p)) == 1 for p in pages)


def test_oversized_page_is_refused_and_the_rest_goes_on(site: Site, tmp_path: Path, res) -> None:
    _publish(site, STORIES[:1])
    good = site.url(f"/news/{STORIES[0].stem}.html")
    site.routes["/news/huge.html"] = _static(_page(STORIES[1]) + b"<!--" + b"x" * PAGE_LIMIT + b"-->")
    links = [("ضخم", site.url("/news/huge.html")), ("جيد", good)]
    site.routes["/feed.xml"] = _conditional_feed(_rss(links))
    with Store.open(f"sqlite:///{tmp_path / 'f.db'}") as st:
        s = poll_feed(
            st, site.url("/feed.xml"), resources=res, max_page_bytes=PAGE_LIMIT, sleep=_no_sleep(), allow_private=True
        )
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
        s = poll_feed(
            st, site.url("/feed.xml"), resources=res, backoff=0.25, sleep=_no_sleep(delays), allow_private=True
        )
        assert (s.failed, s.new) == ([], 1)
    assert calls["n"] == 2
    assert delays == [0.25]


def test_retries_are_bounded_and_reported(site: Site) -> None:
    site.routes["/down"] = lambda _h: (503, {"Retry-After": "120"}, b"")
    delays: list[float] = []
    with httpx.Client() as client, pytest.raises(FetchError) as err:
        fetch(
            client,
            site.url("/down"),
            max_bytes=1000,
            retries=3,
            backoff=1.0,
            sleep=_no_sleep(delays),
            allow_private=True,
            deadline=1000,  # the injected sleep does not pass time; the deadline counts real time
        )
    assert len(site.hits("/down")) == 4
    assert delays == [30.0, 30.0, 30.0]  # Retry-After honoured up to the back-off cap
    assert err.value.status == 503 and err.value.transient
    # a connection refused is retried too, then reported
    with httpx.Client() as client, pytest.raises(FetchError, match="after 2 retries"):
        fetch(
            client, "http://127.0.0.1:9/", max_bytes=10, retries=2, backoff=0.5, sleep=_no_sleep(), allow_private=True
        )
    with httpx.Client() as client, pytest.raises(FetchError, match="only http and https"):
        fetch(client, "file:///etc/passwd", max_bytes=10, sleep=_no_sleep())


def test_feed_failures_are_reported_not_raised(site: Site, tmp_path: Path) -> None:
    site.routes["/notfeed"] = _static(b"\x00\x01\x02binary", "application/octet-stream")
    with Store.open(f"sqlite:///{tmp_path / 'f.db'}") as st:
        missing = poll_feed(st, site.url("/missing.xml"), sleep=_no_sleep(), allow_private=True)
        assert (missing.status, missing.http_status) == ("failed", 404)
        assert "HTTP 404" in (missing.error or "")
        bad = poll_feed(st, site.url("/notfeed"), sleep=_no_sleep(), allow_private=True)
        assert bad.status == "failed" and "not a readable feed" in (bad.error or "")
        big = poll_feed(st, site.url("/missing.xml"), max_feed_bytes=1, sleep=_no_sleep(), allow_private=True)
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
        s = poll_feed(
            st, "https://news.example/rss", transport=httpx.MockTransport(handler), resources=res, allow_private=True
        )
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
            allow_private=True,
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
    result = runner.invoke(app, ["ingest", "--feed", site.url("/feed.xml"), "--db", url, "--allow-private-feeds"])
    assert result.exit_code == 0, result.output
    assert "2 new article(s)" in result.output
    result = runner.invoke(app, ["ingest", "--feed", site.url("/feed.xml"), "--db", url, "--allow-private-feeds"])
    assert result.exit_code == 0 and "not modified (304)" in result.output
    result = runner.invoke(app, ["ingest", "--feed", site.url("/missing.xml"), "--db", url, "--allow-private-feeds"])
    assert result.exit_code == 1 and "FAILED: HTTP 404" in result.output
    result = runner.invoke(app, ["ingest", "--feed", site.url("/feed.xml"), "--every", "soon", "--db", url])
    assert result.exit_code == 2
    result = runner.invoke(app, ["ingest", "--every", "15m", "--db", url])
    assert result.exit_code == 2


# ------------------------------------------------------------------------------------ SSRF, deadline


def _redirect(to: str, status: int = 302) -> Callable[[dict[str, str]], Response]:
    return lambda _h: (status, {"Location": to}, b"")


def _port(site: Site) -> int:
    return int(site.base.rsplit(":", 1)[1])


def test_loopback_feeds_are_refused_by_default(site: Site, tmp_path: Path) -> None:
    """The test server is on 127.0.0.1: without allow_private no form of its address is fetched."""
    _publish(site, STORIES[:1])
    port = _port(site)
    forms = [
        site.url("/feed.xml"),
        f"http://localhost:{port}/feed.xml",
        f"http://2130706433:{port}/feed.xml",  # 127.0.0.1 as one number
        f"http://0x7f.1:{port}/feed.xml",  # hex and short forms
        f"http://0177.0.0.1:{port}/feed.xml",  # octal
        f"http://127.1:{port}/feed.xml",
        f"http://[::ffff:127.0.0.1]:{port}/feed.xml",  # IPv4-mapped IPv6
        f"http://0.0.0.0:{port}/feed.xml",
    ]
    with Store.open(f"sqlite:///{tmp_path / 'f.db'}") as st:
        for url in forms:
            s = poll_feed(st, url, sleep=_no_sleep())
            assert s.status == "failed" and "refused" in (s.error or ""), (url, s.error)
            assert "--allow-private-feeds" in (s.error or "")
        assert st.count("articles") == 0
    assert site.requests == []  # nothing reached the server


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://127.0.0.1/", "loopback"),
        ("http://[::1]/", "loopback"),
        ("http://10.1.2.3/feed", "private"),
        ("http://172.16.0.1/", "private"),
        ("http://192.168.1.1/", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),  # cloud metadata
        ("http://[fe80::1]/", "link-local"),
        ("http://224.0.0.1/", "multicast"),
        ("http://[ff02::1]/", "multicast"),
        ("http://240.0.0.1/", "reserved"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://[::]/", "unspecified"),
        ("http://100.64.0.1/", "not global"),  # carrier-grade NAT
        ("http://[fc00::1]/", "private"),
        ("https://2852039166/", "link-local"),  # 169.254.169.254 as one number
    ],
)
def test_check_url_refuses_non_public_addresses(url: str, kind: str) -> None:
    with pytest.raises(FetchError, match="refused") as err:
        check_url(url)
    assert f"({kind} address)" in err.value.reason
    check_url(url, allow_private=True)  # the intranet opt-in


def test_check_url_accepts_public_addresses_and_refuses_other_schemes() -> None:
    for url in ("http://93.184.216.34/feed.xml", "https://[2606:2800:220:1:248:1893:25c8:1946]/rss"):
        check_url(url)
    for url in ("file:///etc/passwd", "gopher://127.0.0.1/", "ftp://93.184.216.34/"):
        with pytest.raises(FetchError, match="only http and https"):
            check_url(url, allow_private=True)
    with pytest.raises(FetchError, match="no host"):
        check_url("http:///feed.xml", allow_private=True)


def test_redirects_are_followed_with_allow_private(site: Site, tmp_path: Path, res) -> None:
    _publish(site, STORIES[:1])
    site.routes["/old.xml"] = _redirect("/older.xml", 301)
    site.routes["/older.xml"] = _redirect(site.url("/feed.xml"), 302)
    with Store.open(f"sqlite:///{tmp_path / 'f.db'}") as st:
        s = poll_feed(st, site.url("/old.xml"), resources=res, sleep=_no_sleep(), allow_private=True)
        assert (s.status, s.new, s.failed) == ("ok", 1, [])
    assert len(site.hits("/older.xml")) == len(site.hits("/feed.xml")) == 1


def test_a_redirect_to_loopback_is_refused(site: Site, tmp_path: Path) -> None:
    """A 302 to loopback is checked like the first URL; the target is never requested."""
    _publish(site, STORIES[:1])
    site.routes["/to-loopback.xml"] = _redirect(f"http://127.0.0.1:{_port(site)}/feed.xml")
    site.routes["/to-number.xml"] = _redirect(f"http://2130706433:{_port(site)}/feed.xml")
    with httpx.Client() as client:
        # the first hop is allowed through its exact host and port; the redirect target is not
        for path in ("/to-loopback.xml", "/to-number.xml"):
            with pytest.raises(FetchError, match="refused"):
                fetch(client, site.url(path).replace("127.0.0.1", "localhost"), max_bytes=10_000,
                      sleep=_no_sleep(), allow_hosts={f"localhost:{_port(site)}"})  # fmt: skip
        assert site.hits("/feed.xml") == []
        # and a redirect to another scheme is refused even with allow_private
        site.routes["/to-file.xml"] = _redirect("file:///etc/passwd")
        with pytest.raises(FetchError, match="only http and https"):
            fetch(client, site.url("/to-file.xml"), max_bytes=10_000, sleep=_no_sleep(), allow_private=True)
    # through poll_feed and the CLI: the feed is on 127.0.0.1, so nothing is fetched without the opt-in
    with Store.open(f"sqlite:///{tmp_path / 'f.db'}") as st:
        s = poll_feed(st, site.url("/to-loopback.xml"), sleep=_no_sleep())
        assert s.status == "failed" and "refused" in (s.error or "")
    assert len(site.hits("/to-loopback.xml")) == 1  # the allowed first hop above; poll_feed sent nothing


def test_too_many_redirects(site: Site) -> None:
    for i in range(10):
        site.routes[f"/r{i}"] = _redirect(f"/r{i + 1}")
    with httpx.Client() as client, pytest.raises(FetchError, match="too many redirects"):
        fetch(client, site.url("/r0"), max_bytes=100, sleep=_no_sleep(), allow_private=True)
    assert len(site.requests) == 6  # the first request and 5 redirects


def test_item_links_to_private_addresses_are_refused(site: Site, tmp_path: Path, res) -> None:
    """Each item link is checked too: a public feed cannot point Rasd at the intranet."""
    _publish(site, STORIES[:1])
    links = [("داخلي", "http://10.0.0.7/admin"), ("محلي", f"http://localhost:{_port(site)}/news/x.html")]
    site.routes["/mixed.xml"] = _static(_rss(links), "application/rss+xml")
    with Store.open(f"sqlite:///{tmp_path / 'f.db'}") as st:
        s = poll_feed(st, site.url("/mixed.xml"), resources=res, sleep=_no_sleep(),
                      allow_hosts={site.base.split("//", 1)[1]})  # fmt: skip
        assert s.status == "ok" and s.items == 2 and s.new == 0
        assert sorted(u for u, _ in s.failed) == sorted(u for _, u in links)
        assert all("refused" in reason for _, reason in s.failed)
    assert site.hits("/news/x.html") == []


def _trickle(n: int, pause: float) -> Callable[[dict[str, str]], Response]:
    def chunks() -> Iterator[bytes]:
        yield b"<?xml version='1.0'?><rss><channel>"
        for _ in range(n):
            time.sleep(pause)
            yield b" "

    return lambda _h: (200, {"Content-Type": "application/rss+xml"}, chunks())


def test_a_trickling_server_is_cut_at_the_deadline(site: Site, tmp_path: Path) -> None:
    site.routes["/slow.xml"] = _trickle(n=60, pause=0.25)  # 15 s if read to the end
    with httpx.Client() as client:
        started = time.monotonic()
        with pytest.raises(FetchError, match="deadline exceeded") as err:
            fetch(client, site.url("/slow.xml"), max_bytes=10_000, allow_private=True, deadline=1.5)
        took = time.monotonic() - started
    assert 1.4 <= took < 4.0, took
    assert err.value.transient
    with Store.open(f"sqlite:///{tmp_path / 'f.db'}") as st:
        started = time.monotonic()
        s = poll_feed(st, site.url("/slow.xml"), allow_private=True, deadline=1.0)
        assert s.status == "failed" and "deadline" in (s.error or "")
        assert time.monotonic() - started < 4.0


def test_a_silent_server_is_cut_at_the_deadline_not_retried_past_it(site: Site) -> None:
    def silent(_h: dict[str, str]) -> Response:
        time.sleep(4.0)  # no headers for longer than the deadline
        return 200, {}, b"late"

    site.routes["/silent.xml"] = silent
    with httpx.Client() as client:
        started = time.monotonic()
        with pytest.raises(FetchError, match="deadline exceeded"):
            fetch(client, site.url("/silent.xml"), max_bytes=100, allow_private=True, deadline=1.0, retries=3)
        assert time.monotonic() - started < 2.5
    assert len(site.hits("/silent.xml")) == 1


def test_a_streamed_body_over_the_size_cap_is_cut(site: Site) -> None:
    site.routes["/endless.xml"] = lambda _h: (200, {}, (b"x" * 65536 for _ in range(1000)))  # 64 MB, no length
    with httpx.Client() as client, pytest.raises(FetchError, match="too large"):
        fetch(client, site.url("/endless.xml"), max_bytes=1_000_000, allow_private=True)


def test_ingest_feed_command_refuses_private_feeds_without_the_opt_in(site: Site, tmp_path: Path) -> None:
    from rasd.cli import app

    _publish(site, STORIES[:1])
    url = f"sqlite:///{tmp_path / 'c.db'}"
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", "--feed", site.url("/feed.xml"), "--db", url])
    assert result.exit_code == 1 and "refused" in result.output and "loopback" in result.output
    assert site.requests == []
    result = runner.invoke(app, ["ingest", "--feed", site.url("/feed.xml"), "--db", url, "--allow-private-feeds"])
    assert result.exit_code == 0 and "1 new article(s)" in result.output, result.output
    result = runner.invoke(app, ["ingest", str(EXAMPLES), "--db", url, "--allow-private-feeds"])
    assert result.exit_code == 2  # only meaningful with --feed
