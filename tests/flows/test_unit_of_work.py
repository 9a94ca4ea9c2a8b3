"""Services flush and the boundary commits; a failing step is never swallowed silently.

A whole cancellation, from publishing to refunds, run through the services and flows inside one
transaction that the test then rolls back, leaves every table as it was: no service committed
on its own. A failing rotation re-plan (the one step allowed to fail) is logged with its
traceback while the change stands; any other failing step fails the request and saves nothing.
"""

import logging
from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from balint_online.enrollment.models import Application
from balint_online.enrollment.services import apply
from balint_online.extensions import db
from balint_online.flows.applications import accept
from balint_online.flows.series import cancel_meeting, cancel_series, publish_series
from balint_online.notifications.models import OutboxMessage
from balint_online.pricing.models import Refund
from balint_online.pricing.services import record_payment
from balint_online.rotation.models import PresenterTurn
from balint_online.series.services import SeriesInput, create_series
from tests.factories import ATTESTATION, PRICES, published_series
from tests.factories import apply as apply_by_api


@pytest.fixture(autouse=True)
def september(clock):
    clock.set("2026-09-01T12:00:00Z")


def everything() -> dict[str, set]:
    """Every row of every table, as the session sees it now."""
    return {table.name: set(db.session.execute(table.select()).all()) for table in db.metadata.sorted_tables}


def test_a_whole_cancellation_inside_a_transaction_rolled_back_leaves_nothing_behind(make_user, admin):
    leader, members = make_user("leader"), [make_user() for _ in range(3)]
    before = everything()

    series = create_series(SeriesInput(title="Evening group", timezone="America/New_York",
                                       first_meeting_local=datetime(2026, 10, 19, 19, 0), currency="USD",
                                       prices=PRICES), leader, "jitsi")
    publish_series(series, leader)
    for member in members:
        application = apply(series, member, trainee=False, answers=ATTESTATION)
        accept(application, leader)
        record_payment(application, amount=Decimal("800.00"), method="transfer", reference=f"T{member.id}",
                       actor=admin)
    cancel_meeting(series.meetings[3], leader, "Holiday")
    cancel_series(series, leader, "The leaders are unwell.")
    # All of it happened, in this transaction: applications ended, money owed back, people told.
    assert db.session.scalar(select(func.count()).select_from(Application).where(
        Application.status == "cancelled")) == 3
    assert db.session.scalar(select(func.count()).select_from(Refund)) == 3
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind == "series_cancelled")) == 3
    assert db.session.scalar(select(func.count()).select_from(PresenterTurn)) == 0

    db.session.rollback()
    assert everything() == before


def test_a_failing_rotation_replan_is_logged_with_its_traceback_and_the_enrolment_stands(
        api, leader, make_user, monkeypatch, caplog):
    from balint_online.rotation import services as rotation

    series = published_series(api(leader))
    member = make_user()
    application = apply_by_api(api(member), series["id"])

    def broken(*args, **kwargs):
        raise RuntimeError("the rotation engine broke")

    monkeypatch.setattr(rotation, "refresh", broken)
    with caplog.at_level(logging.ERROR):
        resp = api(leader).post(f"/api/v1/applications/{application['id']}/accept")
    assert resp.status_code == 200 and resp.get_json()["status"] == "enrolled"
    [record] = [r for r in caplog.records if "could not follow" in r.getMessage()]
    assert record.levelno == logging.ERROR
    assert isinstance(record.exc_info[1], RuntimeError)  # the traceback is in the log, not dropped
    # The steps after it still ran: the member's calendar invitation is on its way.
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind == "calendar_invite", OutboxMessage.user_id == member.id)) == 1


def test_any_other_failing_step_fails_the_request_and_saves_nothing(api, leader, make_user, monkeypatch):
    from balint_online.calendar import services as calendar

    series = published_series(api(leader))
    member = make_user()
    application = apply_by_api(api(member), series["id"])

    def broken(*args, **kwargs):
        raise RuntimeError("the calendar step broke")

    monkeypatch.setattr(calendar, "member_joined", broken)
    resp = api(leader).post(f"/api/v1/applications/{application['id']}/accept")
    assert resp.status_code == 500  # and the error is logged with its traceback (api/__init__.py)
    monkeypatch.undo()
    after = api(leader).get(f"/api/v1/applications/{application['id']}").get_json()
    assert after["status"] == "pending"
    assert api(leader).get(f"/api/v1/series/{series['id']}").get_json()["seats_left"] == 8
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind == "application_accepted")) == 0
