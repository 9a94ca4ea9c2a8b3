"""What a member, a leader and a visitor see first: the home page's order, money by state, and the public
series page."""

import re
from datetime import timedelta

from sqlalchemy import select

from balint_online.enrollment import attestation
from balint_online.extensions import db
from balint_online.series.models import Meeting
from tests.browser import page_text
from tests.factories import apply, enrolled, published_series


def words(resp) -> str:
    """The page's text as read: tags out, white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page_text(resp)).split())


def test_the_member_home_opens_on_the_next_meeting_then_what_needs_them(api, clock, login, leader, admin, make_user):
    member = make_user(name="Dr Jo Alvarez", timezone="Europe/London")
    series = published_series(api(leader))
    enrolled(api, leader, series, member)
    waiting = published_series(api(leader), title="Thursday lunchtime group")
    apply(api(member), waiting["id"])
    home = page_text(login(member).get("/home"))
    # Next meeting first (in the member's zone, with a countdown), then the fee owed, then the rest.
    assert (
        home.index("Your next meeting") < home.index("Needs your action") < home.index("Your groups and applications")
    )
    assert "Tue 20 Oct 2026, 00:00 – 01:30 BST (next day)" not in home  # ends the same day in London
    assert (
        "Tue 20 Oct 2026, 00:00 – 01:30 BST" in home
        and "starts <strong>in 18 days</strong>" in home
        and "You present</strong> at this meeting" in home
    )
    assert "800.00 USD to pay for Evening group" in home and "How to pay" in home
    assert "Pay 800.00 USD" not in home  # no card provider: no button that takes no payment
    # The pending application shows its state, never an amount.
    assert "Thursday lunchtime group" in home and "Awaiting the leaders' decision" in home
    assert home.count("800.00") == 3  # the fee to pay, and its invoice line's due and balance; none for the pending one

    # Inside the join window, with the room ready, the way in is on the first card.
    first = db.session.scalar(select(Meeting).where(Meeting.series_id == series["id"], Meeting.number == 1))
    first.video_room = {"url": "https://meet.jit.si/room"}
    db.session.commit()
    clock.set(first.starts_at - timedelta(hours=1))
    early = page_text(login(member).get("/home"))
    assert "Join the video meeting" not in early and "The way in opens here at 23:45 BST" in early
    clock.set(first.starts_at - timedelta(minutes=10))
    now_open = page_text(login(member).get("/home"))
    assert now_open.index("Join the video meeting") < now_open.index("Needs your action")


def test_a_leader_opens_on_the_decisions_waiting_and_never_reads_they_have_not_applied(api, login, leader, make_user):
    series = published_series(api(leader))
    for n in range(2):
        apply(api(make_user(name=f"Applicant {n}")), series["id"])
    other_leader = make_user("leader")
    apply(api(make_user(name="Applicant elsewhere")), published_series(api(other_leader))["id"])
    client = login(leader)
    home = page_text(client.get("/home"))
    assert home.index("Waiting for your decision: 2 applications") < home.index("Groups you lead")
    assert "You have not applied to a group yet" not in home
    assert "2 applications waiting" in home and "Open for applications" in home and "0 of 8 places taken" in home
    lead = page_text(client.get("/lead"))
    assert lead.index("Waiting for your decision: 2 applications") < lead.index("Create a series")
    # The count is in the menu on every page: each leader's own.
    assert 'Leading <span class="badge" title="2 applications waiting for your decision">2</span>' in client.get(
        "/").get_data(as_text=True)
    assert 'Leading <span class="badge" title="1 application waiting for your decision">1</span>' in login(
        other_leader).get("/").get_data(as_text=True)


def test_an_overpayment_is_a_credit_to_the_member_and_flagged_to_admins(api, login, leader, admin, make_user):
    member = make_user(name="Dr Jo Alvarez")
    series = published_series(api(leader))
    a = enrolled(api, leader, series, member)
    resp = api(admin).post(f"/api/v1/applications/{a['id']}/payments",
                           json={"amount": "850.00", "method": "transfer", "reference": "BANK-1"})
    assert resp.status_code == 201, resp.get_json()
    client = login(member)
    for page in (
        client.get("/home"),
        client.get(f"/applications/{a['id']}"),
        client.get(f"/applications/{a['id']}/invoice"),
    ):
        text = page_text(page)
        assert (
            "In credit: 50.00 USD" in text and "-50.00" not in text and "to pay" not in text.replace("How to pay", "")
        )
    client.post("/sign-out", data={"csrf_token": client.csrf_token("/home")})
    flagged = page_text(login(admin).get("/admin/"))
    assert "Members in credit (1)" in flagged and "Dr Jo Alvarez" in flagged and "50.00 USD" in flagged


def test_the_public_series_page_says_what_a_clinician_decides_on(api, client, login, leader, make_user):
    series = published_series(api(leader), timezone="America/New_York")
    login(leader)
    saved = client.submit("/account/background", {"background": "Family physician; Balint leader since 2012."},
                          page="/account")
    assert saved.status_code == 302
    credit_page = f"/lead/series/{series['id']}/credit"
    assert client.submit(credit_page, {"minutes_per_meeting": "90", "min_meetings": "6", "grace_minutes": "10",
                                       "statements": ""}).status_code == 302
    assert (
        client.submit(
            f"/lead/series/{series['id']}/credit/lines",
            {"body": "apa", "amount": "12", "credit_type": "", "statement": ""},
            page=credit_page,
        ).status_code
        == 302
    )
    client.post("/sign-out", data={"csrf_token": client.csrf_token("/home")})

    page = words(client.get(f"/series/{series['id']}"))  # a visitor, before any account exists
    assert "Dr Ruth" in page and "Family physician; Balint leader since 2012." in page
    assert attestation.INTRO in page and all(item.text in page for item in attestation.ITEMS)
    assert (
        "Up to 12.00 hours" in page and "American Psychological Association: 12 CE credits, for psychologist." in page
    )
    assert "Non-member" in page and "800.00 USD" in page and "875.00 USD" in page and "Mon 5 Oct 2026" in page
    assert "ruth@example.org" in page  # whom to ask, with no society contact configured
    assert "2026-10-" not in page  # one date style: no ISO dates
    # In UTC the group's own time reads differently, so it is shown beside; in New York it is not repeated.
    assert "Group's time" in page
    member = make_user(timezone="America/New_York")
    a = apply(api(member), series["id"])
    api(leader).post(f"/api/v1/applications/{a['id']}/accept")
    mine = words(login(member).get(f"/series/{series['id']}"))
    assert "You're in this group" in mine and "Apply for a place" not in mine and "Group's time" not in mine


def test_a_too_long_background_is_refused_and_kept(login, leader, client):
    login(leader)
    refused = client.submit("/account/background", {"background": "x" * 601}, page="/account")
    assert refused.status_code == 422 and "x" * 601 in refused.get_data(as_text=True)
    assert leader.background == ""
