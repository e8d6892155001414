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
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .api import extract_article
from .errors import ReadError
from .eval.cli import eval_command
from .pipeline.read import iter_articles, load_meta
from .resources.loader import load_resources
from .types import ArticleRecord

app = typer.Typer(
    name="rasd",
    help="Rasd (رصد): structured, geocoded, sourced conflict events from Arabic news.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("eval", help="Score predicted records against gold annotations (FORMAT.md).")(eval_command)

err = Console(stderr=True)
DEFAULT_MIN_CONFIDENCE = 0.5


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
        res = load_resources()
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
            for item in iter_articles(
                self.paths, meta=meta_map, pub_date=pub, outlet=self.outlet, stdin=sys.stdin.buffer
            ):
                if isinstance(item, ReadError):
                    self.failed += 1
                    _error(str(item))
                    continue
                try:
                    record = extract_article(item, resources=res)
                except Exception as exc:  # one bad article never stops the batch
                    self.failed += 1
                    _error(f"{item.path or item.doc_id}: extraction failed: {exc}")
                    continue
                record.events = [e for e in record.events if e.confidence >= self.min_confidence]
                self.ok += 1
                elapsed = bar.tasks[0].elapsed or 0
                bar.update(task, advance=1, rate=f"{self.ok / elapsed:,.0f} articles/s" if elapsed else "")
                yield record


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
        float,
        typer.Option(
            help="Drop events below this confidence (0-1). The default keeps events the evidence makes more "
            "likely than not; 0 keeps every candidate."
        ),
    ] = DEFAULT_MIN_CONFIDENCE,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on a terminal.")] = True,
) -> None:
    """Extract conflict events from Arabic news articles.

    Example:

        rasd extract examples --meta examples/meta.jsonl --format table -o out/events.json
    """
    if fmt not in ("json", "jsonl", "table"):
        raise typer.BadParameter("--format must be json, jsonl or table")
    batch = _Batch(paths, pub_date, outlet, meta, min_confidence, progress)
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


def print_table(records: list[ArticleRecord], console: Console) -> None:
    table = Table(title="Events found", show_lines=False, header_style="bold")
    for col in ("doc", "date", "type / sub-type", "location", "actor1 → actor2", "killed/injured", "role", "conf"):
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
                f"{ev.event_type} / {ev.sub_event_type}",
                where,
                f"{a1} → {a2}",
                cas,
                f"{ev.role}, {ev.certainty}",
                f"{ev.confidence:.2f}",
            )
    console.print(table)
    console.print(f"{n} event(s) in {len(records)} article(s)")


def main() -> None:  # pragma: no cover
    app()
