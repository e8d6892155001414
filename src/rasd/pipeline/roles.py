"""Stage 5 — roles: actor1 (who acted) and actor2 (who was acted upon) from Arabic cues.

Evidence for an actor mention in the event's sentence, strongest first:

* "من قبل / على يد / برصاص X", a genitive "غارة للتحالف" (ل attached, right after the trigger) → actor1;
* an active verb right before X (VSO: "شنت قوات الأمن") or X opening the clause before an active
  verb (SVO) → actor1;
* "على / ضد / مواقع / تابعة ل / تتمركز فيها X", "تعرض X" → actor2 (for a strike on a base, the force
  stationed there is the target);
* X right after a killed/injured word ("مقتل قيادي حوثي", "مقتل 3 خبراء من حزب الله") → actor2.

A speaker ("قال الجيش ...") is a source, not an actor, unless it is the only actor. Victims named
only by civilian words ("مصلين", "سكان") give "Civilians (<country>)". The stage also settles the
type of generic attacks: civilians targeted → Violence against civilians · Attack, otherwise
Battles · Armed clash; and an Attack whose target is a state force is an Armed clash (GUIDE.md).
"""

from __future__ import annotations

import bisect
import itertools
import operator

from ..resources.loader import Resources
from ..text.match import Mention
from ..types import FORCES, Inter
from .doc import ActorRef, Candidate, Doc, cue_before, cue_in, within
from .events import INTERCEPTION

NISBA_SCORE = 1.8  # "الغارات الأميركية" outranks an actor that is merely near the trigger
BEYOND = 1.5  # penalty for an actor on the far side of another event's trigger
BETWEEN_SCORE = 4.0  # "بين X و Y" names both sides outright
BETWEEN_REACH = 60  # characters after "بين" within which the two sides are named
OWNER_REACH = 80  # characters after an interception verb within which the weapon's owner is named
SUBJECT_GAP = 12  # "أسقطت قوات #الجيش_اليمني": a head noun may stand between the verb and its subject
GAP = 3  # characters allowed between a cue and the actor it governs (spaces, quotes)
GROUP_GAP = 5  # "عناصر من داعش": at most this many characters between a generic mention and its group
MAX_CITE = 64  # no cite word ("قال", "أفادت مصادر") is this long
MAX_CLITIC = 16  # a word's proclitics (``nstart - wstart``) are far shorter than this


def assign_roles(doc: Doc, res: Resources) -> Doc:
    for cand in doc.candidates:
        _roles(doc, res, cand)
        _settle_type(doc, res, cand)
    return doc


def _roles(doc: Doc, res: Resources, cand: Candidate) -> None:
    span = doc.sentences[cand.sentence].span
    actors = [m for m in within(doc.entities, span.start, span.end) if m.kind == "actor"]
    scored1: list[tuple[float, Mention, str]] = []
    scored2: list[tuple[float, Mention, str]] = []
    t = cand.trigger
    for a in actors:
        clitic = doc.text[a.wstart : a.nstart]
        dist = abs(a.nstart - t.nstart)
        near = 1.0 / (1.0 + dist / 40.0)
        if _cue_before(doc, "ally_preps", a, span.start, gap=4):
            continue  # "الغارات الأميركية المساندة لـ البنيان المرصوص": an ally, not a party
        if _cue_before(doc, "affiliation", a, span.start, gap=GAP):
            scored2.append((2.6 + near, a, "the victim's group (عنصر في ...)"))
            continue
        if _cue_before(doc, "agent_preps", a, span.start) or _agent_through_head(doc, a, span.start):
            scored1.append((3 + near, a, "agent phrase before actor"))
            continue
        if cand.sub == INTERCEPTION and 0 < a.nstart - t.nend <= OWNER_REACH:
            if _is_verb_trigger(doc, t) and a.wstart - t.nend <= SUBJECT_GAP and not scored1:
                scored1.append((2 + near, a, "subject after active verb"))  # "أسقطت قوات الجيش ..."
            else:
                scored2.append((2 + near, a, "owner of the intercepted weapon"))  # "طائرة تابعة للحوثي"
            continue
        if _cue_before(doc, "target_preps", a, span.start, gap=18) or _cue_before(doc, "passive", a, span.start, gap=8):
            if cue_in(doc, "from_area", max(span.start, a.wstart - 45), a.wstart):
                scored1.append((2 + near, a, "present where the attack came from"))
            elif _masdar_agent(doc, a, span.start):
                scored1.append((2.5 + near, a, "genitive agent of an attack noun with its own object"))
            else:
                scored2.append((3 + near, a, "target cue before actor"))
            continue
        if (
            _cue_before(doc, "killed_after", a, span.start, gap=12)
            or _cue_before(doc, "injured_after", a, span.start, gap=12)
            or _killed_among(doc, a, span.end)
        ):
            scored2.append((2.5 + near, a, "victim of killed/injured word"))
            continue
        if clitic.endswith("ل") and not clitic.endswith("ال") and 0 <= a.wstart - t.nend <= 25:  # not the article
            scored1.append((2.5 + near, a, "genitive ل after trigger"))
            continue
        verb = _verb_before(doc, a, span.start)
        if verb is not None or (
            t.nstart < a.nstart
            and a.wstart - t.nend <= GAP
            and t.ref.startswith("t:")
            and res.triggers[t.ref].sub != "generic"
            and _is_verb_trigger(doc, t)
        ):
            if verb is not None and _event_noun_before(doc, verb, span.start):
                scored2.append((2 + near, a, "object of a verb whose subject is the attack"))  # "الغارة استهدفت X"
            else:
                scored1.append((2 + near, a, "subject after active verb"))
            continue
        if _speaker(doc, a, span.start):
            if a.nend < t.nstart and cue_in(doc, "self_report", a.nend, t.nstart):
                scored1.append((2.5 + near, a, "speaker reporting its own act (قال ... إنه)"))
            continue  # otherwise a speaker is a source, not a party (often the victim's side)
        if a.nstart < t.nstart and cue_in(doc, "agent_verbs", a.nend, t.nend + 1):
            scored1.append((1.5 + near, a, "subject before active verb"))
            continue
        info = res.actors.get(a.ref)
        if info.inter == Inter.CIVILIANS:
            scored2.append((1 + near, a, "civilians as target"))
        elif doc.clause_of(cand.sentence, a.nstart) == doc.clause_of(cand.sentence, t.nstart) or dist <= 40:
            scored1.append((0.5 + near, a, "only actor near trigger"))
    others = doc.other_triggers(cand)
    if others:  # "مقتل مقاتلي الحشد الذي يشارك في المعارك ضد تنظيم الدولة": ضد belongs to المعارك
        scored1 = [(s - BEYOND if _beyond(t, m, others) else s, m, r) for s, m, r in scored1]
        scored2 = [(s - BEYOND if _beyond(t, m, others) else s, m, r) for s, m, r in scored2]
    sides = _between_sides(doc, t, actors, span.end)
    if sides:  # "مواجهات بين شبان فلسطينيين والشرطة الإسرائيلية": the first side acts, the second faces it
        scored1.append((BETWEEN_SCORE, sides[0], "first side after 'بين'"))
        if len(sides) > 1:
            scored2.append((BETWEEN_SCORE, sides[1], "second side after 'بين'"))
    scored1 = [(s, _named_group(doc, res, m, actors), r) for s, m, r in scored1]
    scored2 = [(s, _named_group(doc, res, m, actors), r) for s, m, r in scored2]
    if scored1:
        score1, m, rule = max(scored1, key=lambda x: x[0])
        cand.actor1 = ActorRef(m, m.ref, rule, score1)
    for score, m, rule in sorted(scored2, key=lambda x: -x[0]):
        if cand.actor1 is None or res.actors.get(m.ref).name != res.actors.get(cand.actor1.actor_id).name:
            cand.actor2 = ActorRef(m, m.ref, rule, score)
            break
    if cand.actor1 is None or cand.actor1.score < NISBA_SCORE:
        _nisba_attacker(doc, res, cand)
    if cand.actor1 is None or cand.actor1.score < NISBA_SCORE:
        _country_agent(doc, res, cand, span.start, span.end)
    if cand.actor1 is None:
        _blamed_next(doc, res, cand)
    if cand.actor1 is None and cand.sub in res.types["announced_own"]:
        _announcing_state_force(doc, res, cand, actors, span.start)
    if cand.actor2 is None and len(scored1) > 1:
        rest = [
            x
            for x in sorted(scored1, key=lambda x: -x[0])[1:]
            if res.actors.get(x[1].ref).name != res.actors.get(cand.actor1.actor_id).name
            and doc.clause_of(cand.sentence, x[1].nstart) == doc.clause_of(cand.sentence, t.nstart)
        ]
        if rest and rest[0][0] < 2:  # a weak second party of the trigger's own clause
            cand.actor2 = ActorRef(rest[0][1], rest[0][1].ref, "second actor", rest[0][0])
    if cand.actor1 and cand.actor2 is None and res.actors.get(cand.actor1.actor_id).inter == Inter.CIVILIANS:
        cand.actor2, cand.actor1 = cand.actor1, None
    if cand.actor2 is None:
        _nisba_victim(doc, res, cand, span.start, span.end)


def _nisba_victim(doc: Doc, res: Resources, cand: Candidate, start: int, end: int) -> None:
    """ "قتل فلسطيني", "مقتل سوريين": a bare nationality adjective right after a killed or injured
    word names the victims, civilians of that country."""
    first = bisect.bisect_left(doc.countries, start, key=lambda c: c.nstart)
    for c in itertools.islice(doc.countries, first, None):
        if c.nstart >= end:
            return
        if c.wstart != c.nstart or not res.actors.is_nisba(c.form):
            continue  # "الفلسطيني" qualifies a noun; a name ("فلسطين") is a place
        if _cue_before(doc, "killed_after", c, start, gap=2) or _cue_before(doc, "injured_after", c, start, gap=2):
            actor_id = res.actors.composed_id("civilians", c.ref)
            if actor_id in res.actors:
                cand.actor2 = ActorRef(None, actor_id, "nationality adjective after a killed/injured word", 2.5)
            return


def _beyond(t: Mention, a: Mention, others: list[int]) -> bool:
    """Another event's trigger stands between the trigger and the actor: the actor's cue is more
    likely that event's."""
    lo, hi = (t.nend, a.wstart) if t.nstart < a.nstart else (a.wend, t.nstart)
    return any(lo <= o < hi for o in others)


def _between_sides(doc: Doc, t: Mention, actors: list[Mention], end: int) -> list[Mention]:
    """The two parties of "اشتباكات بين X و Y" (بين right after the trigger), in order."""
    cues = [c for c in cue_in(doc, "between", t.nend, min(end, t.nend + 4))]
    if not cues:
        return []
    after = [a for a in actors if a.wstart >= cues[0].nend and a.wstart - cues[0].nend <= BETWEEN_REACH]
    if not after or after[0].wstart - cues[0].nend > GAP:
        return []  # the first side is not a known actor ("بين مؤيدي المستقبل و الأحباش")
    sides = after[:1]
    for a in after[1:]:  # the second side is joined by "و"
        if doc.text[a.wstart : a.nstart].startswith("و") or doc.text[sides[-1].wend : a.wstart].strip() in ("و", "،"):
            sides.append(a)
            break
    return sides


def _agent_through_head(doc: Doc, a: Mention, floor: int) -> bool:
    """ "برصاص عناصر تابعة لميليشيا بدر", "برصاص حراس مقر تنظيم بدر": an agent phrase, then the
    members' head noun, then their group."""
    for p in cue_in(doc, "agent_preps", max(floor, a.wstart - 30), a.wstart):
        heads = cue_in(doc, "agent_heads", p.nend, a.wstart)
        if heads and heads[0].nstart - p.nend <= GAP and len(doc.text[p.nend : a.wstart].split()) <= 4:
            return True
    return False


def _blamed_next(doc: Doc, res: Resources, cand: Candidate) -> None:
    """ "... أسفرت عن مقتل العشرات. وقال مسؤول أمريكي إن واشنطن تعتقد إن إسرائيل المسؤولة عن تلك
    الضربات": the next sentence names who is held responsible; a belief leaves the act hedged."""
    if cand.sentence + 1 >= len(doc.sentences):
        return
    nxt = doc.sentences[cand.sentence + 1].span
    for cue in cue_in(doc, "blame", nxt.start, nxt.end):
        named = [m for m in within(doc.entities, max(nxt.start, cue.wstart - 16), cue.wstart) if m.kind == "actor"]
        first = bisect.bisect_left(doc.countries, max(nxt.start, cue.wstart - 16), key=lambda c: c.nstart)
        states = [c for c in itertools.islice(doc.countries, first, None) if c.nend <= cue.wstart]
        if named:
            actor_id = named[-1].ref
        elif states:
            actor_id = res.actors.composed_id("military", states[-1].ref)
        else:
            continue
        if actor_id in res.actors:
            cand.actor1 = ActorRef(named[-1] if named else None, actor_id, "held responsible in the next sentence", 1.0)
            cand.hedged = cand.hedged or bool(cue_in(doc, "hedge", nxt.start, nxt.end))
            return


def _named_group(doc: Doc, res: Resources, a: Mention, actors: list[Mention]) -> Mention:
    """ "أربعة عناصر متطرفين من داعش": a generic mention followed by "من <group>" is that group."""
    if not res.actors.get(a.ref).generic and a.ref != "unidentified_armed_group":
        return a
    # ``actors`` is sorted by nstart and a word's clitics are short: only the few mentions starting
    # just after ``a`` can be close, so the distance is checked before any text is sliced
    first = bisect.bisect_right(actors, a.wend, key=_nstart)
    for b in itertools.islice(actors, first, None):
        if b.nstart - a.wend > GROUP_GAP + MAX_CLITIC:
            break
        if not (b.wstart > a.wend and b.wstart - a.wend <= GROUP_GAP):
            continue
        gap = doc.text[a.wend : b.wstart].split()  # one short linking word ("من") and no punctuation
        close = len(gap) == 1 and gap[0].isalpha()
        if close and b.ref != "unidentified_armed_group" and res.actors.get(b.ref).inter != Inter.CIVILIANS:
            return b
    return a


_nstart = operator.attrgetter("nstart")


def _killed_among(doc: Doc, a: Mention, end: int) -> bool:
    """ "انهيار دفاعات الحوثيين الذين قتل منهم العشرات": the group whose members a relative clause
    says were killed or wounded is the victim."""
    for r in cue_in(doc, "relative", a.wend, min(end, a.wend + 8)):
        hits = cue_in(doc, "killed_after", r.nend, min(end, r.nend + 8)) + cue_in(
            doc, "injured_after", r.nend, min(end, r.nend + 8)
        )
        if hits:
            return True
    return False


def _masdar_agent(doc: Doc, a: Mention, floor: int) -> bool:
    """ "استهداف ميليشيا الحوثي، سيارة ...", "قصف إسرائيل لمواقع ...": the genitive right after an
    attack noun is its agent when an object follows it (after a comma or with ل)."""
    if not any(0 <= a.wstart - c.nend <= 1 for c in cue_in(doc, "agent_masdar", max(floor, a.wstart - 12), a.wstart)):
        return False
    rest = doc.text[a.wend : a.wend + 12].lstrip()
    if rest.startswith(("،", ",")):  # "، سيارة تابعة ..." is its object; "، والنجاحات" a new item
        return not rest[1:].lstrip().startswith("و")
    return rest.startswith("ل") and not cue_in(doc, "negation", a.wend, a.wend + 6)  # "لم" is no object


def _announcing_state_force(doc: Doc, res: Resources, cand: Candidate, actors: list[Mention], floor: int) -> None:
    """ "وأعلن الجيش المصري عن مقتل ثمانية عناصر ... إثر قصف جوي لمروحيات الأباتشي": an air strike
    that names no attacker, announced by a state's forces, is theirs (only states fly aircraft),
    unless those forces were the ones hit; "أعلن الجيش التركي عن مقتل جندي في اشتباكات": a clash
    a state's forces announce is one they fought."""
    hit = res.actors.get(cand.actor2.actor_id).name if cand.actor2 else None
    for a in actors:
        if a.nstart >= cand.trigger.nstart or not _speaker(doc, a, floor):
            continue
        info = res.actors.get(a.ref)
        if info.inter == Inter.STATE and not info.generic and info.name != hit:
            cand.actor1 = ActorRef(a, a.ref, "state forces announcing the event", 1.0)
            return


def _nisba_attacker(doc: Doc, res: Resources, cand: Candidate) -> None:
    """ "الضربات الأميركية", "غارة إسرائيلية", "قصف روسي": a nationality adjective right after the
    attack noun names the attacking state's forces."""
    t = cand.trigger
    first = bisect.bisect_right(doc.countries, t.wstart, key=lambda c: c.nstart)  # earlier ones cannot match
    for c in itertools.islice(doc.countries, first, None):
        inside = t.wstart < c.wstart and c.wend <= t.wend  # the trigger form "غارة إسرائيلية" holds it
        if (inside or 0 <= c.wstart - t.wend <= 1) and (c.wend > c.nend or res.actors.is_nisba(c.form)):  # not a name
            actor_id = res.actors.composed_id("military", c.ref)
            if actor_id in res.actors:
                cand.actor1 = ActorRef(None, actor_id, "nationality adjective after the trigger", NISBA_SCORE)
            return
        if c.wstart > t.wend + 1:
            return


def _country_agent(doc: Doc, res: Resources, cand: Candidate, start: int, end: int) -> None:
    """ "غارة شنتها إسرائيل", "منسوبة لإسرائيل", "اتهمت ... إسرائيل": a state named as the agent
    stands for its military; an attribution ("منسوبة", "اتهم") leaves the act hedged."""
    first = bisect.bisect_left(doc.countries, start, key=lambda c: c.nstart)  # doc.countries is sorted by nstart
    for c in itertools.islice(doc.countries, first, None):
        if c.nstart >= end:
            break
        cues = [p for p in cue_in(doc, "agent_preps", max(start, c.wstart - 30), c.wstart) if c.wstart - p.nend <= 6]
        if not cues:
            continue
        actor_id = res.actors.composed_id("military", c.ref)
        if actor_id in res.actors:
            cand.actor1 = ActorRef(None, actor_id, f"state named after '{cues[-1].form}'", NISBA_SCORE)
            if cue_in(doc, "hedge", start, end) or cues[-1].form.startswith(
                ("منسوب", "المنسوب", "تنسب", "اتهم", "تتهم")
            ):
                cand.hedged = True
            return


def _is_verb_trigger(doc: Doc, t: Mention) -> bool:
    return doc.text[t.nstart : t.nend].endswith(("ت", "وا")) or doc.text[t.wstart : t.nstart] in ("", "و", "ف")


def _cue_before(doc: Doc, kind: str, a: Mention, floor: int, gap: int = GAP) -> bool:
    return cue_before(doc, kind, a.wstart, floor, gap)


def _speaker(doc: Doc, a: Mention, floor: int) -> bool:
    """ "قال الجيش ..." or a headline's "الجيش السوري: ..." — the actor speaks."""
    if doc.text[a.wend : a.wend + 2].lstrip().startswith(":"):
        return True
    first = bisect.bisect_left(doc.cites, max(floor, a.wstart - GAP - MAX_CITE), key=_nstart)  # sorted by nstart
    for c in itertools.islice(doc.cites, first, None):
        if c.nstart >= a.wstart:
            break
        if 0 <= a.wstart - c.nend <= GAP:
            return True
    return False


def _verb_before(doc: Doc, a: Mention, floor: int) -> Mention | None:
    cues = [c for c in cue_in(doc, "agent_verbs", max(floor, a.wstart - 40), a.wstart) if 0 <= a.wstart - c.nend <= GAP]
    return cues[-1] if cues else None


def _event_noun_before(doc: Doc, verb: Mention, floor: int) -> bool:
    """An attack noun right before the verb is its subject: "الغارة استهدفت الخبراء"."""
    return any(
        m.kind == "trigger" and 0 <= verb.wstart - m.wend <= 12
        for m in within(doc.entities, max(floor, verb.wstart - 40), verb.wstart)
    )


def _settle_type(doc: Doc, res: Resources, cand: Candidate) -> None:
    span = doc.sentences[cand.sentence].span
    civil = cue_in(doc, "civilian_targets", span.start, span.end)
    a2 = res.actors.get(cand.actor2.actor_id) if cand.actor2 else None
    if cand.sub == "generic":
        if civil or (a2 and a2.inter == Inter.CIVILIANS):
            cand.sub = "Attack"
        else:
            cand.sub = "Armed clash"
        cand.rules["type"] += f" (generic → {cand.sub})"
    a1 = res.actors.get(cand.actor1.actor_id) if cand.actor1 else None
    if cand.sub in res.types["territory"] and a1 is not None:
        cand.sub = "Government regains territory" if a1.inter == Inter.STATE else "Non-state actor overtakes territory"
    title = doc.sentences[0].span if doc.has_title else span
    partisans = cue_in(doc, "partisans", span.start, span.end) or cue_in(doc, "partisans", title.start, title.end)
    if cand.sub in ("Armed clash", "Violent demonstration") and partisans:  # the headline frames the article
        cand.sub = "Mob violence"  # "اشتباكات بين مؤيدي المستقبل والأحباش"
        cand.rules["type"] += " (supporters of two camps → Mob violence)"
    elif cand.sub == "Armed clash" and cue_in(doc, "crowd_nouns", span.start, span.end):
        cand.sub = "Violent demonstration"  # "مواجهات مع شبان فلسطينيين": a riot
        cand.rules["type"] += " (a crowd on one side → Violent demonstration)"
    if cand.sub == "Attack" and a2 is not None and a2.inter in FORCES:
        cand.sub = "Armed clash"
        cand.rules["type"] += " (target is a state force → Armed clash)"
