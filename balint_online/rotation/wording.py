"""The rotation in words: the one place that turns the engine's data into sentences for pages, the API and emails.

Plain functions of the engine's results and a mapping of member ids to names (no database), so changing a
sentence here changes it everywhere and nothing parses a sentence back. Sentences are in the current locale
(Flask-Babel's; English outside a request), with every count-dependent phrase an ngettext of its own.
"""

from collections.abc import Iterable, Mapping, Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from .engine import Breach, Change, Move, Problem, Refusal, SwapRefused, Unplaceable, Why


def person(member: int | None, names: Mapping[int, str]) -> str:
    former = _("a former member")
    return names.get(member, former) if member is not None else former


def listing(items: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C"; names with commas of their own ("Ben Brook, NP") are separated by semicolons."""
    if len(items) <= 1:
        return "".join(items)
    separator = "; " if any("," in item for item in items) else ", "
    return _("%(first)s and %(last)s", first=separator.join(items[:-1]), last=items[-1])


def people(members: Sequence[int], names: Mapping[int, str], shown: int = 10) -> str:
    """Members by name; a long list is cut short so a large shortage still reads."""
    named = [person(m, names) for m in members]
    if len(named) <= shown:
        return listing(named)
    separator = "; " if any("," in name for name in named[:shown]) else ", "
    return _("%(names)s and %(count)s more", names=separator.join(named[:shown]), count=len(named) - shown)


def runs(numbers: Sequence[int]) -> str:
    """Sorted meeting numbers with runs of three or more shortened: 1-4, 6, 8, 9."""
    parts: list[str] = []
    start = 0
    for k in range(1, len(numbers) + 1):
        if k == len(numbers) or numbers[k] != numbers[k - 1] + 1:
            run = numbers[start:k]
            parts += [f"{run[0]}-{run[-1]}"] if len(run) > 2 else [str(x) for x in run]
            start = k
    return ", ".join(parts)


def meetings(numbers: Sequence[int]) -> str:
    return ngettext("meeting %(numbers)s", "meetings %(numbers)s", len(numbers), numbers=runs(numbers))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


# -- who cannot be given a turn ------------------------------------------------------------------------

def _own_options(why: Unplaceable) -> str:
    """What the member's own availability leaves: "can present only at meetings 7, 8 (unavailable at 5, 6)"."""
    if why.unavailable_at:
        return _("can present only at %(meetings)s (unavailable at %(numbers)s)",
                 meetings=meetings(why.available_at), numbers=runs(why.unavailable_at))
    return _("is available at every remaining meeting (%(numbers)s)", numbers=runs(why.remaining))


def _shortage(why: Unplaceable) -> str:
    slots = ngettext("%(num)d presenting slot", "%(num)d presenting slots", why.slots)
    return ngettext(
        "can present only at %(meetings)s, which has %(slots)s for %(people)s members, so %(left)s of them cannot "
        "be placed",
        "can present only at %(meetings)s, which have %(slots)s for %(people)s members, so %(left)s of them cannot "
        "be placed",
        len(why.contested), meetings=meetings(why.contested), slots=slots, people=len(why.competitors) + 1,
        left=why.left_out)


def unplaceable_reason(why: Unplaceable, names: Mapping[int, str]) -> str:
    """One member's reason, after their name: "has not presented yet and ..."."""
    if why.why is Why.NO_MEETINGS_LEFT:
        return _("has not presented yet and no meetings remain in the series")
    if why.why is Why.UNAVAILABLE_EVERYWHERE:
        return _("has not presented yet and is unavailable at every remaining meeting (%(numbers)s)",
                 numbers=runs(why.remaining))
    return ngettext("has not presented yet and %(own)s; %(people)s has not presented yet either and %(shortage)s",
                    "has not presented yet and %(own)s; %(people)s have not presented yet either and %(shortage)s",
                    len(why.competitors), own=_own_options(why), people=people(why.competitors, names),
                    shortage=_shortage(why))


def _named(member: int, names: Mapping[int, str], what: str) -> str:
    """A member's name and what is said of them: "Ann Avery can present only at ..."."""
    return f"{person(member, names)} {what}"


def infeasible(unplaceable: Mapping[int, Unplaceable], names: Mapping[int, str]) -> str:
    """Why no rotation gives every member a turn: members caught in one shortage share a sentence, and only
    restrictions of a member's own availability are spelt out for them."""
    alone: list[str] = []
    own: list[str] = []
    groups: dict[tuple, list[int]] = {}
    for member, why in unplaceable.items():
        if why.why is not Why.SHORTAGE:
            alone.append(_named(member, names, unplaceable_reason(why, names)))
            continue
        key = (why.contested, why.slots, len(why.competitors), why.left_out)
        groups.setdefault(key, []).append(member)
        if why.unavailable_at:
            own.append(_named(member, names, _own_options(why)))
    shortages = {key: _shortage(unplaceable[members[0]]) for key, members in groups.items()}
    sentences = alone + [
        ngettext("%(people)s has not presented yet, and between them they %(shortage)s",
                 "%(people)s have not presented yet, and between them they %(shortage)s",
                 len(members), people=people(members, names), shortage=shortages[key])
        for key, members in groups.items()
    ] + own
    return (_("No rotation gives every member a presenting turn.") + " "
            + ". ".join(_sentence(s) for s in sentences) + ".")


def unplaceable_people(unplaceable: Mapping[int, Unplaceable], names: Mapping[int, str]) -> list[dict]:
    """The members without a turn for the API: id, name and their own reason."""
    return [{"user_id": member, "name": person(member, names), "reason": unplaceable_reason(why, names)}
            for member, why in unplaceable.items()]


def members_in(unplaceable: Mapping[int, Unplaceable]) -> set[int]:
    return {*unplaceable, *(m for why in unplaceable.values() for m in why.competitors)}


# -- broken guarantees and refused swaps -------------------------------------------------------------------

def problem(p: Problem, names: Mapping[int, str]) -> str:
    who = person(p.members[0], names) if p.members else ""
    match p.breach:
        case Breach.UNKNOWN_MEETING:
            return _("Meeting id %(id)s is not part of this series.", id=p.meeting)
        case Breach.CANCELLED_LISTED:
            return _("Meeting %(number)s is cancelled but lists presenters %(people)s.", number=p.meeting,
                     people=people(p.members, names))
        case Breach.PAST_CHANGED:
            return _("Meeting %(number)s has already been held; its presenters cannot change.", number=p.meeting)
        case Breach.LISTED_TWICE:
            return _("%(name)s is listed twice at meeting %(number)s.", name=who, number=p.meeting)
        case Breach.NOT_ENROLLED:
            return _sentence(_("%(name)s presents at meeting %(number)s but is not enrolled.", name=who,
                               number=p.meeting))
        case Breach.UNAVAILABLE:
            return _sentence(_("%(name)s is unavailable at meeting %(number)s.", name=who, number=p.meeting))
        case Breach.TOO_MANY:
            return _("Meeting %(number)s has %(count)s presenters; at most %(allowed)s are allowed.",
                     number=p.meeting, count=p.count, allowed=p.allowed)
        case Breach.TOO_FEW:
            return _("Meeting %(number)s has %(count)s of %(allowed)s presenters although %(people)s could present.",
                     number=p.meeting, count=p.count, allowed=p.allowed, people=people(p.members, names))
        case Breach.NO_TURN:
            return _sentence(_("%(name)s has no presenting turn.", name=who))
    raise ValueError(p.breach)


def _refused(intro: str, problems: Iterable[Problem], names: Mapping[int, str]) -> str:
    return " ".join([intro, *(problem(p, names) for p in problems)])


def move_refused(problems: Iterable[Problem], names: Mapping[int, str]) -> str:
    """ "Move refused: ..." with each guarantee the move would break."""
    return _refused(_("Move refused:"), problems, names)


def swap_refusal(exc: SwapRefused, names: Mapping[int, str]) -> str:
    match exc.refusal:
        case Refusal.UNKNOWN_MEETING:
            return _("Meeting id %(id)s is not part of this series.", id=exc.meeting)
        case Refusal.PAST:
            return _("Meeting %(number)s has already been held; its presenters cannot change.", number=exc.meeting)
        case Refusal.CANCELLED:
            return _("Meeting %(number)s is cancelled.", number=exc.meeting)
        case Refusal.NOT_PRESENTING:
            return _sentence(_("%(name)s does not present at meeting %(number)s.", name=person(exc.member, names),
                               number=exc.meeting))
        case Refusal.SAME_MEETING:
            return _("Both turns are at meeting %(number)s; there is nothing to swap.", number=exc.meeting)
        case Refusal.BREAKS_GUARANTEE:
            return _refused(_("Swap refused:"), exc.problems, names)
    raise ValueError(exc.refusal)


def members_named(problems: Iterable[Problem], *members: int | None) -> set[int]:
    return {m for p in problems for m in p.members} | {m for m in members if m is not None}


# -- the guarantee and what changed -----------------------------------------------------------------------

def guarantee(members: int, missing: Sequence[int], names: Mapping[int, str], why: str) -> str:
    if not missing:
        return ngettext("Every one of the %(num)d members has a presenting turn.",
                        "Every one of the %(num)d members has a presenting turn.",
                        members) if members else _("No one is enrolled yet.")
    said = ngettext("%(people)s has no presenting turn.", "%(people)s have no presenting turn.", len(missing),
                    people=people(missing, names))
    return f"{said} {why}"


CATCHING_UP = _l("The rotation has not caught up yet; it will on the next change.")


def cancellation_warning(number: int, explanation: str) -> str:
    said = _("Cancelling meeting %(number)s would leave a member without a turn.", number=number)
    return f"{said} {explanation}"


def moves(changes: Iterable[Change], numbers: Mapping[int, int], names: Mapping[int, str]) -> str:
    """The turns an event moved, for the leaders: "meeting 6: Dr Ann Avery in, Finn Ford out"."""
    by_meeting: dict[int, list[str]] = {}
    for meeting_id, member, kind in changes:
        name = person(member, names)
        by_meeting.setdefault(numbers.get(meeting_id, 0), []).append(
            _("%(name)s in", name=name) if kind == Move.ADDED else _("%(name)s out", name=name))
    return "; ".join(_("meeting %(number)s: %(moves)s", number=number, moves=", ".join(m))
                     for number, m in sorted(by_meeting.items()))
