"""Refunds paid back onto the card: a refund owed on an application paid through Stripe goes out as
Stripe refunds on the PaymentIntents it was paid with, from a job (pricing/jobs.py).

- The job plans a refund's payouts once, under the series lock: never more onto a payment than it
  paid less what earlier refunds already put back on it. When the card payments cannot cover the
  refund (part was paid by transfer), it is left to an administrator, by hand, as before.
- Each payout carries its own idempotency key, so asking again after a timeout, a crash or an
  outage returns Stripe's first refund instead of making a second. While Stripe is down the refund
  waits, retried with back-off (RETRY_DELAYS); after the last attempt it is marked failed, for an
  administrator to settle.
- Stripe's refund states reach us in its answer, in `refund.*` and `charge.refunded` webhooks, in
  any order, and by polling sent refunds; a state only ever moves forward (PAYOUT_PROGRESS).

The commits here are the job's deliberate units of work (the claim, then the outcome), so that no
transaction is held while Stripe answers and a refund is never sent twice; the webhook handlers
(refund_reported) flush, and the request commits.
"""

import logging
from datetime import datetime, timedelta
from decimal import Decimal

import stripe
from sqlalchemy import and_, exists, false, or_, select, update

from ..audit.services import log_action
from ..core.clock import now
from ..core.money import ZERO, format_money
from ..core.schemas import column_length
from ..core.statements import rows_changed
from ..extensions import db
from ..series.locking import lock_series
from . import stripe_api
from .card_models import RefundPayout
from .models import PAYOUT_BY_HAND, PAYOUT_STRIPE, Payment, Refund, RefundStatus
from .services import refund_went_out

log = logging.getLogger(__name__)

PROVIDER = "stripe"
# Waits after each failed attempt; after the last the refund is marked failed. All of them together
# (about four hours) stay well inside the 24 hours for which Stripe remembers an idempotency key.
RETRY_DELAYS = tuple(timedelta(minutes=m) for m in (1, 2, 4, 8, 15, 30, 60, 60, 60))
# How long one worker holds a refund it is sending, before another may take it over.
CLAIM = timedelta(minutes=5)
# How often a refund Stripe accepted but has not yet confirmed is looked up, should a webhook be missed.
POLL_EVERY = timedelta(hours=1)
BATCH = 50
ERROR_LENGTH = column_length(Refund.last_error)

# Stripe's refund statuses by how far along they are: a late copy of an earlier state changes nothing.
PAYOUT_PROGRESS = {"": 0, "pending": 1, "requires_action": 1, "succeeded": 2, "failed": 3, "canceled": 3}
SUCCEEDED = "succeeded"
PENDING_PAYOUTS = frozenset({"pending", "requires_action"})
FAILED_PAYOUTS = frozenset({"failed", "canceled"})

# What one pass did with one refund.
DONE, WAITING, GAVE_UP, SKIPPED = "done", "waiting", "gave up", "skipped"


# -- decisions ----------------------------------------------------------------------------------------

def plan_payouts(amount: Decimal, refundable: list[tuple[int, Decimal]]) -> list[tuple[int, Decimal]] | None:
    """Split a refund over card payments, each (id, amount still refundable on it), newest first;
    None when together they cannot cover it (a refund is paid out one way, whole)."""
    plan, left = [], amount
    for payment_id, available in sorted(refundable, key=lambda p: -p[0]):
        if left <= 0:
            break
        part = min(left, available)
        if part > 0:
            plan.append((payment_id, part))
            left -= part
    return plan if left == 0 else None


def refund_outcome(payout_statuses: list[str]) -> RefundStatus | None:
    """What a refund's payouts add up to: failed if any failed, paid when all succeeded, sent once all
    are with Stripe; None while some are still to be sent."""
    if any(s in FAILED_PAYOUTS for s in payout_statuses):
        return RefundStatus.FAILED
    if payout_statuses and all(s == SUCCEEDED for s in payout_statuses):
        return RefundStatus.PAID
    if payout_statuses and all(payout_statuses):
        return RefundStatus.SENT
    return None


def retry_delay(attempts: int) -> timedelta | None:
    """The wait after the `attempts`-th failure in a row; None when it was the last."""
    return RETRY_DELAYS[attempts - 1] if attempts <= len(RETRY_DELAYS) else None


# -- the job ------------------------------------------------------------------------------------------

def _due(moment: datetime):
    return or_(Refund.next_attempt_at.is_(None), Refund.next_attempt_at <= moment)


def pay_out_due(moment: datetime, limit: int = BATCH) -> int:
    """The job's pass: send refunds owed on card payments, and look up those Stripe has not confirmed.
    Returns how many refunds changed state. Once Stripe proves down, the rest wait for the next pass."""
    paid_by_card = exists().where(Payment.application_id == Refund.application_id, Payment.provider == PROVIDER)
    to_send = and_(Refund.status == RefundStatus.DUE, Refund.payout != PAYOUT_BY_HAND, paid_by_card)
    due = db.session.scalars(
        select(Refund.id).where(Refund.amount > ZERO, _due(moment), or_(to_send, Refund.status == RefundStatus.SENT))
        .order_by(Refund.due_by, Refund.id).limit(limit)
    ).all()
    db.session.commit()
    changed = 0
    for refund_id in due:
        outcome = send_refund(refund_id, moment)
        if outcome == WAITING:
            break
        changed += outcome in (DONE, GAVE_UP)
    return changed


def _refundable(application) -> list[tuple[Payment, Decimal]]:
    """Each Stripe payment on the application with what is left to put back on it."""
    payments = [p for p in application.payments if p.provider == PROVIDER]
    out = {p.id: ZERO for p in payments}
    for payout in db.session.scalars(select(RefundPayout).where(RefundPayout.payment_id.in_(out))):
        if payout.status not in FAILED_PAYOUTS:
            out[payout.payment_id] += payout.amount
    return [(p, p.amount - out[p.id]) for p in payments]


def _plan(refund: Refund) -> bool:
    """Decide how the refund goes out, once; True when through Stripe. Under the series lock."""
    refundable = _refundable(refund.application)
    plan = plan_payouts(refund.amount, [(p.id, available) for p, available in refundable])
    if plan is None:
        refund.payout, refund.next_attempt_at = PAYOUT_BY_HAND, None
        log_action(refund, "refund_by_hand", None, data={
            "amount": format_money(refund.amount),
            "card_refundable": format_money(sum((a for _, a in refundable), ZERO))})
        return False
    available = {p.id: a for p, a in refundable}
    for payment_id, amount in plan:
        if not 0 < amount <= available[payment_id]:  # the invariant: never more back on a card than it paid
            raise AssertionError(f"refund {refund.id}: {amount} exceeds what payment {payment_id} can take back")
        db.session.add(RefundPayout(refund_id=refund.id, payment_id=payment_id, amount=amount,
                                    idempotency_key=f"refund-payout:{refund.id}:{payment_id}"))
    refund.payout = PAYOUT_STRIPE
    return True


def _claim(refund_id: int, moment: datetime) -> Refund | None:
    """Take the refund for this worker (a conditional UPDATE under the series lock, so one worker
    wins, and an administrator cannot mark it paid by hand meanwhile); plan it the first time."""
    refund = db.session.get_one(Refund, refund_id)
    lock_series(refund.application.series_id)
    changed = rows_changed(
        update(Refund).where(Refund.id == refund_id, Refund.status.in_((RefundStatus.DUE, RefundStatus.SENT)),
                             Refund.payout != PAYOUT_BY_HAND, _due(moment))
        .values(next_attempt_at=moment + CLAIM).execution_options(synchronize_session=False)
    )
    if changed != 1:
        db.session.rollback()
        return None
    db.session.refresh(refund)
    if refund.payout != PAYOUT_STRIPE and not _plan(refund):
        db.session.commit()
        return None
    db.session.commit()
    return refund


def send_refund(refund_id: int, moment: datetime) -> str:
    """Send what of the refund Stripe does not have yet, or look up what it has; no transaction is
    held while Stripe answers."""
    refund = _claim(refund_id, moment)
    if refund is None:
        return SKIPPED
    currency = refund.currency
    calls = [(p.id, p.payment.reference, stripe_api.minor_units(p.amount, currency), p.idempotency_key,
              p.stripe_refund_id)
             for p in refund.payouts if p.status != SUCCEEDED and p.status not in FAILED_PAYOUTS]
    metadata = {"refund_id": str(refund.id), "application_id": str(refund.application_id)}
    db.session.commit()
    answers, error = {}, None
    for payout_id, payment_intent, units, key, stripe_id in calls:
        try:
            if stripe_id:
                answers[payout_id] = stripe_api.retrieve_refund(stripe_id)
            else:
                answers[payout_id] = stripe_api.create_refund(
                    {"payment_intent": payment_intent, "amount": units, "reason": "requested_by_customer",
                     "metadata": {**metadata, "payout_id": str(payout_id)}}, idempotency_key=key)
        except (stripe.StripeError, stripe_api.StripeUnavailable) as exc:
            error = exc
            break
    return _store(refund_id, moment, answers, error)


def _store(refund_id: int, moment: datetime, answers: dict, error: Exception | None) -> str:
    refund = db.session.get_one(Refund, refund_id)
    lock_series(refund.application.series_id)
    for payout in refund.payouts:
        if payout.id in answers:
            _advance(payout, answers[payout.id])
    settled = _settle(refund)
    if refund.status == RefundStatus.SENT:
        refund.next_attempt_at = moment + POLL_EVERY  # confirmed by webhook, or looked up then
    if error is None:
        refund.attempts, refund.last_error = 0, ""
        db.session.commit()
        return DONE if settled else SKIPPED
    down = isinstance(error, stripe.StripeError) and stripe_api.retryable(error)
    message = stripe_api.describe(error)[:ERROR_LENGTH]
    if refund.status == RefundStatus.SENT:  # only a look-up failed: it is with Stripe, look again later
        db.session.commit()
        return WAITING if down else SKIPPED
    if refund.status != RefundStatus.DUE:  # settled by what did get through
        db.session.commit()
        return DONE
    refund.attempts += 1
    refund.last_error = message
    delay = retry_delay(refund.attempts) if down else None
    if delay is not None:
        refund.next_attempt_at = moment + delay
        log.warning("stripe: refund %s not sent (attempt %d; next at %s): %s", refund.id, refund.attempts,
                    refund.next_attempt_at.isoformat(), message)
        db.session.commit()
        return WAITING
    refund.status, refund.next_attempt_at = RefundStatus.FAILED, None
    log.error("stripe: refund %s failed after %d attempts: %s", refund.id, refund.attempts, message)
    log_action(refund, "refund_failed", None, changes={"status": [RefundStatus.DUE, RefundStatus.FAILED]},
               data={"amount": format_money(refund.amount), "error": message})
    db.session.commit()
    return GAVE_UP


def _advance(payout: RefundPayout, stripe_refund) -> None:
    """Take Stripe's refund object into the payout, unless it is older news than what we know."""
    payout.stripe_refund_id = payout.stripe_refund_id or stripe_refund.id
    status = stripe_refund.status or ""
    if PAYOUT_PROGRESS.get(status, 0) > PAYOUT_PROGRESS.get(payout.status, 0):
        payout.status = status
        payout.failure_reason = getattr(stripe_refund, "failure_reason", None) or ""


def _settle(refund: Refund) -> bool:
    """Bring the refund's status in line with its payouts; True when it changed. Under the series lock."""
    outcome = refund_outcome([p.status for p in refund.payouts])
    before = refund.status
    if outcome is None or outcome == before:
        return False
    refund.status = outcome
    references = ", ".join(p.stripe_refund_id for p in refund.payouts if p.stripe_refund_id)
    if outcome == RefundStatus.PAID:
        refund.paid_at, refund.paid_reference, refund.next_attempt_at = now(), references, None
        refund_went_out(refund, None, before=before)
    elif outcome == RefundStatus.FAILED:
        refund.next_attempt_at = None
        refund.last_error = ("Stripe failed the refund: " + ", ".join(
            p.failure_reason or p.status for p in refund.payouts if p.status in FAILED_PAYOUTS))[:ERROR_LENGTH]
        log_action(refund, "refund_failed", None, changes={"status": [before, outcome]},
                   data={"amount": format_money(refund.amount), "error": refund.last_error, "reference": references})
    else:
        log_action(refund, "refund_sent", None, changes={"status": [before, outcome]},
                   data={"amount": format_money(refund.amount), "reference": references, "provider": PROVIDER})
    return True


# -- what Stripe reports ------------------------------------------------------------------------------

def refund_reported(stripe_refund) -> None:
    """A `refund.*` webhook: the payout it belongs to (by Stripe's id, or by our id in its metadata
    when Stripe's answer to the create never reached us). The request commits."""
    payout_id = getattr(getattr(stripe_refund, "metadata", None), "payout_id", None)
    payout = db.session.scalar(select(RefundPayout).where(or_(
        RefundPayout.stripe_refund_id == stripe_refund.id,
        RefundPayout.id == int(payout_id) if payout_id and payout_id.isdigit() else false())))
    if payout is None:
        return  # not one of ours (made in Stripe's dashboard, say)
    lock_series(payout.refund.application.series_id)
    db.session.refresh(payout)
    _advance(payout, stripe_refund)
    _settle(payout.refund)


def charge_refunded(payment_intent: str | None) -> None:
    """`charge.refunded`: the charge's refunds are not in the event, so the pending ones are looked up."""
    if not payment_intent:
        return
    pending = db.session.scalars(
        select(RefundPayout).join(Payment, RefundPayout.payment_id == Payment.id)
        .where(Payment.provider == PROVIDER, Payment.reference == payment_intent,
               RefundPayout.stripe_refund_id.is_not(None), RefundPayout.status.in_(PENDING_PAYOUTS))
    ).all()
    ids = [p.stripe_refund_id for p in pending if p.stripe_refund_id is not None]  # all: the query asks so
    db.session.commit()  # no transaction held while Stripe answers; a failure here makes Stripe send it again
    for stripe_refund in [stripe_api.retrieve_refund(i) for i in ids]:
        refund_reported(stripe_refund)
