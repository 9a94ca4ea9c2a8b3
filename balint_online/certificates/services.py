"""Issuing, reissuing and rendering continuing-education certificates."""

import re
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..accounts.models import DISCIPLINES, User
from ..core.clock import now
from ..core.errors import DomainError, InvalidInput, NotAllowed
from ..core.prices import local_date
from ..enrollment.queries import enrolled as enrolled_applications
from ..extensions import db
from ..notifications.services import queue_email
from ..series.models import Series
from ..video.models import Attendance
from . import rules
from .models import Certificate, SeriesCredit, SeriesCreditLine
from .pdf import render_certificate
from .rules import CertificateFacts, CreditLine, CreditSettings, credit_hours


def line_of(record: SeriesCreditLine) -> CreditLine:
    return CreditLine(body=record.body, credit_type=record.credit_type, amount=record.amount,
                      disciplines=tuple(record.disciplines or ()), statement=record.statement)


def settings_of(credit: SeriesCredit) -> CreditSettings:
    return CreditSettings(credit.minutes_per_meeting, credit.min_meetings, credit.statement_lines,
                          grace_minutes=credit.grace_minutes, lines=tuple(line_of(r) for r in credit.lines))


def _require_manager(series: Series, actor) -> None:
    if not series.can_manage(actor):
        raise NotAllowed(_("Only this series' leaders or an administrator set its credit."))


def set_credit(series: Series, actor, *, minutes_per_meeting: int, min_meetings: int, statements: str,
               grace_minutes: int = 10) -> SeriesCredit:
    _require_manager(series, actor)
    errors = {}
    if not 0 <= grace_minutes <= 30:
        errors["grace_minutes"] = _("Between 0 and 30 minutes.")
    if not 1 <= minutes_per_meeting <= 600:
        errors["minutes_per_meeting"] = _("Between 1 and 600 minutes.")
    if not 1 <= min_meetings <= series.meeting_count:
        errors["min_meetings"] = _("Between 1 and the series' %(count)s meetings.", count=series.meeting_count)
    if len(statements) > 4000:
        errors["statements"] = _("At most %(max)s characters.", max=4000)
    if errors:
        raise InvalidInput(_("The credit settings need attention."), fields=errors)
    credit = db.session.get(SeriesCredit, series.id) or SeriesCredit(series_id=series.id)
    credit.minutes_per_meeting, credit.min_meetings, credit.statements = minutes_per_meeting, min_meetings, statements
    credit.grace_minutes = grace_minutes
    db.session.add(credit)
    db.session.flush()
    return credit


_CREDITS = re.compile(r"[0-9]{1,4}(?:\.[0-9]{1,2})?")  # ASCII digits, at most two places: 17, 19.25


def add_credit_line(series: Series, actor, *, body: str, credit_type: str, amount: str, disciplines: list[str],
                    statement: str) -> SeriesCreditLine:
    """A body's credit for the series; the body's own type, disciplines and statement where none are given."""
    _require_manager(series, actor)
    errors = {}
    known = rules.BODIES.get(body)
    if known is None:
        errors["body"] = _("Choose one of: %(options)s.", options=", ".join(rules.BODIES))
    hundredths = None
    if amount := (amount or "").strip():
        if _CREDITS.fullmatch(amount) and 0 < (value := Decimal(amount)) <= 1000:
            hundredths = int(value * 100)
        else:
            errors["amount"] = _("A number of credits such as 19.25, or empty where the body states no figure.")
    if unknown := [d for d in disciplines if d not in DISCIPLINES]:
        errors["disciplines"] = _("Not disciplines: %(names)s.", names=", ".join(unknown))
    if len(statement or "") > 2000:
        errors["statement"] = _("At most %(max)s characters.", max=2000)
    if errors:
        raise InvalidInput(_("The credit line needs attention."), fields=errors)
    assert known is not None  # else errors named the body
    if db.session.get(SeriesCredit, series.id) is None:
        raise DomainError(_("Save the credit settings first."), code="no_credit_settings")
    line = SeriesCreditLine(series_id=series.id, body=body,
                            credit_type=(credit_type or "").strip() or known.credit_type,
                            amount_hundredths=hundredths, disciplines=list(disciplines or known.disciplines),
                            statement=(statement or "").strip() or known.statement)
    db.session.add(line)
    db.session.flush()
    return line


def remove_credit_line(line: SeriesCreditLine, actor) -> None:
    _require_manager(db.session.get_one(Series, line.series_id), actor)
    db.session.delete(line)
    db.session.flush()


def verdicts(series: Series, user_id: int, grace: timedelta) -> list[tuple[int, str]]:
    """(meeting number, whether it counts in full) for every meeting held, from the attendance records."""
    held = [m for m in series.live_meetings if m.starts_at <= now()]
    records = {r.meeting_id: r for r in db.session.scalars(select(Attendance).where(
        Attendance.user_id == user_id, Attendance.meeting_id.in_([m.id for m in held])))}
    out = []
    for m in held:
        r = records.get(m.id)
        presence = rules.Presence(m.starts_at, m.ends_at) if r is None else rules.Presence(
            m.starts_at, m.ends_at, entered_at=r.first_entered_at, joined_at=r.provider_joined_at,
            left_at=r.provider_left_at, leaders_word=r.status)
        out.append((m.number, rules.meeting_verdict(presence, grace)))
    return out


def decision(series: Series, user, credit: SeriesCredit) -> rules.Decision:
    settings = settings_of(credit)
    return rules.decide(verdicts(series, user.id, timedelta(minutes=settings.grace_minutes)), settings, user.discipline)


def _facts(series: Series, user, credit: SeriesCredit, number: str, decided: rules.Decision) -> CertificateFacts:
    attended = decided.full_meetings
    held = [m for m in series.live_meetings if m.starts_at <= now()]
    return CertificateFacts(
        number=number, member_name=user.name, discipline=user.discipline_label, series_title=series.title,
        leaders=tuple(leader.name for leader in series.leaders),
        first_date=local_date(held[0].starts_at, series.timezone),
        last_date=local_date(held[-1].starts_at, series.timezone),
        meetings_held=len(held), meetings_attended=attended, hours=credit_hours(attended, credit.minutes_per_meeting),
        statements=credit.statement_lines, society=current_app.config["SOCIETY_NAME"],
        issued_on=local_date(now(), series.timezone),
        credits=tuple(line.to_json() for line in decided.lines),
    )


def _to_json(facts: CertificateFacts) -> dict:
    return {k: (v.isoformat() if isinstance(v, date) else str(v) if isinstance(v, Decimal) else list(v)
                if isinstance(v, tuple) else v)
            for k, v in asdict(facts).items()}


def facts_of(certificate: Certificate) -> CertificateFacts:
    raw = dict(certificate.facts)
    for key in ("first_date", "last_date", "issued_on"):
        raw[key] = date.fromisoformat(raw[key])
    raw["hours"] = Decimal(raw["hours"])
    raw["leaders"], raw["statements"] = tuple(raw["leaders"]), tuple(raw["statements"])
    raw["credits"] = tuple(raw.get("credits") or ())
    return CertificateFacts(**raw)


def valid_certificate(series_id: int, user_id: int) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(
        Certificate.series_id == series_id, Certificate.user_id == user_id, Certificate.superseded_at.is_(None)))


def _issue(series: Series, user, credit: SeriesCredit, actor) -> Certificate | None:
    decided = decision(series, user, credit)
    if not decided.eligible:
        return None
    issued_before = db.session.execute(select(func.count(Certificate.id)).where(
        Certificate.series_id == series.id, Certificate.user_id == user.id)).scalar_one()
    number = f"BO-{series.id:04d}-{user.id:05d}-{issued_before + 1}"
    certificate = Certificate(number=number, series_id=series.id, user_id=user.id,
                              issued_by_id=getattr(actor, "id", None),
                              facts=_to_json(_facts(series, user, credit, number, decided)))
    db.session.add(certificate)
    db.session.flush()
    queue_email(key=f"certificate:{number}", kind="certificate_issued", user=user,
                context={"certificate": certificate, "series": series})
    return certificate


def due_certificates(moment) -> list[tuple[int, int]]:
    """(series id, member id) for every enrolled member of an ended series with credit settings and no
    certificate yet; `issue_due_certificate` decides whether they attended enough."""
    due = []
    for credit in db.session.scalars(select(SeriesCredit)):
        series = credit.series
        if series.status_at(moment) != "completed":
            continue
        enrolled = db.session.scalars(enrolled_applications(series_ids=[series.id])).all()
        due += [(series.id, a.user_id) for a in enrolled if valid_certificate(series.id, a.user_id) is None]
    return due


def issue_due_certificate(series_id: int, user_id: int) -> Certificate | None:
    """The certificate of a member of an ended series who attended enough; None if they did not."""
    series = db.session.get_one(Series, series_id)
    return _issue(series, db.session.get_one(User, user_id), db.session.get_one(SeriesCredit, series_id), None)


def reissue(certificate: Certificate, actor) -> Certificate:
    """A fresh certificate from today's records (a corrected name or attendance); the old one is superseded."""
    series = certificate.series
    if not series.can_manage(actor):
        raise NotAllowed(_("Only this series' leaders or an administrator reissue certificates."))
    if certificate.superseded_at is not None:
        raise DomainError(_("A newer certificate replaced this one; reissue that."), code="superseded")
    certificate.superseded_at = now()
    db.session.flush()
    fresh = _issue(series, certificate.user, db.session.get_one(SeriesCredit, series.id), actor)
    if fresh is None:  # the caller's boundary rolls back the superseding too
        raise DomainError(_("By the current attendance record this member no longer qualifies."), code="not_eligible")
    return fresh


def can_download(certificate: Certificate, user) -> bool:
    return user is not None and (certificate.user_id == user.id or certificate.series.can_manage(user))


def pdf_bytes(certificate: Certificate) -> bytes:
    return render_certificate(facts_of(certificate))


@dataclass(frozen=True)
class PublicCredit:
    """A series' continuing-education credit as its public page states it, before anyone applies."""

    hours: Decimal  # for every meeting attended in full
    min_meetings: int
    meetings: int
    lines: tuple[dict, ...]  # body_name, credit_type, amount, disciplines (people's words), statement
    statements: tuple[str, ...]


def public_credit(series: Series) -> PublicCredit | None:
    credit = db.session.get(SeriesCredit, series.id)
    if credit is None:
        return None
    lines = tuple(
        {**line_of(record).to_json(), "disciplines": [DISCIPLINES.get(d, d) for d in record.disciplines or ()]}
        for record in credit.lines
    )
    return PublicCredit(hours=credit_hours(len(series.live_meetings), credit.minutes_per_meeting),
                        min_meetings=credit.min_meetings, meetings=len(series.live_meetings), lines=lines,
                        statements=credit.statement_lines)
