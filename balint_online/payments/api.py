"""JSON endpoints for quotes, payments, scholarships and the payment providers' notifications (pricing's
blueprint, "pricing_api"). The scholarship endpoint answers with the application (applications/schemas.py),
so the endpoints sit above applications."""

from flask import Blueprint, request

from ..aid.services import grant_scholarship
from ..applications.schemas import ApplicationOut
from ..core.api import ApiError, api_auth, current_api_user, get_or_404, idempotency_key, returns, use_body, use_query
from ..core.schemas import column_length
from ..enrollment.models import Application
from ..enrollment.quotes import quote_for
from ..extensions import db
from ..flows.payments import payment_recorded, record_payment
from ..pricing.models import Payment
from ..pricing.providers import provider_named
from ..pricing.schemas import (
    PaymentCreate,
    PaymentOut,
    Quote,
    QuoteQuery,
    Recorded,
    RecordedPayment,
    ScholarshipGrant,
    claims_of,
)
from ..pricing.services import payment_status
from ..series.models import Series

bp = Blueprint("pricing_api", __name__)
KEY_LENGTH = column_length(Payment.idempotency_key)


@bp.get("/series/<int:series_id>/quote")
@api_auth
@use_query(QuoteQuery)
@returns(Quote)
def series_quote(series_id, query: QuoteQuery):
    """What the caller would pay (membership from their own record)"""
    series = get_or_404(Series, series_id, "series")
    if series.lifecycle == "draft" and not series.can_manage(current_api_user()):
        raise ApiError(404, f"No series with id {series_id}.")
    # Membership comes from the caller's own record on that date, never from the request.
    offered = quote_for(series, current_api_user(), claims=claims_of(query), on=query.on)
    return Quote.model_validate(offered.to_api())


@bp.post("/applications/<int:application_id>/payments")
@api_auth
@use_body(PaymentCreate)
@returns(RecordedPayment, status=(201, 200), errors=(403, 409), headers={"Idempotency-Key": {
    "type": "string", "minLength": 1, "maxLength": KEY_LENGTH, "description": "Makes a retry record nothing new"}})
def add_payment(application_id, body: PaymentCreate):
    """Record a payment (admin)

    An Idempotency-Key header (or idempotency_key field) makes a retry record nothing new: 201 the first time,
    200 with the same payment after. Without a key, a request repeating the reference and amount of a payment
    on the same application within 10 minutes is taken for a retry and answered the same way.
    """
    user = current_api_user()
    if not user.is_admin:
        raise ApiError(403, "Only administrators record payments.")
    application = get_or_404(Application, application_id, "application")
    key = idempotency_key(KEY_LENGTH) or body.idempotency_key
    payment, created = record_payment(application, amount=body.amount, method=body.method, reference=body.reference,
                                      actor=user, idempotency_key=key)
    db.session.commit()
    answer = RecordedPayment(**PaymentOut.of(payment).model_dump(), payment_status=payment_status(application))
    return answer, 201 if created else 200


@bp.post("/applications/<int:application_id>/scholarship")
@api_auth
@use_body(ScholarshipGrant)
@returns(ApplicationOut, errors=(403, 409))
def scholarship(application_id, body: ScholarshipGrant):
    """Grant a scholarship (admin): the amount due becomes 0.00; recorded in the history"""
    user = current_api_user()
    if not user.is_admin:
        raise ApiError(403, "Only administrators grant scholarships.")
    application = get_or_404(Application, application_id, "application")
    grant_scholarship(application, user, body.reason)
    db.session.commit()
    return ApplicationOut.of(application, manager=current_api_user())


@bp.post("/payments/notifications/<provider>")
@returns(Recorded, errors=(400,))
def provider_notification(provider):
    """A payment provider reports money received (authenticated by the provider's signature, not by token)"""
    recorded = provider_named(provider).handle_notification(request)
    for payment in recorded:  # each new one; a notification delivered again records none
        payment_recorded(payment, None)
    db.session.commit()
    return Recorded(recorded=[PaymentOut.of(p) for p in recorded])
