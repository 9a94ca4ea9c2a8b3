"""How members pay: one interface, one provider per way of taking money.

A provider answers two questions:

- `start_payment(application)`: what the member sees next when they choose to pay. The built-in
  `invoice` provider sends them to their invoice, which says how to pay by bank transfer; an
  online provider would create a checkout and return its URL to redirect to.
- `handle_notification(request)`: the provider's server tells us money arrived. It returns the
  payments recorded (through `services.record_payment`, with the provider's own id of the payment
  as the idempotency key, so a notification delivered twice counts once).

Stripe Checkout is one (stripe_provider.py, `BALINT_PAYMENT_PROVIDER=stripe`): `start_payment`
creates a Checkout Session and redirects to it; `handle_notification` verifies the
`Stripe-Signature` header and records the payment when the session is paid. The pages
(`POST /applications/<id>/pay`) and the webhook endpoint (`POST /payments/notifications/<provider>`)
dispatch to whichever provider is named.
"""

from dataclasses import dataclass

from flask import current_app, url_for

from ..core.errors import DomainError


@dataclass(frozen=True)
class PaymentStep:
    """What the member sees next: a page to go to (ours or the provider's) and what to do there."""

    redirect_url: str
    instructions: str = ""


class NotificationRejected(DomainError):
    """A notification that is not from the provider, or not for us (HTTP 400 to the sender)."""

    status = 400
    code = "notification_rejected"


class PaymentProvider:
    name = ""
    # Origins of the provider's hosted pages that paying redirects to (the pages' form-action allows them).
    form_action_origins: tuple[str, ...] = ()
    # Whether "Pay" takes the money there and then (a card page); otherwise members are shown how to pay.
    online = False

    def start_payment(self, application) -> PaymentStep:
        raise NotImplementedError

    def handle_notification(self, request) -> list:
        """Verify and record what the provider reports; returns the payments recorded."""
        raise NotificationRejected(f"The {self.name} provider receives no notifications.")


class InvoiceProvider(PaymentProvider):
    """Members pay the invoice by bank transfer; an administrator records the money when it arrives."""

    name = "invoice"

    def start_payment(self, application) -> PaymentStep:
        return PaymentStep(redirect_url=url_for("pricing.invoice", application_id=application.id, _anchor="how-to-pay"),
                           instructions=current_app.config["INVOICE_PAYMENT_INSTRUCTIONS"])


from .stripe_provider import StripeProvider  # noqa: E402  (built on the classes above)

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
