"""The rotation's words (rotation/wording.py): the engine's data said with people's names, as pages, the API and
emails show it. Pure: no database."""

import pytest

from balint_online.rotation import wording
from balint_online.rotation.engine import (
    Breach,
    MeetingSlot,
    Move,
    Problem,
    RotationInfeasible,
    RotationInput,
    SwapRefused,
    check_plan,
    plan_rotation,
    swap,
)

NAMES = {
    1: "Ann Avery",
    2: "Ben Brook, NP",
    3: "Cleo Cruz",
    4: "Dan Dale",
    6: "Finn Ford",
    7: "Gil Gray",
    8: "Hal Hope",
    9: "Ida Ives",
}


def series(count, past=0, cancelled=()):
    return [MeetingSlot(100 + n, n, n <= past, n in cancelled) for n in range(1, count + 1)]


def test_a_shortage_is_one_sentence_for_the_members_in_it_and_their_own_restrictions():
    blocked = frozenset({105, 106})
    inp = RotationInput(series(8, past=4), list(range(1, 9)), 1, presented={101: [1], 102: [2], 103: [4], 104: [5]},
                        unavailable={3: blocked, 7: blocked, 8: blocked})
    with pytest.raises(RotationInfeasible) as caught:
        plan_rotation(inp)

    assert wording.infeasible(caught.value.unplaceable, NAMES) == (
        "No rotation gives every member a presenting turn. Cleo Cruz, Gil Gray and Hal Hope have not presented yet, "
        "and between them they can present only at meetings 7, 8, which have 2 presenting slots for 3 members, so 1 "
        "of them cannot be placed. Cleo Cruz can present only at meetings 7, 8 (unavailable at 5, 6). Gil Gray can "
        "present only at meetings 7, 8 (unavailable at 5, 6). Hal Hope can present only at meetings 7, 8 "
        "(unavailable at 5, 6).")
    assert wording.unplaceable_people(caught.value.unplaceable, NAMES)[0] == {
        "user_id": 3, "name": "Cleo Cruz",
        "reason": "has not presented yet and can present only at meetings 7, 8 (unavailable at 5, 6); Gil Gray and "
                  "Hal Hope have not presented yet either and can present only at meetings 7, 8, which have 2 "
                  "presenting slots for 3 members, so 1 of them cannot be placed"}


@pytest.mark.parametrize(("unavailable", "presented", "meetings", "sentence"), [
    ({9: frozenset({104, 105, 106})}, {101: [1], 102: [2], 103: [3]}, series(6, past=3),
     ("No rotation gives every member a presenting turn. Ida Ives has not presented yet and is unavailable at every "
      "remaining meeting (4-6).")),
    ({}, {101: [1], 102: [2], 103: [3]}, series(3, past=3),
     ("No rotation gives every member a presenting turn. Ida Ives has not presented yet and no meetings remain in the "
      "series.")),
])
def test_a_member_out_of_reach_on_their_own(unavailable, presented, meetings, sentence):
    with pytest.raises(RotationInfeasible) as caught:
        plan_rotation(RotationInput(meetings, [1, 2, 3, 9], 1, presented=presented, unavailable=unavailable))
    assert wording.infeasible(caught.value.unplaceable, NAMES) == sentence


def test_every_broken_guarantee_in_words_with_names():
    inp = RotationInput(series(5, past=1, cancelled={5}), [1, 2, 3, 4], 1, presented={101: [1]},
                        unavailable={2: frozenset({103})})
    problems = check_plan(inp, {101: (4,), 102: (2, 9), 103: (2,), 105: (3,), 777: (1,)})
    assert [wording.problem(p, NAMES) for p in problems] == [
        "Meeting id 777 is not part of this series.",
        "Meeting 1 has already been held; its presenters cannot change.",
        "Ida Ives presents at meeting 2 but is not enrolled.",
        "Meeting 2 has 2 presenters; at most 1 are allowed.",
        "Ben Brook, NP is unavailable at meeting 3.",
        "Meeting 4 has 0 of 1 presenters although Ann Avery; Ben Brook, NP; Cleo Cruz and Dan Dale could present.",
        "Meeting 5 is cancelled but lists presenters Cleo Cruz.",
        "Cleo Cruz has no presenting turn.",
        "Dan Dale has no presenting turn.",
    ]
    assert wording.problem(Problem(Breach.NO_TURN, members=(99,)), NAMES) == "A former member has no presenting turn."


@pytest.mark.parametrize(("args", "message"), [
    ((103, 3, 106, 6), "Swap refused: Finn Ford is unavailable at meeting 3."),
    ((101, 1, 106, 6), "Meeting 1 has already been held; its presenters cannot change."),
    ((103, 4, 106, 6), "Dan Dale does not present at meeting 3."),
    ((103, 3, 103, 3), "Both turns are at meeting 3; there is nothing to swap."),
    ((999, 3, 106, 6), "Meeting id 999 is not part of this series."),
])
def test_a_refused_swap_says_why(args, message):
    inp = RotationInput(series(8, past=2), list(range(1, 9)), 1, presented={101: [1], 102: [2]},
                        unavailable={6: frozenset({103})})
    with pytest.raises(SwapRefused) as caught:
        swap(inp, plan_rotation(inp), *args)
    assert wording.swap_refusal(caught.value, NAMES) == message


def test_lists_runs_and_moves():
    assert wording.runs([1, 2, 3, 4, 6, 8, 9]) == "1-4, 6, 8, 9"
    assert wording.people(list(range(1, 13)), {}) == ", ".join(["a former member"] * 10) + " and 2 more"
    assert wording.moves([(106, 1, Move.ADDED), (106, 6, Move.REMOVED), (102, 3, Move.ADDED)], {106: 6, 102: 2},
                         NAMES) == "meeting 2: Cleo Cruz in; meeting 6: Ann Avery in, Finn Ford out"
