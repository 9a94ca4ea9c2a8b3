"""Issuing, reissuing and rendering continuing-education certificates."""

from dataclasses import asdict
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select

from ..core.clock import now
from ..core.errors import DomainError, InvalidInput, NotAllowed
from ..enrollment.models import Application
from ..extensions import db
from ..notifications.services import queue_email
from ..pricing.rules import local_date
from ..series.models import Series
from .models import Certificate, SeriesCredit
from .pdf import render_certificate
from .rules import CertificateFacts, CreditSettings, credit_hours, is_eligible


def settings_of(credit: SeriesCredit) -> CreditSettings:
    return CreditSettings(credit.minutes_per_meeting, credit.min_meetings, credit.statement_lines)


def set_credit(series: Series, actor, *, minutes_per_meeting: int, min_meetings: int, statements: str) -> SeriesCredit:
    if not series.can_manage(actor):
        raise NotAllowed("Only this series' leaders or an administrator set its credit.")
    errors = {}
    if not 1 <= minutes_per_meeting <= 600:
        errors["minutes_per_meeting"] = "Between 1 and 600 minutes."
    if not 1 <= min_meetings <= series.meeting_count:
        errors["min_meetings"] = f"Between 1 and the series' {series.meeting_count} meetings."
    if len(statements) > 4000:
        errors["statements"] = "At most 4000 characters."
    if errors:
        raise InvalidInput("The credit settings need attention.", fields=errors)
    credit = db.session.get(SeriesCredit, series.id) or SeriesCredit(series_id=series.id)
    credit.minutes_per_meeting, credit.min_meetings, credit.statements = minutes_per_meeting, min_meetings, statements
    db.session.add(credit)
    db.session.commit()
    return credit


def meetings_attended(series: Series, user_id: int) -> int:
    from ..video.services import attended_meeting_ids

    return len(attended_meeting_ids(series, user_id))


def _facts(series: Series, user, credit: SeriesCredit, number: str, attended: int) -> CertificateFacts:
    held = [m for m in series.live_meetings if m.starts_at <= now()]
    return CertificateFacts(
        number=number, member_name=user.name, discipline=user.discipline_label, series_title=series.title,
        leaders=tuple(leader.name for leader in series.leaders),
        first_date=local_date(held[0].starts_at, series.timezone), last_date=local_date(held[-1].starts_at, series.timezone),
        meetings_held=len(held), meetings_attended=attended, hours=credit_hours(attended, credit.minutes_per_meeting),
        statements=credit.statement_lines, society=current_app.config["SOCIETY_NAME"], issued_on=local_date(now(), series.timezone),
    )


def _to_json(facts: CertificateFacts) -> dict:
    return {k: (v.isoformat() if isinstance(v, date) else str(v) if isinstance(v, Decimal) else list(v) if isinstance(v, tuple) else v)
            for k, v in asdict(facts).items()}


def facts_of(certificate: Certificate) -> CertificateFacts:
    raw = dict(certificate.facts)
    for key in ("first_date", "last_date", "issued_on"):
        raw[key] = date.fromisoformat(raw[key])
    raw["hours"] = Decimal(raw["hours"])
    raw["leaders"], raw["statements"] = tuple(raw["leaders"]), tuple(raw["statements"])
    return CertificateFacts(**raw)


def valid_certificate(series_id: int, user_id: int) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(
        Certificate.series_id == series_id, Certificate.user_id == user_id, Certificate.superseded_at.is_(None)))


def _issue(series: Series, user, credit: SeriesCredit, actor) -> Certificate | None:
    attended = meetings_attended(series, user.id)
    if not is_eligible(attended, settings_of(credit)):
        return None
    issued_before = db.session.scalar(select(func.count(Certificate.id)).where(
        Certificate.series_id == series.id, Certificate.user_id == user.id))
    number = f"BO-{series.id:04d}-{user.id:05d}-{issued_before + 1}"
    certificate = Certificate(number=number, series_id=series.id, user_id=user.id, issued_by_id=getattr(actor, "id", None),
                              facts=_to_json(_facts(series, user, credit, number, attended)))
    db.session.add(certificate)
    db.session.flush()
    queue_email(key=f"certificate:{number}", kind="certificate_issued", user=user,
                context={"certificate": certificate, "series": series})
    return certificate


def issue_due(moment) -> int:
    """After a series ends, a certificate for every enrolled member who attended enough."""
    issued = 0
    for credit in db.session.scalars(select(SeriesCredit)):
        series = credit.series
        if series.status_at(moment) != "completed":
            continue
        enrolled = db.session.scalars(select(Application).where(
            Application.series_id == series.id, Application.status == "enrolled")).all()
        for application in enrolled:
            if valid_certificate(series.id, application.user_id) is None and _issue(series, application.user, credit, None):
                db.session.commit()
                issued += 1
    return issued


def reissue(certificate: Certificate, actor) -> Certificate:
    """A fresh certificate from today's records (a corrected name or attendance); the old one is superseded."""
    series = certificate.series
    if not series.can_manage(actor):
        raise NotAllowed("Only this series' leaders or an administrator reissue certificates.")
    if certificate.superseded_at is not None:
        raise DomainError("A newer certificate replaced this one; reissue that.", code="superseded")
    certificate.superseded_at = now()
    db.session.flush()
    fresh = _issue(series, certificate.user, db.session.get(SeriesCredit, series.id), actor)
    if fresh is None:
        db.session.rollback()
        raise DomainError("By the current attendance record this member no longer qualifies.", code="not_eligible")
    db.session.commit()
    return fresh


def can_download(certificate: Certificate, user) -> bool:
    return user is not None and (certificate.user_id == user.id or certificate.series.can_manage(user))


def pdf_bytes(certificate: Certificate) -> bytes:
    return render_certificate(facts_of(certificate))
