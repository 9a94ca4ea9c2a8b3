"""Quotes for real people, payments and refunds recorded against applications."""

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..core.clock import now
from ..core.errors import DomainError
from ..extensions import db
from .models import Payment, Refund
from .rules import Quote, local_date, parse_price_table, quote, refund_due_by, refund_for_society_cancellation, refund_for_withdrawal

ZERO = Decimal("0.00")


def membership_flags(user, on: date) -> tuple[bool, bool]:
    """(is a member, has been granted the member rate) on the date, from the membership records."""
    covering = [m for m in user.memberships if m.covers(on)]
    is_member = any(m.kind in ("society", "complimentary") for m in covering)
    granted = any(m.kind == "other_society" for m in covering)
    return is_member, granted


def series_today(series) -> date:
    return local_date(now(), series.timezone)


def quote_for(series, user, *, trainee: bool, on: date | None = None, scholarship: bool = False) -> Quote:
    on = on or series_today(series)
    is_member, granted = membership_flags(user, on)
    return quote(parse_price_table(series.prices), currency=series.currency, on=on,
                 early_bird_deadline=series.early_bird_deadline, is_member=is_member, trainee=trainee,
                 member_rate_granted=granted, scholarship=scholarship)


def paid_total(application) -> Decimal:
    return sum((p.amount for p in application.payments), ZERO)


def refunded_total(application) -> Decimal:
    return sum((r.amount for r in application.refunds), ZERO)


def payment_status(application) -> str:
    """unpaid, part-paid, paid, waived (scholarship), refund-due or refunded."""
    if any(r.status == "due" and r.amount > 0 for r in application.refunds):
        return "refund-due"
    if any(r.amount > 0 for r in application.refunds):
        return "refunded"
    paid = paid_total(application)
    due = application.amount_due
    if due == ZERO:
        return "waived" if application.scholarship else "paid"
    if paid >= due:
        return "paid"
    return "part-paid" if paid > ZERO else "unpaid"


def _existing(model, key: str | None):
    if not key:
        return None
    return db.session.scalar(select(model).where(model.idempotency_key == key))


def record_payment(application, *, amount: Decimal, method: str, reference: str, actor, idempotency_key: str | None = None,
                   provider: str = "manual") -> tuple[Payment, bool]:
    """Record money received; (payment, created). A retried request with the same key records nothing new."""
    from ..enrollment.services import audit

    if existing := _existing(Payment, idempotency_key):
        if existing.application_id != application.id or existing.amount != amount:
            raise DomainError("That idempotency key was used for a different payment.", code="idempotency_conflict")
        return existing, False
    payment = Payment(amount=amount, currency=application.currency, method=method,
                      reference=reference, idempotency_key=idempotency_key, provider=provider,
                      recorded_by_id=getattr(actor, "id", None))
    application.payments.append(payment)
    audit(application, "payment_recorded", actor, data={"amount": f"{amount:.2f}", "method": method, "reference": reference})
    try:
        db.session.commit()
    except IntegrityError:  # the same key raced in from a concurrent retry
        db.session.rollback()
        return record_payment(application, amount=amount, method=method, reference=reference, actor=actor,
                              idempotency_key=idempotency_key, provider=provider)
    return payment, True


def refund_on_withdrawal(application, received_on: date) -> Refund:
    series = application.series
    decision = refund_for_withdrawal(paid=paid_total(application), received_on=received_on,
                                     cancellation_deadline=series.cancellation_deadline, fee=series.cancellation_fee)
    return _add_refund(application, decision, received_on)


def refund_in_full(application, *, declined: bool) -> Refund:
    decision = refund_for_society_cancellation(paid=paid_total(application), declined=declined)
    return _add_refund(application, decision, series_today(application.series))


def _add_refund(application, decision, acknowledged_on: date) -> Refund:
    refund = Refund(amount=decision.amount, currency=application.currency,
                    reason=decision.reason, lines=[line.to_api() for line in decision.lines],
                    status="due" if decision.amount > ZERO else "paid", acknowledged_on=acknowledged_on,
                    due_by=refund_due_by(acknowledged_on), idempotency_key=f"refund:{application.id}:{decision.reason}")
    application.refunds.append(refund)
    return refund


def mark_refund_paid(refund: Refund, *, reference: str, actor) -> Refund:
    from ..enrollment.services import audit

    if refund.status == "paid":
        return refund
    refund.status, refund.paid_at, refund.paid_reference = "paid", now(), reference
    audit(refund.application, "refund_paid", actor, data={"amount": f"{refund.amount:.2f}", "reference": reference})
    db.session.commit()
    return refund
