"""A compiled dictionary matcher over normalized Arabic text (built by ``rasd.resources.loader``, run by
the ``recognize`` and ``screen`` stages).

One Aho-Corasick automaton (pyahocorasick) holds every surface form of every lexicon (places,
actors, sources, triggers, casualty words...). A hit is kept only at Arabic-aware word edges:

* before the match, the rest of the word must be a proclitic sequence: conjunctions و ف, the
  prepositions ب ل ك, the article ال and their combinations ("وللقوات", "بالبوكمال", "فال");
  a place name written with the article ("الرقة") must carry it in the text too, so "فرقة" and
  "ورقة" are not Raqqa; a bare ف never precedes a place name ("فاروق" is no village); the future
  prefix س attaches to verbs only;
* after the match, the rest of the word must be one of the suffixes that entry allows (none for
  names; inflection such as ية/يون/يين for adjectives, pronoun suffixes for verbs and nouns).

Entries are indexed in folded form (see ``normalize.fold``) with the article "ال" stripped from the
first token, so "البوكمال", "بالبوكمال" and "بوكمال" all hit the same entry; internal tokens are
indexed with and without "ال" so "حقل العمر" and "حقل عمر" both match.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

import ahocorasick

from .normalize import fold

PROCLITICS = frozenset(
    p + a for p in ("", "و", "ف", "ب", "ل", "ك", "وب", "فب", "ول", "فل", "وك", "فك", "س", "وس") for a in ("", "ال")
) | frozenset({"لل", "ولل", "فلل", "وال", "فال", "بال", "كال"})
VERB_ONLY_PROCLITICS = frozenset({"س", "وس", "فس"})  # future prefix: verbs only


def _has_article(prefix: str) -> bool:
    return prefix.endswith("ال") or prefix in ("لل", "ولل", "فلل")


# Suffix classes an entry may allow after its last letter.
SUFFIXES: dict[str, frozenset[str]] = {
    "none": frozenset({""}),
    # nisba adjectives and plurals: أميركي → أميركيه، أميركيين، أميركيون، أميركيا
    "adj": frozenset({"", "ه", "ين", "ون", "ان", "يه", "يين", "يون", "ا", "تان", "تين", "ات"}),
    # nouns with feminine/plural/dual endings and attached pronouns
    "noun": frozenset(
        {"", "ه", "ها", "هم", "هما", "ات", "ين", "ون", "ان", "تين", "تان", "ي", "يه", "ا", "اتها", "اته"}
    ),
    # verbs with subject/object pronoun suffixes (no bare "ه": after ta-marbuta folding "سيطره"
    # would read as the verb "سيطر" + "ه")
    "verb": frozenset({"", "ت", "ا", "وا", "ن", "ها", "هم", "هما", "تا", "نا", "تها", "ته", "تهم", "وه", "وها", "تم"}),
}

# Every ending of a proclitic sequence and every beginning of a suffix: find() stops scanning a
# word's letters as soon as they can be neither.
_PROCLITIC_ENDS = frozenset(p[i:] for p in PROCLITICS for i in range(len(p)))
_SUFFIX_STARTS = frozenset(x[:i] for v in SUFFIXES.values() for x in v for i in range(1, len(x) + 1))

# Word edges lie between a letter and anything else. The letters are those of the Arabic script
# and of the Latin one (ASCII, Latin-1, Latin Extended-A/B) that ``str.isalpha`` accepts; every other
# character is an edge (Arabic words never touch other scripts' letters in news text). One
# character class finds the non-letters in C (``str.isalpha`` itself is no regex class).
_LETTER_RANGES = ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F), (0x600, 0x6FF), (0x750, 0x77F), (0x8A0, 0x8FF))
_LETTERS = frozenset(chr(c) for lo, hi in _LETTER_RANGES for c in range(lo, hi + 1) if chr(c).isalpha())


def _runs(chars: frozenset[str]) -> str:
    """A regex class body for ``chars``: one ``a-b`` range per run of consecutive code points."""
    points = sorted(map(ord, chars))
    body, first, last = [], points[0], points[0]
    for c in [*points[1:], -1]:
        if c == last + 1:
            last = c
            continue
        body.append(re.escape(chr(first)) + ("-" + re.escape(chr(last)) if last > first else ""))
        first = last = c
    return "".join(body)


_NON_LETTER = re.compile(f"[^ {_runs(_LETTERS)}]")  # (spaces are non-letters already)

# Keys this short, all letters, are indexed behind a word edge and each proclitic sequence (see
# ``Matcher.compile``): they occur inside many longer words ("لا" in "خلال"), and the automaton
# skips those occurrences instead of handing each to Python.
SHORT_KEY = 3


def is_letter(ch: str) -> bool:
    return ch in _LETTERS


def scan_text(norm: str) -> str:
    """What the automaton reads: a space, then ``norm`` with every non-letter as a space (same
    length), so a space before a key marks a word edge wherever the text has one."""
    return " " + _NON_LETTER.sub(" ", norm)


class Entry(NamedTuple):
    """One dictionary entry: a surface form with its kind (lexicon) and payload reference.
    (A named tuple: the compiled matcher holds ~100k of them and unpickles them fast.)"""

    kind: str  # e.g. "place", "actor", "source", "trigger"
    ref: str  # stable key into that lexicon, e.g. "geonames:170794" or "actor:us_forces"
    suffix: str = "none"  # key of SUFFIXES


@dataclass(slots=True, unsafe_hash=True)
class Mention:
    """A dictionary hit over the normalized text (``nstart``/``nend``) with the whole-word extent
    (``wstart``/``wend``: clitics and suffix included).

    Treat it as immutable: it is hashed by value like a frozen dataclass, but not declared frozen
    because a frozen dataclass is three to four times slower to create, and an article makes ~100.
    """

    kind: str
    ref: str
    nstart: int
    nend: int
    wstart: int
    wend: int
    form: str


def _strip_article(tok: str) -> str:
    return tok[2:] if tok.startswith("ال") and len(tok) > 3 else tok


def variants(surface: str) -> set[str]:
    """The folded keys under which ``surface`` is indexed (see the module docstring)."""
    toks = fold(surface).split()
    if not toks:
        return set()
    first = _strip_article(toks[0])
    rest = toks[1:]
    if not rest:
        return {first}
    if len(rest) > 3:
        return {" ".join([first, *rest]), " ".join([first, *map(_strip_article, rest)])}
    choices = []
    for t in rest:
        bare = _strip_article(t)
        opts = {t, bare}
        if bare == t and len(t) > 2 and is_letter(t[0]):
            opts.add("ال" + t)
        choices.append(sorted(opts))
    return {" ".join([first, *combo]) for combo in itertools.product(*choices)}


class Matcher:
    """Build with ``add`` then ``compile``; ``find`` lists mentions in text order."""

    def __init__(self) -> None:
        self._auto = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        # per automaton key, one tuple per key of that scan form: (key length, length of the edge
        # marker and proclitic before the key or -1, entries, the key when the text must be checked)
        self._values: list[tuple[tuple[int, int, tuple[tuple[Entry, bool], ...], str | None], ...]] = []
        self._entries: dict[str, list[tuple[Entry, bool]]] = {}
        self._compiled = False
        self._size = 0

    def add(self, surface: str, entry: Entry) -> None:
        folded = fold(surface).strip()
        definite = entry.kind == "place" and folded.startswith("ال") and len(folded.split()[0]) > 3
        for key in variants(surface):
            if len(key) < 2:
                continue
            bucket = self._entries.setdefault(key, [])
            # a place also listed with its article keeps the stricter, definite reading
            if (entry, definite) in bucket or (not definite and (entry, True) in bucket):
                continue
            if definite and (entry, False) in bucket:
                bucket.remove((entry, False))
            bucket.append((entry, definite))

    def add_many(self, items: Iterable[tuple[str, Entry]]) -> None:
        for surface, entry in items:
            self.add(surface, entry)

    def subset(self, keep: Callable[[Entry], bool]) -> Matcher:
        """A new (uncompiled) matcher holding the entries ``keep`` accepts, under the same keys and
        with the same edge rules: it finds exactly this matcher's hits of those entries."""
        if self._compiled:
            raise RuntimeError("subset() needs the build-time index: call it before compile()")
        sub = Matcher()
        for key, bucket in self._entries.items():
            kept = [(entry, definite) for entry, definite in bucket if keep(entry)]
            if kept:
                sub._entries[key] = kept
        return sub

    def compile(self) -> Matcher:
        """Build the automaton; the matcher is then read-only (the build-time index is dropped).

        The automaton reads :func:`scan_text`. A short key (``SHORT_KEY`` letters or fewer) is
        added once behind each proclitic sequence and a word-edge space (" " + "وال" + "قدس"...),
        so it only ever hits at the start of a word or after a proclitic; a longer key is added as
        its scan form (non-letters as spaces), checked against the text when it has a non-letter.
        """
        forms: dict[str, list[tuple[int, int, tuple[tuple[Entry, bool], ...], str | None]]] = {}
        for key, bucket in self._entries.items():
            entries = tuple(bucket)
            letters_only = all(is_letter(ch) for ch in key)
            if len(key) <= SHORT_KEY and letters_only:
                for p in PROCLITICS:
                    forms.setdefault(" " + p + key, []).append((len(key), len(p) + 1, entries, None))
            else:
                # a key with a space or another non-letter ("حقل العمر", "ان.بي.سي") is checked
                # against the text: the scan has a space for any non-letter
                form = _NON_LETTER.sub(" ", key)
                forms.setdefault(form, []).append((len(key), -1, entries, None if letters_only else key))
        for form, values in forms.items():  # several keys may share a form ("فرانس 24", "فرانس-24")
            self._auto.add_word(form, len(self._values))
            self._values.append(tuple(values))
        if forms:
            self._auto.make_automaton()
        self._size = len(self._entries)
        self._entries = {}
        self._compiled = True
        return self

    def __len__(self) -> int:
        """How many keys (folded surface forms) the matcher holds."""
        return self._size if self._compiled else len(self._entries)

    def find(self, norm: str, *, first: bool = False, scan: str | None = None) -> list[Mention]:
        """Every hit in ``norm`` (already normalized text) that sits on clitic-aware word edges
        (``first``: stop at the first one; the list then says whether there is any). ``scan`` is
        ``scan_text(norm)`` when the caller has it already."""
        found: list[Mention] = []
        if not self._values:
            return found
        if scan is None:
            scan = scan_text(norm)  # scan[i + 1] is norm[i], a space where norm has a non-letter
        n = len(norm)
        values = self._values
        proclitics = PROCLITICS
        proclitic_ends = _PROCLITIC_ENDS
        suffixes = SUFFIXES
        suffix_starts = _SUFFIX_STARTS
        for end, index in self._auto.iter(scan):  # the hit ends at scan[end]: norm[:end] holds it
            for size, marked, bucket, verify in values[index]:
                start = end - size
                if marked > 0:  # " " + proclitic + key: the word starts after the space
                    ws = start - marked + 1
                    prefix = norm[ws:start]
                else:
                    if verify is not None and norm[start:end] != verify:
                        continue
                    # the word's letters before the hit: a proclitic sequence (the scan stops as
                    # soon as the letters seen cannot end one)
                    ws = start
                    while scan[ws] != " ":  # scan[ws] is norm[ws - 1]
                        ws -= 1
                        if norm[ws:start] not in proclitic_ends:
                            break
                    if ws == start:
                        prefix = ""
                    else:
                        prefix = norm[ws:start]
                        if prefix not in proclitics:
                            continue
                # ... and after it: a suffix (no entry takes letters that cannot start one)
                we = end
                while we < n and scan[we + 1] != " ":
                    we += 1
                    if norm[end:we] not in suffix_starts:
                        break
                tail = norm[end:we] if we > end else ""
                if tail and tail not in suffix_starts:
                    continue  # the scan stopped early
                for entry, definite in bucket:
                    if tail not in suffixes[entry.suffix]:
                        continue
                    if definite and not _has_article(prefix):
                        continue
                    if prefix == "ف" and entry.kind == "place":
                        continue  # "فاروق" (a name) is not ف + "أروق" (a village); news writes "وفي X", not "فX"
                    if prefix in VERB_ONLY_PROCLITICS and entry.suffix != "verb":
                        continue
                    found.append(Mention(entry.kind, entry.ref, start, end, ws, we, norm[start:end]))
                    if first:
                        return found
        return found


def longest_first(mentions: Iterable[Mention], priority: dict[str, int] | None = None) -> list[Mention]:
    """Resolve overlaps: keep the longest mention, then the leftmost (spaCy's ``filter_spans``).

    Mentions with exactly the span of a kept one survive too when they are of the same kind (one
    surface form naming several places); across kinds, the lower ``priority`` value wins a tie.
    """
    by_start = sorted(mentions, key=_nstart)
    if len(by_start) < 2:
        return by_start
    # Overlaps only compete within a cluster of (transitively) overlapping mentions: a mention
    # that overlaps nothing is kept as it is, and only clusters go through the longest-first pass.
    out: list[Mention] = []
    cluster: list[Mention] = []
    reach = -1
    for m in by_start:
        start, end = m.nstart, m.nend
        if end <= start:  # an empty span overlaps nothing: no clusters
            return _longest_first(by_start, priority)
        if start < reach:
            cluster.append(m)
            if end > reach:
                reach = end
            continue
        if len(cluster) == 1:
            out.append(cluster[0])
        elif cluster:
            out += _longest_first(cluster, priority)
        cluster = [m]
        reach = end
    if len(cluster) == 1:
        out.append(cluster[0])
    else:
        out += _longest_first(cluster, priority)
    return out


def _longest_first(mentions: list[Mention], priority: dict[str, int] | None) -> list[Mention]:
    prio = priority or {}
    ordered = sorted(mentions, key=lambda m: (-(m.nend - m.nstart), m.nstart, prio.get(m.kind, 9)))
    taken: list[Mention] = []
    occupied: dict[tuple[int, int], str] = {}
    used = bytearray(max(m.nend for m in ordered))  # 1 where a kept mention lies
    for m in ordered:
        key = (m.nstart, m.nend)
        if key in occupied:
            if occupied[key] == m.kind:
                taken.append(m)
            continue
        if used.find(1, m.nstart, m.nend) != -1:
            continue
        taken.append(m)
        occupied[key] = m.kind
        used[m.nstart : m.nend] = b"\x01" * (m.nend - m.nstart)
    return sorted(taken, key=_nstart)


_nstart = operator.attrgetter("nstart")
