"""Exceptions raised (or yielded) by Rasd.

Every Rasd exception derives from :class:`RasdError`, so callers can catch the whole family at
once, and every message is a single line that can be printed as-is after ``rasd: error:``::

    RasdError                      base of everything Rasd raises on purpose
    ├── ReadError                  an input could not be read (.path, .line, .reason)
    │   └── InputTooLarge          an input file / record is over the ``max_bytes`` limit
    ├── ExtractionTimeout          one article took longer than its time budget (.seconds, .budget)
    └── ResourceError              a bundled or user resource file is malformed (.file, .line)

:class:`ReadError` instances are also *yielded* (not raised) by
:func:`rasd.inputs.iter_articles`, so one bad input does not stop a batch.
"""

from __future__ import annotations

__all__ = ["ExtractionTimeout", "InputTooLarge", "RasdError", "ReadError", "ResourceError"]


def _one_line(text: str) -> str:
    """Collapse ``text`` to one line (messages are printed one per line)."""
    return " ".join(str(text).split())


class RasdError(Exception):
    """Base class of all errors Rasd raises deliberately."""


class ReadError(RasdError):
    """An input (file, folder, stdin, or one record of a JSON Lines file) could not be read.

    ``str(err)`` is ``"<path>: <reason>"`` or ``"<path>:<line>: <reason>"`` on one line.

    Attributes:
        path: the file path as given (``"<stdin>"`` for standard input).
        reason: the one-line reason, without the location prefix.
        line: 1-based line number for JSON Lines records, else ``None``.
    """

    def __init__(self, path: str, reason: str, *, line: int | None = None) -> None:
        self.path = str(path)
        self.reason = _one_line(reason)
        self.line = line
        where = self.path if line is None else f"{self.path}:{line}"
        super().__init__(f"{where}: {self.reason}")

    def __reduce__(self) -> tuple[object, ...]:  # keep picklable despite the keyword argument
        return (_rebuild_read_error, (type(self), self.path, self.reason, self.line))


class InputTooLarge(ReadError):
    """An input file (or one JSON Lines record) is larger than the configured ``max_bytes``."""


class ExtractionTimeout(RasdError):
    """Extracting one article took longer than its time budget (``rasd extract --time-budget``).

    The article is reported as failed with this message; the batch goes on.

    Attributes:
        budget: the budget in seconds.
        seconds: how long the extraction had run when it was stopped.
        stage: the pipeline stage it was stopped in (or after).
    """

    def __init__(self, budget: float, seconds: float, stage: str = "") -> None:
        self.budget = float(budget)
        self.seconds = float(seconds)
        self.stage = stage
        where = f" (stopped in stage '{stage}')" if stage else ""
        super().__init__(
            f"extraction took longer than the time budget of {self.budget:g} s: "
            f"stopped after {self.seconds:.1f} s{where}"
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.budget, self.seconds, self.stage))


class ResourceError(RasdError):
    """A resource file (gazetteer, lexicon, ...) is malformed; names the file and line.

    ``ResourceError(file, reason, line=n)`` gives ``"<file>:<n>: <reason>"``. The one-argument
    form ``ResourceError("<already formatted message>")`` is accepted too (``file`` is then ``""``).

    Attributes:
        file: path of the resource file (``""`` for the one-argument form).
        line: 1-based line number, or ``None`` when the problem is not tied to a line.
        reason: the one-line reason.
    """

    def __init__(self, file: str, reason: str | None = None, *, line: int | None = None) -> None:
        if reason is None:
            file, reason = "", str(file)
        self.file = str(file)
        self.reason = _one_line(reason)
        self.line = line
        if not self.file:
            super().__init__(self.reason)
            return
        where = self.file if line is None else f"{self.file}:{line}"
        super().__init__(f"{where}: {self.reason}")

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_resource_error, (type(self), self.file, self.reason, self.line))


def _rebuild_read_error(cls: type[ReadError], path: str, reason: str, line: int | None) -> ReadError:
    return cls(path, reason, line=line)


def _rebuild_resource_error(cls: type[ResourceError], file: str, reason: str, line: int | None) -> ResourceError:
    return cls(file, reason, line=line)
