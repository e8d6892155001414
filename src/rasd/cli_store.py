"""``rasd ingest``, ``rasd export`` and ``rasd query``: the store commands (registered in ``cli.py``)."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from .api import DEFAULT_TIME_BUDGET, set_time_budget
from .errors import ReadError
from .store import DEFAULT_URL, EventFilter, Store, ingest, reprocess, schema
from .store.ingest import DEFAULT_BATCH_BYTES

if TYPE_CHECKING:
    from .store import IngestSummary
    from .store.feeds import FeedSummary

__all__ = ["export_command", "ingest_command", "query_command", "reprocess_command", "token_app"]

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        envvar="RASD_DB",
        help="Database URL: sqlite:///path.db (or a plain path), or postgresql+psycopg://user:pw@host/db.",
    ),
]
WorkersOption = Annotated[
    int,
    typer.Option(
        "--workers",
        "-w",
        min=1,
        help="Extract on this many processes (each has the resources once); the output is the same, in order.",
    ),
]
TimeBudgetOption = Annotated[
    float,
    typer.Option(
        "--time-budget",
        min=0,
        envvar="RASD_TIME_BUDGET",
        help="Seconds one article may take; a slower one is reported as failed and the batch goes on (0: no limit).",
    ),
]
FromOption = Annotated[str | None, typer.Option("--from", help="Only events on or after this date (YYYY-MM-DD).")]
ToOption = Annotated[str | None, typer.Option("--to", help="Only events on or before this date (YYYY-MM-DD).")]
CountryOption = Annotated[str | None, typer.Option(help="Only events in this country (ISO2 code, e.g. SY).")]
IncludeRejectedOption = Annotated[
    bool, typer.Option("--include-rejected", help="Also events an analyst rejected (left out by default).")
]
MinConfidenceOption = Annotated[
    float | None,
    typer.Option(
        "--min-confidence",
        min=0.0,
        max=1.0,
        help="Leave out events below this confidence. Default: the extractor's threshold (0.5 with the rules; "
        "the model's with RASD_DECISIONS=learned or RASD_MODEL; RASD_MIN_CONFIDENCE overrides); 0 keeps all.",
        show_default=False,
    ),
]


def min_confidence_or_default(value: float | None) -> float:
    """``value``, or the one default threshold of every command (:func:`rasd.learn.model.confidence_floor`)."""
    from .learn.model import confidence_floor

    return confidence_floor() if value is None else value


def _error(message: str) -> None:
    """One line on standard error, like every other ``rasd`` error."""
    typer.echo(f"rasd: error: {' '.join(str(message).split())}", err=True)


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form", param_hint=option) from exc


def _open(db: str) -> Store:
    try:
        return Store.open(db)
    except SQLAlchemyError as exc:
        _error(f"cannot open database {db}: {str(exc).splitlines()[0]}")
        raise typer.Exit(2) from exc


def ingest_command(
    ctx: typer.Context,
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Files, folders (every .txt .html .json .jsonl .jsonl.gz inside) or '-'.", show_default=False
        ),
    ] = None,
    db: DbOption = DEFAULT_URL,
    meta: Annotated[Path | None, typer.Option(help="meta.jsonl giving doc_id → pub_date, outlet, url.")] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Articles committed per transaction.")] = 200,
    pub_date: Annotated[str | None, typer.Option(help="Publication date for inputs that carry none.")] = None,
    outlet: Annotated[str | None, typer.Option(help="Outlet name for inputs that carry none.")] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar (articles/s) on standard error.")] = True,
    workers: WorkersOption = 1,
    batch_bytes: Annotated[
        int,
        typer.Option(
            min=1,
            help="Also end a batch (and bound the texts in flight to --workers) when its texts reach this many bytes.",
        ),
    ] = DEFAULT_BATCH_BYTES,
    time_budget: TimeBudgetOption = DEFAULT_TIME_BUDGET,
    feed: Annotated[
        list[str] | None,
        typer.Option(help="RSS/Atom feed URL to poll instead of PATHS (repeatable): new items' pages are stored."),
    ] = None,
    every: Annotated[
        str | None, typer.Option(help="With --feed: poll again at this interval (30s, 15m, 2h) until Ctrl-C.")
    ] = None,
    max_items: Annotated[int | None, typer.Option(min=1, help="With --feed: new items per feed and poll.")] = None,
    allow_private_feeds: Annotated[
        bool,
        typer.Option(
            "--allow-private-feeds",
            help="With --feed: also fetch loopback, private and link-local addresses (intranet feeds); "
            "refused by default.",
        ),
    ] = False,
    engine: Annotated[
        str, typer.Option(help="local (this process) or dask (a Dask cluster: --scheduler, or a LocalCluster).")
    ] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="With --engine dask: scheduler address (tcp://host:8786).")
    ] = None,
    partition_size: Annotated[
        int,
        typer.Option(
            min=1,
            help="With --engine dask: articles per task; the input streams, 2 tasks per worker thread in flight.",
        ),
    ] = 1000,
    parquet_out: Annotated[
        Path | None,
        typer.Option(
            help="With --engine dask: write part-NNNNN.parquet per partition here (store only if --db is given)."
        ),
    ] = None,
) -> None:
    """Extract events from articles and store them; articles already stored (same text) are skipped.

    Each batch is committed in one transaction, so an interrupted ingest can simply be re-run.
    Events reported by several articles are then fused (see `rasd export --fused`).

    With --feed URL, the feed is fetched instead (conditional requests, so an unchanged feed costs
    one 304), each new item's page is fetched and its main text stored; --every repeats the poll.

    Examples:

        rasd ingest examples --meta examples/meta.jsonl --db sqlite:///rasd.db

        rasd ingest ../shared/corpus/bulk.jsonl.gz --workers 2 --batch-size 500

        rasd ingest --feed https://example.org/rss.xml --every 15m

        rasd ingest --feed http://intranet.local/rss.xml --allow-private-feeds

        rasd ingest corpus/ --engine dask --scheduler tcp://10.0.0.1:8786 --parquet-out out/parquet
    """
    if engine not in ("local", "dask"):
        raise typer.BadParameter("must be local or dask", param_hint="--engine")
    set_time_budget(time_budget)
    size_source = ctx.get_parameter_source("partition_size")  # by name: Typer may vendor its own Click
    size_given = size_source is not None and size_source.name != "DEFAULT"
    if engine == "local" and (scheduler or size_given or parquet_out):
        raise typer.BadParameter("only meaningful with --engine dask", param_hint="--scheduler/--partition-size/...")
    if engine == "dask" and feed:
        raise typer.BadParameter("--feed runs on the local engine only", param_hint="--engine")
    if workers > 1 and (engine == "dask" or feed):
        raise typer.BadParameter("the local engine's files and folders only", param_hint="--workers")
    if feed:
        if paths:
            raise typer.BadParameter("give either PATHS or --feed, not both", param_hint="--feed")
        _feeds(feed, db, every=every, max_items=max_items, batch_size=batch_size, allow_private=allow_private_feeds)
        return
    if every is not None or max_items is not None or allow_private_feeds:
        raise typer.BadParameter("only meaningful with --feed", param_hint="--every/--max-items/--allow-private-feeds")
    if not paths:
        raise typer.BadParameter("give files, folders or '-' to ingest, or --feed URL", param_hint="PATHS")
    pub = _date(pub_date, "--pub-date")
    if engine == "dask":
        source = ctx.get_parameter_source("db")  # compared by name: Typer may vendor its own Click
        db_given = source is not None and source.name != "DEFAULT"
        _ingest_dask(
            paths,
            db if (db_given or parquet_out is None) else None,
            scheduler=scheduler,
            partition_size=partition_size,
            parquet_out=parquet_out,
            meta=meta,
            batch_size=batch_size,
            progress=progress,
            pub_date=pub,
            outlet=outlet,
        )
        return
    store = _open(db)
    try:
        summary = ingest(
            paths, store, meta=meta, batch_size=batch_size, progress=progress, pub_date=pub, outlet=outlet,
            workers=workers, batch_bytes=batch_bytes,
        )  # fmt: skip
    except ReadError as exc:
        _error(str(exc))
        raise typer.Exit(2) from exc
    except SQLAlchemyError as exc:
        _error(f"database error: {str(exc).splitlines()[0]}")
        raise typer.Exit(2) from exc
    finally:
        store.close()
    _print_summary(summary, f"Ingest into {store.url}")


def _print_summary(summary: IngestSummary, title: str) -> None:
    """Failures on standard error, then the summary table; exit 1 when nothing could be read."""
    for path, reason in summary.failed:
        _error(f"{path}: {reason}")
    table = Table(title=title, header_style="bold")
    table.add_column("read", justify="right")
    table.add_column("new", justify="right")
    table.add_column("skipped", justify="right")
    table.add_column("failed", justify="right")
    table.add_column("events", justify="right")
    table.add_column("fused events", justify="right")
    table.add_column("articles/s", justify="right")
    table.add_row(
        f"{summary.read:,}",
        f"{summary.new:,}",
        f"{summary.skipped:,}",
        f"{len(summary.failed):,}",
        f"{summary.events:,}",
        "—" if summary.fused is None else f"{summary.fused:,}",
        f"{summary.rate:,.0f}",
    )
    Console().print(table)
    if summary.read == 0 and summary.failed:
        raise typer.Exit(1)


def _ingest_dask(
    paths: list[str],
    db: str | None,
    *,
    scheduler: str | None,
    partition_size: int,
    parquet_out: Path | None,
    meta: Path | None,
    batch_size: int,
    progress: bool,
    pub_date: date | None,
    outlet: str | None,
) -> None:
    """``rasd ingest --engine dask``: extract on a Dask cluster, store on this machine and/or write Parquet.

    The input streams in partitions of ``partition_size`` articles (see :mod:`rasd.distributed`);
    ``progress`` shows the ingest bar with a store, else a bar of the articles extracted.
    """
    from .distributed import dask_client, ingest_dask

    store = _open(db) if db is not None else None
    try:
        with dask_client(scheduler) as client:
            run = ingest_dask(
                paths,
                client=client,
                store=store,
                parquet_out=parquet_out,
                partition_size=partition_size,
                meta=meta,
                pub_date=pub_date,
                outlet=outlet,
                batch_size=batch_size,
                progress=progress,
            )
    except ReadError as exc:
        _error(str(exc))
        raise typer.Exit(2) from exc
    except SQLAlchemyError as exc:
        _error(f"database error: {str(exc).splitlines()[0]}")
        raise typer.Exit(2) from exc
    except (RuntimeError, OSError) as exc:
        _error(f"dask: {exc}")
        raise typer.Exit(2) from exc
    finally:
        if store is not None:
            store.close()
    where = f"{scheduler or 'a local Dask cluster'}, {run.partitions} partition(s)"
    if parquet_out is not None:
        typer.echo(f"rasd: {run.parquet_rows:,} event row(s) written to {parquet_out}/part-*.parquet", err=True)
    _print_summary(run.summary, f"Ingest on {where}" + (f" into {store.url}" if store is not None else ""))


def _feed_line(s: FeedSummary) -> str:
    """One line per poll: ``<url>: <status> · items · known · new · events · failed · seconds``."""
    if s.status == "failed":
        return f"{s.url}: FAILED: {s.error}"
    if s.status == "not-modified":
        return f"{s.url}: not modified (304) · {s.seconds:.1f}s"
    return (
        f"{s.url}: {s.items} item(s) · {s.known} already stored · {s.new} new article(s) · "
        f"{s.events} event(s) · {len(s.failed)} failed · {s.seconds:.1f}s"
    )


def _feeds(
    urls: list[str], db: str, *, every: str | None, max_items: int | None, batch_size: int, allow_private: bool
) -> None:
    """``rasd ingest --feed``: one pass over the feeds, or a loop with ``--every`` until Ctrl-C."""
    from .store.feeds import parse_interval, poll_forever

    try:
        interval = parse_interval(every) if every is not None else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--every") from exc
    store = _open(db)
    failures = 0

    def report(s: FeedSummary) -> None:
        nonlocal failures
        failures += s.status == "failed"
        typer.echo(f"rasd: {_feed_line(s)}", err=True)
        for url, reason in s.failed:
            _error(f"{url}: {reason}")

    try:
        poll_forever(
            store, urls, every=interval, on_summary=report, max_items=max_items, batch_size=batch_size,
            allow_private=allow_private,
        )  # fmt: skip
    except KeyboardInterrupt:
        typer.echo("rasd: stopped (interrupted); every stored batch is committed", err=True)
        raise typer.Exit(0 if interval is not None else 130) from None
    except SQLAlchemyError as exc:
        _error(f"database error: {str(exc).splitlines()[0]}")
        raise typer.Exit(2) from exc
    finally:
        store.close()
    if failures == len(urls):
        raise typer.Exit(1)


def reprocess_command(
    db: DbOption = DEFAULT_URL,
    batch_size: Annotated[int, typer.Option(min=1, help="Articles re-extracted per transaction.")] = 200,
) -> None:
    """Re-extract stored articles whose events come from an older extractor version.

    Their events are replaced (one transaction per batch); events an analyst reviewed are kept.
    Fusion is re-run afterwards. Running it again when everything is current does nothing.

    Example:

        rasd reprocess --db sqlite:///rasd.db
    """
    store = _open(db)
    try:
        s = reprocess(store, batch_size=batch_size)
    except SQLAlchemyError as exc:
        _error(f"database error: {str(exc).splitlines()[0]}")
        raise typer.Exit(2) from exc
    finally:
        store.close()
    for doc_id, reason in s.failed:
        _error(f"{doc_id}: {reason}")
    typer.echo(
        f"rasd: reprocessed {s.articles:,} article(s) with extractor {s.version} in {s.batches} batch(es): "
        f"events {s.events_before:,} → {s.events_after:,}, {s.kept:,} reviewed kept, "
        f"{len(s.failed):,} failed; fused events: {'unchanged' if s.fused is None else f'{s.fused:,}'}"
    )


def export_command(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="acled-csv | geojson | parquet | jsonl | gold")
    ] = "acled-csv",
    output: Annotated[
        str, typer.Option("--output", "-o", help="Output file ('-' = standard output); for gold a directory.")
    ] = "-",
    db: DbOption = DEFAULT_URL,
    fused: Annotated[bool, typer.Option(help="Export fused events (one per occurrence) instead of reports.")] = False,
    date_from: FromOption = None,
    date_to: ToOption = None,
    country: CountryOption = None,
    event_type: Annotated[str | None, typer.Option("--type", help="Only this event type or sub-event type.")] = None,
    include_rejected: IncludeRejectedOption = False,
    min_confidence: MinConfidenceOption = None,
    extra_columns: Annotated[
        bool,
        typer.Option(
            "--extra-columns",
            help="acled-csv: append review_status, injuries, certainty, role, confidence, evidence, doc_id "
            "(default: exactly ACLED's columns).",
        ),
    ] = False,
    include_unreviewed: Annotated[
        bool, typer.Option("--include-unreviewed", help="gold: keep the unreviewed events of reviewed articles.")
    ] = False,
) -> None:
    """Export stored events as ACLED CSV, GeoJSON points, Parquet, JSON lines, or gold records.

    Events an analyst rejected are left out unless --include-rejected is given. `--format gold`
    writes one FORMAT.md gold record per reviewed article (<doc_id>.json) into the --output
    directory: its accepted and corrected events, for `rasd eval predictions.jsonl DIR`.

    Example:

        rasd export --format acled-csv --country SY --from 2023-01-01 -o syria.csv

        rasd export --format gold -o gold-reviewed/
    """
    from .export import FORMATS, export

    if fmt == "gold":
        _export_gold(db, output, include_unreviewed=include_unreviewed)
        return
    if fmt not in FORMATS:
        raise typer.BadParameter(f"must be one of {', '.join((*FORMATS, 'gold'))}", param_hint="--format")
    if fmt == "parquet" and output == "-":
        raise typer.BadParameter("parquet needs a file name", param_hint="--output")
    if extra_columns and fmt != "acled-csv":
        raise typer.BadParameter("only meaningful with --format acled-csv", param_hint="--extra-columns")
    lo, hi = _date(date_from, "--from"), _date(date_to, "--to")
    store = _open(db)
    try:
        n = export(
            store, fmt, output, fused=fused, date_from=lo, date_to=hi, country=country, event_type=event_type,
            review="all" if include_rejected else "default", extra_columns=extra_columns,
            min_confidence=min_confidence_or_default(min_confidence),
        )  # fmt: skip
    except BrokenPipeError:  # `rasd export | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        raise typer.Exit(0) from None
    except (SQLAlchemyError, OSError) as exc:
        _error(f"export failed: {str(exc).splitlines()[0]}")
        raise typer.Exit(2) from exc
    finally:
        store.close()
    if output != "-":
        typer.echo(f"rasd: {n:,} {'fused ' if fused else ''}event(s) written to {output}", err=True)


def _export_gold(db: str, output: str, *, include_unreviewed: bool) -> None:
    """``rasd export --format gold``: one gold record per reviewed article into the directory ``output``."""
    from .store.gold import export_gold

    if output == "-":
        raise typer.BadParameter("gold needs a directory", param_hint="--output")
    if Path(output).exists() and not Path(output).is_dir():
        raise typer.BadParameter(f"{output} is not a directory", param_hint="--output")
    store = _open(db)
    try:
        n = export_gold(store, output, include_unreviewed=include_unreviewed)
    except (SQLAlchemyError, OSError) as exc:
        _error(f"export failed: {str(exc).splitlines()[0]}")
        raise typer.Exit(2) from exc
    finally:
        store.close()
    typer.echo(f"rasd: {n:,} gold record(s) (reviewed articles) written to {output}", err=True)


def query_command(
    db: DbOption = DEFAULT_URL,
    country: CountryOption = None,
    event_type: Annotated[str | None, typer.Option("--type", help="Event type or sub-event type.")] = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many events.")] = 50,
    fused: Annotated[bool, typer.Option(help="Query fused events instead of article reports.")] = False,
    include_rejected: IncludeRejectedOption = False,
    min_confidence: MinConfidenceOption = None,
) -> None:
    """Show stored events matching the filters as a table (newest first).

    Example:

        rasd query --country SY --type "Air/drone strike" --from 2015-01-01 --limit 20
    """
    flt = EventFilter(
        date_from=_date(date_from, "--from"),
        date_to=_date(date_to, "--to"),
        country=country,
        event_type=event_type,
        review="all" if include_rejected else "default",
        min_confidence=min_confidence_or_default(min_confidence),
    )
    store = _open(db)
    t = schema.fused_events if fused else schema.events
    a = schema.articles
    cols = [
        t.c.date,
        t.c.date_precision,
        t.c.event_type,
        t.c.sub_event_type,
        t.c.location_name,
        t.c.country,
        t.c.admin1,
        t.c.actor1_name,
        t.c.actor2_name,
        t.c.fatalities,
        t.c.injuries,
        t.c.confidence,
    ]
    if not fused:
        cols.append(t.c.review)
    if fused:
        stmt = select(*cols, t.c.n_reports.label("who"))
    else:
        stmt = select(*cols, a.c.doc_id.label("who")).join(a, a.c.id == t.c.article_id)
    stmt = flt.apply(stmt, t).order_by(t.c.date.desc().nulls_last(), t.c.id).limit(limit)
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(stmt).all()
    except SQLAlchemyError as exc:
        _error(f"query failed: {str(exc).splitlines()[0]}")
        raise typer.Exit(2) from exc
    finally:
        store.close()
    table = Table(title="Fused events" if fused else "Stored events", header_style="bold")
    for col in (
        "reports" if fused else "doc",
        "date",
        "type / sub-type",
        "location",
        "actor1 → actor2",
        "killed/injured",
        "conf",
        *(() if fused else ("review",)),
    ):
        table.add_column(col, overflow="fold")
    for r in rows:
        where = f"{r.location_name or '—'}, {r.admin1 or '—'} ({r.country or '—'})"
        table.add_row(
            str(r.who),
            f"{r.date or '—'} ({r.date_precision or '—'})",
            f"{r.event_type} / {r.sub_event_type}",
            where,
            f"{r.actor1_name or '—'} → {r.actor2_name or '—'}",
            f"{'—' if r.fatalities is None else r.fatalities}/{'—' if r.injuries is None else r.injuries}",
            f"{r.confidence:.2f}",
            *(() if fused else (r.review or "unreviewed",)),
        )
    console = Console()
    console.print(table)
    console.print(f"{len(rows)} event(s) shown (limit {limit})")


token_app = typer.Typer(
    name="token",
    help="Named reviewer tokens for the API's writes (stored hashed; the history shows the name).",
    no_args_is_help=True,
)


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="Reviewer name (letters, digits, _ . @ -).")],
    db: DbOption = DEFAULT_URL,
) -> None:
    """Create a reviewer token and print it once (only its sha256 is stored).

    Example:

        rasd token create amal --db sqlite:///rasd.db
    """
    from .store.tokens import TokenError, create_token

    store = _open(db)
    try:
        token = create_token(store, name)
    except TokenError as exc:
        _error(str(exc))
        raise typer.Exit(2) from exc
    finally:
        store.close()
    typer.echo(token)
    typer.echo(f"rasd: token for reviewer {name!r} created; it is not shown again", err=True)


@token_app.command("list")
def token_list(db: DbOption = DEFAULT_URL) -> None:
    """List reviewer tokens (names, creation and revocation times; never the tokens)."""
    from .store.tokens import list_tokens

    store = _open(db)
    try:
        infos = list_tokens(store)
    finally:
        store.close()
    table = Table(title="Reviewer tokens", header_style="bold")
    for col in ("name", "created", "status"):
        table.add_column(col)
    for t in infos:
        status = "active" if t.active else f"revoked {t.revoked_at:%Y-%m-%d %H:%M}"
        table.add_row(t.name, f"{t.created_at:%Y-%m-%d %H:%M}", status)
    Console().print(table)


@token_app.command("revoke")
def token_revoke(
    name: Annotated[str, typer.Argument(help="Reviewer name.")],
    db: DbOption = DEFAULT_URL,
) -> None:
    """Revoke a reviewer token: it stops working at once (the name stays reserved)."""
    from .store.tokens import TokenError, revoke_token

    store = _open(db)
    try:
        done = revoke_token(store, name)
    except TokenError as exc:
        _error(str(exc))
        raise typer.Exit(2) from exc
    finally:
        store.close()
    typer.echo(f"rasd: token {name!r} {'revoked' if done else 'was already revoked'}", err=True)
