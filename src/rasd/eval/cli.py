"""The ``rasd eval`` command: load predictions and gold, score, print.

``eval_command`` is a plain function with Typer annotations; the application registers it with
``app.command("eval")(eval_command)``. It only parses options, calls :func:`rasd.eval.scorer.score`
and hands the report to :mod:`rasd.eval.report`; every figure comes from the library.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .report import default_text_dirs, render_curve, render_errors, render_report, report_json
from .scorer import load_gold, load_predictions, score


def _fail(message: str) -> typer.Exit:
    typer.echo(f"rasd eval: {' '.join(message.split())}", err=True)
    return typer.Exit(1)


def eval_command(
    pred: Annotated[
        Path,
        typer.Argument(
            help='Predicted records: a JSON file (one record, a list, or {"records": [...]}), '
            "a JSONL file (one record per line), or a directory of *.json.",
            metavar="PRED",
            show_default=False,
        ),
    ],
    gold_dir: Annotated[
        Path,
        typer.Argument(
            help="Directory of gold <doc_id>.json files (FORMAT.md v1).",
            metavar="GOLD_DIR",
            show_default=False,
        ),
    ],
    json_out: Annotated[bool, typer.Option("--json", help="Print the whole report as JSON instead of tables.")] = False,
    errors: Annotated[
        bool,
        typer.Option("--errors", help="List missed gold events and spurious predictions with evidence."),
    ] = False,
    curve: Annotated[bool, typer.Option("--curve", help="Print P/R/F1 for confidence thresholds 0.0 ... 0.9.")] = False,
    texts: Annotated[
        list[Path] | None,
        typer.Option(
            "--texts",
            help="Directory holding <doc_id>.txt article texts for --errors (repeatable). "
            "Default: GOLD_DIR/../corpus/dev, GOLD_DIR/../seed and GOLD_DIR.",
            show_default=False,
        ),
    ] = None,
) -> int:
    """Score predicted event records against the gold annotations (FORMAT.md, "Scoring").

    Prints event P/R/F1 (lenient, strict, main events only), field accuracies and false alarms.

    Example: rasd eval out/dev.jsonl ../shared/gold --errors
    """
    if not pred.exists():
        raise _fail(f"predictions not found: {pred}")
    if not gold_dir.is_dir():
        raise _fail(f"gold directory not found: {gold_dir}")
    try:
        gold = load_gold(gold_dir)
        predictions = load_predictions(pred)
    except (OSError, ValueError) as exc:
        raise _fail(str(exc)) from None
    if not gold:
        raise _fail(f"no gold records (*.json with 'events') in {gold_dir}")

    report = score(gold, predictions)
    if json_out:
        typer.echo(report_json(report))
        return 0
    console = Console()
    if errors:
        render_errors(report, console, texts or default_text_dirs(gold_dir))
    if curve:
        render_curve(report, console)
    render_report(report, console)
    return 0
