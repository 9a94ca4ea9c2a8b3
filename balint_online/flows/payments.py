"""Money that moves, and what follows: each payment recorded, and each ending, settles what is owed back
(pricing), then the invoice follows what the member is now charged (invoicing: a credit note), and the
member is told. Pages, the API and the payment providers' notifications call these; each flushes inside
the caller's unit of work, which commits.
"""

from decimal import Decimal

from ..enrollment.models import Application
from ..invoicing.services import credit_to_account
from ..pricing import services as pricing
from ..pricing.models import Payment
from ..pricing.services import Owed


def settle(application: Application, actor) -> Owed | None:
    """What is owed back brought in line with everything paid and the application's state, and the credit
    note for what the member is no longer charged. Under the series lock; None while the application is live."""
    owed = pricing.settle_refunds(application, actor)
    if owed is not None:
        credit_to_account(application, actor, owed.ending, refund=owed.recorded)
    return owed


def payment_recorded(payment: Payment, actor) -> None:
    """What a new payment causes: a payment on an application that has ended is owed back at once (less
    what the policy keeps); then the member's receipt, which shows their account."""
    settle(payment.application, actor)
    pricing.tell_payment_received(payment)


def record_payment(application: Application, *, amount: Decimal, method: str, reference: str, actor,
                   idempotency_key: str | None = None, provider: str = "manual") -> tuple[Payment, bool]:
    """(payment, created): a retried request records nothing new and causes nothing (pricing.record_payment)."""
    payment, created = pricing.record_payment(application, amount=amount, method=method, reference=reference,
                                              actor=actor, idempotency_key=idempotency_key, provider=provider)
    if created:
        payment_recorded(payment, actor)
    return payment, created
