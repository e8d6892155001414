"""Time expressions, resolved against the publication date.

Finds, in normalized text: day + month (+ year) in every month-naming system and the double form
"آذار / مارس", day ordinals ("السابع من أيار"), month alone with "أواخر/مطلع/منتصف" or
"الماضي/الجاري", Hijri day-month-year dates, years ("عام 2014"), weekdays ("الإثنين",
"مساء الخميس", "يوم السبت الماضي") and relative words ("أمس", "اليوم", "قبل يومين",
"الأسبوع الماضي"...). Resolution follows ``../shared/gold/GUIDE.md``:

* a weekday is the most recent such day on or before ``pub_date``;
* a day and month without year is the most recent such date on or before ``pub_date``;
* a month without year is the most recent such month starting on or before ``pub_date``;
* month and year precision put the first day of the span in ``date``;
* with no ``pub_date``, relative expressions and yearless dates resolve to ``None`` (never a
  guessed year); a fully written date still resolves.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, timedelta

from .normalize import fold
from .numbers import NumberWords

_DIGIT = re.compile(r"\d")

AMBIGUOUS_MONTHS = frozenset({"اب", "ماي", "مارس", "جوان"})  # also common words: need a day or "/"


@dataclass(frozen=True, slots=True)
class TimeRef:
    """A time expression in the normalized text and its resolution."""

    nstart: int
    nend: int
    date: date | None
    precision: str | None  # day | week | month | year
    kind: str  # dmy | month | year | weekday | relative | hijri
    past: bool = False  # carries "الماضي/المنصرم" or lies before the publication week


def _alt(forms: list[str]) -> str:
    return "|".join(map(re.escape, sorted(set(forms), key=len, reverse=True)))


class Calendar:
    """Compiled time vocabulary (from ``resources/data/dates/calendar.yaml``)."""

    def __init__(self, data: dict, numbers: NumberWords) -> None:
        self.numbers = numbers
        self.months = {fold(f): int(m) for m, forms in data["months"].items() for f in forms}
        self.hijri = {fold(f): int(m) for m, forms in data["hijri_months"].items() for f in forms}
        self.weekdays = {fold(f): int(d) for d, forms in data["weekdays"].items() for f in forms}
        self.relative: dict[str, tuple[dict, str]] = {}
        for rel in data["relative"]:
            for f in rel["forms"]:
                self.relative[fold(f)] = (rel, rel["precision"])
        past = _alt([fold(f) for f in data["month_past"]])
        current = _alt([fold(f) for f in data["month_current"]])
        parts = _alt([fold(f) for f in data["month_parts"]])
        ords = _alt(list(numbers.ordinals))
        month = _alt(list(self.months))
        hijri = _alt(list(self.hijri))
        B, E = r"(?<![\w])", r"(?![\w])"
        pair = rf"(?:\s*[/(\-]\s*(?:{month})\)?)?"
        folded = {key: _alt([fold(f) for f in data[key]]) for key in ("year_prefix", "year_intro", "day_parts")}
        day_noun, shahr = _alt([fold(f) for f in data["day_noun"]]), _alt([fold(f) for f in data["month_noun"]])
        year = rf"(?:\s*,?\s*(?:(?:{folded['year_prefix']})\s+)?(?P<year>(?:19|20)\d\d))?"
        rel = rf"(?:\s+(?:(?P<past>{past})|(?P<cur>{current})))?"
        self._dmy = re.compile(
            rf"{B}(?:في\s*|ب)?(?P<day>\d{{1,2}}|{ords})(?:\s+من)?\s+(?:(?:{shahr})\s+)?(?P<month>{month}){E}{pair}{year}{rel}"
        )
        self._month = re.compile(
            rf"{B}(?:(?P<part>{parts})\s+)?(?P<shahr>(?:{shahr})\s+)?(?P<month>{month}){E}(?P<pair>{pair}){year}{rel}"
        )
        self._hijri = re.compile(
            rf"{B}(?P<day>\d{{1,2}})\s+(?:من\s+)?(?:(?:{shahr})\s+)?(?P<month>{hijri}){E}\s*(?P<year>1[34]\d\d)"
        )
        self._year = re.compile(rf"(?<![\w])(?:{folded['year_intro']})\s+(?P<year>(?:19|20)\d\d)(?!\d)")
        wd = _alt(list(self.weekdays))
        self._weekday = re.compile(
            rf"(?<![\w])(?:و|ب)?(?:(?:{day_noun})\s+)?(?:(?:{folded['day_parts']})\s+)?(?:(?:{day_noun})\s+)?"
            rf"(?P<wd>{wd})(?![\w])(?:\s+(?P<past>{past}))?"
        )
        self._relative = re.compile(
            rf"(?<![\w])(?:و|ب|في\s+|منذ\s+|خلال\s+)?(?P<rel>{_alt(list(self.relative))})(?![\w])"
        )
        # Cheap first tests: each pattern above needs one of these words (ending a word) somewhere
        # in the text; ``re`` finds a plain alternation of words fast, while the patterns, which
        # start with a lookbehind, are tried at every position. (The pipeline passes ``find`` the
        # kinds of words the matcher found instead: see ``words``.)
        self._ordinal_hint = re.compile(rf"(?:{ords})(?![\w])")
        self._hints = tuple(
            (kind, re.compile(rf"(?:{_alt(list(forms))})(?![\w])")) for kind, forms in self._word_kinds().items()
        )

    def _word_kinds(self) -> dict[str, dict]:
        """The word tables a kind of time expression needs one of (see :meth:`words`)."""
        return {"month": self.months, "hijri": self.hijri, "weekday": self.weekdays, "relative": self.relative}

    def words(self) -> Iterator[tuple[str, str]]:
        """(form, kind) of the words every time expression of a kind needs: month, hijri, weekday,
        relative. Given to the dictionary matcher, they tell ``find`` which patterns to try."""
        for kind, forms in self._word_kinds().items():
            for form in forms:
                yield form, kind

    def find(self, norm: str, pub: date | None, kinds: AbstractSet[str] | None = None) -> list[TimeRef]:
        """Time expressions in ``norm`` (longest first on overlap), resolved against ``pub``.

        ``kinds``: the kinds of :meth:`words` found in ``norm`` on word edges (by the dictionary
        matcher), when the caller knows them; else each is looked for here.
        """
        found: list[TimeRef] = []
        if kinds is None:
            kinds = {k for k, hint in self._hints if hint.search(norm)}
        digits = _DIGIT.search(norm) is not None
        months = "month" in kinds
        if digits and "hijri" in kinds:
            found += self._hijri_refs(norm, pub)
        if months and (digits or self._ordinal_hint.search(norm) is not None):
            found += self._dmy_refs(norm, pub)
        if months:
            found += self._month_refs(norm, pub)
        if digits:
            found += self._year_refs(norm, pub)
        if "weekday" in kinds:
            found += self._weekday_refs(norm, pub, found)
        if "relative" in kinds:
            found += self._relative_refs(norm, pub)
        return _longest_first(found) if found else found

    def _hijri_refs(self, norm: str, pub: date | None) -> list[TimeRef]:
        found: list[TimeRef] = []
        for m in self._hijri.finditer(norm):
            d = hijri_to_gregorian(int(m["year"]), self.hijri[m["month"]], int(m["day"]))
            found.append(TimeRef(m.start(), m.end(), d, "day", "hijri", _before(d, pub)))
        return found

    def _dmy_refs(self, norm: str, pub: date | None) -> list[TimeRef]:
        found: list[TimeRef] = []
        for m in self._dmy.finditer(norm):
            day = int(m["day"]) if m["day"].isdigit() else self.numbers.ordinals[m["day"]]
            d = self._resolve_day_month(day, self.months[m["month"]], m["year"], m["cur"], pub)
            if d is not False:
                found.append(TimeRef(m.start(), m.end(), d, "day", "dmy", bool(m["past"]) or _before(d, pub)))
        return found

    def _month_refs(self, norm: str, pub: date | None) -> list[TimeRef]:
        found: list[TimeRef] = []
        for m in self._month.finditer(norm):
            name = m["month"]
            if name in AMBIGUOUS_MONTHS and not (m["pair"] or m["shahr"] or m["year"]):
                continue
            d = self._resolve_month(self.months[name], m["year"], m["cur"], pub)
            found.append(TimeRef(m.start(), m.end(), d, "month", "month", bool(m["past"]) or _before(d, pub, 31)))
        return found

    def _year_refs(self, norm: str, pub: date | None) -> list[TimeRef]:
        found: list[TimeRef] = []
        for m in self._year.finditer(norm):
            y = int(m["year"])
            if 1900 < y < 2100:
                d = date(y, 1, 1)
                found.append(TimeRef(m.start(), m.end(), d, "year", "year", pub is not None and y < pub.year))
        return found

    def _weekday_refs(self, norm: str, pub: date | None, earlier: list[TimeRef]) -> list[TimeRef]:
        found: list[TimeRef] = []
        explicit = [(r.nstart, r.nend) for r in earlier if r.kind in ("dmy", "hijri")]
        for m in self._weekday.finditer(norm):
            if any(-3 <= s - m.end() <= 3 or (s <= m.start() < e) for s, e in explicit):
                continue  # "الجمعة 7 حزيران": the written date decides
            d = _last_weekday(pub, self.weekdays[m["wd"]]) if pub else None
            if m["past"] and d is not None and d == pub:
                d = _add_days(d, -7)
            # "الأربعاء الماضي" is last Wednesday: still within the week, so not past by itself
            found.append(TimeRef(m.start(), m.end(), d, "day", "weekday", _before(d, pub)))
        return found

    def _relative_refs(self, norm: str, pub: date | None) -> list[TimeRef]:
        found: list[TimeRef] = []
        for m in self._relative.finditer(norm):
            spec, precision = self.relative[m["rel"]]
            d = _shift(pub, spec) if pub else None
            found.append(TimeRef(m.start(), m.end(), d, precision, "relative", _before(d, pub, 6)))
        return found

    @staticmethod
    def _resolve_day_month(day: int, month: int, year: str | None, current: str | None, pub: date | None):
        if not 1 <= day <= 31:
            return False
        if year:
            y = int(year)
        elif pub is None:
            return None
        else:
            y = pub.year
            if not current and (month, day) > (pub.month, pub.day):
                y -= 1
        try:
            return date(y, month, day)
        except ValueError:
            return False

    @staticmethod
    def _resolve_month(month: int, year: str | None, current: str | None, pub: date | None) -> date | None:
        if year:
            return date(int(year), month, 1)
        if pub is None:
            return None
        y = pub.year if current or month <= pub.month else pub.year - 1
        return date(y, month, 1) if y >= 1 else None  # before year 1: no date


def _before(d: date | None, pub: date | None, days: int = 7) -> bool:
    return d is not None and pub is not None and (pub - d).days > days


def _add_days(d: date, days: int) -> date | None:
    """``d`` shifted by ``days``; ``None`` outside the calendar (years 1–9999)."""
    try:
        return d + timedelta(days=days)
    except OverflowError:
        return None


def _last_weekday(pub: date, weekday: int) -> date | None:
    return _add_days(pub, -((pub.weekday() - weekday) % 7))


def _shift(pub: date, spec: dict) -> date | None:
    """``pub`` moved by a relative expression; ``None`` when that leaves the calendar (a
    ``pub_date`` of 0001-01-01 with "last week", or 9999-12-31 with "tomorrow")."""
    if "days" in spec:
        return _add_days(pub, spec["days"])
    if "months" in spec:
        total = pub.year * 12 + pub.month - 1 + spec["months"]
        return date(total // 12, total % 12 + 1, 1) if 1 <= total // 12 <= 9999 else None
    year = pub.year + spec.get("years", 0)
    return date(year, 1, 1) if 1 <= year <= 9999 else None


def _longest_first(refs: list[TimeRef]) -> list[TimeRef]:
    taken: list[TimeRef] = []
    for r in sorted(refs, key=lambda r: (-(r.nend - r.nstart), r.nstart)):
        if not any(r.nstart < t.nend and t.nstart < r.nend for t in taken):
            taken.append(r)
    return sorted(taken, key=lambda r: r.nstart)


def hijri_to_gregorian(year: int, month: int, day: int) -> date | None:
    """Arithmetic (tabular) Islamic calendar → Gregorian; within a day or two of Umm al-Qura."""
    if not (1 <= month <= 12 and 1 <= day <= 30):
        return None
    jd = day + math.ceil(29.5 * (month - 1)) + (year - 1) * 354 + (3 + 11 * year) // 30 + 1948439
    # Julian day number → Gregorian (Fliegel & Van Flandern)
    a = jd + 32044
    b = (4 * a + 3) // 146097
    c = a - 146097 * b // 4
    d = (4 * c + 3) // 1461
    e = c - 1461 * d // 4
    m = (5 * e + 2) // 153
    dd = e - (153 * m + 2) // 5 + 1
    mm = m + 3 - 12 * (m // 10)
    yy = 100 * b + d - 4800 + m // 10
    try:
        return date(yy, mm, dd)
    except ValueError:
        return None
