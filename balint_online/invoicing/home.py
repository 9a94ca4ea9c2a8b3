"""On the home page: money owed (with the way to pay), the complimentary membership offer, and invoices and receipts.

Money appears only where something is owed or paid: an application still waiting, or ended
before anything was paid, has no line here.
"""

from ..enrollment.home import applications
from ..pricing.providers import pays_online
from ..pricing.services import OWING_STATUSES, account, open_membership_offer
from .services import invoice_numbers


def _accounts(home):
    return home.once("accounts", lambda: {a.id: account(a) for a in applications(home)})


def payments_due(home):
    accounts = _accounts(home)
    due = [(a, accounts[a.id]) for a in applications(home) if a.status in OWING_STATUSES and accounts[a.id].balance > 0]
    offer = open_membership_offer(home.user)
    if not due and offer is None:
        return None
    return "pricing/_home.html", {"due": due, "offer": offer, "online": pays_online()}


def _has_money(application, acct) -> bool:
    return application.status in OWING_STATUSES or acct.paid > 0 or acct.refund_due > 0 or acct.refund_paid > 0


def documents(home):
    accounts = _accounts(home)
    billed = [a for a in applications(home) if _has_money(a, accounts[a.id])]
    if not billed:
        return None
    numbers = invoice_numbers(a.id for a in billed)
    payments = sorted((p for a in billed for p in a.payments), key=lambda p: p.received_at, reverse=True)
    return "pricing/_home_documents.html", {"invoices": [(a, numbers.get(a.id), accounts[a.id]) for a in billed],
                                            "payments": payments}
