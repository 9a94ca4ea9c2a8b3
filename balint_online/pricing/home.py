"""Invoices, receipts and the complimentary membership offer on the member's home page."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..enrollment.models import Application
from ..extensions import db
from ..invoicing.services import invoice_numbers
from .services import account, open_membership_offer


def section(user):
    applications = db.session.scalars(
        select(Application).where(Application.user_id == user.id)
        .options(selectinload(Application.series), selectinload(Application.payments),
                 selectinload(Application.refunds))
        .order_by(Application.applied_at.desc())
    ).all()
    offer = open_membership_offer(user)
    if not applications and offer is None:
        return None  # nothing billed yet: the applications section says how to start
    numbers = invoice_numbers(a.id for a in applications)
    invoices = [(a, numbers.get(a.id), account(a)) for a in applications]
    payments = sorted((p for a in applications for p in a.payments), key=lambda p: p.received_at, reverse=True)
    return ("pricing/_home.html", {"invoices": invoices, "payments": payments, "offer": offer, "user": user})
