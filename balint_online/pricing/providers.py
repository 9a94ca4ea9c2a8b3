"""How members pay: one interface, one provider per way of taking money.

A provider answers two questions:

- `start_payment(application, invoice_number)`: what the member sees next when they choose to pay
  (the number of the invoice they hold, if any, is given by the page, which is invoicing's). The built-in
  `invoice` provider sends them to their invoice, which says how to pay by bank transfer; an
  online provider would create a checkout and return its URL to redirect to.
- `handle_notification(request)`: the provider's server tells us money arrived. It returns the
  payments recorded (through `services.record_payment`, with the provider's own id of the payment
  as the idempotency key, so a notification delivered twice counts once); the endpoint then calls
  what each new payment causes (flows/payments.py: the settlement, the receipt).

The interface is in provider_base.py. Stripe Checkout is one (stripe_provider.py,
`BALINT_PAYMENT_PROVIDER=stripe`): `start_payment` creates a Checkout Session and redirects to it;
`handle_notification` verifies the `Stripe-Signature` header and records the payment when the
session is paid. The pages (`POST /applications/<id>/pay`) and the webhook endpoint
(`POST /payments/notifications/<provider>`) dispatch to whichever provider is named.
"""

from flask import current_app, url_for

from .provider_base import NotificationRejected, PaymentProvider, PaymentStep
from .stripe_provider import StripeProvider


class InvoiceProvider(PaymentProvider):
    """Members pay the invoice by bank transfer; an administrator records the money when it arrives."""

    name = "invoice"

    def start_payment(self, application, invoice_number: str | None) -> PaymentStep:
        return PaymentStep(redirect_url=url_for("pricing.invoice", application_id=application.id, _anchor="how-to-pay"),
                           instructions=current_app.config["INVOICE_PAYMENT_INSTRUCTIONS"])


PROVIDERS: dict[str, type[PaymentProvider]] = {p.name: p for p in (InvoiceProvider, StripeProvider)}


def provider_named(name: str) -> PaymentProvider:
    try:
        return PROVIDERS[name]()
    except KeyError:
        raise NotificationRejected(f"No payment provider is called {name!r}.") from None


def pays_online() -> bool:
    """Whether the configured provider takes payments itself: only then is there a "Pay" button."""
    provider = PROVIDERS.get(current_app.config["PAYMENT_PROVIDER"])
    return provider is not None and provider.online


def configured_provider() -> PaymentProvider:
    return provider_named(current_app.config["PAYMENT_PROVIDER"])
