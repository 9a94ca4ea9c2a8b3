"""Services flush and the boundary commits; a failing step is never swallowed silently.

A whole cancellation, from publishing to refunds, run through the services and flows inside one
transaction that the test then rolls back, leaves every table as it was: no service committed
on its own. A step that fails is never swallowed: the request answers 500, the error is logged
with its traceback and nothing of the change is saved.
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
from balint_online.flows.payments import record_payment
from balint_online.flows.series import cancel_meeting, cancel_series, publish_series
from balint_online.notifications.models import OutboxMessage
from balint_online.pricing.models import Refund
from balint_online.rotation.models import PresenterTurn
from balint_online.series.services import SeriesInput, create_series
from tests.factories import ATTESTATION, PRICES, published_series
from tests.factories import apply as apply_by_api

pytestmark = pytest.mark.now("2026-09-01T12:00:00Z")


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
        application = apply(series, member, claims=[], answers=ATTESTATION)
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


@pytest.mark.parametrize("step", ["rotation.refresh", "calendar.member_joined"])
def test_a_failing_step_fails_the_request_is_logged_and_saves_nothing(api, leader, make_user, monkeypatch, caplog,
                                                                       step):
    from balint_online.calendar import services as calendar
    from balint_online.rotation import services as rotation

    series = published_series(api(leader))
    member = make_user()
    application = apply_by_api(api(member), series["id"])

    def broken(*args, **kwargs):
        raise RuntimeError(f"{step} broke")

    module, name = step.split(".")
    monkeypatch.setattr({"rotation": rotation, "calendar": calendar}[module], name, broken)
    with caplog.at_level(logging.ERROR):
        resp = api(leader).post(f"/api/v1/applications/{application['id']}/accept")
    assert resp.status_code == 500
    [record] = [r for r in caplog.records if r.exc_info and isinstance(r.exc_info[1], RuntimeError)]
    assert str(record.exc_info[1]) == f"{step} broke"  # logged with its traceback, not swallowed
    monkeypatch.undo()
    # Nothing of the acceptance stands: no member enrolled without a turn or an invitation.
    assert api(member).get(f"/api/v1/applications/{application['id']}").get_json()["status"] == "pending"
    assert api(leader).get(f"/api/v1/series/{series['id']}").get_json()["seats_left"] == 8
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.user_id == member.id, OutboxMessage.kind.in_(("application_accepted", "calendar_invite")))) == 0
