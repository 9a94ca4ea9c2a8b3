"""Financial aid through the API and the pages: register first, apply, awards within the limit, refunds owed."""

import html
import re
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
import requests
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from balint_online.aid.models import AidApplication
from balint_online.enrollment.models import Application
from balint_online.extensions import db
from balint_online.notifications.models import OutboxMessage
from balint_online.pricing.models import Refund
from balint_online.pricing.services import invoice_lines
from tests.browser import page_text
from tests.enrollment.test_concurrency import token_for
from tests.factories import apply, enrolled, published_series
from tests.live import live_server

pytestmark = pytest.mark.now("2026-07-01T12:00:00Z")

# The seed page's two programmes (000), in its words.
ABS = {"kind": "full_tuition", "name": "ABS Scholarship", "max_awards": 2, "deadline": "2026-07-31",
       "description": "Full tuition support for up to two individuals who have been accepted into an ABS "
                      "Leadership Training Intensive course."}
LEBOWITZ = {"kind": "reimbursement", "name": "Jerome and Maureen Lebowitz Scholarship", "deadline": "2026-07-31",
            "description": "Reimbursement of course registration for nurse practitioners and family medicine or "
                           "surgery residents.",
            "eligible": [{"disciplines": ["nurse_practitioner"]},
                         {"training": ["resident"], "specialties": ["family_medicine"]},
                         {"training": ["resident"], "specialties": ["surgery"]}]}
NEED = "The tuition is more than my department's training budget allows this year."


def programme(api, admin, series_id=None, **body):
    resp = api(admin).post("/api/v1/aid-programmes", json={**body, **({"series_id": series_id} if series_id else {})})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def ask(api, member, application, programme_id, **body):
    return api(member).post(f"/api/v1/applications/{application['id']}/aid",
                            json={"programme_id": programme_id, "statement": NEED, **body})


def test_two_full_awards_are_granted_and_a_third_is_refused(api, make_user, admin, leader):
    series = published_series(api(leader))
    abs_ = programme(api, admin, **ABS)  # the society's own, for every series
    members = [make_user(name=f"Member {n}") for n in range(3)]
    aid = []
    for member in members:
        a = enrolled(api, leader, series, member)
        resp = ask(api, member, a, abs_["id"])
        assert resp.status_code == 201 and resp.get_json()["status"] == "submitted"
        aid.append(resp.get_json())
    for granted in aid[:2]:
        resp = api(admin).post(f"/api/v1/aid-applications/{granted['id']}/award", json={})
        assert resp.status_code == 200 and resp.get_json()["status"] == "awarded"
        assert resp.get_json()["amount"] == "800.00"
    third = api(admin).post(f"/api/v1/aid-applications/{aid[2]['id']}/award", json={})
    assert third.status_code == 409 and third.get_json()["error"] == "limit_reached"
    assert "at most 2 per series" in third.get_json()["message"]
    assert api(members[2]).get(f"/api/v1/aid-applications/{aid[2]['id']}").get_json()["status"] == "submitted"
    owed = [api(admin).get(f"/api/v1/applications/{a['application_id']}").get_json()["amount_due"] for a in aid]
    assert owed == ["0.00", "0.00", "800.00"]
    # The limit is per series: another group has its own two.
    other = published_series(api(leader), title="Morning group")
    a = enrolled(api, leader, other, make_user())
    fourth = ask(api, db.session.get(type(members[0]), a["user_id"]), a, abs_["id"]).get_json()
    assert api(admin).post(f"/api/v1/aid-applications/{fourth['id']}/award", json={}).status_code == 200


def test_simultaneous_awards_never_exceed_the_limit(app, api, make_user, admin, leader):
    series = published_series(api(leader), capacity=6)
    abs_ = programme(api, admin, series_id=series["id"], **ABS)
    ids = []
    for _ in range(5):
        member = make_user()
        ids.append(ask(api, member, enrolled(api, leader, series, member), abs_["id"]).get_json()["id"])
    tokens = [token_for(admin) for _ in ids]
    with live_server(app) as base:
        barrier = Barrier(len(ids))

        def award(pair):
            aid_id, token = pair
            barrier.wait()
            return requests.post(f"{base}/api/v1/aid-applications/{aid_id}/award", json={},
                                 headers={"Authorization": f"Bearer {token}"}, timeout=60).status_code

        with ThreadPoolExecutor(max_workers=len(ids)) as pool:
            codes = sorted(pool.map(award, zip(ids, tokens, strict=True)))
    assert codes == [200, 200, 409, 409, 409]
    assert db.session.scalar(select(func.count()).where(AidApplication.status == "awarded")) == 2


def test_register_first_eligibility_and_the_deadline(api, make_user, admin, leader, clock):
    series = published_series(api(leader), first_meeting_local="2026-10-19T19:00")  # open after the July deadline
    leb = programme(api, admin, **LEBOWITZ)
    psychologist = make_user(discipline="psychologist")
    a = apply(api(psychologist), series["id"])
    refused = ask(api, psychologist, a, leb["id"])
    assert refused.status_code == 409 and refused.get_json()["error"] == "not_eligible"
    assert "nurse practitioners, family medicine residents or surgery residents" in refused.get_json()["message"]
    resident = make_user(discipline="physician")
    r = apply(api(resident), series["id"], trainee=True)
    assert ask(api, resident, r, leb["id"], training_status="resident", specialty="surgery").status_code == 201
    again = ask(api, resident, r, leb["id"], training_status="resident", specialty="surgery")
    assert again.status_code == 409 and again.get_json()["error"] == "already_applied"
    # Withdrawn: no longer registered.
    api(psychologist).post(f"/api/v1/applications/{a['id']}/withdraw", json={"reason": "plans changed"})
    assert ask(api, psychologist, a, leb["id"]).get_json()["error"] == "not_registered"
    bad = ask(api, resident, r, leb["id"], statement="help", training_status="intern")
    assert bad.status_code == 422 and set(bad.get_json()["fields"]) >= {"statement", "training_status"}
    clock.set("2026-08-01T12:00:00Z")  # the day after July 31 in New York
    np = make_user(discipline="nurse_practitioner")
    late = ask(api, np, apply(api(np), series["id"]), leb["id"])
    assert late.status_code == 409 and late.get_json()["error"] == "deadline_passed"


def test_a_reimbursement_after_payment_leaves_a_refund_owed_on_the_ledger_and_invoice(
        app, api, client, login, make_user,
                                                                                    admin, leader):
    series = published_series(api(leader))
    leb = programme(api, admin, series_id=series["id"], **LEBOWITZ)
    np = make_user(discipline="nurse_practitioner", name="Nora Practitioner")
    a = enrolled(api, leader, series, np)
    paid = api(admin).post(f"/api/v1/applications/{a['id']}/payments", json={"amount": "800.00", "method": "card"})
    assert paid.status_code == 201

    # The member applies on the page, from their registration; home says aid is there to apply for.
    login(np)
    home = page_text(client.get("/home"))
    assert "you may apply for Jerome and Maureen Lebowitz Scholarship (by Fri 31 Jul 2026)" in home
    assert "Financial aid" in page_text(client.get(f"/applications/{a['id']}"))
    resp = client.submit(f"/applications/{a['id']}/aid", {"programme_id": str(leb["id"]), "training_status": "none",
                                                          "specialty": "", "statement": NEED})
    assert resp.status_code == 302
    assert "Awaiting review" in page_text(client.get(f"/applications/{a['id']}/aid"))
    assert "Jerome and Maureen Lebowitz Scholarship" in page_text(client.get("/home"))
    client.post("/sign-out")

    # The administrator awards it from the review queue.
    login(admin)
    queue = page_text(client.get("/admin/aid"))
    assert "Nora Practitioner" in queue and NEED in queue
    aid_id = db.session.scalar(select(AidApplication.id))
    resp = client.submit(f"/admin/aid/{aid_id}/award", {}, page="/admin/aid")
    assert resp.status_code == 302
    refund = db.session.scalar(select(Refund))
    assert refund.amount == 800 and refund.status == "due" and refund.reason == "aid_awarded"
    ledger = page_text(client.get(f"/admin/series/{series['id']}/ledger"))
    assert "800.00" in ledger
    csv_rows = client.get(f"/admin/series/{series['id']}/ledger.csv").get_data(as_text=True).splitlines()
    row = next(r for r in csv_rows if "Nora Practitioner" in r)
    assert ",0.00,800.00,800.00,0.00,0.00" in row  # due 0, paid 800, refund due 800, refund paid 0, balance 0
    client.post("/sign-out")

    login(np)
    invoice = page_text(client.get(f"/applications/{a['id']}/invoice"))
    assert "Jerome and Maureen Lebowitz Scholarship: registration fee covered" in invoice
    assert "Refund due to you" in invoice and "800.00" in invoice
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "aid_decided"))
    assert "owed back to you" in mail.body_text


def test_declining_says_why_and_only_admins_decide(api, make_user, admin, leader):
    series = published_series(api(leader))
    abs_ = programme(api, admin, **ABS)
    member = make_user()
    aid = ask(api, member, enrolled(api, leader, series, member), abs_["id"]).get_json()
    assert api(member).post(f"/api/v1/aid-applications/{aid['id']}/award", json={}).status_code == 403
    assert api(leader).post("/api/v1/aid-programmes", json=ABS).status_code == 403
    assert api(admin).post(f"/api/v1/aid-applications/{aid['id']}/decline", json={}).status_code == 422
    resp = api(admin).post(f"/api/v1/aid-applications/{aid['id']}/decline",
                           json={"reason": "Both awards are promised."})
    assert resp.get_json()["status"] == "declined"
    assert api(admin).post(f"/api/v1/aid-applications/{aid['id']}/award",
                           json={}).get_json()["error"] == "not_submitted"
    shown = api(member).get(f"/api/v1/aid-applications/{aid['id']}").get_json()
    assert shown["decision_note"] == "Both awards are promised."


def test_full_tuition_needs_acceptance_first(api, make_user, admin, leader):
    series = published_series(api(leader))
    abs_ = programme(api, admin, **ABS)
    member = make_user()
    aid = ask(api, member, apply(api(member), series["id"]), abs_["id"]).get_json()
    resp = api(admin).post(f"/api/v1/aid-applications/{aid['id']}/award", json={})
    assert resp.status_code == 409 and resp.get_json()["error"] == "not_accepted"


def test_withdrawing_after_a_reimbursement_owes_nothing_more(api, make_user, admin, leader):
    series = published_series(api(leader))
    leb = programme(api, admin, **LEBOWITZ)
    np = make_user(discipline="nurse_practitioner")
    a = enrolled(api, leader, series, np)
    api(admin).post(f"/api/v1/applications/{a['id']}/payments", json={"amount": "800.00", "method": "card"})
    aid = ask(api, np, a, leb["id"]).get_json()
    assert api(admin).post(f"/api/v1/aid-applications/{aid['id']}/award", json={}).status_code == 200
    withdrawn = api(np).post(f"/api/v1/applications/{a['id']}/withdraw", json={"reason": "A new job."}).get_json()
    assert withdrawn["refund"]["amount"] == "0.00"
    assert sum(r.amount for r in db.session.scalars(select(Refund))) == 800


def test_a_direct_waiver_cannot_get_round_the_limit(api, make_user, admin, leader):
    series = published_series(api(leader))
    member = make_user()
    a = enrolled(api, leader, series, member)
    programme(api, admin, **ABS)
    resp = api(admin).post(f"/api/v1/applications/{a['id']}/scholarship", json={"reason": "Hardship"})
    assert resp.status_code == 409 and resp.get_json()["error"] == "aid_programme"
    assert "ABS Scholarship, at most 2 per series" in resp.get_json()["message"]


def test_fees_waived_before_the_award_was_recorded_on_the_application_name_their_programme(
        api, make_user, admin, leader):
    series = published_series(api(leader))
    leb = programme(api, admin, **LEBOWITZ)
    member = make_user(discipline="nurse_practitioner")
    a = enrolled(api, leader, series, member)
    aid = ask(api, member, a, leb["id"]).get_json()
    assert api(admin).post(f"/api/v1/aid-applications/{aid['id']}/award", json={}).status_code == 200
    db.session.remove()
    downgrade(revision="x1lang01")  # as before the application kept the programme's name
    upgrade(revision="heads")
    application = db.session.get(Application, a["id"])
    assert application.waived_by == LEBOWITZ["name"]
    assert invoice_lines(application)[-1].label == f"{LEBOWITZ['name']}: registration fee covered"


def test_the_queue_puts_the_waiting_first_and_a_new_programme_is_for_a_group_still_to_run(
        api, client, login, make_user, admin, leader, clock):
    summer = published_series(api(leader), title="Summer group")  # 20 July to 7 September
    published_series(api(leader), title="Autumn group", first_meeting_local="2026-10-19T19:00")
    dropped = published_series(api(leader), title="Dropped group", first_meeting_local="2026-09-21T19:00")
    bursary = programme(api, admin, kind="reimbursement", name="Bursary")
    asked = {}
    for day, name in enumerate(("Ann Early", "Ben Second", "Cal Third", "Dee Fourth"), start=2):
        clock.set(f"2026-07-0{day}T12:00:00Z")
        member = make_user(name=name)
        asked[name] = ask(api, member, enrolled(api, leader, summer, member), bursary["id"]).get_json()["id"]
    clock.set("2026-07-07T12:00:00Z")
    assert api(admin).post(f"/api/v1/aid-applications/{asked['Cal Third']}/award", json={}).status_code == 200
    clock.set("2026-07-08T12:00:00Z")
    assert api(admin).post(f"/api/v1/aid-applications/{asked['Ann Early']}/decline",
                           json={"reason": "Funds are spent."}).status_code == 200
    assert api(admin).post(f"/api/v1/series/{dropped['id']}/cancel", json={"reason": "Too few applicants"}) \
        .status_code == 200

    clock.set("2026-09-15T12:00:00Z")  # the summer group is over, the dropped one cancelled
    login(admin)
    page = client.get("/admin/aid").get_data(as_text=True)
    listed = [name for name in re.findall(r'">([A-Z][a-z]+ [A-Z][a-z]+)</a><br>', page) if name in asked]
    # Waiting, the longest first; then decided, the latest decision first.
    assert listed == ["Ben Second", "Dee Fourth", "Ann Early", "Cal Third"]
    select = re.search(r'<select[^>]*name="series_id".*?</select>', page, re.S).group(0)
    offered = [html.unescape(option) for option in re.findall(r"<option[^>]*>([^<]+)</option>", select)]
    assert offered == ["Every series (the society's programme)", "Autumn group"]
