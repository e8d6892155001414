"""Render a scoring :class:`~rasd.eval.scorer.Report` for people (Rich) and machines (JSON).

* :func:`render_report` prints the per-document table, then a compact summary (≤ 15 lines, so
  ``rasd eval PRED GOLD | tail -n 15`` shows every headline figure; see :func:`render_summary`);
* :func:`render_curve` prints the confidence-threshold table;
* :func:`render_errors` lists missed gold events and spurious predictions with their evidence
  sentences, sliced from the article texts (:func:`find_article_text`);
* :func:`report_json` is ``Report.to_dict()`` as a JSON string.

Every renderer writes to the ``Console`` it is given; article text is printed as ``Text`` so that
brackets in it are never read as Rich markup.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from itertools import zip_longest
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .scorer import Accuracy, ErrorItem, PRFScore, Report

_FIELD_LABELS: dict[str, str] = {
    "date": "date",
    "actor1": "actor1",
    "actor2": "actor2",
    "fatalities": "fatalities",
    "injuries": "injuries",
    "role": "role",
    "certainty": "certainty",
    "sub_event_type": "sub-type",
    "coords": "coords <25km",
    "admin1": "admin1",
}


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _prf_cells(score: PRFScore) -> list[str]:
    figures = (score.precision, score.recall, score.f1)
    return [*(_num(v) for v in figures), str(score.tp), str(score.fp), str(score.fn)]


def report_json(report: Report) -> str:
    """The report as indented JSON (Arabic kept as is)."""
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)


def render_per_doc(report: Report, console: Console) -> None:
    """One row per gold document that has gold or predicted events."""
    table = Table(title="Per document (lenient unless marked)", box=box.SIMPLE_HEAD)
    for col in ("doc_id", "gold", "pred", "TP", "FP", "FN", "F1", "strict TP"):
        table.add_column(col, justify="left" if col == "doc_id" else "right")
    for d in report.per_doc:
        if not d.gold and not d.predicted:
            continue
        doc = d.doc_id if d.has_prediction else f"{d.doc_id} (no prediction)"
        table.add_row(
            doc,
            str(d.gold),
            str(d.predicted),
            str(d.lenient.tp),
            str(d.lenient.fp),
            str(d.lenient.fn),
            _num(d.lenient.f1),
            str(d.strict.tp),
        )
    console.print(table)


def render_summary(report: Report, console: Console) -> None:
    """The headline figures in 15 lines: event P/R/F1, field accuracies, document counts."""
    console.print("Events (lenient: type + place; strict: + sub-type + date)")
    events = Table(box=None, pad_edge=False, padding=(0, 1))
    for col in ("", "P", "R", "F1", "TP", "FP", "FN"):
        events.add_column(col, justify="left" if not col else "right")
    for label, prf in (
        ("lenient", report.lenient),
        ("strict", report.strict),
        ("main lenient", report.lenient_main),
        ("main strict", report.strict_main),
    ):
        events.add_row(label, *_prf_cells(prf))
    console.print(events)

    console.print(f"Fields over {len(report.pairs)} lenient matched pairs")
    fields = Table(box=None, pad_edge=False, padding=(0, 1))
    for col in ("field", "acc", "n", "field", "acc", "n"):
        fields.add_column(col, justify="left" if col == "field" else "right")
    names = list(_FIELD_LABELS)
    half = (len(names) + 1) // 2
    for left, right in zip_longest(names[:half], names[half:]):
        cells = _field_cells(left, report.fields[left])
        cells += _field_cells(right, report.fields[right]) if right else ["", "", ""]
        fields.add_row(*cells)
    console.print(fields)

    with_pred = sum(d.has_prediction for d in report.per_doc)
    console.print(
        f"Docs: {len(report.per_doc)} gold, {with_pred} with predictions, "
        f"{len(report.missing_docs)} without, {report.ignored_docs} not in gold (ignored)",
        soft_wrap=True,
    )
    console.print(
        f"Events: {report.gold_events} gold, {report.predicted_events} predicted; false alarms: "
        f"{report.false_alarm_events} on {report.false_alarm_docs} of {report.empty_gold_docs} empty docs",
        soft_wrap=True,
    )


def _field_cells(name: str, acc: Accuracy) -> list[str]:
    return [_FIELD_LABELS[name], _num(acc.value), str(acc.total)]


def render_report(report: Report, console: Console) -> None:
    """The per-document table followed by the compact summary (the summary is last)."""
    render_per_doc(report, console)
    render_summary(report, console)


def render_curve(report: Report, console: Console) -> None:
    """Lenient P/R/F1 when keeping predictions with ``confidence >= t``."""
    table = Table(title="Confidence curve (lenient, all events)", box=box.SIMPLE_HEAD)
    for col in ("conf ≥", "kept", "P", "R", "F1", "TP", "FP", "FN"):
        table.add_column(col, justify="right")
    for point in report.curve:
        table.add_row(f"{point.threshold:.1f}", str(point.predicted), *_prf_cells(point.score))
    console.print(table)


# --------------------------------------------------------------------------- errors listing


def default_text_dirs(gold_dir: Path) -> list[Path]:
    """Where article texts are looked for by default: ``../corpus/dev``, ``../seed``, the gold dir."""
    return [gold_dir.parent / "corpus" / "dev", gold_dir.parent / "seed", gold_dir]


def find_article_text(doc_id: str, dirs: Sequence[Path]) -> str | None:
    """The text of ``<dir>/<doc_id>.txt`` from the first directory that has it, else ``None``."""
    for d in dirs:
        path = d / f"{doc_id}.txt"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return None


def evidence_snippets(event: Mapping[str, Any], text: str | None, max_chars: int = 300) -> list[str]:
    """The article slices the event's evidence spans point at; the location text when there are none."""
    snippets: list[str] = []
    evidence = event.get("evidence")
    if text is not None and isinstance(evidence, list):
        for span in evidence:
            start = span.get("start") if isinstance(span, Mapping) else None
            end = span.get("end") if isinstance(span, Mapping) else None
            if isinstance(start, int) and isinstance(end, int) and 0 <= start < end:
                piece = " ".join(text[start:end].split())
                if piece:
                    snippets.append(piece if len(piece) <= max_chars else piece[: max_chars - 1] + "…")
    if not snippets:
        location = event.get("location")
        loc_text = location.get("text") if isinstance(location, Mapping) else None
        snippets.append(loc_text or "(no evidence, no location text)")
    return snippets


def _headline(item: ErrorItem) -> Text:
    e = item.event
    location = e.get("location")
    loc_text = location.get("text") if isinstance(location, Mapping) else None
    date = e.get("date") or "no date"
    precision = f" ({e['date_precision']})" if e.get("date_precision") else ""
    line = Text("  ")
    line.append(item.doc_id, style="bold")
    line.append(f"  {e.get('event_type')} / {e.get('sub_event_type')}  {date}{precision}  ")
    line.append(loc_text or "(no location)", style="cyan")
    line.append(f"  [{e.get('role') or '?'}]", style="dim")
    return line


def render_errors(report: Report, console: Console, text_dirs: Sequence[Path], max_chars: int = 300) -> None:
    """List missed gold events and spurious predictions (lenient), each with its evidence."""
    texts: dict[str, str | None] = {}
    for title, items in (
        (f"Missed gold events ({len(report.missed)})", report.missed),
        (f"Spurious predictions ({len(report.spurious)})", report.spurious),
    ):
        console.print(Text(title, style="bold underline"))
        for item in items:
            if item.doc_id not in texts:
                texts[item.doc_id] = find_article_text(item.doc_id, text_dirs)
            console.print(_headline(item))
            for snippet in evidence_snippets(item.event, texts[item.doc_id], max_chars):
                console.print(Text(f"      │ {snippet}"))
        console.print()
