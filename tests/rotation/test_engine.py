"""Tests for balint_online.rotation.engine (presenter rotation, pure Python).

Example tests read as scenarios a group leader would recognise; property
tests check every guarantee on random groups; oracle tests compare with an
exhaustive search on small groups, re-deriving the optimum from the rules
documented in the engine rather than from its code.
"""

from collections import Counter
from itertools import combinations, product
from math import prod
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from balint_online.rotation.engine import (
    Breach,
    Change,
    MeetingSlot,
    Problem,
    Refusal,
    RotationInfeasible,
    RotationInput,
    SwapRefused,
    Unplaceable,
    Why,
    check_plan,
    plan_rotation,
    swap,
)


def series(count, past=0, cancelled=()):
    """Meetings numbered 1..count with id 100 + number, the first `past` already held."""
    return [MeetingSlot(100 + n, n, n <= past, n in cancelled) for n in range(1, count + 1)]


def by_number(plan):
    return {meeting_id - 100: presenters for meeting_id, presenters in plan.presenters.items()}


def changed(plan):
    return {(c.meeting_id - 100, c.member_id, c.kind) for c in plan.changes}


def announced(plan):
    """The plan's upcoming turns in the shape of RotationInput.current."""
    return {meeting_id: list(p) for meeting_id, p in plan.presenters.items()}


# --- examples ------------------------------------------------------------------------


def test_eight_members_eight_meetings_present_once_in_enrollment_order():
    plan = plan_rotation(RotationInput(series(8), [11, 12, 13, 14, 15, 16, 17, 18], 1))

    assert by_number(plan) == {n: (10 + n,) for n in range(1, 9)}
    assert changed(plan) == {(n, 10 + n, "added") for n in range(1, 9)}
    # Every member is backup exactly once, never at their own meeting.
    assert sorted(Counter(plan.backups.values()).values()) == [1] * 8
    assert all(plan.backups[m] not in plan.presenters[m] for m in plan.backups)


def test_six_members_eight_meetings_give_second_turns_to_earliest_presenters():
    plan = plan_rotation(RotationInput(series(8), [1, 2, 3, 4, 5, 6], 1))

    assert by_number(plan) == {1: (1,), 2: (2,), 3: (3,), 4: (4,), 5: (5,), 6: (6,), 7: (1,), 8: (2,)}


def test_two_presenters_per_meeting():
    plan = plan_rotation(RotationInput(series(6), list(range(1, 9)), 2))

    assert {n: set(p) for n, p in by_number(plan).items()} == {
        1: {1, 2},
        2: {3, 4},
        3: {5, 6},
        4: {7, 8},
        5: {1, 2},
        6: {3, 4},
    }


def test_unavailable_dates_are_respected():
    unavailable = {1: frozenset({101}), 2: frozenset({101, 102}), 8: frozenset({108, 107})}
    plan = plan_rotation(RotationInput(series(8), list(range(1, 9)), 1, unavailable=unavailable))

    turns = {member: n for n, (member,) in by_number(plan).items()}
    assert sorted(turns) == list(range(1, 9))
    assert turns[1] != 1 and turns[2] not in (1, 2) and turns[8] not in (7, 8)
    assert all(plan.backups[m] is not None and m not in unavailable.get(plan.backups[m], ()) for m in plan.backups)


def test_infeasible_names_the_members_competing_for_too_few_meetings():
    # Members 3, 7 and 8 have not presented and can only come at meetings 7 and 8.
    blocked = frozenset({105, 106})
    inp = RotationInput(
        series(8, past=4),
        list(range(1, 9)),
        1,
        presented={101: [1], 102: [2], 103: [4], 104: [5]},
        unavailable={3: blocked, 7: blocked, 8: blocked},
    )

    with pytest.raises(RotationInfeasible) as caught:
        plan_rotation(inp)

    def shortage(*competitors):
        return Unplaceable(Why.SHORTAGE, remaining=(5, 6, 7, 8), available_at=(7, 8), competitors=competitors,
                           contested=(7, 8), slots=2)

    assert caught.value.unplaceable == {3: shortage(7, 8), 7: shortage(3, 8), 8: shortage(3, 7)}
    assert caught.value.unplaceable[3].unavailable_at == (5, 6) and caught.value.unplaceable[3].left_out == 1


def test_infeasible_late_joiner_unavailable_everywhere_is_the_only_one_named():
    inp = RotationInput(
        series(6, past=3),
        [1, 2, 3, 9],
        1,
        presented={101: [1], 102: [2], 103: [3]},
        unavailable={9: frozenset({104, 105, 106})},
    )

    with pytest.raises(RotationInfeasible) as caught:
        plan_rotation(inp)

    assert caught.value.unplaceable == {9: Unplaceable(Why.UNAVAILABLE_EVERYWHERE, remaining=(4, 5, 6))}


def test_infeasible_when_no_meetings_remain():
    inp = RotationInput(series(2, past=2), [1, 2, 3], 1, presented={101: [1], 102: [2]})

    with pytest.raises(RotationInfeasible) as caught:
        plan_rotation(inp)

    assert caught.value.unplaceable == {3: Unplaceable(Why.NO_MEETINGS_LEFT)}


def test_withdrawal_mid_series_keeps_the_past_and_refills_the_slot():
    # Member 3 presented and withdrew; member 6 withdrew before their turn at meeting 6.
    inp = RotationInput(
        series(8, past=3),
        [1, 2, 4, 5, 7, 8],
        1,
        presented={101: [1], 102: [2], 103: [3]},
        current={104: [4], 105: [5], 106: [6], 107: [7], 108: [8]},
    )

    plan = plan_rotation(inp)

    assert by_number(plan)[3] == (3,)
    # The freed slot goes to member 1, who presented earliest.
    assert plan.changes == (Change(106, 6, "removed"), Change(106, 1, "added"))


def test_late_join_takes_a_second_turn_slot_with_two_changes():
    first = plan_rotation(RotationInput(series(8), [1, 2, 3, 4, 5, 6], 1))
    presented = {100 + n: list(first.presenters[100 + n]) for n in (1, 2, 3)}
    inp = RotationInput(series(8, past=3), [1, 2, 3, 4, 5, 6, 7], 1, presented=presented, current=announced(first))

    plan = plan_rotation(inp)

    # Member 1 presented before member 2, so member 1 keeps the second turn.
    assert plan.changes == (Change(108, 2, "removed"), Change(108, 7, "added"))


def test_cancelled_meeting_gets_no_presenters_and_its_presenter_moves():
    first = plan_rotation(RotationInput(series(8), [1, 2, 3, 4, 5, 6], 1))
    inp = RotationInput(
        series(8, past=2, cancelled={4}),
        [1, 2, 3, 4, 5, 6],
        1,
        presented={101: [1], 102: [2]},
        current=announced(first),
    )

    plan = plan_rotation(inp)

    assert 104 not in plan.presenters and 104 not in plan.backups
    assert plan.changes == (Change(104, 4, "removed"), Change(108, 2, "removed"), Change(108, 4, "added"))


def test_member_becoming_unavailable_moves_only_two_people():
    first = plan_rotation(RotationInput(series(8), list(range(1, 9)), 1))
    inp = RotationInput(
        series(8, past=2),
        list(range(1, 9)),
        1,
        presented={101: [1], 102: [2]},
        current=announced(first),
        unavailable={5: frozenset({105})},
    )

    plan = plan_rotation(inp)

    # Member 5 trades with a neighbour: two meetings, two people, four changes.
    assert len(plan.changes) == 4
    assert {c.member_id for c in plan.changes} in ({5, 4}, {5, 6})
    moved = {n for n, p in by_number(plan).items() if p != first.presenters[100 + n]}
    assert moved in ({4, 5}, {5, 6})


def test_input_order_does_not_matter():
    unavailable = {2: frozenset({101, 103}), 5: frozenset({104}), 3: frozenset({106})}
    current = {104: [9, 4], 105: [5], 106: [1, 6]}
    one = RotationInput(series(7, past=2), [1, 2, 3, 4, 5, 6], 2, {101: [1, 7], 102: [2, 8]}, current, unavailable)
    two = RotationInput(
        list(reversed(series(7, past=2))),
        [1, 2, 3, 4, 5, 6],
        2,
        dict(reversed(list(one.presented.items()))),
        dict(reversed(list(current.items()))),
        dict(reversed(list(unavailable.items()))),
    )

    assert plan_rotation(one) == plan_rotation(two)


def test_swap_accepted_exchanges_turns_and_reports_changes():
    inp = RotationInput(series(8, past=2), list(range(1, 9)), 1, presented={101: [1], 102: [2]})
    plan = plan_rotation(inp)

    swapped = swap(inp, plan, 103, 3, 106, 6)

    assert by_number(swapped)[3] == (6,) and by_number(swapped)[6] == (3,)
    assert (3, 6, "added") in changed(swapped) and (6, 3, "added") in changed(swapped)
    assert check_plan(inp, swapped.presenters) == []
    assert all(swapped.backups[m] not in swapped.presenters[m] for m in swapped.backups)


@pytest.mark.parametrize(
    ("args", "refusal", "meeting", "member", "problems"),
    [
        ((103, 3, 106, 6), Refusal.BREAKS_GUARANTEE, None, None, (Problem(Breach.UNAVAILABLE, 3, (6,)),)),
        ((101, 1, 106, 6), Refusal.PAST, 1, None, ()),
        ((103, 4, 106, 6), Refusal.NOT_PRESENTING, 3, 4, ()),
        ((103, 3, 103, 3), Refusal.SAME_MEETING, 3, None, ()),
        ((999, 3, 106, 6), Refusal.UNKNOWN_MEETING, 999, None, ()),
    ],
)
def test_swap_refused(args, refusal, meeting, member, problems):
    inp = RotationInput(
        series(8, past=2), list(range(1, 9)), 1, presented={101: [1], 102: [2]}, unavailable={6: frozenset({103})}
    )
    plan = plan_rotation(inp)
    assert by_number(plan)[3] == (3,) and by_number(plan)[6] == (6,)

    with pytest.raises(SwapRefused) as caught:
        swap(inp, plan, *args)

    refused = caught.value
    assert (refused.refusal, refused.meeting, refused.member, refused.problems) == (refusal, meeting, member, problems)
    assert isinstance(refused, ValueError)


def test_check_plan_lists_every_broken_guarantee():
    inp = RotationInput(
        series(5, past=1, cancelled={5}), [1, 2, 3, 4], 1, presented={101: [1]}, unavailable={2: frozenset({103})}
    )

    problems = check_plan(inp, {101: (4,), 102: (2, 9), 103: (2,), 105: (3,), 777: (1,)})

    assert problems == [
        Problem(Breach.UNKNOWN_MEETING, 777),
        Problem(Breach.PAST_CHANGED, 1),
        Problem(Breach.NOT_ENROLLED, 2, (9,)),
        Problem(Breach.TOO_MANY, 2, count=2, allowed=1),
        Problem(Breach.UNAVAILABLE, 3, (2,)),
        Problem(Breach.TOO_FEW, 4, (1, 2, 3, 4), count=0, allowed=1),
        Problem(Breach.CANCELLED_LISTED, 5, (3,)),
        Problem(Breach.NO_TURN, members=(3,)),
        Problem(Breach.NO_TURN, members=(4,)),
    ]


def test_invalid_input_is_a_value_error():
    with pytest.raises(ValueError, match="unknown meeting id 5"):
        plan_rotation(RotationInput(series(2), [1], 1, current={5: [1]}))
    with pytest.raises(ValueError, match="not a held meeting"):
        plan_rotation(RotationInput(series(2), [1], 1, presented={101: [1]}))
    with pytest.raises(ValueError, match="listed twice"):
        plan_rotation(RotationInput(series(2), [1, 1], 1))


# --- independent re-derivation of the rules ------------------------------------------


class Facts(NamedTuple):
    upcoming: list  # non-past, non-cancelled meetings by number
    avail: dict  # meeting id -> available enrolled members
    slots: dict  # meeting id -> min(ppm, available)
    past: dict  # member -> past turns
    waiting: list  # members without a past turn
    rank: dict  # member -> priority for extra turns (earliest first past turn, then enrollment)


def facts(inp):
    meetings = sorted(inp.meetings, key=lambda m: m.number)
    upcoming = [m for m in meetings if not m.past and not m.cancelled]
    avail = {m.id: [x for x in inp.members if m.id not in inp.unavailable.get(x, ())] for m in upcoming}
    slots = {m.id: min(inp.presenters_per_meeting, len(avail[m.id])) for m in upcoming}
    held = [m for m in meetings if m.past and not m.cancelled]
    past = {x: sum(x in inp.presented.get(m.id, ()) for m in held) for x in inp.members}
    first = {x: next((m.number for m in held if x in inp.presented.get(m.id, ())), float("inf")) for x in inp.members}
    order = sorted(inp.members, key=lambda x: (first[x], inp.members.index(x)))
    rank = {x: order.index(x) for x in order}
    return Facts(upcoming, avail, slots, past, [x for x in inp.members if past[x] == 0], rank)


def short_of_slots(inp, group):
    """Hall's condition fails for `group`: more waiting members than slots open to them."""
    f = facts(inp)
    open_to = [m.id for m in f.upcoming if any(x in f.avail[m.id] for x in group)]
    return len(group) > sum(f.slots[m] for m in open_to)


def any_short_group(inp):
    waiting = facts(inp).waiting
    return any(short_of_slots(inp, g) for size in range(1, len(waiting) + 1) for g in combinations(waiting, size))


def change_count(inp, presenters):
    total = 0
    for m in inp.meetings:
        if not m.past:
            before = set(inp.current.get(m.id, ()))
            after = set() if m.cancelled else set(presenters.get(m.id, ()))
            total += len(before ^ after)
    return total


def objective(inp, presenters):
    """Levels 3 and 4 of the documented objective: (sum of squared counts, changes, rank tie-break)."""
    f = facts(inp)
    future = Counter(x for m in f.upcoming for x in presenters.get(m.id, ()))
    return (
        sum((f.past[x] + future[x]) ** 2 for x in inp.members),
        change_count(inp, presenters),
        sum(f.rank[x] * future[x] for x in inp.members),
    )


def assert_plan_keeps_guarantees(inp, plan):
    f = facts(inp)
    assert check_plan(inp, plan.presenters) == []
    for m in inp.meetings:
        if m.cancelled:
            assert m.id not in plan.presenters
        elif m.past:
            assert plan.presenters[m.id] == tuple(inp.presented.get(m.id, ()))
    turns = Counter(x for p in plan.presenters.values() for x in p)
    assert all(turns[x] >= 1 for x in inp.members)
    for m in f.upcoming:
        chosen = plan.presenters[m.id]
        assert len(set(chosen)) == len(chosen) == f.slots[m.id]
        assert set(chosen) <= set(f.avail[m.id])
        candidates = [x for x in f.avail[m.id] if x not in chosen and turns[x] > 0]
        backup = plan.backups[m.id]
        assert (backup is None) == (not candidates)
        assert backup is None or backup in candidates
    assert set(plan.backups) == {m.id for m in f.upcoming}
    assert len(plan.changes) == change_count(inp, plan.presenters) == len(set(plan.changes))
    for meeting_id, member, kind in plan.changes:
        now = plan.presenters.get(meeting_id, ())
        assert (member in now) == (kind == "added")
        assert (member in inp.current.get(meeting_id, ())) == (kind == "removed")


# --- random groups -------------------------------------------------------------------


@st.composite
def groups(draw, max_roster=8, max_meetings=12, max_ppm=3):
    """A series mid-way: past turns, withdrawals, late joins, availability, announced plan."""
    count = draw(st.integers(1, max_meetings))
    ppm = draw(st.integers(1, max_ppm))
    held = draw(st.integers(0, count))
    cancelled = draw(st.sets(st.integers(1, count), max_size=2))
    ids = draw(st.permutations(range(500, 500 + count)))
    meetings = [MeetingSlot(ids[n - 1], n, n <= held, n in cancelled) for n in range(1, count + 1)]
    roster = draw(st.lists(st.integers(1, 60), min_size=1, max_size=max_roster, unique=True))
    late = draw(st.integers(0, min(2, len(roster) - 1)))
    early = roster[: len(roster) - late]
    withdrawn = draw(st.sets(st.sampled_from(early), max_size=2))
    members = [x for x in early if x not in withdrawn] + roster[len(roster) - late :]
    presented = {
        m.id: draw(st.lists(st.sampled_from(early), unique=True, max_size=ppm))
        for m in meetings
        if m.past and not m.cancelled
    }
    constrained = draw(st.booleans())
    current, unavailable = {}, {}
    if constrained:
        current = {
            m.id: draw(st.lists(st.sampled_from(roster), unique=True, max_size=ppm + 1)) for m in meetings if not m.past
        }
        unavailable = {x: frozenset(draw(st.sets(st.sampled_from(ids)))) for x in roster}
    return RotationInput(meetings, draw(st.permutations(members)), ppm, presented, current, unavailable)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(groups())
def test_every_guarantee_holds_or_infeasibility_is_justified(inp):
    try:
        plan = plan_rotation(inp)
    except RotationInfeasible as e:
        event("infeasible")
        named = set(e.unplaceable)
        assert named <= set(facts(inp).waiting)
        assert short_of_slots(inp, named)
        for member, why in e.unplaceable.items():
            # A shortage names only members named too, and fewer slots than members in it.
            assert set(why.competitors) <= named - {member}
            assert why.why is not Why.SHORTAGE or 0 < why.left_out <= len(why.competitors)
        return
    event("feasible")
    assert not any_short_group(inp)
    assert_plan_keeps_guarantees(inp, plan)
    reordered = RotationInput(
        list(reversed(inp.meetings)),
        inp.members,
        inp.presenters_per_meeting,
        dict(reversed(list(inp.presented.items()))),
        dict(reversed(list(inp.current.items()))),
        dict(reversed(list(inp.unavailable.items()))),
    )
    assert plan_rotation(reordered) == plan
    if not inp.current and not inp.unavailable:
        # Evenness and earliest-first: no single turn could move to a better-entitled member.
        f = facts(inp)
        future = Counter(x for m in f.upcoming for x in plan.presenters[m.id])
        total = {x: f.past[x] + future[x] for x in inp.members}
        for i, j in product(inp.members, repeat=2):
            if total[i] >= total[j] + 2 or (total[i] == total[j] + 1 and f.rank[i] > f.rank[j]):
                movable = [m for m in f.upcoming if i in plan.presenters[m.id] and j not in plan.presenters[m.id]]
                assert not movable or (f.past[i] == 0 and future[i] == 1)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 10),
    st.integers(1, 12),
    st.integers(1, 3),
    st.sets(st.integers(1, 12), max_size=3),
)
def test_unconstrained_new_series_is_a_round_robin(n_members, n_meetings, ppm, cancelled):
    inp = RotationInput(series(n_meetings, cancelled=cancelled), list(range(1, n_members + 1)), ppm)
    upcoming = [m for m in inp.meetings if not m.cancelled]
    if len(upcoming) * min(ppm, n_members) < n_members:
        with pytest.raises(RotationInfeasible):
            plan_rotation(inp)
        return

    plan = plan_rotation(inp)

    size = min(ppm, n_members)
    cycle = [1 + k % n_members for k in range(len(upcoming) * size)]
    assert [set(plan.presenters[m.id]) for m in upcoming] == [
        set(cycle[k * size : (k + 1) * size]) for k in range(len(upcoming))
    ]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(groups(max_roster=5, max_meetings=5))
def test_matches_exhaustive_search_on_small_groups(inp):
    f = facts(inp)
    options = [list(combinations(f.avail[m.id], f.slots[m.id])) for m in f.upcoming]
    assume(prod(len(o) for o in options) <= 3000)
    outcomes = []
    for picks in product(*options):
        presenters = {m.id: picks[k] for k, m in enumerate(f.upcoming)}
        covered = {x for p in picks for x in p}
        outcomes.append(({x for x in f.waiting if x not in covered}, presenters))
    fewest_left_out = min(len(left) for left, _ in outcomes)

    try:
        plan = plan_rotation(inp)
    except RotationInfeasible as e:
        event("infeasible")
        assert fewest_left_out > 0
        # Named: exactly the members some best possible assignment leaves out.
        assert set(e.unplaceable) == set().union(*(left for left, _ in outcomes if len(left) == fewest_left_out))
        return
    event("feasible")
    assert fewest_left_out == 0
    assert objective(inp, plan.presenters) == min(objective(inp, p) for left, p in outcomes if not left)


# -- a meeting's own presenter count (the leaders' override) -------------------------------------------------------

def test_two_presenters_at_one_meeting_give_every_member_a_turn_after_a_cancellation():
    meetings = series(8, cancelled=(5,))
    members = list(range(1, 9))
    with pytest.raises(RotationInfeasible):
        plan_rotation(RotationInput(meetings, members, 1))
    doubled = [MeetingSlot(m.id, m.number, m.past, m.cancelled, 2 if m.number == 8 else None) for m in meetings]
    plan = plan_rotation(RotationInput(doubled, members, 1))
    presenters = by_number(plan)
    assert len(presenters[8]) == 2 and all(len(presenters[n]) == 1 for n in (1, 2, 3, 4, 6, 7))
    assert Counter(x for p in presenters.values() for x in p) == Counter({m: 1 for m in members})


def test_check_plan_counts_each_meetings_own_presenters():
    meetings = [MeetingSlot(101, 1, False, False, 2), MeetingSlot(102, 2, False, False, None)]
    inp = RotationInput(meetings, [1, 2, 3], 1)
    assert check_plan(inp, {101: [1, 2], 102: [3]}) == []
    assert check_plan(inp, {101: [1], 102: [2, 3]}) == [
        Problem(Breach.TOO_FEW, 1, (2, 3), count=1, allowed=2),
        Problem(Breach.TOO_MANY, 2, count=2, allowed=1)]
    with pytest.raises(ValueError):
        plan_rotation(RotationInput([MeetingSlot(101, 1, False, False, 0)], [1], 1))
