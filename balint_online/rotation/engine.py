"""Presenter rotation engine for Balint groups: plain Python, no Flask, no database.

A series is a sequence of meetings; at each one ``presenters_per_meeting``
members present a case, and the series promises every enrolled member at least
one presenting turn.  This module decides who presents when, and is re-run
whenever something changes (availability, withdrawals, late joins,
cancellations) to repair the announced plan with as few moves as possible.

Interface
---------
``plan_rotation(inp: RotationInput) -> RotationPlan``
    Presenters for every non-cancelled meeting (past ones exactly as held), a
    backup for every upcoming meeting, and the ``Change`` list versus
    ``inp.current`` so callers can notify the people concerned.  Raises
    ``RotationInfeasible`` when some members cannot be given a turn.
``check_plan(inp: RotationInput, presenters: Mapping[int, Sequence[int]]) -> list[Problem]``
    The hard guarantees (1, 2 and "past never changes" below) that a
    hand-edited plan breaks, one ``Problem`` each; ``[]`` means acceptable.
``swap(inp, plan, meeting_a, member_a, meeting_b, member_b) -> RotationPlan``
    ``member_a`` (presenting at ``meeting_a``) and ``member_b`` (presenting at
    ``meeting_b``) exchange turns.  Raises ``SwapRefused`` (a ``ValueError``)
    if a meeting is past, cancelled or unknown, a member does not present
    there, or the swap would break a guarantee the plan kept.

Every answer is data (``Change``, ``Unplaceable``, ``Problem``, ``SwapRefused``
with a ``Refusal``), never prose: ``wording.py`` is the one place that puts
them into words for pages, the API and emails.

Vocabulary: a meeting is *upcoming* when neither past nor cancelled.  Meetings
are named by ``number`` in results (``id`` where the id is unknown) and by
``id`` in mappings; members by id.
``current`` entries for past meetings are ignored (past turns come from
``presented``); ids of non-members in ``presented``/``current`` are allowed
(ex-members), ids of unknown meetings are a ``ValueError``.

Guarantees, highest priority first
----------------------------------
1. Every enrolled member presents at least once.  Members who presented at a
   past meeting already have their turn; the others ("waiting" members) each
   get an upcoming turn.  ``RotationInfeasible`` is raised exactly when no
   assignment achieves this (Hall's condition fails), and names every waiting
   member caught in a shortage, i.e. each member some best possible
   assignment would still leave out, with the reason (``Unplaceable``).
2. Upcoming meeting m gets exactly ``min(presenters at m, members
   available at m)`` distinct presenters, where "presenters at m" is the
   meeting's own ``presenters`` override or else ``presenters_per_meeting``: slots are filled, so second turns
   appear when slots outnumber members, and no meeting is over-full.
3. Past meetings never change.  Among plans meeting 1 and 2, turn counts
   (past + upcoming, enrolled members) are as even as availability allows:
   the sum of squared counts is minimal.  Evenness is a promise, so it may move
   an announced turn (a second member joining an 8-meeting series takes half
   of the first member's turns, not one).
4. Among those, the number of changes (added plus removed (meeting, member)
   pairs versus ``current``, ex-members included) is minimal.  Then extra
   turns go to those who presented earliest: the sum of rank x upcoming turns
   is minimal, ranking members with a past turn by their first past meeting,
   then waiting members in enrollment order (the order in which level 5
   schedules their first turns).
5. Lowest: turns follow the round-robin.  The ideal sequence of upcoming slots
   lists every member's turns ordered by (turn count reached, rank from 4);
   the total distance, in slots, from each turn to the nearest of its
   member's ideal slots is minimal.
Backups: every upcoming meeting names one member who is available, does not
present there and presents at some other meeting; backup duties are spread
as evenly as possible, preferring members whose first turn is already behind
them.  ``None`` when nobody qualifies.  Output never depends on dict or set
iteration order of the input, and nothing is random.

Algorithm
---------
Feasibility is a bipartite matching between waiting members and upcoming
slots (augmenting paths); if it is not perfect, the alternating-path closure
of the unmatched members yields the Hall-violating groups reported in
``RotationInfeasible``.  Otherwise one min-cost flow decides levels 1-5
exactly: upcoming meetings supply their slot counts, each (meeting, available
member) arc costs a "not announced there" penalty plus the level-5 distance,
and each member's n-th turn costs an increasing (convex) amount encoding
level 1 (a waiting member's first turn is free), level 4 (count, then rank).
Level 2 is fixed by the supplies; the other levels are combined into one
integer cost with weights large enough that a higher level always outweighs
everything below it, so the optimum is lexicographic.  Successive shortest
paths with Dijkstra on reduced costs solve it; backups use the same solver.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple


@dataclass(frozen=True)
class MeetingSlot:
    id: int
    number: int  # order in the series, 1-based
    past: bool  # already held: its presenters are fixed
    cancelled: bool = False  # cancelled meetings get no presenters
    # The leaders' override for this meeting (e.g. two presenters at one); None: the series' number.
    presenters: int | None = None


@dataclass(frozen=True)
class RotationInput:
    meetings: Sequence[MeetingSlot]
    members: Sequence[int]  # enrolled member ids, in enrollment order
    presenters_per_meeting: int
    # past meeting id -> member ids who presented there (may include ex-members)
    presented: Mapping[int, Sequence[int]] = field(default_factory=dict)
    # not-yet-held meeting id -> announced presenters (may include ex-members)
    current: Mapping[int, Sequence[int]] = field(default_factory=dict)
    # member id -> meeting ids they cannot present at
    unavailable: Mapping[int, frozenset[int]] = field(default_factory=dict)


class Move(StrEnum):
    ADDED = "added"
    REMOVED = "removed"


class Change(NamedTuple):
    meeting_id: int
    member_id: int
    kind: Move


@dataclass(frozen=True)
class RotationPlan:
    presenters: Mapping[int, tuple[int, ...]]  # every non-cancelled meeting id
    backups: Mapping[int, int | None]  # every upcoming meeting id
    changes: tuple[Change, ...]  # versus RotationInput.current, by meeting number


class Why(StrEnum):
    """Why a member who has not presented yet cannot be given a turn."""

    NO_MEETINGS_LEFT = "no_meetings_left"
    UNAVAILABLE_EVERYWHERE = "unavailable_everywhere"  # at every remaining meeting
    SHORTAGE = "shortage"  # competes with others for too few slots


@dataclass(frozen=True)
class Unplaceable:
    """One waiting member some best assignment leaves out, and the shortage they are caught in."""

    why: Why
    remaining: tuple[int, ...] = ()  # numbers of the upcoming meetings
    available_at: tuple[int, ...] = ()  # those the member can present at
    competitors: tuple[int, ...] = ()  # the other waiting members (ids) in the same shortage
    contested: tuple[int, ...] = ()  # numbers of the meetings the shortage is about
    slots: int = 0  # presenting slots at those meetings

    @property
    def unavailable_at(self) -> tuple[int, ...]:
        return tuple(n for n in self.remaining if n not in self.available_at)

    @property
    def left_out(self) -> int:
        """How many of the members in the shortage cannot be placed."""
        return len(self.competitors) + 1 - self.slots


class RotationInfeasible(Exception):
    """Some waiting members cannot all be given an upcoming turn."""

    def __init__(self, unplaceable: Mapping[int, Unplaceable]):
        self.unplaceable = dict(unplaceable)  # member id -> why
        super().__init__(f"No turn for members {sorted(self.unplaceable)}")


class Breach(StrEnum):
    """A hard guarantee a plan breaks (``check_plan``)."""

    UNKNOWN_MEETING = "unknown_meeting"  # meeting: the id
    CANCELLED_LISTED = "cancelled_listed"  # presenters at a cancelled meeting
    PAST_CHANGED = "past_changed"
    LISTED_TWICE = "listed_twice"
    NOT_ENROLLED = "not_enrolled"
    UNAVAILABLE = "unavailable"
    TOO_MANY = "too_many"  # count presenters, allowed at most
    TOO_FEW = "too_few"  # count of allowed presenters although members could present
    NO_TURN = "no_turn"


@dataclass(frozen=True)
class Problem:
    breach: Breach
    meeting: int | None = None  # its number (its id for UNKNOWN_MEETING)
    members: tuple[int, ...] = ()
    count: int = 0
    allowed: int = 0


class Refusal(StrEnum):
    UNKNOWN_MEETING = "unknown_meeting"  # meeting: the id
    PAST = "past"
    CANCELLED = "cancelled"
    NOT_PRESENTING = "not_presenting"
    SAME_MEETING = "same_meeting"
    BREAKS_GUARANTEE = "breaks_guarantee"  # problems: what the swap would introduce


class SwapRefused(ValueError):
    """A requested swap is not allowed: ``refusal`` says why, with the meeting, member or problems concerned."""

    def __init__(self, refusal: Refusal, *, meeting: int | None = None, member: int | None = None,
                 problems: Sequence[Problem] = ()):
        self.refusal, self.meeting, self.member, self.problems = refusal, meeting, member, tuple(problems)
        super().__init__(f"swap refused: {refusal} (meeting {meeting}, member {member}, {list(self.problems)})")


def plan_rotation(inp: RotationInput) -> RotationPlan:
    """The optimal plan for ``inp``; raises ``RotationInfeasible`` or ``ValueError`` (bad input)."""
    group = _Group(inp)
    group.raise_if_infeasible()
    return group.finish(group.presenters_from(group.optimise()))


def check_plan(inp: RotationInput, presenters: Mapping[int, Sequence[int]]) -> list[Problem]:
    """Each hard guarantee ``presenters`` breaks; ``[]`` if none."""
    return _Group(inp).problems(presenters)


def swap(
    inp: RotationInput,
    plan: RotationPlan,
    meeting_a: int,
    member_a: int,
    meeting_b: int,
    member_b: int,
) -> RotationPlan:
    """``plan`` with the two upcoming turns exchanged; raises ``SwapRefused`` if not allowed."""
    group = _Group(inp)
    for meeting_id, member in ((meeting_a, member_a), (meeting_b, member_b)):
        meeting = group.by_id.get(meeting_id)
        if meeting is None:
            raise SwapRefused(Refusal.UNKNOWN_MEETING, meeting=meeting_id)
        if meeting.past:
            raise SwapRefused(Refusal.PAST, meeting=meeting.number)
        if meeting.cancelled:
            raise SwapRefused(Refusal.CANCELLED, meeting=meeting.number)
        if member not in plan.presenters.get(meeting_id, ()):
            raise SwapRefused(Refusal.NOT_PRESENTING, meeting=meeting.number, member=member)
    if meeting_a == meeting_b:
        raise SwapRefused(Refusal.SAME_MEETING, meeting=group.by_id[meeting_a].number)
    edited = dict(plan.presenters)
    edited[meeting_a] = tuple(member_b if x == member_a else x for x in edited[meeting_a])
    edited[meeting_b] = tuple(member_a if x == member_b else x for x in edited[meeting_b])
    # Only problems the swap itself introduces are grounds for refusal.
    before = set(group.problems(plan.presenters))
    introduced = [p for p in group.problems(edited) if p not in before]
    if introduced:
        raise SwapRefused(Refusal.BREAKS_GUARANTEE, problems=introduced)
    return group.finish(edited)


class _Group:
    """Validated, index-based view of a RotationInput shared by the entry points.

    Members are referred to by their enrollment index ``i`` and upcoming
    meetings by their index ``j`` in ``self.upcoming`` (ordered by number).
    """

    def __init__(self, inp: RotationInput):
        if inp.presenters_per_meeting < 1:
            raise ValueError("presenters_per_meeting must be at least 1")
        self.inp = inp
        self.ppm = inp.presenters_per_meeting
        self.meetings = sorted(inp.meetings, key=lambda m: m.number)
        self.by_id: dict[int, MeetingSlot] = {}
        for meeting in self.meetings:
            if meeting.id in self.by_id:
                raise ValueError(f"meeting id {meeting.id} appears twice")
            if meeting.presenters is not None and meeting.presenters < 1:
                raise ValueError(f"meeting {meeting.number} must have at least one presenter")
            self.by_id[meeting.id] = meeting
        if len({m.number for m in self.meetings}) != len(self.meetings):
            raise ValueError("two meetings share a number")
        self.members = list(inp.members)
        self.index = {member: i for i, member in enumerate(self.members)}
        if len(self.index) != len(self.members):
            raise ValueError("a member is listed twice")
        for meeting_id in inp.presented:
            meeting = self._known(meeting_id, "presented")
            if not meeting.past or meeting.cancelled:
                raise ValueError(f"presented lists meeting {meeting.number}, which is not a held meeting")
        for meeting_id in inp.current:
            self._known(meeting_id, "current")

        n = len(self.members)
        self.past_turns = [0] * n
        self.first_past: list[int | None] = [None] * n  # meeting number
        for meeting in self.meetings:
            if meeting.past:
                for member in _unique(inp.presented.get(meeting.id, ())):
                    i = self.index.get(member)
                    if i is not None:
                        self.past_turns[i] += 1
                        if self.first_past[i] is None:
                            self.first_past[i] = meeting.number
        self.waiting = [i for i in range(n) if self.past_turns[i] == 0]
        self.upcoming = [m for m in self.meetings if not m.past and not m.cancelled]
        self.available = [
            [i for i, member in enumerate(self.members) if not self.is_unavailable(member, m.id)]
            for m in self.upcoming
        ]
        self.slots = [min(self.presenters_at(m), len(a)) for m, a in zip(self.upcoming, self.available, strict=True)]
        # Priority for extra turns (guarantee 4): earliest first past turn, then waiting members.
        order = sorted(range(n), key=lambda i: (self.first_past[i] is None, self.first_past[i] or 0, i))
        self.rank = [0] * n
        for r, i in enumerate(order):
            self.rank[i] = r

    def _known(self, meeting_id: int, source: str) -> MeetingSlot:
        meeting = self.by_id.get(meeting_id)
        if meeting is None:
            raise ValueError(f"{source} refers to unknown meeting id {meeting_id}")
        return meeting

    def presenters_at(self, meeting: MeetingSlot) -> int:
        return self.ppm if meeting.presenters is None else meeting.presenters

    def is_unavailable(self, member: int, meeting_id: int) -> bool:
        return meeting_id in self.inp.unavailable.get(member, ())

    # -- guarantee 1: feasibility -------------------------------------------------

    def raise_if_infeasible(self) -> None:
        options: list[list[int]] = [[] for _ in self.members]  # member index -> upcoming meeting indexes
        for j, avail in enumerate(self.available):
            for i in avail:
                options[i].append(j)
        holders: list[list[int]] = [[] for _ in self.upcoming]

        def place(i: int, seen: set[int]) -> bool:
            # Kuhn's augmenting path: take a free slot or displace a holder who can move.
            for j in options[i]:
                if j in seen:
                    continue
                seen.add(j)
                if len(holders[j]) < self.slots[j]:
                    holders[j].append(i)
                    return True
                for k, other in enumerate(holders[j]):
                    if place(other, seen):
                        holders[j][k] = i
                        return True
            return False

        unplaced = [i for i in self.waiting if not place(i, set())]
        if not unplaced:
            return
        # Alternating-path closure of the unplaced members: the waiting members some
        # maximum matching leaves out, and the full meetings they compete for.
        # Every holder of a reached meeting is itself reached, so the closure is the
        # same whichever maximum matching was found (Dulmage-Mendelsohn).
        reached_members = set(unplaced)
        reached_meetings: set[int] = set()
        stack = list(unplaced)
        while stack:
            i = stack.pop()
            for j in options[i]:
                if j not in reached_meetings:
                    reached_meetings.add(j)
                    for other in holders[j]:
                        if other not in reached_members:
                            reached_members.add(other)
                            stack.append(other)
        # Report each connected shortage separately so a reason names only its own group.
        users: dict[int, list[int]] = {j: [] for j in reached_meetings}
        for i in sorted(reached_members):
            for j in options[i]:
                users[j].append(i)
        group_of: dict[int, int] = {}
        groups: list[tuple[list[int], list[int]]] = []
        for start in sorted(reached_members):
            if start in group_of:
                continue
            group_of[start] = len(groups)
            people, meetings, stack = [start], set(), [start]
            while stack:
                for j in options[stack.pop()]:
                    meetings.add(j)
                    for other in users[j]:
                        if other not in group_of:
                            group_of[other] = len(groups)
                            people.append(other)
                            stack.append(other)
            groups.append((sorted(people), sorted(meetings)))
        reasons = {}
        for i in sorted(reached_members):
            group_people, group_meetings = groups[group_of[i]]
            reasons[self.members[i]] = self._reason(i, group_people, group_meetings, options[i])
        raise RotationInfeasible(reasons)

    def _reason(self, i: int, people: list[int], meetings: list[int], own: list[int]) -> Unplaceable:
        numbers = tuple(m.number for m in self.upcoming)
        if not numbers:
            return Unplaceable(Why.NO_MEETINGS_LEFT)
        if not own:
            return Unplaceable(Why.UNAVAILABLE_EVERYWHERE, remaining=numbers)
        # Non-empty: the full meetings i could use are held by other members of the group.
        return Unplaceable(
            Why.SHORTAGE,
            remaining=numbers,
            available_at=tuple(numbers[j] for j in own),
            competitors=tuple(self.members[k] for k in people if k != i),
            contested=tuple(numbers[j] for j in meetings),
            slots=sum(self.slots[j] for j in meetings),
        )

    # -- guarantees 2-5: the optimisation --------------------------------------------

    def optimise(self) -> list[list[int]]:
        """Presenter indexes per upcoming meeting, lexicographically optimal for levels 1-5."""
        n = len(self.members)
        total = sum(self.slots)
        if total == 0:
            return [[] for _ in self.upcoming]
        announced = [
            {self.index[x] for x in self.inp.current.get(m.id, ()) if x in self.index} for m in self.upcoming
        ]
        targets = self._ideal_slots(total)
        start = 0
        distance = []  # level 5 cost per (meeting, member) arc
        for j, avail in enumerate(self.available):
            lo, hi = start, start + self.slots[j] - 1
            distance.append({i: _gap(targets[i], lo, hi) for i in avail})
            start += self.slots[j]
        widest = max((max(d.values(), default=0) for d in distance), default=0)

        # Weights chosen so any one step at a level outweighs the whole level below:
        # evenness, then keeping announced turns, then rank, then round-robin distance.
        w_rank = total * widest + 1
        w_keep = total * n * w_rank + total * widest + 1
        w_even = total * w_keep + total * n * w_rank + total * widest + 1
        top_count = max(self.past_turns, default=0) + total
        w_need = (total + 1) * w_even * (top_count + 1)

        arcs = [
            {i: (0 if i in announced[j] else w_keep) + d for i, d in distance[j].items()}
            for j in range(len(self.upcoming))
        ]
        first_free = [self.past_turns[i] == 0 for i in range(n)]

        def turn_cost(i: int, k: int) -> int:
            # k-th upcoming turn of member i; increasing in k as the solver requires.
            # A waiting member's first turn is in every feasible plan, so its cost is a
            # constant of the optimum: zero lets shortest paths end at the first such member.
            if k == 1 and first_free[i]:
                return 0
            return w_need + w_even * (self.past_turns[i] + k) + w_rank * self.rank[i]

        return _min_cost_flow(self.slots, arcs, n, turn_cost)

    def _ideal_slots(self, total: int) -> list[list[int]]:
        """Round-robin slot positions per member: turns ordered by (count reached, rank).

        Positions continue past the end of the series until every member has one
        there, so a member with no ideal turn left still has a target to be near.
        """
        n = len(self.members)
        heap = [(self.past_turns[i] + 1, self.rank[i], i) for i in range(n)]
        heapq.heapify(heap)
        targets: list[list[int]] = [[] for _ in range(n)]
        missing = n  # members without a position at or beyond `total`
        position = 0
        while position < total or missing:
            count, r, i = heapq.heappop(heap)
            if position < total or not targets[i] or targets[i][-1] < total:
                if position >= total:
                    missing -= 1
                targets[i].append(position)
            heapq.heappush(heap, (count + 1, r, i))
            position += 1
        return targets

    def presenters_from(self, chosen: list[list[int]]) -> dict[int, tuple[int, ...]]:
        presenters = {}
        for meeting in self.meetings:
            if meeting.past and not meeting.cancelled:
                presenters[meeting.id] = tuple(self.inp.presented.get(meeting.id, ()))
        for j, meeting in enumerate(self.upcoming):
            picked = {self.members[i] for i in chosen[j]}
            kept = [x for x in _unique(self.inp.current.get(meeting.id, ())) if x in picked]
            added = [self.members[i] for i in sorted(chosen[j]) if self.members[i] not in kept]
            presenters[meeting.id] = tuple(kept + added)
        return {m.id: presenters[m.id] for m in self.meetings if m.id in presenters}

    # -- plan completion: backups and changes ------------------------------------------

    def finish(self, presenters: Mapping[int, Sequence[int]]) -> RotationPlan:
        return RotationPlan(
            presenters={m: tuple(p) for m, p in presenters.items()},
            backups=self._backups(presenters),
            changes=self._changes(presenters),
        )

    def _backups(self, presenters: Mapping[int, Sequence[int]]) -> dict[int, int | None]:
        first_turn: dict[int, int] = {}  # member id -> number of their first meeting
        presenting_somewhere: set[int] = set()  # member ids presenting at some meeting
        for meeting in self.meetings:
            if meeting.cancelled:
                continue
            for member in _unique(presenters.get(meeting.id, ())):
                first_turn.setdefault(member, meeting.number)
                presenting_somewhere.add(member)
        arcs = []
        for j, meeting in enumerate(self.upcoming):
            here = set(presenters.get(meeting.id, ()))
            candidates = [
                i for i in self.available[j] if self.members[i] not in here and self.members[i] in presenting_somewhere
            ]
            arcs.append({i: 0 if first_turn[self.members[i]] < meeting.number else 1 for i in candidates})
        spread = len(self.upcoming) + 1  # one more duty outweighs every preference
        chosen = _min_cost_flow(
            [1 if a else 0 for a in arcs], arcs, len(self.members), lambda i, k: k * spread
        )
        return {
            meeting.id: self.members[chosen[j][0]] if chosen[j] else None for j, meeting in enumerate(self.upcoming)
        }

    def _changes(self, presenters: Mapping[int, Sequence[int]]) -> tuple[Change, ...]:
        changes = []
        for meeting in self.meetings:
            if meeting.past:
                continue
            before = _unique(self.inp.current.get(meeting.id, ()))
            after = [] if meeting.cancelled else _unique(presenters.get(meeting.id, ()))
            changes += [Change(meeting.id, x, Move.REMOVED) for x in before if x not in after]
            changes += [Change(meeting.id, x, Move.ADDED) for x in after if x not in before]
        return tuple(changes)

    # -- check_plan -----------------------------------------------------------------------

    def problems(self, presenters: Mapping[int, Sequence[int]]) -> list[Problem]:
        found = [Problem(Breach.UNKNOWN_MEETING, meeting_id) for meeting_id in sorted(presenters)
                 if meeting_id not in self.by_id]
        has_turn = set()
        for meeting in self.meetings:
            listed = list(presenters.get(meeting.id, ()))
            number = meeting.number
            if meeting.cancelled:
                if listed:
                    found.append(Problem(Breach.CANCELLED_LISTED, number, tuple(listed)))
                continue
            if meeting.past:
                held = list(self.inp.presented.get(meeting.id, ()))
                if sorted(listed) != sorted(held):
                    found.append(Problem(Breach.PAST_CHANGED, number))
                has_turn.update(held)
                continue
            found += [Problem(Breach.LISTED_TWICE, number, (x,)) for x in _duplicates(listed)]
            enrolled = []
            for x in _unique(listed):
                has_turn.add(x)
                if x not in self.index:
                    found.append(Problem(Breach.NOT_ENROLLED, number, (x,)))
                    continue
                enrolled.append(x)
                if self.is_unavailable(x, meeting.id):
                    found.append(Problem(Breach.UNAVAILABLE, number, (x,)))
            most = self.presenters_at(meeting)
            if len(_unique(listed)) > most:
                found.append(Problem(Breach.TOO_MANY, number, count=len(_unique(listed)), allowed=most))
            # An unavailable presenter is reported above, so it still counts as filling its slot here.
            idle = [x for x in self.members if x not in enrolled and not self.is_unavailable(x, meeting.id)]
            if len(enrolled) < most and idle:
                found.append(Problem(Breach.TOO_FEW, number, tuple(idle), count=len(enrolled), allowed=most))
        found += [Problem(Breach.NO_TURN, members=(x,)) for x in self.members if x not in has_turn]
        return found


def _min_cost_flow(
    supplies: Sequence[int],
    arcs: Sequence[Mapping[int, int]],
    n_right: int,
    unit_cost: Callable[[int, int], int],
) -> list[list[int]]:
    """Cheapest way for every left node l to send ``supplies[l]`` units to right nodes.

    ``arcs[l]`` maps right node -> cost (>= 0) and carries at most one unit.
    ``unit_cost(r, k)`` (>= 0, non-decreasing in k) is the cost of the k-th unit
    reaching right node r, so the right -> sink edge is convex and needs only
    its next and last unit represented.  Successive shortest paths: each unit
    is routed from its left node along a shortest residual path found by
    Dijkstra on reduced costs (Johnson potentials), which keeps the flow
    optimal for the units routed so far.  Returns the right nodes per left node.
    """
    # Node 0 is the sink, so on distance ties Dijkstra stops before exploring further;
    # left node l is 1 + l and right node r is first_right + r.
    n_left = len(supplies)
    first_right = 1 + n_left
    size = first_right + n_right
    inf = float("inf")
    potential: list[float] = [0] * size  # ints, but taken from distances typed float (inf)
    chosen: list[dict[int, int]] = [{} for _ in range(n_left)]  # l -> {r: cost} carrying flow
    into: list[dict[int, int]] = [{} for _ in range(n_right)]  # the same arcs seen from r
    load = [0] * n_right
    for source in range(1, first_right):
        for _ in range(supplies[source - 1]):
            dist = [inf] * size
            prev = [-1] * size
            done = [False] * size
            dist[source] = 0
            heap: list[tuple[float, int]] = [(0, source)]
            while heap:
                d, u = heapq.heappop(heap)
                if done[u]:
                    continue
                done[u] = True
                if u == 0:
                    break
                base = d + potential[u]
                if u < first_right:
                    taken = chosen[u - 1]
                    for r, cost in arcs[u - 1].items():
                        if r not in taken:
                            v = first_right + r
                            nd = base + cost - potential[v]
                            if nd < dist[v]:
                                dist[v], prev[v] = nd, u
                                heapq.heappush(heap, (nd, v))
                else:
                    r = u - first_right
                    for l, cost in into[r].items():  # undo an assignment of r elsewhere
                        nd = base - cost - potential[1 + l]
                        if nd < dist[1 + l]:
                            dist[1 + l], prev[1 + l] = nd, u
                            heapq.heappush(heap, (nd, 1 + l))
                    nd = base + unit_cost(r, load[r] + 1) - potential[0]
                    if nd < dist[0]:
                        dist[0], prev[0] = nd, u
                        heapq.heappush(heap, (nd, 0))
            if not done[0]:
                raise RuntimeError("supply cannot be routed; callers size supplies by available arcs")
            reach = dist[0]
            for v in range(size):
                # Nodes not settled before the sink keep reduced costs non-negative with `reach`.
                potential[v] += min(dist[v], reach)
            v = prev[0]
            load[v - first_right] += 1
            while v != source:
                u = prev[v]
                if u < first_right:  # forward arc: left u - 1 takes right v
                    l, r = u - 1, v - first_right
                    chosen[l][r] = into[r][l] = arcs[l][r]
                else:  # backward arc: left v - 1 gives up right u
                    l, r = v - 1, u - first_right
                    del chosen[l][r], into[r][l]
                v = u
    return [list(c) for c in chosen]


def _gap(targets: list[int], lo: int, hi: int) -> int:
    """Distance from the slot range [lo, hi] to the nearest target position."""
    k = bisect_left(targets, lo)  # k < len(targets): every member has a target past the end
    best = max(targets[k] - hi, 0)
    if k:
        best = min(best, lo - targets[k - 1])
    return best


def _unique(items: Sequence[int]) -> list[int]:
    return list(dict.fromkeys(items))


def _duplicates(items: Sequence[int]) -> list[int]:
    counts: dict[int, int] = {}
    for x in items:
        counts[x] = counts.get(x, 0) + 1
    return [x for x, c in counts.items() if c > 1]
