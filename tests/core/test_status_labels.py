"""Statuses are StrEnums shared by models, schemas and templates: stored and answered as the same codes,
shown to people by their labels."""

import pytest
from sqlalchemy import text

from balint_online.aid.rules import AidStatus
from balint_online.core.labels import LabelledStrEnum, label
from balint_online.enrollment.models import Application, ApplicationStatus
from balint_online.extensions import db
from balint_online.pricing.models import PaymentStatus, RefundStatus
from balint_online.privacy.models import ErasureStatus
from balint_online.rotation.models import PlacementStatus, SwapStatus
from balint_online.series.models import MeetingStatus
from balint_online.series.scheduling import SeriesStatus
from balint_online.video.models import AttendanceStatus
from tests.browser import page_text
from tests.factories import apply, published_series

ENUMS = (ApplicationStatus, SeriesStatus, MeetingStatus, PaymentStatus, RefundStatus, SwapStatus, PlacementStatus,
         AidStatus, ErasureStatus, AttendanceStatus)


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_every_status_has_words_for_people(enum):
    assert issubclass(enum, LabelledStrEnum)
    labels = [member.label for member in enum]
    assert len(set(labels)) == len(labels)
    for member in enum:
        assert member == member.value and str(member) == member.value and label(member) == member.label
        assert member.label[0].isupper()


def test_the_label_filter_takes_what_it_is_given():
    assert label(ApplicationStatus.OFFERED) == "Offered a place"
    assert label(None) == "" and label("something else") == "something else"


def test_codes_are_stored_and_answered_unchanged_and_pages_show_labels(app, api, leader, login, make_user, clock):
    clock.set("2026-10-01T12:00:00Z")
    series = published_series(api(leader))
    member = make_user()
    body = apply(api(member), series["id"])
    assert body["status"] == "pending" and body["payment_status"] == "unpaid"
    assert db.session.execute(text("SELECT status FROM applications")).scalar_one() == "pending"
    application = db.session.get(Application, body["id"])
    assert application.status is ApplicationStatus.PENDING
    assert series["status"] == "open" and {m["status"] for m in series["meetings"]} == {"scheduled"}

    mine = page_text(login(member).get(f"/applications/{body['id']}"))
    assert "Awaiting the leaders' decision" in mine and "pending" not in mine
    assert api(leader).post(f"/api/v1/applications/{body['id']}/accept").get_json()["status"] == "enrolled"
    mine = page_text(login(member).get(f"/applications/{body['id']}"))
    assert "Enrolled" in mine and "Not paid yet" in mine and "unpaid" not in mine
    hub = page_text(login(leader).get(f"/lead/series/{series['id']}/applications"))
    assert "Open for applications ·" in hub and "Not paid yet (" in hub and "unpaid" not in hub
