"""Card payments through Stripe Checkout and refunds paid back onto the card, against a loopback Stripe."""

import socket
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from threading import Barrier

import pytest
import requests
from sqlalchemy import func, select

from balint_online.audit.models import AuditEntry
from balint_online.core.clock import now
from balint_online.extensions import db
from balint_online.jobs import builtin  # noqa: F401  (registers the jobs)
from balint_online.jobs.registry import JOBS
from balint_online.pricing.card_models import CheckoutSession, RefundPayout, StripeEvent
from balint_online.pricing.card_refunds import RETRY_DELAYS, plan_payouts
from balint_online.pricing.models import Payment, Refund
from balint_online.pricing.stripe_api import API_VERSION, minor_units
from tests.browser import page_text
from tests.factories import enrolled, mails, published_series
from tests.live import live_server
from tests.pricing.fake_stripe import FakeStripe

SECRET_KEY = "sk_test_balint"
WEBHOOK_SECRET = "whsec_balint_endpoint"
WEBHOOK = "/api/v1/payments/notifications/stripe"


@pytest.fixture
def stripe_server():
    with FakeStripe(SECRET_KEY, WEBHOOK_SECRET) as fake:
        yield fake


@pytest.fixture(autouse=True)
def card_payments(app, stripe_server):
    app.config.update(PAYMENT_PROVIDER="stripe", STRIPE_SECRET_KEY=SECRET_KEY, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                      STRIPE_API_BASE=stripe_server.url, STRIPE_HTTP_TIMEOUT=[1, 1])


@pytest.fixture
def member(make_user):
    return make_user(name="Mo Member")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def click_pay(client, application_id):
    """The member clicks "Pay" on their application's page; Stripe's Checkout is where it sends them."""
    return client.submit(f"/applications/{application_id}/pay", page=f"/applications/{application_id}")


def checkout_id(resp, stripe_server) -> str:
    assert resp.status_code == 302 and resp.headers["Location"].startswith(stripe_server.url + "/c/pay/cs_test_")
    return resp.headers["Location"].rsplit("/", 1)[1]


def deliver(client, stripe_server, payload: bytes, **signing):
    """Stripe posts an event to the webhook URL, signed as it signs them."""
    return client.post(WEBHOOK, data=payload, content_type="application/json",
                       headers={"Stripe-Signature": stripe_server.signature(payload, **signing)})


def paid_by_card(client, stripe_server, application_id) -> str:
    session_id = checkout_id(click_pay(client, application_id), stripe_server)
    session = stripe_server.complete(session_id)
    assert deliver(client, stripe_server, stripe_server.event("checkout.session.completed", session)).status_code == 200
    return session["payment_intent"]


def run_refund_job(moment=None) -> int:
    return JOBS["card-refunds"].run(moment or now())


def test_paying_by_card_records_one_payment_from_the_webhook(api, login, stripe_server, leader, member):
    a = enrolled(api, leader, published_series(api(leader)), member)
    client = login(member)
    shown = f"/applications/{a['id']}"
    before = client.get(shown)
    assert "Pay 800.00 USD" in page_text(before)
    # Browsers hold the redirect after a form's post to form-action too: Stripe's Checkout is allowed.
    assert "form-action 'self' https://checkout.stripe.com;" in before.headers["Content-Security-Policy"]
    stale_tab = client.form(f"{shown}/pay", page=shown)

    session_id = checkout_id(click_pay(client, a["id"]), stripe_server)
    [create] = stripe_server.calls("POST", "/v1/checkout/sessions")
    assert create.headers["stripe-version"] == API_VERSION and create.headers["idempotency-key"]
    session = stripe_server.sessions[session_id]
    assert (session["amount_total"], session["currency"], session["client_reference_id"]) == (
        80000, "usd", str(a["id"]))
    assert session["metadata"] == {"application_id": str(a["id"]), "invoice_number": f"BO-2026-{a['id']:06d}"}
    assert session["success_url"] == f"http://balint.test/applications/{a['id']}/card-payment?session_id={{CHECKOUT_SESSION_ID}}"
    assert session["cancel_url"] == f"http://balint.test/applications/{a['id']}"

    # A second click (or Back, then Pay) goes on with the same Checkout: nothing can be charged twice.
    assert checkout_id(click_pay(client, a["id"]), stripe_server) == session_id
    assert len(stripe_server.sessions) == 1

    # Back from Checkout before Stripe's webhook: being confirmed, nothing recorded from the browser.
    paid = stripe_server.complete(session_id)
    back = session["success_url"].replace("http://balint.test", "").replace("{CHECKOUT_SESSION_ID}", session_id)
    assert "Payment being confirmed" in page_text(client.get(back))
    assert count(Payment) == 0
    # Paying again meanwhile leads to the same confirmation, not a second Checkout.
    assert click_pay(client, a["id"]).headers["Location"].endswith(back)

    completed = stripe_server.event("checkout.session.completed", paid)
    first = deliver(client, stripe_server, completed)
    assert first.status_code == 200 and [p["amount"] for p in first.get_json()["recorded"]] == ["800.00"]
    again = deliver(client, stripe_server, completed)  # Stripe delivers at least once
    assert again.status_code == 200 and again.get_json()["recorded"] == []

    [payment] = db.session.scalars(select(Payment)).all()
    assert (payment.amount, payment.method, payment.provider, payment.reference) == (
        Decimal("800.00"), "card", "stripe", paid["payment_intent"])
    shown_back = page_text(client.get(back))
    assert "Payment received" in shown_back and "800.00 USD" in shown_back
    application_page = page_text(client.get(shown))
    assert "Pay 800.00 USD" not in application_page and "Paid" in application_page
    assert len(mails("payment_received")) == 1
    # The tab still showing "Pay": nothing is owed, so no Checkout and a plain answer.
    done = client.post(f"{shown}/pay", data=stale_tab, follow_redirects=True)
    assert "Nothing is left to pay on this application." in page_text(done) and len(stripe_server.sessions) == 1


def test_a_delayed_payment_counts_once_whatever_order_the_events_come_in(api, login, stripe_server, leader, member):
    a = enrolled(api, leader, published_series(api(leader)), member)
    client = login(member)
    session_id = checkout_id(click_pay(client, a["id"]), stripe_server)
    pending = stripe_server.complete(session_id, paid=False)  # e.g. a bank debit, still clearing
    completed = stripe_server.event("checkout.session.completed", pending)
    succeeded = stripe_server.event("checkout.session.async_payment_succeeded", stripe_server.clear(session_id))

    # The later event first, then the earlier, then the later again.
    assert len(deliver(client, stripe_server, succeeded).get_json()["recorded"]) == 1
    assert deliver(client, stripe_server, completed).get_json()["recorded"] == []
    assert deliver(client, stripe_server, succeeded).get_json()["recorded"] == []
    assert count(Payment) == 1 and count(StripeEvent) == 2
    checkout = db.session.scalar(select(CheckoutSession))
    assert (checkout.status, checkout.payment_status, checkout.payment_id) == ("complete", "paid", 1)
    assert "Payment received" in page_text(client.get(f"/applications/{a['id']}/card-payment?session_id={session_id}"))


def test_the_same_payment_reported_at_once_from_many_deliveries_counts_once(app, api, login, stripe_server, leader,
                                                                            member):
    a = enrolled(api, leader, published_series(api(leader)), member)
    session_id = checkout_id(click_pay(login(member), a["id"]), stripe_server)
    paid = stripe_server.complete(session_id)
    completed = stripe_server.event("checkout.session.completed", paid)
    succeeded = stripe_server.event("checkout.session.async_payment_succeeded", paid)
    deliveries = [completed] * 4 + [succeeded] * 4
    with live_server(app) as base:
        barrier = Barrier(len(deliveries))

        def post(payload):
            barrier.wait()
            return requests.post(base + WEBHOOK, data=payload, timeout=60, headers={
                "Content-Type": "application/json", "Stripe-Signature": stripe_server.signature(payload)})

        with ThreadPoolExecutor(max_workers=len(deliveries)) as pool:
            answers = list(pool.map(post, deliveries))
    assert [r.status_code for r in answers] == [200] * len(deliveries)
    assert sum(len(r.json()["recorded"]) for r in answers) == 1
    db.session.expire_all()
    assert count(Payment) == 1 and count(StripeEvent) == 2 and len(mails("payment_received")) == 1


def test_a_checkout_for_an_old_amount_is_closed_before_a_new_one_opens(api, login, make_user, stripe_server, leader,
                                                                        member):
    a = enrolled(api, leader, published_series(api(leader)), member)
    client = login(member)
    first = checkout_id(click_pay(client, a["id"]), stripe_server)
    # The member paid part by transfer meanwhile; the open Checkout for 800.00 must not be payable too.
    api(make_user("admin")).post(f"/api/v1/applications/{a['id']}/payments",
                                 json={"amount": "300.00", "method": "transfer", "reference": "BANK-3"})
    second = checkout_id(click_pay(client, a["id"]), stripe_server)
    assert second != first and stripe_server.sessions[first]["status"] == "expired"
    assert stripe_server.sessions[second]["amount_total"] == 50000
    assert db.session.scalar(select(CheckoutSession).where(CheckoutSession.stripe_id == first)).status == "expired"


def test_a_failed_delayed_payment_lets_the_member_pay_again(api, login, stripe_server, leader, member):
    a = enrolled(api, leader, published_series(api(leader)), member)
    client = login(member)
    session_id = checkout_id(click_pay(client, a["id"]), stripe_server)
    pending = stripe_server.complete(session_id, paid=False)
    deliver(client, stripe_server, stripe_server.event("checkout.session.completed", pending))
    back = f"/applications/{a['id']}/card-payment?session_id={session_id}"
    assert "Payment being confirmed" in page_text(client.get(back))
    deliver(client, stripe_server, stripe_server.event("checkout.session.async_payment_failed", pending))
    assert "The payment did not go through" in page_text(client.get(back)) and count(Payment) == 0
    assert checkout_id(click_pay(client, a["id"]), stripe_server) != session_id


@pytest.mark.parametrize("forged", ["unsigned", "other secret", "tampered", "stale"])
def test_a_notification_not_signed_by_stripe_just_now_records_nothing(api, login, client, stripe_server, leader, member,
                                                                     forged):
    a = enrolled(api, leader, published_series(api(leader)), member)
    session_id = checkout_id(click_pay(login(member), a["id"]), stripe_server)
    payload = stripe_server.event("checkout.session.completed", stripe_server.complete(session_id))
    headers = {
        "unsigned": {},
        "other secret": {"Stripe-Signature": stripe_server.signature(payload, secret="whsec_someone_else")},
        "tampered": {"Stripe-Signature": stripe_server.signature(
            payload.replace(b'"livemode": false', b'"livemode": true'))},
        # Replayed ten minutes later: Stripe's signature, but older than the five minutes allowed.
        "stale": {"Stripe-Signature": stripe_server.signature(payload, at=int(time.time()) - 600)},
    }[forged]
    resp = client.post(WEBHOOK, data=payload, content_type="application/json", headers=headers)
    assert resp.status_code == 400 and resp.get_json()["error"] == "notification_rejected"
    assert count(Payment) == 0 and count(StripeEvent) == 0


def test_card_payments_unavailable_charge_nothing(api, login, app, stripe_server, leader, member):
    a = enrolled(api, leader, published_series(api(leader)), member)
    client = login(member)
    stripe_server.script("/v1/checkout/sessions", status=500,
                         body={"error": {"type": "api_error", "message": "An unknown error occurred"}})
    resp = click_pay(client, a["id"])
    assert resp.status_code == 503 and "Card payments are not available just now" in page_text(resp)
    assert count(CheckoutSession) == 0
    # Once Stripe answers again, paying works.
    checkout_id(click_pay(client, a["id"]), stripe_server)


# -- refunds ------------------------------------------------------------------------------------------

def withdraw(api, member, application_id) -> Refund:
    resp = api(member).post(f"/api/v1/applications/{application_id}/withdraw", json={"reason": "Moved abroad"})
    assert resp.status_code == 200, resp.get_json()
    return db.session.scalar(select(Refund).where(Refund.amount > Decimal("0.00")))


def test_withdrawing_before_the_deadline_refunds_onto_the_card(api, login, make_user, stripe_server, leader, member):
    a = enrolled(api, leader, published_series(api(leader)), member)
    intent = paid_by_card(login(member), stripe_server, a["id"])
    refund = withdraw(api, member, a["id"])
    assert (refund.amount, refund.status) == (Decimal("700.00"), "due")  # 800.00 less the 100.00 fee

    assert run_refund_job() == 1
    [sent] = stripe_server.refunds.values()
    assert (sent["payment_intent"], sent["amount"], sent["metadata"]["refund_id"]) == (intent, 70000, str(refund.id))
    db.session.refresh(refund)
    assert refund.status == "sent" and mails("refund_paid") == []
    admin = login(make_user("admin"))
    assert f"sent through Stripe ({sent['id']}), awaiting Stripe's confirmation" in page_text(admin.get("/admin/"))
    assert "Mark this refund paid" not in page_text(admin.get(f"/admin/applications/{a['id']}"))
    assert run_refund_job() == 0  # nothing more to send; it waits for Stripe's word

    succeeded = stripe_server.set_refund_status(sent["id"], "succeeded")
    stale = stripe_server.event("refund.updated", {**succeeded, "status": "pending"})
    assert deliver(admin, stripe_server, stripe_server.event("refund.updated", succeeded)).status_code == 200
    assert deliver(admin, stripe_server, stale).status_code == 200  # an older copy, delivered late
    db.session.refresh(refund)
    assert (refund.status, refund.paid_reference) == ("paid", sent["id"])
    assert len(mails("refund_paid")) == 1 and sent["id"] in mails("refund_paid")[0].body_text
    overview = page_text(admin.get("/admin/"))
    assert "No refunds are due" in overview and "confirmed by Stripe" in overview
    assert "Refunded" in page_text(login(member).get(f"/applications/{a['id']}"))
    assert len(stripe_server.refunds) == 1 and run_refund_job() == 0


def test_schedulers_running_at_once_send_a_refund_once(app, api, login, stripe_server, leader, member):
    a = enrolled(api, leader, published_series(api(leader)), member)
    paid_by_card(login(member), stripe_server, a["id"])
    withdraw(api, member, a["id"])
    moment = now()
    db.session.remove()  # the test's own transaction would hold SQLite's write lock
    barrier = Barrier(4)

    def scheduler(_):
        with app.app_context():
            barrier.wait()
            return run_refund_job(moment)

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert sorted(pool.map(scheduler, range(4))) == [0, 0, 0, 1]
    assert len(stripe_server.refunds) == 1 and count(RefundPayout) == 1


def test_a_refund_stripe_confirms_at_once_is_paid_from_its_answer(api, login, stripe_server, leader, member):
    stripe_server.refund_status = "succeeded"
    a = enrolled(api, leader, published_series(api(leader)), member)
    paid_by_card(login(member), stripe_server, a["id"])
    refund = withdraw(api, member, a["id"])
    assert run_refund_job() == 1
    db.session.refresh(refund)
    assert refund.status == "paid" and len(mails("refund_paid")) == 1
    # charge.refunded arrives too: nothing is pending, nothing changes.
    [sent] = stripe_server.refunds.values()
    charge = {"id": sent["charge"], "object": "charge", "payment_intent": sent["payment_intent"], "refunded": False}
    assert deliver(login(member), stripe_server, stripe_server.event("charge.refunded", charge)).status_code == 200
    assert len(mails("refund_paid")) == 1


def test_charge_refunded_confirms_a_pending_refund(api, login, stripe_server, leader, member):
    a = enrolled(api, leader, published_series(api(leader)), member)
    client = login(member)
    paid_by_card(client, stripe_server, a["id"])
    refund = withdraw(api, member, a["id"])
    run_refund_job()
    [sent] = stripe_server.refunds.values()
    stripe_server.set_refund_status(sent["id"], "succeeded")
    charge = {"id": sent["charge"], "object": "charge", "payment_intent": sent["payment_intent"], "refunded": False}
    assert deliver(client, stripe_server, stripe_server.event("charge.refunded", charge)).status_code == 200
    db.session.refresh(refund)
    assert refund.status == "paid"


def closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_while_stripe_is_down_the_refund_waits_and_goes_out_once(app, api, login, clock, make_user, stripe_server,
                                                                 leader, member):
    a = enrolled(api, leader, published_series(api(leader)), member)
    paid_by_card(login(member), stripe_server, a["id"])
    refund = withdraw(api, member, a["id"])
    start = now()

    stripe_server.script("/v1/refunds", status=500, body={"error": {"type": "api_error", "message": "Try again later"}})
    assert run_refund_job(start) == 0
    db.session.refresh(refund)
    assert (refund.status, refund.attempts, refund.next_attempt_at) == ("due", 1, start + RETRY_DELAYS[0])
    admin = login(make_user("admin"))
    shown = page_text(admin.get("/admin/"))
    assert "being sent through Stripe: attempt 1 failed (Stripe answered 500: Try again later)" in shown
    # Not to be paid by hand meanwhile: it would be paid twice.
    assert "Mark this refund paid" not in page_text(admin.get(f"/admin/applications/{a['id']}"))
    assert run_refund_job(start + timedelta(seconds=30)) == 0  # waiting out the back-off: no call
    assert len(stripe_server.calls("POST", "/v1/refunds")) == 1

    app.config["STRIPE_API_BASE"] = closed_port()  # connection refused
    assert run_refund_job(start + RETRY_DELAYS[0]) == 0
    db.session.refresh(refund)
    assert refund.attempts == 2 and refund.last_error == "Stripe could not be reached, or did not answer in time"

    # Slower than our timeout: Stripe makes the refund, but its answer never reaches us.
    app.config["STRIPE_API_BASE"] = stripe_server.url
    stripe_server.script("/v1/refunds", delay=1.5)
    later = refund.next_attempt_at
    assert run_refund_job(later) == 0
    db.session.refresh(refund)
    assert refund.attempts == 3 and refund.status == "due"
    deadline = time.monotonic() + 5
    while not stripe_server.refunds and time.monotonic() < deadline:  # Stripe finishes after we gave up
        time.sleep(0.05)
    assert len(stripe_server.refunds) == 1

    # The next attempt asks again with the same idempotency key: Stripe answers with the refund it made.
    assert run_refund_job(refund.next_attempt_at) == 1
    db.session.refresh(refund)
    assert refund.status == "sent" and refund.attempts == 0
    keys = {r.headers["idempotency-key"] for r in stripe_server.calls("POST", "/v1/refunds")}
    assert len(stripe_server.refunds) == 1 and len(keys) == 1
    assert db.session.scalar(select(RefundPayout)).stripe_refund_id == next(iter(stripe_server.refunds))


def test_after_the_last_retry_the_refund_is_failed_for_an_administrator(app, api, login, make_user, stripe_server,
                                                                        leader, member):
    a = enrolled(api, leader, published_series(api(leader)), member)
    paid_by_card(login(member), stripe_server, a["id"])
    refund = withdraw(api, member, a["id"])
    app.config["STRIPE_API_BASE"] = closed_port()
    moment = now()
    for _ in range(len(RETRY_DELAYS) + 1):
        run_refund_job(moment)
        db.session.refresh(refund)
        moment = refund.next_attempt_at or moment
    assert refund.status == "failed" and refund.attempts == len(RETRY_DELAYS) + 1
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "refund_failed")) == 1
    admin = login(make_user("admin"))
    assert "failed through Stripe" in page_text(admin.get("/admin/"))
    done = admin.submit(f"/admin/refunds/{refund.id}/paid", {f"r{refund.id}-reference": "BANK-77"},
                        page=f"/admin/applications/{a['id']}", follow_redirects=True)
    assert "Refund of 700.00 USD marked paid" in page_text(done) and len(mails("refund_paid")) == 1


def test_stripe_refusing_a_refund_fails_it_at_once(api, login, stripe_server, leader, member):
    a = enrolled(api, leader, published_series(api(leader)), member)
    intent = paid_by_card(login(member), stripe_server, a["id"])
    stripe_server.payment_intents[intent]["amount_refunded"] = 50000  # refunded in Stripe's dashboard meanwhile
    refund = withdraw(api, member, a["id"])
    assert run_refund_job() == 1
    db.session.refresh(refund)
    assert refund.status == "failed" and "greater than unrefunded amount" in refund.last_error
    assert stripe_server.refunds == {}


def test_a_refund_larger_than_the_card_payment_is_paid_by_hand(api, login, make_user, stripe_server, leader, member):
    a = enrolled(api, leader, published_series(api(leader)), member)
    admin_user = make_user("admin")
    recorded = api(admin_user).post(f"/api/v1/applications/{a['id']}/payments",
                                    json={"amount": "300.00", "method": "transfer", "reference": "BANK-1"})
    assert recorded.status_code == 201
    client = login(member)
    session_id = checkout_id(click_pay(client, a["id"]), stripe_server)
    assert stripe_server.sessions[session_id]["amount_total"] == 50000  # only what is still owed
    deliver(client, stripe_server,
            stripe_server.event("checkout.session.completed", stripe_server.complete(session_id)))
    refund = withdraw(api, member, a["id"])
    assert refund.amount == Decimal("700.00")  # more than the 500.00 paid by card
    assert run_refund_job() == 0
    db.session.refresh(refund)
    assert (refund.status, refund.payout) == ("due", "hand") and stripe_server.refunds == {}
    admin = login(admin_user)
    assert "by hand (not all of it was paid by card)" in page_text(admin.get("/admin/"))
    admin.submit(f"/admin/refunds/{refund.id}/paid", {f"r{refund.id}-reference": "BANK-2"},
                 page=f"/admin/applications/{a['id']}")
    db.session.refresh(refund)
    assert refund.status == "paid"


def test_refunds_never_exceed_what_was_paid(api, leader, member, make_user):
    # Split over card payments newest first, never more onto one than it can take back.
    assert plan_payouts(Decimal("700.00"), [(1, Decimal("500.00")), (2, Decimal("300.00"))]) == [
        (2, Decimal("300.00")), (1, Decimal("400.00"))]
    assert plan_payouts(Decimal("700.00"), [(1, Decimal("500.00")), (2, Decimal("100.00"))]) is None
    assert plan_payouts(Decimal("100.00"), [(1, Decimal("0.00")), (2, Decimal("100.00"))]) == [(2, Decimal("100.00"))]

    from balint_online.core.errors import DomainError
    from balint_online.core.prices import RefundDecision
    from balint_online.enrollment.models import Application
    from balint_online.pricing.services import record_refund

    a = enrolled(api, leader, published_series(api(leader)), member)
    api(make_user("admin")).post(f"/api/v1/applications/{a['id']}/payments",
                                 json={"amount": "100.00", "method": "transfer"})
    application = db.session.get(Application, a["id"])
    with pytest.raises(DomainError) as refused:
        record_refund(application, RefundDecision(Decimal("100.01"), "withdrawn", ()), None, key="x",
                      owed=(Decimal("0.00"), Decimal("100.01")))
    assert refused.value.code == "refund_exceeds_payments"


def test_amounts_go_to_stripe_in_the_currency_s_smallest_unit():
    assert minor_units(Decimal("800.00"), "USD") == 80000 and minor_units(Decimal("0.10"), "eur") == 10
    assert minor_units(Decimal("5000.00"), "JPY") == 5000
    with pytest.raises(ValueError):
        minor_units(Decimal("5000.50"), "JPY")
