"""Everything the platform holds about one person, as plain data: the JSON download and the page both show it.

Each section is a function of the person returning JSON-ready values (instants and money as the
API writes them). Secrets are never included: API tokens and the calendar feed appear by name
and dates, not by their values. Sign-ins record the browser, not the network address (none is stored).
"""

from datetime import date, datetime
from decimal import Decimal

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..accounts.models import ApiToken, SignIn, User
from ..aid.models import AidApplication
from ..audit.models import AuditEntry
from ..certificates.models import Certificate
from ..core.money import format_money
from ..core.urls import absolute_url
from ..enrollment.models import Application
from ..extensions import db
from ..invoicing.models import Invoice
from ..notifications.models import OutboxMessage
from ..pricing.models import MembershipOffer, Payment, Refund
from ..pricing.services import payment_status, receipt_number
from ..rotation.models import MemberUnavailability, PlacementRequest, PresenterTurn, SwapRequest
from ..series.models import Meeting, Series
from ..series.services import statuses_now
from ..video.models import Attendance
from .models import ErasureRequest


def _value(value):
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format_money(value)
    if isinstance(value, LazyString):  # a status's words, in the reader's language
        return str(value)
    return value


def _record(**fields) -> dict:
    return {name: _value(value) for name, value in fields.items()}


def _all(query) -> list:
    return list(db.session.scalars(query))


def _with_meeting(relationship):
    """Load a row's meeting, and the meeting's series, with the rows: the sections name both."""
    return selectinload(relationship).selectinload(Meeting.series)


def _meeting(meeting: Meeting) -> dict:
    return _record(series_id=meeting.series_id, series=meeting.series.title, meeting=meeting.number,
                   starts_at=meeting.starts_at)


def profile(user: User) -> dict:
    return _record(id=user.id, name=user.name, email=user.email, role=user.role, discipline=user.discipline_label,
                   timezone=user.timezone, calendar_delivery=user.calendar_delivery, created_at=user.created_at)


def memberships(user: User) -> list[dict]:
    rows = [_record(kind=m.kind_label, starts_on=m.starts_on, expires_on=m.expires_on, note=m.note)
            for m in user.memberships]
    offer = db.session.scalar(select(MembershipOffer).where(MembershipOffer.user_id == user.id))
    if offer is not None:
        rows.append(_record(kind="Complimentary first year offered", made_at=offer.made_at, taken_at=offer.taken_at))
    return rows


def _applications_of(user: User) -> list[Application]:
    return _all(select(Application).where(Application.user_id == user.id).order_by(Application.id).options(
        selectinload(Application.series), selectinload(Application.attestation_text),
        selectinload(Application.payments), selectinload(Application.refunds)))  # for each one's payment status


def applications(user: User) -> list[dict]:
    return [_record(
        id=a.id, series_id=a.series_id, series=a.series.title, status=a.status_label, claims=list(a.claims),
        applied_at=a.applied_at, decided_at=a.decided_at, enrolled_at=a.enrolled_at, ended_at=a.ended_at,
        end_reason=a.end_reason, note=a.note, attested_at=a.attested_at,
        attestation=[{"statement": item.text, "answer": answer} for item, answer in a.attestation_record],
        price=a.price, currency=a.currency, scholarship=a.scholarship, payment_status=payment_status(a),
        invoice_page=absolute_url("pricing.invoice", application_id=a.id),
    ) for a in _applications_of(user)]


def _invoices_of(user: User) -> list[Invoice]:
    return _all(select(Invoice).join(Application, Application.id == Invoice.application_id)
                .where(Application.user_id == user.id).order_by(Invoice.id)
                .options(selectinload(Invoice.replaces), selectinload(Invoice.credit_notes)))


def invoices(user: User) -> list[dict]:
    """Issued invoices and their credit notes, as issued (the payer as printed on them)."""
    return [_record(
        number=i.number, application_id=i.application_id, issued_on=i.issued_on, payer_name=i.payer_name,
        payer_email=i.payer_email, payer_organisation=i.payer_organisation, payer_address=i.payer_address,
        payer_po_reference=i.payer_po_reference, payer_tax_id=i.payer_tax_id, description=i.description,
        lines=[{"label": label, "amount": format_money(amount)} for label, amount in i.items], total=i.total,
        currency=i.currency, replaces=i.replaces.number if i.replaces else None,
        credit_notes=[_record(number=c.number, issued_on=c.issued_on, amount=c.amount, currency=c.currency,
                              reason=c.reason_text) for c in i.credit_notes],
    ) for i in _invoices_of(user)]


def _money_of(user: User, model) -> list:
    """The person's payments or refunds, application by application."""
    return _all(select(model).join(Application, Application.id == model.application_id)
                .where(Application.user_id == user.id).order_by(model.application_id, model.id))


def payments(user: User) -> list[dict]:
    return [_record(application_id=p.application_id, receipt=receipt_number(p), amount=p.amount, currency=p.currency,
                    method=p.method, reference=p.reference, received_at=p.received_at)
            for p in _money_of(user, Payment)]


def refunds(user: User) -> list[dict]:
    return [_record(application_id=r.application_id, amount=r.amount, currency=r.currency, reason=r.reason,
                    status=r.status, due_by=r.due_by, paid_at=r.paid_at, reference=r.paid_reference)
            for r in _money_of(user, Refund)]


def financial_aid(user: User) -> list[dict]:
    found = _all(select(AidApplication).where(AidApplication.user_id == user.id).order_by(AidApplication.id)
                 .options(selectinload(AidApplication.programme)))
    return [_record(programme=a.programme.name, application_id=a.application_id, training_status=a.training_status,
                    specialty=a.specialty, statement=a.statement, status=a.status_label, amount=a.amount,
                    decision_note=a.decision_note, submitted_at=a.submitted_at, decided_at=a.decided_at)
            for a in found]


def leading(user: User) -> list[dict]:
    found = _all(select(Series).where(Series.leaders.any(User.id == user.id)).order_by(Series.id))
    statuses = statuses_now(found)
    return [_record(series_id=s.id, series=s.title, status=statuses[s.id]) for s in found]


def presenting(user: User) -> list[dict]:
    turns = _all(select(PresenterTurn).join(Meeting).where(PresenterTurn.user_id == user.id)
                 .order_by(Meeting.starts_at).options(_with_meeting(PresenterTurn.meeting)))
    rows = [{**_meeting(t.meeting), "role": t.role, "case_title": t.case_title} for t in turns]
    unavailable = _all(select(Meeting).join(MemberUnavailability, MemberUnavailability.meeting_id == Meeting.id)
                       .where(MemberUnavailability.user_id == user.id).order_by(Meeting.starts_at)
                       .options(selectinload(Meeting.series)))
    rows += [{**_meeting(meeting), "role": "unavailable to present"} for meeting in unavailable]
    return rows


def swaps_and_placements(user: User) -> list[dict]:
    swaps = _all(select(SwapRequest).where(or_(SwapRequest.requester_id == user.id, SwapRequest.partner_id == user.id))
                 .order_by(SwapRequest.id)
                 .options(selectinload(SwapRequest.series), selectinload(SwapRequest.requester),
                          selectinload(SwapRequest.partner)))
    rows = [_record(kind="swap", series=s.series.title, asked_by=s.requester.name, asked=s.partner.name,
                    message=s.message, status=s.status_label, created_at=s.created_at) for s in swaps]
    placements = _all(select(PlacementRequest).where(PlacementRequest.user_id == user.id).order_by(PlacementRequest.id)
                      .options(selectinload(PlacementRequest.series), selectinload(PlacementRequest.meeting)))
    return rows + [_record(kind="asked to present", series=p.series.title, meeting=p.meeting.number, message=p.message,
                           status=p.status_label, created_at=p.created_at) for p in placements]


def attendance(user: User) -> list[dict]:
    found = _all(select(Attendance).join(Meeting).where(Attendance.user_id == user.id).order_by(Meeting.starts_at)
                 .options(_with_meeting(Attendance.meeting)))
    return [{**_meeting(a.meeting), **_record(entered_at=a.first_entered_at, joined_at=a.provider_joined_at,
                                              left_at=a.provider_left_at, confirmed=a.status)} for a in found]


def certificates(user: User) -> list[dict]:
    found = _all(select(Certificate).where(Certificate.user_id == user.id).order_by(Certificate.id)
                 .options(selectinload(Certificate.series)))
    return [_record(number=c.number, series=c.series.title, issued_at=c.issued_at, superseded_at=c.superseded_at,
                    url=absolute_url("certificates.download", certificate_id=c.id), printed=c.facts) for c in found]


def emails(user: User) -> list[dict]:
    found = _all(select(OutboxMessage).where(OutboxMessage.user_id == user.id).order_by(OutboxMessage.id))
    return [_record(subject=m.subject, to=m.recipient, written_at=m.created_at, sent_at=m.sent_at, body=m.body_text)
            for m in found]


def calendar(user: User) -> dict:
    # The feed's address is a secret: it is on the calendar page, not in a file that may be passed around.
    return _record(delivery=user.calendar_delivery, feed="a personal feed exists; its address is on the calendar page",
                   page=absolute_url("calendar.overview"))


def api_tokens(user: User) -> list[dict]:
    found = _all(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
    return [_record(name=t.name, created_at=t.created_at, expires_at=t.expires_at, last_used_at=t.last_used_at,
                    revoked_at=t.revoked_at) for t in found]


def sign_ins(user: User) -> list[dict]:
    found = _all(select(SignIn).where(SignIn.user_id == user.id).order_by(SignIn.id))
    return [_record(browser=s.user_agent, kept_signed_in=s.remember, signed_in_at=s.created_at,
                    last_seen_at=s.last_seen_at, ended_at=s.ended_at) for s in found]


def audit_log(user: User) -> list[dict]:
    found = _all(select(AuditEntry).where(AuditEntry.user_id == user.id).order_by(AuditEntry.id)
                 .options(selectinload(AuditEntry.actor), selectinload(AuditEntry.person)))
    return [_record(at=e.at, by=e.by, action=e.action, object=e.what, from_status=e.from_status,
                    to_status=e.to_status, changes=e.changes, reason=e.reason) for e in found]


def erasure_requests(user: User) -> list[dict]:
    found = _all(select(ErasureRequest).where(ErasureRequest.user_id == user.id).order_by(ErasureRequest.id))
    return [_record(requested_at=r.requested_at, status=r.status_label, decided_at=r.decided_at, reason=r.reason)
            for r in found]


# (key, heading, section): the order of the page and of the JSON document (headings: the page's, in its language).
SECTIONS = (
    ("profile", _l("Your profile"), profile),
    ("memberships", _l("Society membership"), memberships),
    ("applications", _l("Applications and their commitments"), applications),
    ("invoices", _l("Invoices and credit notes"), invoices),
    ("payments", _l("Payments"), payments),
    ("refunds", _l("Refunds"), refunds),
    ("financial_aid", _l("Financial aid"), financial_aid),
    ("leading", _l("Groups you lead"), leading),
    ("presenting", _l("Presenting turns and case titles"), presenting),
    ("swaps_and_placements", _l("Swaps and requests to present"), swaps_and_placements),
    ("attendance", _l("Attendance"), attendance),
    ("certificates", _l("Certificates"), certificates),
    ("emails", _l("Emails sent to you"), emails),
    ("calendar", _l("Calendar"), calendar),
    ("api_tokens", _l("API tokens (never their values)"), api_tokens),
    ("sign_ins", _l("Sign-ins (the browser; no network address is stored)"), sign_ins),
    ("audit_log", _l("The audit log about you"), audit_log),
    ("erasure_requests", _l("Requests to erase your data"), erasure_requests),
)
HEADINGS = {key: heading for key, heading, _ in SECTIONS}


def personal_data(user: User) -> dict:
    """Everything held about `user`, section by section."""
    return {key: section(user) for key, _, section in SECTIONS}
