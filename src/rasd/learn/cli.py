"""``rasd train``: fit the decision models on gold (and analysts' reviews) and write the model file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress

from ..types import Article
from .train import DEFAULT_DECISIONS

DEFAULT_LEARN = ",".join(DEFAULT_DECISIONS)
LearnOption = Annotated[
    str,
    typer.Option(
        help="The decisions to learn, comma-separated, of place, type, role, certainty, event; the others stay "
        "with the rules. Default: the set cross-validation supports.",
    ),
]


def _fail(message: str) -> typer.Exit:
    typer.echo(f"rasd train: {' '.join(message.split())}", err=True)
    return typer.Exit(1)


def reviewed_articles(url: str) -> Iterator[tuple[Article, dict[str, Any]]]:
    """Articles with analysts' reviews in a store, each with its reviews as a gold record
    (accepted and corrected events; rejected ones are left out, so they train as false events)."""
    from sqlalchemy import select

    from ..store import schema
    from ..store.db import Store
    from ..store.gold import iter_gold

    store = Store.open(url)
    a = schema.articles
    with store.engine.connect() as conn:
        for record in iter_gold(store):
            row = (
                conn.execute(select(a).where(a.c.doc_id == record["doc_id"]).order_by(a.c.id).limit(1))
                .mappings()
                .first()
            )
            if row is None:
                continue
            article = Article(
                text=row["text"],
                doc_id=f"review:{record['doc_id']}",
                pub_date=row["pub_date"],
                outlet=row["outlet"],
                title=row["title"],
            )
            yield article, {**record, "doc_id": article.doc_id}


def train_command(
    gold_dir: Annotated[
        Path | None,
        typer.Argument(
            help="Directory of gold <doc_id>.json files (FORMAT.md v1); texts are looked up as for rasd eval --cv.",
            metavar="[GOLD_DIR]",
            show_default=False,
        ),
    ] = None,
    meta: Annotated[Path | None, typer.Option(help="meta.jsonl giving each article's pub_date and outlet.")] = None,
    texts: Annotated[
        list[Path] | None,
        typer.Option(
            "--texts",
            help="Directory holding <doc_id>.txt article texts (repeatable). "
            "Default: GOLD_DIR/../corpus/dev, GOLD_DIR/../seed and GOLD_DIR.",
            show_default=False,
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(help="Also train on the analysts' reviews stored here (accepted, corrected and rejected events)."),
    ] = None,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="Where to write the model (gzip JSON). Point RASD_MODEL at it to use it."),
    ] = Path("rasd-model.json.gz"),
    cv: Annotated[
        int, typer.Option(help="Also cross-validate with K folds and record the figures in the model (0: skip).")
    ] = 5,
    seed: Annotated[int, typer.Option(help="Seed of the fold assignment (fitting itself is deterministic).")] = 0,
    learn: LearnOption = DEFAULT_LEARN,
) -> None:
    """Fit the decision models (place, type, role, certainty, is-event and its threshold) on gold.

    Examples:

        rasd train ../shared/gold --meta ../shared/corpus/dev/meta.jsonl -o model.json.gz

        rasd train ../shared/gold --meta ../shared/corpus/dev/meta.jsonl --db sqlite:///rasd.db -o team-model.json.gz
    """
    try:
        import sklearn
    except ImportError:
        raise _fail("training needs scikit-learn: pip install 'rasd[train]'") from None
    from .. import __version__
    from ..resources.loader import load_resources
    from .cv import cross_validate
    from .train import fit, gold_digest, load_examples

    decisions_to_fit = parse_learn(learn)
    if gold_dir is None and db is None:
        raise _fail("give GOLD_DIR, --db URL, or both")
    if gold_dir is not None and not gold_dir.is_dir():
        raise _fail(f"gold directory not found: {gold_dir}")
    res = load_resources()
    err = Console(stderr=True)
    extra = list(reviewed_articles(db)) if db else []
    with Progress(console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("reading gold articles", total=len(list(gold_dir.glob("*.json"))) if gold_dir else 0)
        examples = load_examples(
            gold_dir, res, meta=meta, texts=texts or (), extra=extra, tick=lambda: bar.advance(task)
        )
        if len(examples) < 2:
            raise _fail(f"only {len(examples)} gold article(s) with texts: nothing to learn from")
        bar.add_task("fitting", total=None)
        model = fit(examples, res.note_phrases, seed=seed, decisions_to_fit=decisions_to_fit)
        figures: dict[str, Any] = {}
        if cv >= 2 and len(examples) >= cv:
            result = cross_validate(
                examples, res.note_phrases, k=cv, seed=seed, fractions=(1.0,), learn=decisions_to_fit
            )
            rep = result.report
            figures = {
                "folds": cv,
                "seed": seed,
                "lenient": _prf(rep.lenient),
                "strict": _prf(rep.strict),
                "main_lenient": _prf(rep.lenient_main),
                "fields": {k: round(v.correct / v.total, 3) for k, v in rep.fields.items() if v.total},
                "no_event_docs_clean": round(1 - rep.false_alarm_docs / rep.empty_gold_docs, 3)
                if rep.empty_gold_docs
                else None,
            }
    n_events = sum(len(e.gold.get("events") or []) for e in examples)
    model.provenance = {
        "rasd": __version__,
        "scikit_learn": sklearn.__version__,
        "gold": str(gold_dir) if gold_dir else None,
        "reviews_from_db": bool(db),
        "learned_decisions": list(decisions_to_fit),
        "articles": len(examples),
        "gold_events": n_events,
        "gold_digest": gold_digest(examples),
        "features": "rasd.learn.features: named features (flags, cues, place, actors, casualties, dates) and "
        "light-stem lexical context; see the weights of each decision",
        "cross_validated": figures,
    }
    path = model.save(output)
    console = Console()
    console.print(
        f"Model written to {path} ({path.stat().st_size / 1024:.0f} KB): {len(examples)} articles, {n_events} gold "
        f"events, threshold {model.threshold:.2f}."
    )
    if figures:
        console.print(
            f"Cross-validated ({cv} folds): lenient F1 {figures['lenient']['f1']:.3f}, "
            f"strict F1 {figures['strict']['f1']:.3f}, main lenient F1 {figures['main_lenient']['f1']:.3f}."
        )
    console.print(f"Use it with: RASD_MODEL={path} rasd extract ...")


def parse_learn(value: str) -> tuple[str, ...]:
    """``--learn place,event`` → the decisions to fit (a clear error for an unknown one)."""
    from .train import ALL_DECISIONS

    names = tuple(dict.fromkeys(v.strip() for v in value.split(",") if v.strip()))
    unknown = [n for n in names if n not in ALL_DECISIONS]
    if unknown or not names:
        raise typer.BadParameter(f"--learn takes some of {', '.join(ALL_DECISIONS)} (got {value!r})")
    return names


def _prf(s) -> dict[str, float]:
    return {"p": round(s.precision, 3), "r": round(s.recall, 3), "f1": round(s.f1, 3)}
