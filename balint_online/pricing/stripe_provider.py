"""Card payments through Stripe Checkout (BALINT_PAYMENT_PROVIDER=stripe).

Paying sends the member to a Checkout Session for what they still owe. The payment is recorded only
when Stripe's signed webhook says the session is paid, never from the member's return to our page,
which meanwhile says the payment is being confirmed. Refunds go back onto the card: card_refunds.py.
"""

import logging
from collections.abc import Sequence

import stripe
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..core.money import ZERO
from ..core.urls import absolute_url
from ..extensions import db
from . import card_refunds, stripe_api
from .card_models import CheckoutSession, StripeEvent
from .provider_base import NotificationRejected, PaymentProvider, PaymentStep
from .services import account, record_payment

log = logging.getLogger(__name__)


def unfinished_sessions(application) -> Sequence[CheckoutSession]:
    """The member's sessions not yet paid, nor known to be over, newest first."""
    return db.session.scalars(
        select(CheckoutSession).where(CheckoutSession.application_id == application.id,
                                      CheckoutSession.payment_id.is_(None), CheckoutSession.status != "expired",
                                      CheckoutSession.payment_status != "failed")
        .order_by(CheckoutSession.id.desc())).all()


def confirming_url(checkout: CheckoutSession) -> str:
    return url_for("pricing.card_payment", application_id=checkout.application_id, session_id=checkout.stripe_id)


class StripeProvider(PaymentProvider):
    name = "stripe"
    form_action_origins = ("https://checkout.stripe.com",)
    online = True

    def start_payment(self, application, invoice_number: str | None) -> PaymentStep:
        owed = account(application).balance
        if not application.is_live or owed <= ZERO:
            return PaymentStep(redirect_url=url_for("enrollment.application", application_id=application.id),
                               instructions=_("Nothing is left to pay on this application."))
        try:
            for checkout in unfinished_sessions(application):
                if (step := self._continue(checkout, owed)) is not None:
                    return step
            # Owing, the member holds an issued invoice (issue_invoice); the page passes its number.
            assert invoice_number is not None
            return PaymentStep(redirect_url=self._open(application, owed, invoice_number).url)
        except stripe.StripeError as exc:
            log.warning("stripe: no checkout for application %s: %s", application.id, stripe_api.describe(exc))
            raise stripe_api.StripeUnavailable(
                "Card payments are not available just now. Please try again in a few minutes, or pay by bank "
                "transfer as your invoice says.") from None

    def _continue(self, checkout: CheckoutSession, owed) -> PaymentStep | None:
        """Never two charges for one debt: an earlier session still open for this amount is where paying
        goes on (a double click, Back); one for another amount (something was paid meanwhile) is
        expired first; one paid but not yet confirmed to us leads to the confirming page."""
        current = stripe_api.retrieve_checkout_session(checkout.stripe_id)
        checkout.status = current.status
        if current.status == "complete":
            return PaymentStep(redirect_url=confirming_url(checkout))
        if current.status == "open" and checkout.amount == owed:
            return PaymentStep(redirect_url=current.url)
        if current.status == "open":
            checkout.status = stripe_api.expire_checkout_session(checkout.stripe_id).status
        return None

    def _open(self, application, owed, number: str) -> CheckoutSession:
        series = application.series
        units = stripe_api.minor_units(owed, application.currency)
        # The same key for the same application, amount and attempt: two clicks at once get one session.
        tried = db.session.scalar(select(func.count(CheckoutSession.id))
                                  .where(CheckoutSession.application_id == application.id))
        metadata = {"application_id": str(application.id), "invoice_number": number}
        session = stripe_api.create_checkout_session({
            "mode": "payment",
            "client_reference_id": str(application.id),
            "line_items": [{"quantity": 1, "price_data": {
                "currency": application.currency.lower(), "unit_amount": units,
                "product_data": {"name": f"{series.title}: invoice {number}"}}}],
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata, "description": f"Invoice {number}"},
            # Stripe fills in {CHECKOUT_SESSION_ID}; url-building would escape its braces.
            "success_url": absolute_url("pricing.card_payment", application_id=application.id)
            + "?session_id={CHECKOUT_SESSION_ID}",
            "cancel_url": absolute_url("enrollment.application", application_id=application.id),
        }, idempotency_key=f"checkout:{application.id}:{units}:{tried}")
        checkout = CheckoutSession(application_id=application.id, stripe_id=session.id, amount=owed,
                                   currency=application.currency, url=session.url or "",
                                   status=session.status or "open",
                                   expires_at=stripe_api.instant(getattr(session, "expires_at", None)))
        try:
            with db.session.begin_nested():
                db.session.add(checkout)
        except IntegrityError:  # the other click stored the same session first
            checkout = db.session.execute(select(CheckoutSession).where(
                CheckoutSession.stripe_id == session.id)).scalar_one()
        return checkout

    def handle_notification(self, request) -> list:
        try:
            event = stripe_api.verified_event(request.get_data(), request.headers.get("Stripe-Signature"))
        except (stripe.SignatureVerificationError, ValueError):
            raise NotificationRejected("Not a Stripe event for this site: the Stripe-Signature header is missing, "
                                       "does not match, or is more than five minutes old.") from None
        if db.session.get(StripeEvent, event.id) is not None:
            return []  # delivered again
        try:
            with db.session.begin_nested():
                db.session.add(StripeEvent(id=event.id, type=event.type))
        except IntegrityError:  # the same event, delivered twice at once: the other delivery handles it
            return []
        handler = EVENT_HANDLERS.get(event.type)
        return handler(event.data.object) if handler else []


def _ours(session) -> CheckoutSession | None:
    """Our record of the session; None for sessions this site did not make (another integration)."""
    return db.session.scalar(select(CheckoutSession).where(CheckoutSession.stripe_id == session.id))


def session_paid(session) -> list:
    """checkout.session.completed (paid at once, as cards are) or async_payment_succeeded: record it.
    Keyed by the session, so both events, or one delivered twice, record one payment."""
    checkout = _ours(session)
    if checkout is None or session.payment_status != "paid":
        return session_completed(session)
    application = checkout.application
    payment, created = record_payment(
        application, amount=stripe_api.from_minor_units(session.amount_total, session.currency), method="card",
        reference=session.payment_intent or "", actor=None, idempotency_key=f"stripe:{session.id}", provider="stripe")
    checkout = _ours(session)  # reloaded: recording takes the series lock, which reloads what the session held
    assert checkout is not None  # found above
    checkout.status, checkout.payment_status, checkout.payment_id = "complete", "paid", payment.id
    return [payment] if created else []


def session_completed(session) -> list:
    """The member finished Checkout, but the money is not yet confirmed (a delayed method): they keep
    seeing "being confirmed". A late copy never undoes a payment already recorded."""
    checkout = _ours(session)
    if checkout is not None and checkout.payment_id is None:
        checkout.status = session.status
    return []


def session_ended(session) -> list:
    """async_payment_failed or expired: the member sees it did not go through and may pay again."""
    checkout = _ours(session)
    if checkout is not None and checkout.payment_id is None:
        checkout.status = session.status
        if session.payment_status != "paid" and session.status == "complete":
            checkout.payment_status = "failed"
    return []


def refund_event(refund) -> list:
    card_refunds.refund_reported(refund)
    return []


def charge_event(charge) -> list:
    card_refunds.charge_refunded(getattr(charge, "payment_intent", None))
    return []


# The events to subscribe the webhook endpoint to (README, "Card payments (Stripe)"); others are acknowledged.
EVENT_HANDLERS = {
    "checkout.session.completed": session_paid,
    "checkout.session.async_payment_succeeded": session_paid,
    "checkout.session.async_payment_failed": session_ended,
    "checkout.session.expired": session_ended,
    "refund.created": refund_event,
    "refund.updated": refund_event,
    "refund.failed": refund_event,
    "charge.refunded": charge_event,
}
