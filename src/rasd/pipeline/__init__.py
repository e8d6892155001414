"""The extraction pipeline: only the stages, in the order the data flows, each a plain ``Doc -> Doc`` function.

    normalize → screen → segment → recognize → events → roles → attributes → resolve → decide

Each stage's module says its number: ``screen`` (1), ``segment`` (2), ``recognize`` (3), ``events``
(4, with ``places``, which chooses a reading for every place mention), ``roles`` (5), ``attributes``
(6), ``resolve`` (7), ``decide`` (8); ``doc`` is the state they pass on. What they build on lies below
this package: the articles come from the input readers (:mod:`rasd.inputs`), the Arabic text
tools (normalize, match, numbers, dates) from :mod:`rasd.text`, and the compiled lexicons from
:mod:`rasd.resources`. The stages run per article inside :func:`run`: :func:`prepare` normalizes,
then every stage of ``STAGES`` in order (the names equal the module names), so a caller can time
or trace them one by one. A stage that sets ``doc.quiet`` ends the run: ``screen`` does so for an
article without any word that starts an event, which then has no events.

``run(..., budget=seconds)`` bounds the time one article may take: the clock is checked after every
stage, and on the main thread of a process (the CLI, ``--workers`` processes, the web server's
extraction processes) a ``SIGALRM`` timer also stops a stage in the middle. Either way the run ends
with :class:`~rasd.errors.ExtractionTimeout`.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from types import FrameType, TracebackType

from ..errors import ExtractionTimeout
from ..resources.loader import Resources
from ..text.normalize import normalize
from ..types import Article
from .attributes import fill_attributes
from .decide import decide
from .doc import Doc
from .events import build_candidates
from .recognize import recognize
from .resolve import resolve
from .roles import assign_roles
from .screen import screen
from .segment import split_sentences

Stage = Callable[[Doc, Resources], Doc]

STAGES: tuple[tuple[str, Stage], ...] = (
    ("screen", screen),
    ("segment", split_sentences),
    ("recognize", recognize),
    ("events", build_candidates),
    ("roles", assign_roles),
    ("attributes", fill_attributes),
    ("resolve", resolve),
    ("decide", decide),
)


def prepare(article: Article) -> Doc:
    """normalize: the per-article state every stage works on."""
    return Doc(article=article, norm=normalize(article.text))


def run(
    article: Article,
    res: Resources,
    *,
    stages: tuple[tuple[str, Stage], ...] = STAGES,
    budget: float | None = None,
) -> Doc:
    """Every stage over one article; with ``budget`` (seconds), :class:`ExtractionTimeout` when
    the article takes longer."""
    with _Budget(budget) as clock:
        doc = prepare(article)
        for name, stage in stages:
            clock.stage = name
            doc = stage(doc, res)
            clock.check()
            if doc.quiet:
                break
        clock.stage = ""
    return doc


class _Budget:
    """The time budget of one run: checked between stages, and a ``SIGALRM`` timer on the main
    thread when no one else uses that signal (a stage that runs away is stopped in the middle)."""

    def __init__(self, budget: float | None) -> None:
        self.budget = budget if budget and budget > 0 else None
        self.stage = "normalize"
        self.started = time.perf_counter()
        self._old: Callable[[int, FrameType | None], object] | int | None = None
        self._armed = False

    def __enter__(self) -> _Budget:
        if self.budget is not None and _can_alarm():
            self._old = signal.signal(signal.SIGALRM, self._fire)
            signal.setitimer(signal.ITIMER_REAL, self.budget)
            self._armed = True
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._old)  # type: ignore[arg-type]
            self._armed = False

    def _timeout(self) -> ExtractionTimeout:
        assert self.budget is not None
        return ExtractionTimeout(self.budget, time.perf_counter() - self.started, self.stage)

    def _fire(self, signum: int, frame: FrameType | None) -> None:
        if self._armed and self.stage:
            raise self._timeout()

    def check(self) -> None:
        if self.budget is not None and time.perf_counter() - self.started > self.budget:
            raise self._timeout()


def _can_alarm() -> bool:
    """SIGALRM can stop a stage: main thread, POSIX, and no handler or timer of someone else."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        return False
    return signal.getsignal(signal.SIGALRM) == signal.SIG_DFL and signal.getitimer(signal.ITIMER_REAL)[0] == 0
