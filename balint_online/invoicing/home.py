"""On the home page: money owed (with the way to pay), the complimentary membership offer, and invoices and receipts.

Money appears only where something is owed or paid: an application still waiting, or ended
before anything was paid, has no line here. What is owed is found by the database (however old the
group), and the invoices come a page at a time, their sums made by the database, so the page costs
the same however long the person's history.
"""

from functools import cache

from sqlalchemy import bindparam, exists, func, or_, select, type_coerce
from sqlalchemy.orm import joinedload, selectinload

from ..core.money import ZERO
from ..core.pagination import rows_page
from ..core.types import Money
from ..enrollment.home import HISTORY_PER_PAGE
from ..enrollment.models import LIVE_STATUSES, Application
from ..extensions import db
from ..pricing.models import REFUNDS_OWED, Payment, Refund, RefundStatus
from ..pricing.providers import pays_online
from ..pricing.services import OWING_STATUSES, account, account_for, open_membership_offer
from ..series.models import Series
from .models import Invoice


def _total(model, *conditions):
    return type_coerce(select(func.coalesce(func.sum(model.amount), 0))
                       .where(model.application_id == Application.id, *conditions)
                       .correlate(Application).scalar_subquery(), Money)


@cache
def _owing():
    # Only a place not waived, paid less than its price net of refunds, can owe anything; `account` decides.
    return (select(Application).where(Application.user_id == bindparam("user_id"),
                                      Application.status.in_(OWING_STATUSES), Application.scholarship.is_(False),
                                      _total(Payment) - _total(Refund) < Application.price)
            .order_by(Application.applied_at.desc(), Application.id.desc())
            .options(joinedload(Application.series), selectinload(Application.payments),
                     selectinload(Application.refunds)))


def payments_due(home):
    candidates = db.session.scalars(_owing(), home.params).all()
    due = [(a, acct) for a in candidates if (acct := account(a)).balance > 0]
    offer = open_membership_offer(home.user)
    if not due and offer is None:
        return None
    return "pricing/_home.html", {"due": due, "offer": offer, "online": pays_online()}


@cache
def _documents():
    refund_due = _total(Refund, Refund.status.in_(REFUNDS_OWED))
    refund_paid = _total(Refund, Refund.status == RefundStatus.PAID)
    latest = (select(Invoice.number).where(Invoice.application_id == Application.id).order_by(Invoice.id.desc())
              .limit(1).correlate(Application).scalar_subquery())
    return (select(Application.id, Application.status, Application.currency, Application.price,
                   Application.scholarship, Series.title, _total(Payment).label("paid"),
                   refund_due.label("refund_due"), refund_paid.label("refund_paid"), latest.label("number"))
            .join(Series, Series.id == Application.series_id)
            .where(Application.user_id == bindparam("user_id"), or_(
                Application.status.in_(OWING_STATUSES), exists().where(Payment.application_id == Application.id),
                refund_due > ZERO, refund_paid > ZERO))
            .order_by(Application.applied_at.desc(), Application.id.desc()))


@cache
def _receipts():
    return (select(Payment.id, Payment.amount, Payment.currency, Payment.received_at)
            .where(Payment.application_id.in_(bindparam("ids", expanding=True)))
            .order_by(Payment.received_at.desc(), Payment.id.desc()))


def documents(home):
    """The invoices of every application with money (a place held, or anything paid or refunded), newest
    first, a page at a time (?invoices=), each with its receipts: two queries, no object loaded."""
    page = rows_page(_documents(), HISTORY_PER_PAGE, param="invoices", params=home.params)
    if not page.total:
        return None
    payments = db.session.execute(_receipts(), {"ids": [r.id for r in page.items]}).all()
    invoices = [(r, account_for(status=r.status, quoted=r.price, due=ZERO if r.scholarship else r.price, paid=r.paid,
                                refund_due=r.refund_due, refund_paid=r.refund_paid)) for r in page.items]
    return "pricing/_home_documents.html", {"page": page, "invoices": invoices, "payments": payments,
                                            "live": LIVE_STATUSES}
