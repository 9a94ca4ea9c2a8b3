"""Recording payments once, scholarships, refunds, the series ledger and the complimentary membership."""

import csv
import io
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from balint_online.accounts.models import Membership
from balint_online.admin.services import add_membership, ledger_export
from balint_online.audit.models import AuditEntry
from balint_online.extensions import db
from balint_online.pricing.models import MembershipOffer, Payment, Refund
from balint_online.series.models import Series
from tests.browser import page_text
from tests.factories import apply, enrolled, mails, published_series


def payments() -> int:
    return db.session.scalar(select(func.count(Payment.id)))


def test_a_payment_form_sent_twice_counts_once(api, login, leader, admin, make_user):
    series = published_series(api(leader))
    member = make_user()
    a = enrolled(api, leader, series, member)
    client = login(admin)
    shown = f"/admin/applications/{a['id']}"
    # The one form as the page showed it, sent twice (a double click, or Back and send again).
    form = client.form(f"{shown}/payments", page=shown)
    key = form["idempotency_key"]
    data = {**form, "amount": "800.00", "method": "transfer", "reference": "BANK-1"}
    first = client.post(f"{shown}/payments", data=data, follow_redirects=True)
    assert "Payment of 800.00 USD recorded" in page_text(first)
    second = client.post(f"{shown}/payments", data=data, follow_redirects=True)
    assert "already recorded" in page_text(second)
    assert payments() == 1 and len(mails("payment_received")) == 1
    assert "Balance still to pay: 0.00 USD" in mails("payment_received")[0].body_text
    # A fresh form carries a fresh key.
    assert key not in page_text(client.get(f"/admin/applications/{a['id']}"))


def test_a_bad_amount_is_refused_and_kept(api, login, leader, admin, make_user):
    series = published_series(api(leader))
    a = enrolled(api, leader, series, make_user())
    resp = login(admin).submit(f"/admin/applications/{a['id']}/payments",
                               {"amount": "80.005", "method": "cash", "idempotency_key": "form:k1"},
                               page=f"/admin/applications/{a['id']}")
    body = page_text(resp)
    assert resp.status_code == 422 and "at most two decimal places" in body and 'value="80.005"' in body
    assert 'value="form:k1"' in body and payments() == 0


def test_an_amount_of_only_spaces_is_refused_not_a_server_error(api, login, leader, admin, make_user):
    series = published_series(api(leader))
    a = enrolled(api, leader, series, make_user())
    resp = login(admin).submit(f"/admin/applications/{a['id']}/payments",
                               {"amount": "   ", "method": "cash", "idempotency_key": "form:k2"},
                               page=f"/admin/applications/{a['id']}")
    assert resp.status_code == 422 and "Write an amount, like 875.00." in page_text(resp)
    assert payments() == 0


def test_the_api_records_a_retried_payment_once(api, leader, admin, make_user):
    series = published_series(api(leader))
    a = enrolled(api, leader, series, make_user())
    client = api(admin)
    body = {"amount": "800.00", "method": "transfer", "reference": "BANK-2"}
    first = client.post(f"/api/v1/applications/{a['id']}/payments", json=body, headers={"Idempotency-Key": "retry-1"})
    again = client.post(f"/api/v1/applications/{a['id']}/payments", json=body, headers={"Idempotency-Key": "retry-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["id"] == again.get_json()["id"] and payments() == 1
    assert again.get_json()["payment_status"] == "paid"


def test_scholarship_through_the_api(api, client, login, leader, admin, make_user):
    series = published_series(api(leader))
    member = make_user()
    a = enrolled(api, leader, series, member)
    url = f"/api/v1/applications/{a['id']}/scholarship"
    assert api(member).post(url, json={"reason": "please"}).status_code == 403
    assert api(leader).post(url, json={"reason": "please"}).status_code == 403
    assert api(admin).post(url, json={}).status_code == 422
    body = api(admin).post(url, json={"reason": "Hardship fund 2026"}).get_json()
    assert body["scholarship"] is True and body["amount_due"] == "0.00" and body["payment_status"] == "waived"
    granted, credited = body["history"][-2:]  # the invoice issued on acceptance is credited in full
    assert (granted["action"], granted["by"], granted["reason"]) == (
        "scholarship_granted", "Ada Admin", "Hardship fund 2026")
    assert credited["action"] == "credit_note_issued"
    assert api(admin).post(url, json={"reason": "again"}).status_code == 200
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "scholarship_granted")) == 1
    assert "nothing to pay" in mails("invoice_scholarship")[0].body_text
    login(admin)
    listed = page_text(client.get("/admin/scholarships"))
    assert member.name in listed and series["title"] in listed and "by Ada Admin: Hardship fund 2026" in listed


def test_ledger_of_a_small_series(api, login, clock, leader, admin, make_user):
    series = published_series(api(leader))
    clock.set("2026-10-06T12:00:00Z")  # after the early-bird rates, before the cancellation deadline
    paid_in_full, withdrawing, scholar, waiting, owing = (
        make_user(name="Ann Paid"), make_user(name="Ben Withdrew", member_until=date(2027, 1, 1)),
        make_user(name="Cy Scholar"), make_user(name="Di Pending"), make_user(name="Ed Owes"))
    a = enrolled(api, leader, series, paid_in_full)
    b = enrolled(api, leader, series, withdrawing)
    c = enrolled(api, leader, series, scholar, trainee=True)
    apply(api(waiting), series["id"])
    enrolled(api, leader, series, owing)
    money = api(admin)
    money.post(f"/api/v1/applications/{a['id']}/payments", json={"amount": "875.00", "method": "transfer"})
    money.post(f"/api/v1/applications/{b['id']}/payments", json={"amount": "725.00", "method": "card"})
    money.post(f"/api/v1/applications/{c['id']}/scholarship", json={"reason": "Resident hardship"})
    withdrawal = api(withdrawing).post(f"/api/v1/applications/{b['id']}/withdraw", json={"reason": "Moved abroad"})
    assert withdrawal.get_json()["refund"]["amount"] == "625.00"

    lines, t = ledger_export(db.session.get(Series, series["id"]))
    assert (t.quoted, t.due, t.paid, t.refund_due, t.refund_paid, t.balance) == (
        Decimal("3800.00"),
        Decimal("3350.00"),
        Decimal("1600.00"),
        Decimal("625.00"),
        Decimal("0.00"),
        Decimal("875.00"),
    )
    by_name = {line.name: line for line in lines}
    assert by_name["Ben Withdrew"].charged == Decimal("100.00") and by_name["Ben Withdrew"].balance == Decimal("0.00")
    assert by_name["Cy Scholar"].due == Decimal("0.00") and by_name["Di Pending"].balance == Decimal("0.00")

    client = login(admin)
    body = page_text(client.get(f"/admin/series/{series['id']}/ledger"))
    for expected in ("875.00", "625.00", "1,600.00", "3,800.00", "3,350.00", "Cy Scholar</a> (scholarship)"):
        assert expected in body
    rows = list(csv.reader(io.StringIO(client.get(f"/admin/series/{series['id']}/ledger.csv").get_data(as_text=True))))
    assert rows[0][-6:] == ["quoted", "due", "paid", "refund_due", "refund_paid", "balance"]
    assert rows[-1] == ["total", "", "", "", "", "USD", "3800.00", "3350.00", "1600.00", "625.00", "0.00", "875.00"]

    refund = db.session.scalar(select(Refund).where(Refund.amount > Decimal("0.00")))
    # Marked paid from the application's page, then the same form sent again from a stale tab.
    form = {**client.form(f"/admin/refunds/{refund.id}/paid", page=f"/admin/applications/{refund.application_id}"),
            f"r{refund.id}-reference": "REF-9"}
    done = client.post(f"/admin/refunds/{refund.id}/paid", data=form, follow_redirects=True)
    assert "Refund of 625.00 USD marked paid" in page_text(done)
    client.post(f"/admin/refunds/{refund.id}/paid", data=form)
    assert len(mails("refund_paid")) == 1
    _, t = ledger_export(db.session.get(Series, series["id"]))
    assert (t.refund_due, t.refund_paid, t.net_received) == (Decimal("0.00"), Decimal("625.00"), Decimal("975.00"))
    assert "No refunds are due" in page_text(client.get("/admin/"))


def provision_rooms(app):
    """The scheduler's pass that opens the video rooms: the way in never makes one itself."""
    assert app.test_cli_runner().invoke(args=["jobs", "run-due"]).exit_code == 0


def test_complimentary_membership_is_offered_to_a_non_member_trainee_who_took_part(app, api, clock, leader, make_user):
    series = published_series(api(leader), meeting_count=3, capacity=3)
    trainee, absent_trainee, guest = make_user(name="Res Ident"), make_user(name="Never Came"), make_user(name="Guest")
    for person in (trainee, absent_trainee):
        a = enrolled(api, leader, series, person, trainee=True)
        assert a["price"]["category"] == "trainee"
    # A member of another Balint society pays the member rate, so is not at a non-member rate.
    add_membership(guest, kind="other_society", expires_on=date(2027, 12, 31),
                   note="Hungarian Balint Society", actor=make_user("admin"))
    assert enrolled(api, leader, series, guest)["price"]["category"] == "member"
    second = series["meetings"][1]
    clock.set(second["starts_at"])
    provision_rooms(app)
    for person in (trainee, guest):
        assert api(person).get(f"/api/v1/meetings/{second['id']}/join").status_code == 200
    clock.set("2026-11-03T12:00:00Z")
    assert app.test_cli_runner().invoke(args=["jobs", "run-due"]).exit_code == 0
    offers = db.session.scalars(select(MembershipOffer)).all()
    assert [o.user_id for o in offers] == [trainee.id]
    [mail] = mails("membership_offer")
    assert mail.recipient == trainee.email


def test_complimentary_membership_after_the_series(app, api, login, clock, leader, admin, make_user):
    series = published_series(api(leader), meeting_count=3, capacity=3)
    newcomer, member, part_payer = make_user(name="New Comer"), make_user(member_until=date(2027, 6, 1)), make_user()
    for person, amount in ((newcomer, "800.00"), (member, "650.00"), (part_payer, "400.00")):
        a = enrolled(api, leader, series, person)
        api(admin).post(f"/api/v1/applications/{a['id']}/payments", json={"amount": amount, "method": "card"})
    first = series["meetings"][0]
    clock.set(first["starts_at"])
    provision_rooms(app)
    for person in (newcomer, member, part_payer):  # everyone takes part
        assert api(person).get(f"/api/v1/meetings/{first['id']}/join").status_code == 200

    def run_jobs():
        assert app.test_cli_runner().invoke(args=["jobs", "run-due"]).exit_code == 0

    clock.set("2026-11-02T12:00:00Z")  # the third and last meeting is tonight
    run_jobs()
    assert db.session.scalar(select(func.count(MembershipOffer.id))) == 0
    clock.set("2026-11-03T12:00:00Z")
    run_jobs()
    run_jobs()
    offers = db.session.scalars(select(MembershipOffer).order_by(MembershipOffer.id)).all()
    # Everyone at the non-member rate who took part, paid in full or not; never the member.
    assert [o.user_id for o in offers] == [newcomer.id, part_payer.id] and len(mails("membership_offer")) == 2

    client = login(newcomer)
    assert "Take up my free year of membership" in page_text(client.get("/home"))
    accept = f"/membership-offers/{offers[0].id}/accept"
    form = client.form(accept, page="/home")
    taken = client.post(accept, data=form, follow_redirects=True)
    assert "complimentary membership runs until 2027-11-02" in page_text(taken)
    assert "Take up my free year" not in page_text(taken)
    membership = db.session.scalar(select(Membership).where(Membership.user_id == newcomer.id))
    assert (membership.kind, membership.starts_on, membership.expires_on) == (
        "complimentary", date(2026, 11, 3), date(2027, 11, 2))
    assert client.post(accept, data=form).status_code == 409  # the same form sent again
    other = login(member)  # hand-built: no page offers them the newcomer's year
    assert other.post(accept, data={"csrf_token": other.csrf_token("/home")}).status_code == 403
    # The free year brings the member rate.
    later = published_series(api(leader), title="Spring group", first_meeting_local="2027-03-01T19:00",
                             early_bird_deadline=None, cancellation_deadline=None)
    assert api(newcomer).get(f"/api/v1/series/{later['id']}/quote").get_json()["amount"] == "725.00"
