"""Financial aid in Chromium on a phone: a nurse practitioner applies after registering, the administrator
awards from the queue, and the member's invoice shows the refund owed. Every page passes axe-core."""

import pytest

from balint_online.aid.rules import GROUPS
from balint_online.aid.services import create_programme
from balint_online.extensions import db
from tests.e2e.conftest import sign_in
from tests.e2e.test_journey import PASSWORD, accessible
from tests.factories import apply, published_series
from tests.live import live_server

pytestmark = pytest.mark.now("2026-07-01T12:00:00Z")


def test_a_reimbursement_applied_for_and_awarded_in_the_browser(app, api, make_user, new_page):
    admin = make_user("admin", email="ada@example.org", name="Ada Admin", password=PASSWORD)
    leader = make_user("leader", name="Dr Ruth Okafor")
    np = make_user(email="nora@example.org", name="Nora Practitioner", discipline="nurse_practitioner",
                   password=PASSWORD)
    series = published_series(api(leader))
    a = apply(api(np), series["id"])
    api(leader).post(f"/api/v1/applications/{a['id']}/accept")
    api(admin).post(f"/api/v1/applications/{a['id']}/payments", json={"amount": "800.00", "method": "card"})
    create_programme(admin, series_id=None, kind="reimbursement", name="Jerome and Maureen Lebowitz Scholarship",
                     description="Reimbursement of course registration for nurse practitioners and family medicine or "
                                 "surgery residents.", max_awards=None,
                     criteria=[GROUPS[g][1]
                               for g in ("nurse_practitioners", "family_medicine_residents", "surgery_residents")],
                     deadline=None)
    db.session.commit()
    with live_server(app) as base:  # the test's session ends here: people are named by their emails
        member = new_page(phone=True)
        sign_in(member, base, "nora@example.org", PASSWORD)
        member.goto(f"{base}/applications/{a['id']}")
        member.get_by_role("link", name="Financial aid").click()
        accessible(member, "phone-aid-apply")
        member.get_by_label("Jerome and Maureen Lebowitz Scholarship").check()  # preselected: the only one
        member.get_by_label("Why you are applying").fill("My clinic cannot fund training this year; I pay myself.")
        member.get_by_role("button", name="Send my aid application").click()
        member.get_by_text("Awaiting review").first.wait_for()

        office = new_page()
        sign_in(office, base, "ada@example.org", PASSWORD)
        office.goto(f"{base}/admin/aid")
        accessible(office, "admin-aid-queue")
        office.get_by_role("button", name="Award").click()
        office.get_by_text("awarded to Nora Practitioner").wait_for()

        member.goto(f"{base}/applications/{a['id']}/invoice")
        member.get_by_text("Refund due to you").wait_for()
        accessible(member, "phone-invoice-after-aid")
