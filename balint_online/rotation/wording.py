"""The rotation in words: the one place that turns the engine's data into English for pages, the API and emails.

Plain functions of the engine's results and a mapping of member ids to names (no Flask, no database),
so changing a sentence here changes it everywhere and nothing parses a sentence back.
"""

from collections.abc import Iterable, Mapping, Sequence

from .engine import Breach, Change, Move, Problem, Refusal, SwapRefused, Unplaceable, Why

FORMER = "a former member"


def person(member: int | None, names: Mapping[int, str]) -> str:
    return names.get(member, FORMER) if member is not None else FORMER


def listing(items: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C"; names with commas of their own ("Ben Brook, NP") are separated by semicolons."""
    if len(items) <= 1:
        return "".join(items)
    separator = "; " if any("," in item for item in items) else ", "
    return separator.join(items[:-1]) + " and " + items[-1]


def people(members: Sequence[int], names: Mapping[int, str], shown: int = 10) -> str:
    """Members by name; a long list is cut short so a large shortage still reads."""
    named = [person(m, names) for m in members]
    if len(named) <= shown:
        return listing(named)
    separator = "; " if any("," in name for name in named[:shown]) else ", "
    return f"{separator.join(named[:shown])} and {len(named) - shown} more"


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
    return f"meeting{'s' if len(numbers) > 1 else ''} {runs(numbers)}"


def _have(count: int) -> str:
    return "have" if count > 1 else "has"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


# -- who cannot be given a turn ------------------------------------------------------------------------

def _own_options(why: Unplaceable) -> str:
    """What the member's own availability leaves: "can present only at meetings 7, 8 (unavailable at 5, 6)"."""
    if why.unavailable_at:
        return f"can present only at {meetings(why.available_at)} (unavailable at {runs(why.unavailable_at)})"
    return f"is available at every remaining meeting ({runs(why.remaining)})"


def _shortage(why: Unplaceable) -> str:
    people_in_it = len(why.competitors) + 1
    return (
        f"can present only at {meetings(why.contested)}, which {_have(len(why.contested))} {why.slots} presenting "
        f"slot{'s' if why.slots != 1 else ''} for {people_in_it} members, so {why.left_out} of them cannot be placed"
    )


def unplaceable_reason(why: Unplaceable, names: Mapping[int, str]) -> str:
    """One member's reason, after their name: "has not presented yet and ..."."""
    if why.why is Why.NO_MEETINGS_LEFT:
        return "has not presented yet and no meetings remain in the series"
    if why.why is Why.UNAVAILABLE_EVERYWHERE:
        return f"has not presented yet and is unavailable at every remaining meeting ({runs(why.remaining)})"
    return (f"has not presented yet and {_own_options(why)}; {people(why.competitors, names)} "
            f"{_have(len(why.competitors))} not presented yet either and {_shortage(why)}")


def infeasible(unplaceable: Mapping[int, Unplaceable], names: Mapping[int, str]) -> str:
    """Why no rotation gives every member a turn: members caught in one shortage share a sentence, and only
    restrictions of a member's own availability are spelt out for them."""
    alone: list[str] = []
    own: list[str] = []
    groups: dict[tuple, list[int]] = {}
    for member, why in unplaceable.items():
        if why.why is not Why.SHORTAGE:
            alone.append(f"{person(member, names)} {unplaceable_reason(why, names)}")
            continue
        key = (why.contested, why.slots, len(why.competitors), why.left_out)
        groups.setdefault(key, []).append(member)
        if why.unavailable_at:
            own.append(f"{person(member, names)} {_own_options(why)}")
    shortages = {key: _shortage(unplaceable[members[0]]) for key, members in groups.items()}
    sentences = alone + [
        f"{people(members, names)} {_have(len(members))} not presented yet, and between them they {shortages[key]}"
        for key, members in groups.items()
    ] + own
    return "No rotation gives every member a presenting turn. " + ". ".join(_sentence(s) for s in sentences) + "."


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
            return f"Meeting id {p.meeting} is not part of this series."
        case Breach.CANCELLED_LISTED:
            return f"Meeting {p.meeting} is cancelled but lists presenters {people(p.members, names)}."
        case Breach.PAST_CHANGED:
            return f"Meeting {p.meeting} has already been held; its presenters cannot change."
        case Breach.LISTED_TWICE:
            return f"{who} is listed twice at meeting {p.meeting}."
        case Breach.NOT_ENROLLED:
            return f"{_sentence(who)} presents at meeting {p.meeting} but is not enrolled."
        case Breach.UNAVAILABLE:
            return f"{_sentence(who)} is unavailable at meeting {p.meeting}."
        case Breach.TOO_MANY:
            return f"Meeting {p.meeting} has {p.count} presenters; at most {p.allowed} are allowed."
        case Breach.TOO_FEW:
            return (f"Meeting {p.meeting} has {p.count} of {p.allowed} presenters "
                    f"although {people(p.members, names)} could present.")
        case Breach.NO_TURN:
            return f"{_sentence(who)} has no presenting turn."
    raise ValueError(p.breach)


def refused(action: str, problems: Iterable[Problem], names: Mapping[int, str]) -> str:
    """ "Swap refused: ..." / "Move refused: ..." with each guarantee the change would break."""
    return f"{action} refused: " + " ".join(problem(p, names) for p in problems)


def swap_refusal(exc: SwapRefused, names: Mapping[int, str]) -> str:
    match exc.refusal:
        case Refusal.UNKNOWN_MEETING:
            return f"Meeting id {exc.meeting} is not part of this series."
        case Refusal.PAST:
            return f"Meeting {exc.meeting} has already been held; its presenters cannot change."
        case Refusal.CANCELLED:
            return f"Meeting {exc.meeting} is cancelled."
        case Refusal.NOT_PRESENTING:
            return f"{_sentence(person(exc.member, names))} does not present at meeting {exc.meeting}."
        case Refusal.SAME_MEETING:
            return f"Both turns are at meeting {exc.meeting}; there is nothing to swap."
        case Refusal.BREAKS_GUARANTEE:
            return refused("Swap", exc.problems, names)
    raise ValueError(exc.refusal)


def members_named(problems: Iterable[Problem], *members: int | None) -> set[int]:
    return {m for p in problems for m in p.members} | {m for m in members if m is not None}


# -- the guarantee and what changed -----------------------------------------------------------------------

def guarantee(members: int, missing: Sequence[int], names: Mapping[int, str], why: str) -> str:
    if not missing:
        return f"Every one of the {members} members has a presenting turn." if members else "No one is enrolled yet."
    return f"{people(missing, names)} {_have(len(missing))} no presenting turn. {why}"


CATCHING_UP = "The rotation has not caught up yet; it will on the next change."


def cancellation_warning(number: int, explanation: str) -> str:
    return f"Cancelling meeting {number} would leave a member without a turn. {explanation}"


def moves(changes: Iterable[Change], numbers: Mapping[int, int], names: Mapping[int, str]) -> str:
    """The turns an event moved, for the leaders: "meeting 6: Dr Ann Avery in, Finn Ford out"."""
    by_meeting: dict[int, list[str]] = {}
    for meeting_id, member, kind in changes:
        by_meeting.setdefault(numbers.get(meeting_id, 0), []).append(
            f"{person(member, names)} {'in' if kind == Move.ADDED else 'out'}")
    return "; ".join(f"meeting {number}: {', '.join(m)}" for number, m in sorted(by_meeting.items()))
