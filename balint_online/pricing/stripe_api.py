"""The few Stripe calls the platform makes, in one place: which API version, which endpoints, which
keys (from configuration, hence the environment; never the database), and what counts as Stripe
being down (worth retrying) rather than refusing.

Endpoints relied on: POST /v1/checkout/sessions, GET /v1/checkout/sessions/{id},
POST /v1/checkout/sessions/{id}/expire, POST /v1/refunds, GET /v1/refunds/{id}; webhooks signed with
the endpoint's secret (Stripe-Signature).
"""

from datetime import UTC, datetime
from decimal import Decimal

import stripe
from flask import current_app
from stripe.params import RefundCreateParams
from stripe.params.checkout import SessionCreateParams

from ..core.errors import DomainError
from ..core.money import CENT

# The version stripe==16.1.0 is generated for. Every request sends it, and the webhook endpoint in
# Stripe's dashboard must be created with it too, so that events arrive in the shape read here.
API_VERSION = "2026-10-28.endive"

# Currencies Stripe counts in whole units (https://docs.stripe.com/currencies#zero-decimal).
ZERO_DECIMAL_CURRENCIES = frozenset({"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX",
                                     "VND", "VUV", "XAF", "XOF", "XPF"})


class StripeUnavailable(DomainError):
    """Stripe could not be reached or could not answer now; nothing was charged or changed here."""

    status = 503
    code = "provider_unavailable"


def _exponent(currency: str) -> int:
    return 0 if currency.upper() in ZERO_DECIMAL_CURRENCIES else 2


def minor_units(amount: Decimal, currency: str) -> int:
    """An amount as Stripe takes it: an integer of the currency's smallest unit (cents), exactly."""
    units = amount.scaleb(_exponent(currency))
    if units != units.to_integral_value():
        raise ValueError(f"{amount} {currency} is not a whole number of the currency's smallest unit")
    return int(units)


def from_minor_units(units: int, currency: str) -> Decimal:
    return (Decimal(units).scaleb(-_exponent(currency))).quantize(CENT)


def instant(timestamp: int | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp, UTC) if timestamp else None


def retryable(exc: stripe.StripeError) -> bool:
    """Down, slow or busy (connection failures, timeouts, 5xx, 429): the same call may well work later.
    Anything else (a refused request, bad keys) fails the same way again."""
    if isinstance(exc, (stripe.APIConnectionError, stripe.RateLimitError)):
        return True
    return exc.http_status is not None and exc.http_status >= 500


def describe(exc: Exception) -> str:
    """A short account of a failed call for the log and for administrators (Stripe's errors never echo keys)."""
    if isinstance(exc, stripe.APIConnectionError):
        return "Stripe could not be reached, or did not answer in time"
    if isinstance(exc, stripe.StripeError):
        return f"Stripe answered {exc.http_status}: {exc.user_message or type(exc).__name__}"
    return str(exc)


def client() -> stripe.StripeClient:
    config = current_app.config
    if not config["STRIPE_SECRET_KEY"]:
        raise StripeUnavailable("Card payments are not set up: BALINT_STRIPE_SECRET_KEY is not set.",
                                code="not_configured")
    timeout = config["STRIPE_HTTP_TIMEOUT"]
    # No retries inside a call: a page answers at once, and the refund job retries with back-off itself.
    return stripe.StripeClient(config["STRIPE_SECRET_KEY"], stripe_version=API_VERSION,
                               base_addresses={"api": config["STRIPE_API_BASE"]}, max_network_retries=0,
                               http_client=stripe.RequestsClient(
                                   timeout=tuple(timeout) if isinstance(timeout, list) else timeout))


def create_checkout_session(params: SessionCreateParams, *, idempotency_key: str):
    return client().v1.checkout.sessions.create(params, {"idempotency_key": idempotency_key})


def retrieve_checkout_session(session_id: str):
    return client().v1.checkout.sessions.retrieve(session_id)


def expire_checkout_session(session_id: str):
    return client().v1.checkout.sessions.expire(session_id)


def create_refund(params: RefundCreateParams, *, idempotency_key: str):
    return client().v1.refunds.create(params, {"idempotency_key": idempotency_key})


def retrieve_refund(refund_id: str):
    return client().v1.refunds.retrieve(refund_id)


def verified_event(payload: bytes, signature: str | None):
    """The event Stripe sent, or SignatureVerificationError: unsigned, signed with another secret, or
    signed more than five minutes ago (a replay)."""
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    if not secret:
        raise stripe.SignatureVerificationError("BALINT_STRIPE_WEBHOOK_SECRET is not set", signature, payload)
    return stripe.Webhook.construct_event(payload, signature, secret, tolerance=stripe.Webhook.DEFAULT_TOLERANCE)
