"""The rotation in German: the words built from the engine's results, and the requests page of a German member."""

import pytest
from flask_babel import force_locale

from balint_online.extensions import db
from balint_online.rotation import wording
from balint_online.rotation.engine import Breach, Problem, RotationInfeasible, RotationInput, plan_rotation
from tests.browser import page_text
from tests.rotation.conftest import meeting_ids
from tests.rotation.test_wording import NAMES, series


@pytest.fixture
def german(app):
    with app.test_request_context(), force_locale("de"):
        yield


def test_a_shortage_in_german(german):
    blocked = frozenset({105, 106})
    inp = RotationInput(series(8, past=4), list(range(1, 9)), 1, presented={101: [1], 102: [2], 103: [4], 104: [5]},
                        unavailable={3: blocked, 7: blocked, 8: blocked})
    with pytest.raises(RotationInfeasible) as caught:
        plan_rotation(inp)
    assert wording.infeasible(caught.value.unplaceable, NAMES) == (
        "Kein Vorstellungsplan gibt allen Teilnehmenden einen Termin für eine Fallvorstellung. Cleo Cruz, Gil Gray und "
        "Hal Hope haben noch keinen Fall vorgestellt, und sie können nur in den Sitzungen 7, 8 vorstellen, die "
        "zusammen 2 Plätze für Fallvorstellungen für 3 Teilnehmende bieten, sodass für 1 von ihnen kein Platz bleibt. "
        "Cleo Cruz kann nur in den Sitzungen 7, 8 vorstellen (verhindert in 5, 6). Gil Gray kann nur in den "
        "Sitzungen 7, 8 vorstellen (verhindert in 5, 6). Hal Hope kann nur in den Sitzungen 7, 8 vorstellen "
        "(verhindert in 5, 6).")


def test_counts_and_problems_in_german(german):
    assert wording.guarantee(8, [], NAMES, "") == "Alle 8 Teilnehmenden haben einen Termin für eine Fallvorstellung."
    assert wording.guarantee(1, [], NAMES, "") == (
        "Die einzige teilnehmende Person hat einen Termin für eine Fallvorstellung.")
    assert wording.guarantee(3, [3], NAMES, str(wording.CATCHING_UP)) == (
        "Cleo Cruz hat keinen Termin für eine Fallvorstellung. Der Vorstellungsplan ist noch nicht nachgezogen; "
        "das geschieht bei der nächsten Änderung.")
    assert wording.problem(Problem(Breach.TOO_MANY, meeting=2, count=2, allowed=1), NAMES) == (
        "Sitzung 2 hat 2 Vorstellende; erlaubt sind höchstens 1.")
    assert wording.problem(Problem(Breach.NO_TURN, members=(99,)), NAMES) == (
        "Eine ehemalige teilnehmende Person hat keinen Termin für eine Fallvorstellung.")
    assert wording.people(list(range(1, 13)), {}) == (
        ", ".join(["eine ehemalige teilnehmende Person"] * 10) + " und 2 weitere")
    assert wording.moves([(201, 1, "added"), (201, 6, "removed")], {201: 6}, NAMES) == (
        "Sitzung 6: Ann Avery neu, Finn Ford nicht mehr")


def test_a_german_member_asks_for_a_swap_in_german(client, login, group, enroll, leader):
    eight = enroll(group, 8)
    ids = meeting_ids(group)
    member = eight[0]
    member.language = leader.language = "de"
    db.session.commit()
    requests = f"/series/{group['id']}/rotation/requests"
    page = page_text(login(member).get(requests))
    assert "Fallvorstellungen tauschen" in page and "Um einen Tausch bitten (Zeiten in America/New_York)" in page
    assert "Die Fallvorstellung, die Sie stattdessen möchten" in page and "Noch keine Tauschanfragen." in page
    sent = client.submit(requests, {"my_turn": str(ids[1]), "their_turn": f"{ids[6]}:{eight[5].id}"}, page=requests)
    assert sent.status_code == 303
    page = page_text(client.get(requests))
    assert "Ihre Anfrage wurde gesendet." in page and "Wartet auf Antwort" in page and "Zurückziehen" in page
    leading = page_text(login(leader).get(requests))
    assert "Eine teilnehmende Person bitten, in einer Sitzung vorzustellen, in der sie verhindert ist" in leading
    assert "Keine teilnehmende Person hat eine kommende Sitzung als verhindert markiert." in leading
