"""On the home page: money owed (with the way to pay), the complimentary membership offer, and invoices and receipts.

Money appears only where something is owed or paid: an application still waiting, or ended
before anything was paid, has no line here. What is owed is found by the database (however old the
group), and the invoices come a page at a time, so the page costs the same however long the
person's history.
"""

from sqlalchemy import exists, func, or_, select, type_coerce
from sqlalchemy.orm import joinedload, selectinload

from ..core.money import ZERO
from ..core.pagination import paginate
from ..core.types import Money
from ..enrollment.home import HISTORY_PER_PAGE
from ..enrollment.models import Application
from ..extensions import db
from ..pricing.models import REFUNDS_OWED, Payment, Refund, RefundStatus
from ..pricing.providers import pays_online
from ..pricing.services import OWING_STATUSES, account, open_membership_offer
from .services import invoice_numbers


def _total(model, *conditions):
    return type_coerce(select(func.coalesce(func.sum(model.amount), 0))
                       .where(model.application_id == Application.id, *conditions)
                       .correlate(Application).scalar_subquery(), Money)


def _with_money():
    return joinedload(Application.series), selectinload(Application.payments), selectinload(Application.refunds)


def payments_due(home):
    # Only a place not waived, paid less than its price net of refunds, can owe anything; `account` decides.
    candidates = db.session.scalars(
        select(Application).where(Application.user_id == home.user.id, Application.status.in_(OWING_STATUSES),
                                  Application.scholarship.is_(False),
                                  _total(Payment) - _total(Refund) < Application.price)
        .order_by(Application.applied_at.desc(), Application.id.desc()).options(*_with_money())).all()
    due = [(a, acct) for a in candidates if (acct := account(a)).balance > 0]
    offer = open_membership_offer(home.user)
    if not due and offer is None:
        return None
    return "pricing/_home.html", {"due": due, "offer": offer, "online": pays_online()}


def documents(home):
    """The invoices of every application with money (a place held, or anything paid or refunded), newest
    first, a page at a time (?invoices=), each with its receipts."""
    page = paginate(
        select(Application).where(Application.user_id == home.user.id, or_(
            Application.status.in_(OWING_STATUSES), exists().where(Payment.application_id == Application.id),
            _total(Refund, Refund.status.in_((*REFUNDS_OWED, RefundStatus.PAID))) > ZERO))
        .order_by(Application.applied_at.desc(), Application.id.desc()).options(*_with_money()),
        HISTORY_PER_PAGE, param="invoices", count_if_full=True)
    if not page.total:
        return None
    numbers = invoice_numbers(a.id for a in page.items)
    payments = sorted((p for a in page.items for p in a.payments), key=lambda p: p.received_at, reverse=True)
    return "pricing/_home_documents.html", {"page": page, "payments": payments,
                                            "invoices": [(a, numbers.get(a.id), account(a)) for a in page.items]}
