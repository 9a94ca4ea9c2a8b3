"""JSON endpoints for a series' credit (its lines by accrediting body) and a member's certificate standing."""

from flask import Blueprint

from ..core.api import ApiError, api_auth, current_api_user, get_or_404, returns, use_body
from ..extensions import db
from ..series.models import Series
from . import services
from .models import SeriesCredit
from .schemas import Credit, CreditLineCreate, Shortfall, Standing, StoredCreditLine

bp = Blueprint("certificates_api", __name__)


def _credit(series_id: int) -> tuple[Series, SeriesCredit]:
    series = get_or_404(Series, series_id, "series")
    credit = db.session.get(SeriesCredit, series.id)
    if credit is None:
        raise ApiError(404, "This series has no credit settings.")
    return series, credit


@bp.get("/series/<int:series_id>/credit")
@api_auth
@returns(Credit)
def show(series_id):
    """A series' credit settings and its credit lines by accrediting body"""
    _, credit = _credit(series_id)
    return Credit.of(credit)


@bp.post("/series/<int:series_id>/credit/lines")
@api_auth
@use_body(CreditLineCreate)
@returns(StoredCreditLine, status=201, errors=(403, 409))
def add_line(series_id, body: CreditLineCreate):
    """Add a credit line (the series' leaders, admin)

    Empty fields take the body's own credit type, disciplines and statement.
    """
    series = get_or_404(Series, series_id, "series")
    line = services.add_credit_line(series, current_api_user(), body=body.body, credit_type=body.credit_type,
                                    amount=body.amount, disciplines=body.disciplines, statement=body.statement)
    db.session.commit()
    return StoredCreditLine.of(line)


@bp.get("/series/<int:series_id>/credit/me")
@api_auth
@returns(Standing)
def standing(series_id):
    """The caller's certificate standing

    Meetings attended in full (joined by the start within the grace period, and to the end where the provider
    reports departures; the leaders' word overrides), their credit lines, and why there is no certificate.
    """
    series, credit = _credit(series_id)
    decided = services.decision(series, current_api_user(), credit)
    certificate = services.valid_certificate(series.id, current_api_user().id)
    return Standing(eligible=decided.eligible, full_meetings=decided.full_meetings,
                    lines=[line.to_json() for line in decided.lines],
                    reasons=[Shortfall(code=code, meeting_number=number) for code, number in decided.reasons],
                    certificate_number=certificate.number if certificate else None)
