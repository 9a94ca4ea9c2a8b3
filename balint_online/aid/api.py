"""JSON endpoints for financial aid: programmes, applying after registering, awarding and declining."""

from flask import Blueprint

from ..core.api import ApiError, api_auth, current_api_user, get_or_404, returns, use_body
from ..enrollment.models import Application
from ..extensions import db
from ..series.models import Series
from . import rules, services
from .models import AidApplication, AidProgramme
from .schemas import Aid, AidApply, AidDecision, Programme, ProgrammeCreate, Programmes

bp = Blueprint("aid_api", __name__)


@bp.get("/series/<int:series_id>/aid-programmes")
@api_auth
@returns(Programmes)
def list_programmes(series_id):
    """The aid programmes offered for a series (its own and the society's)"""
    series = get_or_404(Series, series_id, "series")
    return Programmes(programmes=[Programme.of(p) for p in services.programmes_for(series.id)])


@bp.post("/aid-programmes")
@api_auth
@use_body(ProgrammeCreate)
@returns(Programme, status=201, errors=(403,))
def create_programme(body: ProgrammeCreate):
    """Set up an aid programme (admin); without series_id it is the society's, for every series"""
    user = current_api_user()
    if not user.is_admin:
        raise ApiError(403, "Only administrators set up financial aid.")
    if body.series_id is not None and db.session.get(Series, body.series_id) is None:
        raise ApiError(422, "Some fields need attention: series_id.", fields={"series_id": "No such series."})
    programme = services.create_programme(
        user, series_id=body.series_id, kind=body.kind, name=body.name, description=body.description,
        max_awards=body.max_awards, criteria=[rules.Criterion.from_json(c.model_dump()) for c in body.eligible],
        deadline=body.deadline)
    db.session.commit()
    return Programme.of(programme)


@bp.post("/applications/<int:application_id>/aid")
@api_auth
@use_body(AidApply)
@returns(Aid, status=201, errors=(403, 409))
def apply(application_id, body: AidApply):
    """Apply for aid on one's own registration (register first)

    409 with error not_registered, deadline_passed, not_eligible or already_applied.
    """
    user = current_api_user()
    application = get_or_404(Application, application_id, "application")
    if application.user_id != user.id:
        raise ApiError(403, "Only the registrant applies for aid on their registration.")
    programme = get_or_404(AidProgramme, body.programme_id, "aid programme")
    aid = services.apply_for_aid(application, user, programme, training_status=body.training_status,
                                 specialty=body.specialty, statement=body.statement)
    db.session.commit()
    return Aid.of(aid)


@bp.get("/aid-applications/<int:aid_id>")
@api_auth
@returns(Aid, errors=(403,))
def show(aid_id):
    """An aid application (the applicant, admin)"""
    aid = get_or_404(AidApplication, aid_id, "aid application")
    if not services.can_view(aid, current_api_user()):
        raise ApiError(403, "Only the applicant or an administrator may see this aid application.")
    return Aid.of(aid)


def _decide(aid_id: int, act, note: str) -> Aid:
    aid = get_or_404(AidApplication, aid_id, "aid application")
    act(aid, current_api_user(), note)
    db.session.commit()
    return Aid.of(aid)


@bp.post("/aid-applications/<int:aid_id>/award")
@api_auth
@use_body(AidDecision)
@returns(Aid, errors=(403, 409))
def award(aid_id, body: AidDecision):
    """Award the aid (admin): the fee is waived and anything already paid becomes a refund owed

    409 limit_reached when the programme's awards for the series are used up; also not_submitted, not_accepted,
    already_aided, registration_ended.
    """
    return _decide(aid_id, services.award, body.reason)


@bp.post("/aid-applications/<int:aid_id>/decline")
@api_auth
@use_body(AidDecision)
@returns(Aid, errors=(403, 409))
def decline(aid_id, body: AidDecision):
    """Decline the aid (admin), saying why"""
    if not body.reason:
        raise ApiError(422, "Some fields need attention: reason.", fields={"reason": "This field is required."})
    return _decide(aid_id, services.decline, body.reason)
