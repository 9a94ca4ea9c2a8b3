"""The applying, application and leaders' pages, as members, leaders and admins use them."""

import re

import pytest
from sqlalchemy import func, select

from balint_online.enrollment import attestation
from balint_online.enrollment.models import Application
from balint_online.extensions import db
from balint_online.notifications.models import OutboxMessage
from tests.browser import page_text
from tests.factories import ATTESTATION, apply, published_series


@pytest.fixture
def series(api, leader):
    return published_series(api(leader), capacity=2, meeting_count=4)


def confirmed(*keys, **extra) -> dict:
    return {**{f"attest_{k}": "y" for k in keys}, **extra}


def application_count() -> int:
    return db.session.scalar(select(func.count(Application.id)))


def test_apply_page_states_the_commitment_dates_in_both_zones_and_the_price(login, make_user, series):
    member = make_user(timezone="Europe/London")
    body = page_text(login(member).get(f"/series/{series['id']}/apply"))
    assert attestation.INTRO in body
    for item in attestation.ITEMS:
        assert item.text in body
    # 19:00 in New York on 19 October is midnight in London.
    assert "Tue 20 Oct 2026, 00:00 – 01:30 BST" in body and "Mon 19 Oct 2026, 19:00 EDT" in body
    assert "800.00 USD" in body and "Non-member rate, early-bird" in body
    assert "Please include no patient details" in body


def test_the_price_follows_the_trainee_box_without_applying(login, make_user, series):
    client = login(make_user())
    resp = client.submit(f"/series/{series['id']}/apply", {"trainee": "y", "recalculate": "Update the price"})
    body = page_text(resp)
    assert resp.status_code == 200 and "450.00 USD" in body and "Trainee" in body
    assert "Please confirm this commitment" not in body and application_count() == 0


def test_missing_commitments_are_each_named_and_what_was_typed_is_kept(login, make_user, series):
    client = login(make_user())
    kept = ("clinically_active", "willing_to_present", "confidentiality")
    resp = client.submit(f"/series/{series['id']}/apply",
                         confirmed(*kept, trainee="y", note="I work in a rural practice.", submit="Apply"))
    body = page_text(resp)
    assert resp.status_code == 422 and application_count() == 0
    wording = {item.key: item.text for item in attestation.ITEMS}
    summary = body.split('class="error-summary"')[1].split("</div>")[0]
    assert f"{wording['attend_all_sessions']}: Please confirm this commitment." in summary
    # The society's advisory about a stressful period is advice with a contact, not a box.
    for key in (*kept, "emotional_readiness"):
        assert wording[key] not in summary
    assert wording["emotional_readiness"] in body and "Contact the faculty of the group" in body
    assert "I work in a rural practice.</textarea>" in body
    assert "checked" in re.search(r'<input[^>]*id="trainee"[^>]*>', body).group(0)
    assert "450.00 USD" in body  # the price still follows the ticked box


def test_applying_then_following_the_application(login, make_user, series):
    member = make_user()
    client = login(member)
    resp = client.submit(f"/series/{series['id']}/apply", confirmed(*ATTESTATION, note="Rural GP", submit="Apply"))
    application = db.session.scalar(select(Application))
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/applications/{application.id}")
    assert application.note == "Rural GP" and application.claims == [] and str(application.price) == "800.00"
    body = page_text(client.get(f"/applications/{application.id}"))
    # Pending: the locked price is stated, but nothing is owed, so no account, balance or "unpaid".
    assert "Awaiting the leaders' decision" in body and "Nothing to pay now" in body and "800.00 USD" in body
    assert "Balance" not in body and "unpaid" not in body.lower() and "Not paid" not in body
    # Coming back to the form leads to the application instead of a second one.
    assert client.get(f"/series/{series['id']}/apply").headers["Location"].endswith(f"/applications/{application.id}")
    home = page_text(client.get("/home"))
    # Pending: no invoice, no amount and no payment to make until the member owes the fee.
    assert "Evening group" in home and "Awaiting the leaders' decision" in home
    assert "Invoices and payments" not in home and "800.00" not in home and "to pay" not in home


def test_home_has_a_clear_empty_state(login, make_user):
    body = page_text(login(make_user()).get("/home"))
    assert "You have not applied to a group yet" in body


def test_series_page_invites_to_apply_or_to_the_waiting_list(api, client, leader, make_user):
    full = published_series(api(leader), capacity=1, meeting_count=2)
    assert "Apply for a place" in page_text(client.get(f"/series/{full['id']}"))
    taken = apply(api(make_user()), full["id"])
    api(leader).post(f"/api/v1/applications/{taken['id']}/accept")
    assert "Full: join the waiting list" in page_text(client.get(f"/series/{full['id']}"))


def test_waiting_list_offer_and_withdrawal_with_the_refund_shown_first(app, api, login, leader, make_user):
    series = published_series(api(leader), capacity=1, meeting_count=2)
    first, second = make_user(), make_user()
    a, b = apply(api(first), series["id"]), apply(api(second), series["id"])
    for x in (a, b):
        api(leader).post(f"/api/v1/applications/{x['id']}/accept")
    api(make_user("admin")).post(f"/api/v1/applications/{a['id']}/payments",
                                 json={"amount": "800.00", "method": "cheque"})

    client = login(second)
    assert "Number 1 in the queue" in page_text(client.get(f"/applications/{b['id']}"))
    client = login(first)
    preview = page_text(client.get(f"/applications/{a['id']}/withdraw"))
    assert "Amount paid" in preview and "800.00" in preview and "-100.00" in preview and "700.00 USD" in preview
    refused = client.submit(f"/applications/{a['id']}/withdraw", {"reason": ""})
    assert refused.status_code == 422 and "Please say why" in page_text(refused)
    done = client.submit(f"/applications/{a['id']}/withdraw", {"reason": "A family illness"}, follow_redirects=True)
    assert "Refund: 700.00 USD" in page_text(done) and "Withdrawn" in page_text(done)

    assert app.test_cli_runner().invoke(args=["jobs", "run-due"]).exit_code == 0
    client = login(second)
    offered = f"/applications/{b['id']}"
    offer = page_text(client.get(offered))
    assert "Accept the place" in offer and "Sat 3 Oct 2026, 08:00 EDT" in offer
    taken = client.submit(f"{offered}/accept-offer", page=offered, follow_redirects=True)
    assert "your place in Evening group is confirmed" in page_text(taken) and "Enrolled" in page_text(taken)


def test_members_see_only_their_own(api, login, make_user, series):
    a = apply(api(make_user()), series["id"])
    client = login(make_user())
    # Someone else's application is one they may not know of: the 404 of an unused id.
    assert client.get(f"/applications/{a['id']}").status_code == 404
    assert client.get(f"/applications/{a['id']}/withdraw").status_code == 404
    # A hand-built post: no page offers this member someone else's place.
    forged = client.post(f"/applications/{a['id']}/accept-offer", data={"csrf_token": client.csrf_token("/home")})
    assert forged.status_code == 404
    assert client.get(f"/lead/series/{series['id']}/applications").status_code == 403


def test_leaders_review_only_their_series_and_admins_every_one(api, client, login, leader, make_user, series):
    apply(api(make_user()), series["id"])
    assert login(make_user("leader")).get(f"/lead/series/{series['id']}/applications").status_code == 403
    assert login(leader).get(f"/lead/series/{series['id']}/applications").status_code == 200
    assert login(make_user("admin")).get(f"/lead/series/{series['id']}/applications").status_code == 200


def test_leaders_see_everything_on_file_and_accept_or_decline_with_a_reason(api, login, leader, make_user, series):
    from datetime import date

    resident = make_user(name="Dr Lee Park", discipline="psychologist", member_until=date(2027, 6, 30))
    other = make_user(name="Sam Other")
    a = apply(api(resident), series["id"], trainee=True, note="Hospital psychologist, second year.")
    b = apply(api(other), series["id"])
    client = login(leader)
    roster_page = f"/lead/series/{series['id']}/applications"
    roster = page_text(client.get(roster_page))
    assert "Awaiting your decision (2)" in roster
    for expected in (
        "Dr Lee Park",
        "Psychologist",
        "Yes (resident, student or fellow)",
        "Society member, until Wed 30 Jun 2027",
        "Hospital psychologist, second year.",
        f"Confirmed: “{attestation.ITEMS[-1].text}”",
        "Accept Dr Lee Park",
        "Decline Sam Other",
    ):
        assert expected in roster
    # Nobody owes anything yet: no payment line, and no empty groups of applicants.
    assert (
        "unpaid" not in roster and "Not paid" not in roster and "None." not in roster and "Enrolled (0)" not in roster
    )

    accepted = client.submit(f"/lead/applications/{a['id']}/accept", page=roster_page, follow_redirects=True)
    assert "Dr Lee Park is enrolled" in page_text(accepted) and "Enrolled (1)" in page_text(accepted)
    # Removing someone who holds a place is not "declining" them, and says what they get back.
    assert "Remove Dr Lee Park from the group…" in page_text(accepted) and "Decline Dr Lee Park" not in page_text(
        accepted
    )
    removal = page_text(client.get(f"/lead/applications/{a['id']}/decline"))
    assert "Remove Dr Lee Park from the group" in removal and "They have paid nothing, so no refund is due." in removal

    refused = client.submit(f"/lead/applications/{b['id']}/decline", {"reason": "  "})
    assert refused.status_code == 422 and "A reason is required: the applicant is told." in page_text(refused)
    declined = client.submit(f"/lead/applications/{b['id']}/decline", {"reason": "The group is for hospital staff"},
                             follow_redirects=True)
    body = page_text(declined)
    assert "Declined (1)" in body and "The group is for hospital staff" in body and "Dr Ruth" in body
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "application_declined"))
    assert mail.recipient == other.email and "The group is for hospital staff" in mail.body_text


def test_a_group_that_has_started_takes_no_applications(api, clock, login, make_user, series):
    applicant = make_user()
    clock.set("2026-10-20T12:00:00Z")
    client = login(applicant)
    # A form kept from before the start (a hand-built post with the session's token): refused.
    token = client.csrf_token("/home")
    body = page_text(client.get(f"/series/{series['id']}/apply"))
    assert "This group is not taking applications (under way)." in body and "Update the price" not in body
    resp = client.post(f"/series/{series['id']}/apply", data=confirmed(*ATTESTATION, submit="Apply", csrf_token=token))
    assert resp.status_code == 422 and "has already started" in page_text(resp) and application_count() == 0
