"""JSON endpoints for applications (see CONTRACT.md)."""

from flask import Blueprint, url_for

from ..core.api import ApiError, Fields, api_auth, current_api_user, get_or_404, json_body
from ..extensions import db
from ..core.timefmt import iso_z
from ..pricing.rules import format_money
from ..pricing.services import account, payment_status
from ..series.models import Series
from . import attestation, services
from .models import Application, AttestationText

bp = Blueprint("enrollment_api", __name__)


def application_json(application: Application, *, for_manager: bool) -> dict:
    money = account(application)
    body = {
        "id": application.id,
        "series_id": application.series_id,
        "user_id": application.user_id,
        "status": application.status,
        "trainee": application.trainee,
        "price": application.quote,
        "amount_due": format_money(application.amount_due),
        "currency": application.currency,
        "scholarship": application.scholarship,
        # Every amount from one account, so that paid, owed back and paid out always agree.
        "paid": format_money(money.paid),
        "refund_due": {"amount": format_money(money.refund_due), "currency": application.currency},
        "refunded": {"amount": format_money(money.refund_paid), "currency": application.currency},
        "payment_status": payment_status(application),
        "applied_at": iso_z(application.applied_at),
        "waitlist_position": services.waitlist_position(application),
        "offer_expires_at": iso_z(application.offer_expires_at) if application.status == "offered" else None,
        "note": application.note,
        "attestation": {
            "version": application.attestation_text.version,
            "agreed_at": iso_z(application.attested_at),
            "items": [{"key": item.key, "text": item.text, "required": item.required, "contact": item.contact or None,
                       "confirmed": confirmed} for item, confirmed in application.attestation_record],
        },
        "reason": application.end_reason or None,
    }
    if for_manager:
        body["member"] = {"id": application.user.id, "name": application.user.name, "email": application.user.email,
                          "discipline": application.user.discipline}
        body["history"] = [
            {"at": iso_z(e.at), "action": e.action, "from": e.from_status, "to": e.to_status, "reason": e.reason,
             "by": e.actor.name if e.actor else "system"} for e in application.history_for(current_api_user())
        ]
    return body


def _load(application_id) -> Application:
    application = get_or_404(Application, application_id, "application")
    services.require_view(application, current_api_user())
    return application


def _respond(application: Application) -> dict:
    return application_json(application, for_manager=application.series.can_manage(current_api_user()))


@bp.post("/series/<series_id>/applications")
@api_auth
def create(series_id):
    series = get_or_404(Series, series_id, "series")
    data = json_body()
    f = Fields(data)
    trainee = f.boolean("trainee", default=False)
    note = f.string("note", default="", max_length=1000)
    f.check()
    application = services.apply(series, current_api_user(), trainee=trainee, answers=data.get("attestation"), note=note)
    return _respond(application), 201, {"Location": url_for(".detail", application_id=application.id)}


@bp.get("/applications/<application_id>")
@api_auth
def detail(application_id):
    return _respond(_load(application_id))


def _reason() -> str:
    f = Fields(json_body())
    reason = f.string("reason", default="", max_length=1000)
    f.check()
    return reason


@bp.post("/applications/<application_id>/accept")
@api_auth
def accept(application_id):
    return _respond(services.accept(_load(application_id), current_api_user()))


@bp.post("/applications/<application_id>/decline")
@api_auth
def decline(application_id):
    return _respond(services.decline(_load(application_id), current_api_user(), _reason()))


@bp.post("/applications/<application_id>/withdraw")
@api_auth
def withdraw(application_id):
    application = _load(application_id)
    owed = services.withdraw(application, current_api_user(), _reason())
    body = _respond(application)
    body["refund"] = {"amount": format_money(owed.amount), "currency": owed.currency, "reason": owed.reason,
                      "lines": [line.to_api() for line in owed.lines],
                      "due_by": owed.due_by.isoformat() if owed.amount else None}
    return body


@bp.post("/applications/<application_id>/accept-offer")
@api_auth
def accept_offer(application_id):
    return _respond(services.accept_offer(_load(application_id), current_api_user()))


@bp.get("/series/<series_id>/roster")
@api_auth
def roster(series_id):
    series = get_or_404(Series, series_id, "series")
    if not series.can_manage(current_api_user()):
        raise ApiError(403, "Only this series' leaders or an administrator may see its roster.")
    applications = services.series_applications(series)
    return {"series_id": series.id, "capacity": series.capacity, "seats_left": series.seats_left,
            "applications": [
                {**application_json(a, for_manager=True), "discipline": a.user.discipline} for a in applications
            ]}


def commitments_json(text: AttestationText) -> dict:
    return {"version": text.version, "intro": text.intro,
            "items": [{"key": i.key, "text": i.text, "required": i.required, "contact": i.contact or None}
                      for i in text.item_list]}


@bp.get("/commitments")
@api_auth(optional=True)
def commitments():
    return commitments_json(services.current_attestation_text())


@bp.put("/commitments")
@api_auth
def edit_commitments():
    data = json_body()
    f = Fields(data)
    intro = f.string("intro", required=True, max_length=attestation.TEXT_MAX)
    raw = data.get("items")
    if not isinstance(raw, list) or not raw or not all(isinstance(i, dict) for i in raw):
        f.fail("items", "A list of items, each {key, text, required, contact}.")
        raw = []
    items = []
    for n, entry in enumerate(raw[:50]):
        item = Fields(entry)
        values = dict(key=item.string("key", required=True, max_length=40),
                      text=item.string("text", required=True, max_length=attestation.TEXT_MAX),
                      required=item.boolean("required", default=True), contact=item.string("contact", default="",
                                                                                            max_length=300))
        for name, problem in item.errors.items():
            f.fail(f"items.{n}.{name}", problem)
        items.append(attestation.Item(**values))
    f.check()
    stored = services.publish_attestation(intro, items, current_api_user())
    db.session.commit()
    return commitments_json(stored), 201
