"""JSON endpoints for a series' credit (its lines by accrediting body) and a member's certificate standing."""

from flask import Blueprint

from ..core.api import ApiError, Fields, api_auth, current_api_user, get_or_404, json_body
from ..extensions import db
from ..series.models import Series
from . import services
from .models import SeriesCredit, SeriesCreditLine
from .rules import BODIES

bp = Blueprint("certificates_api", __name__)


def line_json(line: SeriesCreditLine) -> dict:
    return {"id": line.id, **services.line_of(line).to_json(), "disciplines": list(line.disciplines)}


def _credit(series_id) -> tuple[Series, SeriesCredit]:
    series = get_or_404(Series, series_id, "series")
    credit = db.session.get(SeriesCredit, series.id)
    if credit is None:
        raise ApiError(404, "This series has no credit settings.")
    return series, credit


@bp.get("/series/<series_id>/credit")
@api_auth
def show(series_id):
    _, credit = _credit(series_id)
    return {"minutes_per_meeting": credit.minutes_per_meeting, "min_meetings": credit.min_meetings,
            "grace_minutes": credit.grace_minutes, "statements": list(credit.statement_lines),
            "lines": [line_json(line) for line in credit.lines]}


@bp.post("/series/<series_id>/credit/lines")
@api_auth
def add_line(series_id):
    series = get_or_404(Series, series_id, "series")
    data = json_body()
    f = Fields(data)
    body = f.string("body", required=True, max_length=20, choices=tuple(BODIES))
    amount = f.string("amount", default="", max_length=10)
    credit_type = f.string("credit_type", default="", max_length=120)
    disciplines = f.string_list("disciplines", max_items=20, max_length=60)
    statement = f.string("statement", default="", max_length=2000)
    f.check()
    line = services.add_credit_line(series, current_api_user(), body=body, credit_type=credit_type, amount=amount,
                                    disciplines=disciplines or [], statement=statement)
    db.session.commit()
    return line_json(line), 201


@bp.get("/series/<series_id>/credit/me")
@api_auth
def standing(series_id):
    """The caller's standing: which meetings counted in full, their credit lines, and why not, if not."""
    series, credit = _credit(series_id)
    decided = services.decision(series, current_api_user(), credit)
    certificate = services.valid_certificate(series.id, current_api_user().id)
    return {"eligible": decided.eligible, "full_meetings": decided.full_meetings,
            "lines": [line.to_json() for line in decided.lines],
            "reasons": [{"code": code, "meeting_number": number} for code, number in decided.reasons],
            "certificate_number": certificate.number if certificate else None}
