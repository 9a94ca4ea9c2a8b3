"""JSON endpoints for quotes and payments."""

from datetime import date

from flask import Blueprint, request

from ..core.api import ApiError, Fields, api_auth, current_api_user, get_or_404, json_body
from ..core.timefmt import iso_z
from ..enrollment.models import Application
from ..series.models import Series
from .models import PAYMENT_METHODS
from .providers import provider_named
from .rules import format_money, money
from .services import grant_scholarship, payment_status, quote_for, record_payment

bp = Blueprint("pricing_api", __name__)


@bp.get("/series/<series_id>/quote")
@api_auth
def series_quote(series_id):
    series = get_or_404(Series, series_id, "series")
    if series.lifecycle == "draft" and not series.can_manage(current_api_user()):
        raise ApiError(404, f"No series with id {series_id}.")
    errors = {}
    trainee_raw = request.args.get("trainee", "false").lower()
    if trainee_raw not in ("true", "false", "1", "0"):
        errors["trainee"] = "Must be true or false."
    on = None
    if "on" in request.args:
        try:
            on = date.fromisoformat(request.args["on"])
        except ValueError:
            errors["on"] = "Must be a date written YYYY-MM-DD."
    if errors:
        raise ApiError(400, "Some query parameters are not understood.", fields=errors)
    # Membership comes from the caller's own record on that date, never from the request.
    return quote_for(series, current_api_user(), trainee=trainee_raw in ("true", "1"), on=on).to_api()


def payment_json(payment) -> dict:
    return {"id": payment.id, "application_id": payment.application_id, "amount": format_money(payment.amount),
            "currency": payment.currency, "method": payment.method, "reference": payment.reference,
            "received_at": iso_z(payment.received_at)}


@bp.post("/applications/<application_id>/payments")
@api_auth
def add_payment(application_id):
    user = current_api_user()
    if not user.is_admin:
        raise ApiError(403, "Only administrators record payments.")
    application = get_or_404(Application, application_id, "application")
    data = json_body()
    f = Fields(data)
    method = f.string("method", required=True, max_length=20, choices=tuple(PAYMENT_METHODS))
    reference = f.string("reference", default="", max_length=200)
    key = request.headers.get("Idempotency-Key") or f.string("idempotency_key", max_length=200)
    amount = None
    try:
        amount = money(data.get("amount"))
        if amount <= 0:
            f.fail("amount", "Must be more than 0.00.")
    except (TypeError, ValueError) as exc:
        f.fail("amount", f"Must be an amount written as a string such as \"875.00\" ({exc}).")
    f.check()
    payment, created = record_payment(application, amount=amount, method=method, reference=reference, actor=user,
                                      idempotency_key=key)
    body = {**payment_json(payment), "payment_status": payment_status(application)}
    return body, 201 if created else 200


@bp.post("/applications/<application_id>/scholarship")
@api_auth
def scholarship(application_id):
    from ..enrollment.api import application_json

    user = current_api_user()
    if not user.is_admin:
        raise ApiError(403, "Only administrators grant scholarships.")
    application = get_or_404(Application, application_id, "application")
    f = Fields(json_body())
    reason = f.string("reason", default="", max_length=1000)
    f.check()
    grant_scholarship(application, user, reason)
    return application_json(application, for_manager=True)


@bp.post("/payments/notifications/<provider>")
def provider_notification(provider):
    """Called by a payment provider's servers, which authenticate by signature, not by token."""
    payments = provider_named(provider).handle_notification(request)
    return {"recorded": [payment_json(p) for p in payments]}
