"""JSON endpoints for financial aid: programmes, applying after registering, awarding and declining."""

from flask import Blueprint

from ..core.api import ApiError, Fields, api_auth, current_api_user, get_or_404, json_body
from ..core.timefmt import iso_z
from ..enrollment.models import Application
from ..extensions import db
from ..pricing.rules import format_money
from ..series.models import Series
from . import rules, services
from .models import AidApplication, AidProgramme

bp = Blueprint("aid_api", __name__)


def programme_json(p: AidProgramme) -> dict:
    return {"id": p.id, "series_id": p.series_id, "kind": p.kind, "name": p.name, "description": p.description,
            "max_awards": p.max_awards, "eligible": p.criteria, "deadline": p.deadline.isoformat() if p.deadline else None}


def aid_json(a: AidApplication) -> dict:
    return {"id": a.id, "programme_id": a.programme_id, "application_id": a.application_id, "status": a.status,
            "training_status": a.training_status, "specialty": a.specialty, "statement": a.statement,
            "amount": format_money(a.amount) if a.amount is not None else None, "currency": a.application.currency,
            "decision_note": a.decision_note or None, "submitted_at": iso_z(a.submitted_at),
            "decided_at": iso_z(a.decided_at) if a.decided_at else None}


@bp.get("/series/<series_id>/aid-programmes")
@api_auth
def list_programmes(series_id):
    series = get_or_404(Series, series_id, "series")
    return {"programmes": [programme_json(p) for p in services.programmes_for(series.id)]}


def _criteria(f: Fields, raw) -> list[rules.Criterion]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(c, dict) for c in raw):
        f.fail("eligible", 'Must be a list such as [{"disciplines": ["nurse_practitioner"]}].')
        return []
    registries = {"disciplines": None, "training": rules.TRAINING_STATUSES, "specialties": rules.SPECIALTIES}
    for c in raw:
        for key, value in c.items():
            if key not in registries or not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                f.fail("eligible", f"Each entry may hold only lists of text under {', '.join(registries)}.")
            elif registries[key] is not None and not set(value) <= set(registries[key]):
                f.fail("eligible", f"{key}: choose from {', '.join(k for k in registries[key] if k)}.")
    return [rules.Criterion.from_json(c) for c in raw]


@bp.post("/aid-programmes")
@api_auth
def create_programme():
    user = current_api_user()
    if not user.is_admin:
        raise ApiError(403, "Only administrators set up financial aid.")
    data = json_body()
    f = Fields(data)
    series_id = f.integer("series_id", minimum=1)
    if series_id is not None and db.session.get(Series, series_id) is None:
        f.fail("series_id", "No such series.")
    kind = f.string("kind", required=True, max_length=20, choices=tuple(rules.KINDS))
    name = f.string("name", required=True, max_length=200)
    description = f.string("description", default="", max_length=4000)
    max_awards = f.integer("max_awards", minimum=1, maximum=1000)
    deadline = f.date("deadline")
    criteria = _criteria(f, data.get("eligible"))
    f.check()
    programme = services.create_programme(user, series_id=series_id, kind=kind, name=name, description=description,
                                          max_awards=max_awards, criteria=criteria, deadline=deadline)
    db.session.commit()
    return programme_json(programme), 201


@bp.post("/applications/<application_id>/aid")
@api_auth
def apply(application_id):
    user = current_api_user()
    application = get_or_404(Application, application_id, "application")
    if application.user_id != user.id:
        raise ApiError(403, "Only the registrant applies for aid on their registration.")
    f = Fields(json_body())
    programme_id = f.integer("programme_id", required=True, minimum=1)
    training = f.string("training_status", default="none", max_length=20)
    specialty = f.string("specialty", default="", max_length=40)
    statement = f.string("statement", required=True, max_length=rules.STATEMENT_MAX)
    f.check()
    programme = get_or_404(AidProgramme, programme_id, "aid programme")
    aid = services.apply_for_aid(application, user, programme, training_status=training, specialty=specialty,
                                 statement=statement)
    db.session.commit()
    return aid_json(aid), 201


@bp.get("/aid-applications/<aid_id>")
@api_auth
def show(aid_id):
    aid = get_or_404(AidApplication, aid_id, "aid application")
    if not services.can_view(aid, current_api_user()):
        raise ApiError(403, "Only the applicant or an administrator may see this aid application.")
    return aid_json(aid)


def _decide(aid_id, act, *, reason_required: bool):
    aid = get_or_404(AidApplication, aid_id, "aid application")
    f = Fields(json_body())
    note = f.string("reason", required=reason_required, default="", max_length=1000)
    f.check()
    act(aid, current_api_user(), note)
    db.session.commit()
    return aid_json(aid)


@bp.post("/aid-applications/<aid_id>/award")
@api_auth
def award(aid_id):
    return _decide(aid_id, services.award, reason_required=False)


@bp.post("/aid-applications/<aid_id>/decline")
@api_auth
def decline(aid_id):
    return _decide(aid_id, services.decline, reason_required=True)
