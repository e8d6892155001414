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

from ..learn.cli import DEFAULT_LEARN, LearnOption
from .report import default_text_dirs, render_curve, render_errors, render_report, report_json
from .scorer import load_gold, load_predictions, score


def _fail(message: str) -> typer.Exit:
    typer.echo(f"rasd eval: {' '.join(message.split())}", err=True)
    return typer.Exit(1)


def eval_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help='PRED GOLD_DIR: predicted records (a JSON file of one record, a list or {"records": [...]}, '
            "a JSONL file, or a directory of *.json) and the directory of gold <doc_id>.json files (FORMAT.md v1). "
            "With --cv: GOLD_DIR alone.",
            metavar="[PRED] GOLD_DIR",
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
            help="Directory holding <doc_id>.txt article texts (repeatable): read by --cv and --errors. "
            "Default: GOLD_DIR/../corpus/dev, GOLD_DIR/../seed and GOLD_DIR.",
            show_default=False,
        ),
    ] = None,
    cv: Annotated[
        int,
        typer.Option(
            "--cv",
            help="Cross-validate instead: K folds by article; each fold is extracted by decision models "
            "trained without it, and scored. Prints the learning curve too.",
            min=0,
        ),
    ] = 0,
    meta: Annotated[
        Path | None,
        typer.Option(help="With --cv: meta.jsonl giving each article's pub_date and outlet.", show_default=False),
    ] = None,
    predictions: Annotated[
        Path | None,
        typer.Option(
            help="With --cv: write the out-of-fold records here (JSON lines, one v1 record per gold article).",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="With --cv: the seed that deals articles into folds.")] = 0,
    learn: LearnOption = DEFAULT_LEARN,
) -> int:
    """Score predicted event records against the gold annotations (FORMAT.md, "Scoring").

    Prints event P/R/F1 (lenient, strict, main events only), field accuracies and false alarms.

    Examples:

        rasd eval out/dev.jsonl ../shared/gold --errors

        rasd eval --cv 5 ../shared/gold --meta ../shared/corpus/dev/meta.jsonl --predictions oof.jsonl
    """
    if cv:
        if len(paths) != 1:
            raise _fail("with --cv give only GOLD_DIR")
        return _cross_validate(paths[0], cv, meta, texts, predictions, seed, json_out, errors, curve, learn)
    if len(paths) != 2:
        raise _fail("give PRED and GOLD_DIR (or --cv K GOLD_DIR)")
    pred, gold_dir = paths
    if not pred.exists():
        raise _fail(f"predictions not found: {pred}")
    if not gold_dir.is_dir():
        raise _fail(f"gold directory not found: {gold_dir}")
    try:
        gold = load_gold(gold_dir)
        predictions_ = load_predictions(pred)
    except (OSError, ValueError) as exc:
        raise _fail(str(exc)) from None
    if not gold:
        raise _fail(f"no gold records (*.json with 'events') in {gold_dir}")

    report = score(gold, predictions_)
    _render(report, gold_dir, texts, json_out, errors, curve)
    return 0


def _render(report, gold_dir: Path, texts, json_out: bool, errors: bool, curve: bool) -> None:
    if json_out:
        typer.echo(report_json(report))
        return
    console = Console()
    if errors:
        render_errors(report, console, texts or default_text_dirs(gold_dir))
    if curve:
        render_curve(report, console)
    render_report(report, console)


def _cross_validate(
    gold_dir: Path,
    k: int,
    meta: Path | None,
    texts: list[Path] | None,
    predictions: Path | None,
    seed: int,
    json_out: bool,
    errors: bool,
    curve: bool,
    learn: str = DEFAULT_LEARN,
) -> int:
    import json

    from rich.progress import Progress

    from ..learn.cli import parse_learn
    from ..learn.cv import FRACTIONS, cross_validate
    from ..learn.train import load_examples
    from ..resources.loader import load_resources

    if not gold_dir.is_dir():
        raise _fail(f"gold directory not found: {gold_dir}")
    if k < 2:
        raise _fail("--cv needs at least 2 folds")
    try:
        import sklearn  # noqa: F401
    except ImportError:
        raise _fail("--cv trains models: install scikit-learn (pip install 'rasd[train]')") from None
    res = load_resources()
    err = Console(stderr=True)
    with Progress(console=err, transient=True, disable=not err.is_terminal) as bar:
        n = len(list(gold_dir.glob("*.json")))
        task = bar.add_task("reading gold articles", total=n)
        examples = load_examples(gold_dir, res, meta=meta, texts=texts or (), tick=lambda: bar.advance(task))
        if len(examples) < k:
            raise _fail(f"only {len(examples)} gold article(s) with texts: too few for {k} folds")
        fits = bar.add_task(f"{k}-fold cross-validation and learning curve", total=len(FRACTIONS))
        result = cross_validate(
            examples, res.note_phrases, k=k, seed=seed, tick=lambda: bar.advance(fits), learn=parse_learn(learn)
        )
    if predictions is not None:
        with open(predictions, "w", encoding="utf-8") as fh:
            for rec in result.records:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    report = result.report
    if curve:
        report.curve = result.curve_report.curve
    _render(report, gold_dir, texts, json_out, errors, curve)
    if not json_out:
        console = Console()
        console.print(
            f"Cross-validated ({k} folds by article, seed {seed}): every article above was extracted by "
            f"models trained without it; fold thresholds {', '.join(f'{t:.2f}' for t in result.thresholds)}."
        )
        console.print("Learning curve (training articles → lenient F1, strict F1):")
        for fraction, n_train, lenient, strict in result.learning:
            console.print(f"  {fraction:>4.0%} {n_train:>4} articles   {lenient:.3f}   {strict:.3f}")
        if predictions is not None:
            console.print(f"Out-of-fold records written to {predictions}")
    return 0
