"""Applying, leaders' decisions, the waiting list and withdrawals, through the API."""


import pytest
from sqlalchemy import select

from balint_online.audit.models import AuditEntry
from balint_online.extensions import db
from tests.factories import ATTESTATION, apply, mails, published_series, run_jobs


@pytest.fixture
def series(api, leader):
    return published_series(api(leader), capacity=2, meeting_count=4)


def test_apply_records_the_attestation_and_locks_the_price(api, make_user, series):
    member = make_user(member_until=None)
    body = apply(api(member), series["id"], note="I work in a rural practice.")
    assert body["status"] == "pending"
    assert body["price"]["amount"] == "800.00" and body["price"]["period"] == "early"
    assert body["price"]["category"] == "standard" and body["currency"] == "USD"
    items = body["attestation"]["items"]
    assert [i["key"] for i in items] == list(ATTESTATION) and all(i["confirmed"] for i in items)
    assert "confidential" in items[-1]["text"] and body["attestation"]["version"] == 2
    advice = items[3]
    assert advice["key"] == "emotional_readiness" and advice["required"] is False
    assert advice["contact"] == "Contact the faculty of the group you are interested in if you are unsure."
    assert mails("application_received")[0].recipient == member.email
    assert "800.00 USD" in mails("application_received")[0].body_text


def test_member_rate_comes_from_the_membership_record(api, make_user, series):
    from datetime import date

    member = make_user(member_until=date(2027, 1, 1))
    resident = make_user(member_until=date(2027, 1, 1))
    assert apply(api(member), series["id"])["price"]["amount"] == "650.00"
    body = apply(api(resident), series["id"], trainee=True)
    assert body["price"]["category"] == "member_trainee"


REQUIRED = [k for k in ATTESTATION if k != "emotional_readiness"]


@pytest.mark.parametrize("missing", REQUIRED)
def test_each_missing_or_false_attestation_item_is_named(api, make_user, series, missing):
    client = api(make_user())
    for answers in ({k: v for k, v in ATTESTATION.items() if k != missing}, {**ATTESTATION, missing: False},
                    {**ATTESTATION, missing: "yes"}):
        resp = client.post(f"/api/v1/series/{series['id']}/applications",
                           json={"trainee": False, "attestation": answers})
        assert resp.status_code == 422
        assert list(resp.get_json()["fields"]) == [f"attestation.{missing}"]


def test_no_attestation_names_every_item(api, make_user, series):
    resp = api(make_user()).post(f"/api/v1/series/{series['id']}/applications", json={"trainee": False})
    assert resp.status_code == 422
    assert set(resp.get_json()["fields"]) == {f"attestation.{k}" for k in REQUIRED}


def test_the_advisory_about_a_stressful_period_is_accepted_but_not_required(api, make_user, series):
    without = {k: v for k, v in ATTESTATION.items() if k != "emotional_readiness"}
    body = apply(api(make_user()), series["id"], attestation=without)
    assert {i["key"]: i["confirmed"] for i in body["attestation"]["items"]}["emotional_readiness"] is False
    sent = apply(api(make_user()), series["id"])
    assert {i["key"]: i["confirmed"] for i in sent["attestation"]["items"]}["emotional_readiness"] is True


def test_applying_twice_is_a_conflict(api, make_user, series):
    client = api(make_user())
    apply(client, series["id"])
    resp = client.post(f"/api/v1/series/{series['id']}/applications",
                       json={"trainee": False, "attestation": ATTESTATION})
    assert resp.status_code == 409 and resp.get_json()["error"] == "already_applied"


def test_applications_to_closed_series_are_conflicts(api, leader, make_user, clock):
    member = api(make_user())
    draft = api(leader).post("/api/v1/series", json={
        "title": "Draft", "timezone": "UTC", "first_meeting_local": "2026-11-02T18:00",
        "prices": {"standard": {"regular": "10.00"}}}).get_json()
    resp = member.post(f"/api/v1/series/{draft['id']}/applications", json={"attestation": ATTESTATION})
    assert resp.status_code == 409 and "not open" in resp.get_json()["message"]

    cancelled = published_series(api(leader), title="Cancelled soon")
    from balint_online.series.models import Series
    db.session.get(Series, cancelled["id"]).lifecycle = "cancelled"
    db.session.commit()
    resp = member.post(f"/api/v1/series/{cancelled['id']}/applications", json={"attestation": ATTESTATION})
    assert resp.status_code == 409 and resp.get_json()["error"] == "series_cancelled"

    running = published_series(api(leader), title="Running")
    clock.set("2026-10-20T12:00:00Z")
    resp = member.post(f"/api/v1/series/{running['id']}/applications", json={"attestation": ATTESTATION})
    assert resp.status_code == 409 and resp.get_json()["error"] == "series_running"


def test_accepting_fills_seats_then_waitlists_in_order(api, leader, make_user, series):
    members = [make_user() for _ in range(4)]
    apps = [apply(api(m), series["id"]) for m in members]
    results = [api(leader).post(f"/api/v1/applications/{a['id']}/accept").get_json() for a in apps]
    assert [r["status"] for r in results] == ["enrolled", "enrolled", "waitlisted", "waitlisted"]
    assert [r["waitlist_position"] for r in results[2:]] == [1, 2]
    assert api(None).get(f"/api/v1/series/{series['id']}").get_json()["seats_left"] == 0
    assert api(None).get(f"/api/v1/series/{series['id']}").get_json()["status"] == "full"
    assert len(mails("application_accepted")) == 2 and len(mails("application_waitlisted")) == 2
    assert "number 2 on the waiting list" in mails("application_waitlisted")[1].body_text


def test_a_freed_seat_is_offered_to_the_first_waiting_and_new_applicants_do_not_jump_the_queue(
        app, api, leader, make_user, series, clock):
    members = [make_user() for _ in range(4)]
    apps = [apply(api(m), series["id"]) for m in members]
    for a in apps[:3]:
        api(leader).post(f"/api/v1/applications/{a['id']}/accept")
    withdrawn = api(members[0]).post(f"/api/v1/applications/{apps[0]['id']}/withdraw", json={"reason": "Moved job"})
    assert withdrawn.get_json()["status"] == "withdrawn"
    # Before the scheduler runs, a new acceptance must not take the freed seat.
    late = api(leader).post(f"/api/v1/applications/{apps[3]['id']}/accept").get_json()
    assert late["status"] == "waitlisted" and late["waitlist_position"] == 2
    run_jobs(app)
    offered = api(members[2]).get(f"/api/v1/applications/{apps[2]['id']}").get_json()
    assert offered["status"] == "offered"
    assert offered["offer_expires_at"] == "2026-10-03T12:00:00Z"  # 48 hours, the series' setting
    assert "until" in mails("waitlist_offer")[0].body_text
    taken = api(members[2]).post(f"/api/v1/applications/{apps[2]['id']}/accept-offer").get_json()
    assert taken["status"] == "enrolled"
    run_jobs(app)
    assert api(members[3]).get(f"/api/v1/applications/{apps[3]['id']}").get_json()["status"] == "waitlisted"


def test_lapsed_offers_pass_on(app, api, leader, make_user, series, clock):
    members = [make_user() for _ in range(4)]
    apps = [apply(api(m), series["id"]) for m in members]
    for a in apps:
        api(leader).post(f"/api/v1/applications/{a['id']}/accept")
    api(leader).post(f"/api/v1/applications/{apps[0]['id']}/decline", json={"reason": "Not a fit for this group"})
    run_jobs(app)
    assert api(members[2]).get(f"/api/v1/applications/{apps[2]['id']}").get_json()["status"] == "offered"
    clock.set("2026-10-03T11:59:00Z")
    run_jobs(app)
    assert api(members[2]).get(f"/api/v1/applications/{apps[2]['id']}").get_json()["status"] == "offered"
    clock.set("2026-10-03T12:00:00Z")
    late_take = api(members[2]).post(f"/api/v1/applications/{apps[2]['id']}/accept-offer")
    assert late_take.status_code == 409
    run_jobs(app)
    assert api(members[2]).get(f"/api/v1/applications/{apps[2]['id']}").get_json()["status"] == "offer_expired"
    nxt = api(members[3]).get(f"/api/v1/applications/{apps[3]['id']}").get_json()
    assert nxt["status"] == "offered" and nxt["offer_expires_at"] == "2026-10-05T12:00:00Z"
    assert len(mails("offer_expired")) == 1
    # Running the jobs again changes nothing: no second offer, no second email.
    run_jobs(app)
    assert len(mails("waitlist_offer")) == 2


def test_someone_who_took_an_offer_and_withdrew_is_not_offered_again(app, api, leader, make_user, series):
    members = [make_user() for _ in range(4)]
    apps = [apply(api(m), series["id"]) for m in members]
    for a in apps:
        api(leader).post(f"/api/v1/applications/{a['id']}/accept")
    api(members[0]).post(f"/api/v1/applications/{apps[0]['id']}/withdraw", json={"reason": "ill"})
    run_jobs(app)
    api(members[2]).post(f"/api/v1/applications/{apps[2]['id']}/accept-offer")
    api(members[2]).post(f"/api/v1/applications/{apps[2]['id']}/withdraw", json={"reason": "changed my mind"})
    again = apply(api(members[2]), series["id"])
    assert api(leader).post(f"/api/v1/applications/{again['id']}/accept").get_json()["waitlist_position"] == 2
    run_jobs(app)
    assert api(members[3]).get(f"/api/v1/applications/{apps[3]['id']}").get_json()["status"] == "offered"
    api(members[3]).post(f"/api/v1/applications/{apps[3]['id']}/withdraw", json={"reason": "no longer free"})
    run_jobs(app)
    assert api(members[2]).get(f"/api/v1/applications/{again['id']}").get_json()["status"] == "waitlisted"
    assert api(None).get(f"/api/v1/series/{series['id']}").get_json()["seats_left"] == 1


def test_history_is_an_append_only_audit_log(api, leader, make_user, series):
    member = make_user()
    a = apply(api(member), series["id"])
    api(leader).post(f"/api/v1/applications/{a['id']}/accept")
    api(member).post(f"/api/v1/applications/{a['id']}/withdraw", json={"reason": "Family illness"})
    history = api(leader).get(f"/api/v1/applications/{a['id']}").get_json()["history"]
    assert [(h["action"], h["to"]) for h in history] == [("applied", "pending"), ("accepted", "enrolled"),
                                                        ("withdrawn", "withdrawn")]
    assert history[-1]["reason"] == "Family illness" and history[1]["by"] == "Dr Ruth"
    entry = db.session.scalars(select(AuditEntry)).first()
    entry.reason = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()


def test_member_sees_only_their_own_and_leaders_only_their_series(api, leader, make_user, series):
    member, other = make_user(), make_user()
    a = apply(api(member), series["id"])
    # Someone else's application is not found, as an unused id is not: ids reveal nothing.
    assert api(other).get(f"/api/v1/applications/{a['id']}").status_code == 404
    assert "history" not in api(member).get(f"/api/v1/applications/{a['id']}").get_json()
    stranger = make_user("leader")
    assert api(stranger).get(f"/api/v1/applications/{a['id']}").status_code == 404
    assert api(stranger).post(f"/api/v1/applications/{a['id']}/accept").status_code == 404
    assert api(stranger).post(f"/api/v1/applications/{a['id']}/decline", json={"reason": "x"}).status_code == 404
    assert api(stranger).get(f"/api/v1/series/{series['id']}/roster").status_code == 403
    assert api(member).get(f"/api/v1/series/{series['id']}/roster").status_code == 403
    assert api(member).post(f"/api/v1/applications/{a['id']}/accept").status_code == 403
    assert api(None).get(f"/api/v1/applications/{a['id']}").status_code == 401
    roster = api(leader).get(f"/api/v1/series/{series['id']}/roster").get_json()
    assert roster["applications"][0]["discipline"] == "physician"
    assert roster["applications"][0]["payment_status"] == "unpaid"


def test_decline_needs_a_reason_and_tells_the_applicant(api, leader, make_user, series):
    member = make_user()
    a = apply(api(member), series["id"])
    assert api(leader).post(f"/api/v1/applications/{a['id']}/decline", json={}).status_code == 422
    resp = api(leader).post(f"/api/v1/applications/{a['id']}/decline", json={"reason": "The group is for GPs"})
    assert resp.get_json()["status"] == "declined"
    assert "The group is for GPs" in mails("application_declined")[0].body_text
    assert api(leader).post(f"/api/v1/applications/{a['id']}/accept").status_code == 409


def test_nobody_joins_when_too_few_meetings_are_left_to_present(app, api, leader, make_user, clock):
    series = published_series(api(leader), capacity=2, meeting_count=2)
    members = [make_user() for _ in range(3)]
    apps = [apply(api(m), series["id"]) for m in members]
    for a in apps:
        api(leader).post(f"/api/v1/applications/{a['id']}/accept")
    clock.set("2026-10-20T12:00:00Z")  # the first of two meetings is over
    api(members[0]).post(f"/api/v1/applications/{apps[0]['id']}/withdraw", json={"reason": "ill"})
    run_jobs(app)
    # One meeting left and one enrolled member still to present: no room for a late joiner.
    assert api(members[2]).get(f"/api/v1/applications/{apps[2]['id']}").get_json()["status"] == "waitlisted"


def test_society_cancelling_the_series_refunds_everyone_in_full(api, leader, make_user, series):
    members = [make_user() for _ in range(3)]
    apps = [apply(api(m), series["id"]) for m in members]
    for a in apps:
        api(leader).post(f"/api/v1/applications/{a['id']}/accept")
    admin = api(make_user("admin"))
    admin.post(f"/api/v1/applications/{apps[0]['id']}/payments", json={"amount": "800.00", "method": "cheque"})
    assert api(leader).post(f"/api/v1/series/{series['id']}/cancel", json={}).status_code == 422
    resp = api(leader).post(f"/api/v1/series/{series['id']}/cancel", json={"reason": "Both leaders are unwell."})
    body = resp.get_json()
    assert body["status"] == "cancelled" and {m["status"] for m in body["meetings"]} == {"cancelled"}
    first = api(members[0]).get(f"/api/v1/applications/{apps[0]['id']}").get_json()
    assert first["status"] == "cancelled" and first["payment_status"] == "refund-due"
    assert "800.00 USD" in mails("series_cancelled")[0].body_text
    assert len(mails("series_cancelled")) == 3
    assert api(leader).post(f"/api/v1/series/{series['id']}/cancel", json={"reason": "again"}).status_code == 409
