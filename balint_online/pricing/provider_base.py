"""The payment provider interface (see providers.py): what each way of taking money implements."""

from dataclasses import dataclass

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

    def start_payment(self, application, invoice_number: str | None) -> PaymentStep:
        raise NotImplementedError

    def handle_notification(self, request) -> list:
        """Verify and record what the provider reports; returns the payments newly recorded, whose
        consequences the caller then calls (flows/payments.payment_recorded)."""
        raise NotificationRejected(f"The {self.name} provider receives no notifications.")
