"""JSON endpoints for applications (see CONTRACT.md)."""

from flask import Blueprint, url_for

from ..core.api import ApiError, api_auth, current_api_user, get_or_404, returns, use_body
from ..enrollment import attestation, services
from ..enrollment.models import Application
from ..extensions import db
from ..flows import applications as flows
from ..pricing.schemas import claims_of
from ..series.models import Series
from .schemas import (
    ApplicationCreate,
    ApplicationOut,
    Commitments,
    CommitmentsSet,
    Reason,
    Roster,
    RosterEntry,
    Withdrawn,
)

bp = Blueprint("enrollment_api", __name__)


def _load(application_id: int) -> Application:
    application = get_or_404(Application, application_id, "application")
    services.require_view(application, current_api_user())
    return application


def answer(application: Application, schema: type[ApplicationOut] = ApplicationOut, **more) -> ApplicationOut:
    """The application as the caller may see it: leaders and admins also get the member and the history."""
    user = current_api_user()
    return schema.of(application, manager=user if application.series.can_manage(user) else None, **more)


@bp.post("/series/<int:series_id>/applications")
@api_auth
@use_body(ApplicationCreate)
@returns(ApplicationOut, status=201, errors=(403, 409))
def create(series_id, body: ApplicationCreate):
    """Apply, confirming each commitment; the price is locked now"""
    series = get_or_404(Series, series_id, "series")
    application = services.apply(series, current_api_user(), claims=claims_of(body), answers=body.attestation,
                                 note=body.note)
    db.session.commit()
    return answer(application), {"Location": url_for(".detail", application_id=application.id)}


@bp.get("/applications/<int:application_id>")
@api_auth
@returns(ApplicationOut, errors=(403,))
def detail(application_id):
    """An application (the applicant, the series' leaders, admins)"""
    return answer(_load(application_id))


@bp.post("/applications/<int:application_id>/accept")
@api_auth
@returns(ApplicationOut, errors=(403, 409))
def accept(application_id):
    """Accept: enrolled, or waitlisted with a position when the series is full or anyone waits"""
    application = flows.accept(_load(application_id), current_api_user())
    db.session.commit()
    return answer(application)


@bp.post("/applications/<int:application_id>/decline")
@api_auth
@use_body(Reason)
@returns(ApplicationOut, errors=(403, 409))
def decline(application_id, body: Reason):
    """Decline with a reason the applicant is told"""
    application = flows.decline(_load(application_id), current_api_user(), body.reason)
    db.session.commit()
    return answer(application)


@bp.post("/applications/<int:application_id>/withdraw")
@api_auth
@use_body(Reason)
@returns(Withdrawn, errors=(403, 409))
def withdraw(application_id, body: Reason):
    """Withdraw in writing; the refund follows the cancellation policy"""
    application = _load(application_id)
    refund = flows.withdraw(application, current_api_user(), body.reason)
    db.session.commit()
    return answer(application, Withdrawn, refund={
        "amount": refund.amount, "currency": refund.currency, "reason": refund.reason,
        "lines": [{"label": line.label, "amount": line.amount} for line in refund.lines],
        "due_by": refund.due_by if refund.amount else None})


@bp.post("/applications/<int:application_id>/accept-offer")
@api_auth
@returns(ApplicationOut, errors=(403, 409))
def accept_offer(application_id):
    """Take up a waiting-list offer before it lapses"""
    application = flows.accept_offer(_load(application_id), current_api_user())
    db.session.commit()
    return answer(application)


@bp.get("/series/<int:series_id>/roster")
@api_auth
@returns(Roster, errors=(403,))
def roster(series_id):
    """Every application with status, payment status and discipline (leaders, admins)"""
    series = get_or_404(Series, series_id, "series")
    if not series.can_manage(current_api_user()):
        raise ApiError(403, "Only this series' leaders or an administrator may see its roster.")
    applications = services.series_applications(series)
    positions = services.waitlist_positions(applications)
    return Roster(series_id=series.id, capacity=series.capacity, seats_left=series.seats_left, applications=[
        RosterEntry.of(a, manager=current_api_user(), positions=positions, discipline=a.user.discipline)
        for a in applications])


@bp.get("/commitments")
@api_auth(optional=True)
@returns(Commitments)
def commitments():
    """The commitments applicants agree to now, in the society's words

    Which keys an application's attestation must confirm (required) and the advice shown.
    """
    return Commitments.of(services.current_attestation_text())


@bp.put("/commitments")
@api_auth
@use_body(CommitmentsSet)
@returns(Commitments, status=201, errors=(403, 409))
def edit_commitments(body: CommitmentsSet):
    """Admins save new wording as the next version; applications made before keep theirs

    409 `unchanged` when nothing differs.
    """
    items = [attestation.Item(**item.model_dump()) for item in body.items]
    stored = services.publish_attestation(body.intro, items, current_api_user())
    db.session.commit()
    return Commitments.of(stored)
