"""The ``rasd`` command line: a thin door over the library (``rasd.api``, ``rasd.eval``)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from .api import DEFAULT_TIME_BUDGET, extract_article, set_time_budget
from .cli_store import TimeBudgetOption, WorkersOption, min_confidence_or_default
from .errors import ReadError
from .eval.cli import eval_command
from .explain import explain_record, render_explanations
from .geo.gazetteer import Gazetteer
from .inputs import iter_articles, load_meta
from .learn.cli import train_command
from .parallel import ExtractionFailure, extract_parallel
from .resources.loader import load_resources
from .types import Article, ArticleRecord

app = typer.Typer(
    name="rasd",
    help="Rasd (رصد): structured, geocoded, sourced conflict events from Arabic news.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("eval", help="Score predicted records against gold annotations (FORMAT.md); --cv cross-validates.")(
    eval_command
)
app.command("train", help="Fit the learned decisions on gold (and reviews) and write a model file.")(train_command)

err = Console(stderr=True)
DecisionsOption = Annotated[
    str | None,
    typer.Option(
        "--decisions",
        help="Who decides each event's place, type, role, certainty and confidence: 'rules' (default) or "
        "'learned' (the model of rasd train; RASD_MODEL=path names a team's own). Also: RASD_DECISIONS.",
        show_default=False,
    ),
]


def _use_decisions(decisions: str | None) -> None:
    """Set the deciding mode for this process and its workers (read by ``load_resources``)."""
    if decisions is None:
        return
    if decisions not in ("rules", "learned"):
        raise typer.BadParameter("--decisions must be 'rules' or 'learned'")
    import os

    os.environ["RASD_DECISIONS"] = decisions


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form") from exc


def _error(message: str) -> None:
    """One line on standard error (never wrapped, so each failure stays one greppable line)."""
    typer.echo(f"rasd: error: {' '.join(str(message).split())}", err=True)


@dataclass
class _Batch:
    """Reads and extracts a batch of inputs, counting what succeeded and what failed."""

    paths: list[str]
    pub_date: str | None
    outlet: str | None
    meta: Path | None
    min_confidence: float = 0.0
    progress: bool = True
    workers: int = 1
    ok: int = 0
    failed: int = 0

    def records(self) -> Iterator[ArticleRecord]:
        meta_map = None
        if self.meta is not None:
            try:
                meta_map = load_meta(self.meta)
            except ReadError as exc:
                _error(str(exc))
                raise typer.Exit(2) from exc
        pub = _parse_date(self.pub_date)
        columns = (
            TextColumn("[bold]extract"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[rate]}"),
        )
        with Progress(
            *columns, console=err, disable=not (self.progress and sys.stderr.isatty()), transient=True
        ) as bar:
            task = bar.add_task("extract", total=None, rate="")
            items = iter_articles(self.paths, meta=meta_map, pub_date=pub, outlet=self.outlet, stdin=sys.stdin.buffer)
            for item, outcome in self._outcomes(items):
                if isinstance(item, ReadError):
                    self.failed += 1
                    _error(str(item))
                    continue
                if isinstance(outcome, ExtractionFailure) or outcome is None:
                    self.failed += 1
                    _error(f"{item.path or item.doc_id}: extraction failed: {outcome.message if outcome else '?'}")
                    continue
                record = outcome
                record.events = [e for e in record.events if e.confidence >= self.min_confidence]
                self.ok += 1
                elapsed = bar.tasks[0].elapsed or 0
                bar.update(task, advance=1, rate=f"{self.ok / elapsed:,.0f} articles/s" if elapsed else "")
                yield record

    @staticmethod
    def _outcomes_serial(
        items: Iterator[Article | ReadError],
    ) -> Iterator[tuple[Article | ReadError, ArticleRecord | ExtractionFailure | None]]:
        res = load_resources()
        for item in items:
            if isinstance(item, ReadError):
                yield item, None
                continue
            try:
                yield item, extract_article(item, resources=res)
            except Exception as exc:  # one bad article never stops the batch
                yield item, ExtractionFailure(item.path or item.doc_id, str(exc))

    def _outcomes(
        self, items: Iterator[Article | ReadError]
    ) -> Iterator[tuple[Article | ReadError, ArticleRecord | ExtractionFailure | None]]:
        """``(item, record or failure)`` in input order, on one process or on ``workers``."""
        if self.workers <= 1:
            return self._outcomes_serial(items)
        return extract_parallel(items, self.workers)


@app.command()
def extract(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Files, folders (every .txt .html .json .jsonl .jsonl.gz inside) or '-' for standard input.",
            show_default=False,
        ),
    ],
    pub_date: Annotated[
        str | None, typer.Option(help="Publication date YYYY-MM-DD for inputs that carry none.")
    ] = None,
    outlet: Annotated[str | None, typer.Option(help="Outlet name for inputs that carry none.")] = None,
    meta: Annotated[
        Path | None,
        typer.Option(help="meta.jsonl giving doc_id → pub_date, outlet (the format of corpus/dev/meta.jsonl)."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="json | jsonl | table")] = "json",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write records here (JSON, or JSON lines with --format jsonl) instead of standard output.",
        ),
    ] = None,
    min_confidence: Annotated[
        float | None,
        typer.Option(
            help="Drop events below this confidence (0-1). Default: 0.5 with the rules; with the learned "
            "decisions, the model's threshold (it maximised cross-validated F1). 0 keeps every candidate.",
            show_default=False,
        ),
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on a terminal.")] = True,
    workers: WorkersOption = 1,
    decisions: DecisionsOption = None,
    time_budget: TimeBudgetOption = DEFAULT_TIME_BUDGET,
) -> None:
    """Extract conflict events from Arabic news articles.

    Example:

        rasd extract examples --meta examples/meta.jsonl --format table -o out/events.json
    """
    if fmt not in ("json", "jsonl", "table"):
        raise typer.BadParameter("--format must be json, jsonl or table")
    _use_decisions(decisions)
    set_time_budget(time_budget)
    batch = _Batch(paths, pub_date, outlet, meta, min_confidence_or_default(min_confidence), progress, workers)
    records = batch.records()
    if fmt == "jsonl":
        out = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
        try:
            for rec in records:
                out.write(json.dumps(rec.to_dict(), ensure_ascii=False) + "\n")
        finally:
            if output:
                out.close()
    else:
        collected = list(records)
        if fmt == "table":
            print_table(collected, Console())
        if fmt == "json" or output:
            payload = json.dumps([r.to_dict() for r in collected], ensure_ascii=False, indent=1)
            if output:
                output.parent.mkdir(parents=True, exist_ok=True)
                output.write_text(payload + "\n", encoding="utf-8")
            else:
                sys.stdout.write(payload + "\n")
    if output:
        typer.echo(
            f"rasd: {batch.ok} article(s) processed, {batch.failed} failed; records written to {output}", err=True
        )
    if batch.ok == 0:
        raise typer.Exit(1)


@app.command()
def explain(
    path: Annotated[str, typer.Argument(help="An article file (any input `extract` reads) or '-' for standard input.")],
    pub_date: Annotated[
        str | None, typer.Option(help="Publication date YYYY-MM-DD for inputs that carry none.")
    ] = None,
    outlet: Annotated[str | None, typer.Option(help="Outlet name for inputs that carry none.")] = None,
    meta: Annotated[Path | None, typer.Option(help="meta.jsonl giving doc_id → pub_date, outlet.")] = None,
    min_confidence: Annotated[
        float | None,
        typer.Option(
            help="Explain only events at or above this confidence (default: as rasd extract; 0 explains every "
            "candidate).",
            show_default=False,
        ),
    ] = None,
    decisions: DecisionsOption = None,
) -> None:
    """Show why each event was extracted: the trigger words, the evidence sentences with the trigger,
    location and actors highlighted, and the rule behind every field.

    Example:

        rasd explain examples/000_73c53d1290d9c61f.txt --pub-date 2023-04-11
    """
    _use_decisions(decisions)
    min_confidence = min_confidence_or_default(min_confidence)
    meta_map = None
    if meta is not None:
        try:
            meta_map = load_meta(meta)
        except ReadError as exc:
            _error(str(exc))
            raise typer.Exit(2) from exc
    pub = _parse_date(pub_date)
    console = Console()
    res = load_resources()
    ok = 0
    for item in iter_articles([path], meta=meta_map, pub_date=pub, outlet=outlet, stdin=sys.stdin.buffer):
        if isinstance(item, ReadError):
            _error(str(item))
            continue
        try:
            record = extract_article(item, resources=res)
        except Exception as exc:  # one bad article never stops the batch
            _error(f"{item.path or item.doc_id}: extraction failed: {exc}")
            continue
        ok += 1
        record.events = [e for e in record.events if e.confidence >= min_confidence]
        heading = record.doc_id + (f" — {record.title}" if record.title else "")
        render_explanations(explain_record(record, item.text), item.text, console, heading=heading)
    if ok == 0:
        raise typer.Exit(1)


gazetteer_app = typer.Typer(
    name="gazetteer", help="Look up places in the bundled gazetteer and count its entries.", no_args_is_help=True
)
app.add_typer(gazetteer_app)


@gazetteer_app.command("lookup")
def gazetteer_lookup(
    name: Annotated[str, typer.Argument(help="A place name, Arabic (as written) or English.", show_default=False)],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many candidates to show.")] = 10,
    country: Annotated[str | None, typer.Option(help="Only candidates in this ISO2 country (e.g. SY).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Scored candidates for a place name (1.0 = an exact surface form), best first.

    Each says how it matched (exact / variant / approximate: a spelling-tolerant guess the
    pipeline never uses) and the context the pipeline needs to use it (word: a name that is also
    a common word; foreign: a place outside the 27 core countries).

    Example:

        rasd gazetteer lookup "دير الزور" --country SY
    """
    gz = Gazetteer.load()
    hits = gz.lookup(name, limit=limit if country is None else max(limit * 20, 200))
    if country is not None:
        hits = [(p, s) for p, s in hits if p.country == country.upper()][:limit]
    rows = [
        {
            "id": p.id,
            "name": p.name,
            "kind": p.kind,
            "country": p.country,
            "admin1": p.admin1,
            "lat": p.lat,
            "lon": p.lon,
            "population": p.population,
            "score": s,
            "match": gz.explain(name, p, s)[0],
            "context": gz.explain(name, p, s)[1],
        }
        for p, s in hits
    ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        table = Table(title=f"Gazetteer candidates for {name}", header_style="bold", box=box.SIMPLE_HEAD)
        for col in ("id", "name", "kind", "country", "admin1", "lat", "lon", "population", "score", "match", "context"):
            numeric = col in ("lat", "lon", "population", "score")
            width = {"name": 14, "admin1": 10, "kind": 7}.get(col)
            table.add_column(col, justify="right" if numeric else "left", no_wrap=width is None, min_width=width)
        for r in rows:
            cells = ("—" if r[c] is None else f"{r[c]:.3f}" if c in ("lat", "lon") else str(r[c]) for c in r)
            table.add_row(*(Text(cell) for cell in cells))
        Console(width=max(Console().width, 150)).print(table)
    if not rows:
        _error(f"no place matches {name!r}" + (f" in {country.upper()}" if country else ""))
        raise typer.Exit(1)


@gazetteer_app.command("stats")
def gazetteer_stats(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Gazetteer entries by country, by source (geonames/sites) and by kind, and its surface forms."""
    stats = Gazetteer.load().stats()
    if as_json:
        typer.echo(json.dumps(stats, ensure_ascii=False, indent=1))
        return
    console = Console()
    total = sum(stats["by_source"].values())
    console.print(f"{total:,} entries; {stats['surface_forms']['pairs']:,} surface forms "
                  f"({stats['surface_forms']['keys']:,} distinct keys)")  # fmt: skip
    for key, title in (("by_country", "country"), ("by_source", "source"), ("by_kind", "kind")):
        table = Table(title=f"Entries by {title}", header_style="bold")
        table.add_column(title)
        table.add_column("entries", justify="right")
        for k, n in sorted(stats[key].items(), key=lambda kv: (-kv[1], kv[0])):
            table.add_row(Text(k), f"{n:,}")
        console.print(table)


def print_table(records: list[ArticleRecord], console: Console) -> None:
    table = Table(title="Events found", show_lines=False, header_style="bold")
    for col in ("doc", "date", "event", "location", "actor1 → actor2", "killed/injured", "role", "conf"):
        table.add_column(col, overflow="fold")
    n = 0
    for rec in records:
        for ev in rec.events:
            n += 1
            loc = ev.location
            where = f"{loc.name or loc.text} ({loc.country})" if loc else "—"
            a1 = ev.actor1.name if ev.actor1 else "—"
            a2 = ev.actor2.name if ev.actor2 else "—"
            cas = f"{'—' if ev.fatalities is None else ev.fatalities}/{'—' if ev.injuries is None else ev.injuries}"
            table.add_row(
                rec.doc_id,
                f"{ev.date or '—'} ({ev.date_precision or '—'})",
                ev.sub_event_type,
                where,
                f"{a1} → {a2}",
                cas,
                f"{ev.role}, {ev.certainty}",
                f"{ev.confidence:.2f}",
            )
    console.print(table)
    console.print(f"{n} event(s) in {len(records)} article(s)")


from .cli_store import export_command, ingest_command, query_command, reprocess_command, token_app  # noqa: E402

app.command("ingest")(ingest_command)
app.command("reprocess")(reprocess_command)
app.command("export")(export_command)
app.command("query")(query_command)
app.add_typer(token_app)
from .cli_serve import serve_command  # noqa: E402

app.command("serve")(serve_command)


def main() -> None:  # pragma: no cover
    app()
