"""Aid programmes, members applying after registering, and administrators awarding or declining.

Services flush; the request commits. An award locks its programme's row while it counts the awards
already made, so two administrators awarding at once never exceed the programme's limit.
"""

from collections.abc import Sequence
from datetime import date
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import bindparam, case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..audit.services import log_action
from ..core.clock import now
from ..core.errors import DomainError, InvalidInput, NotAllowed
from ..core.labels import N_
from ..core.money import ZERO, format_money
from ..core.pagination import Pagination, paginate
from ..core.prices import refund_for_aid
from ..core.statements import rows_changed
from ..core.types import UTCDateTime
from ..core.wording import in_sentence
from ..enrollment.models import LIVE_STATUSES, Application
from ..enrollment.quotes import series_today
from ..extensions import db
from ..invoicing.services import credit_to_account
from ..notifications.services import queue_email
from ..pricing.services import paid_total, record_refund, refunded_total, waiver_label
from ..series.locking import lock_series
from ..series.models import Series
from ..series.services import not_over
from . import rules
from .models import AidApplication, AidProgramme

APPLY_MESSAGES = {
    rules.NOT_REGISTERED: N_("Register for the group first, then apply for aid: aid is for a registration."),
    rules.DEADLINE_PASSED: N_("The deadline for aid applications to this programme has passed."),
    rules.NOT_ELIGIBLE: N_("This programme is for %(groups)s; by what you told us you are not in that group."),
    rules.ALREADY_APPLIED: N_("You have already applied to this programme for this registration."),
}
AWARD_MESSAGES = {
    rules.NOT_SUBMITTED: N_("This aid application has already been decided."),
    rules.REGISTRATION_ENDED: N_("The registration has ended; there is nothing left to support."),
    rules.NOT_ACCEPTED: N_("Full tuition support is for people accepted into the group: accept the registration "
                           "first."),
    rules.ALREADY_AIDED: N_("This registration already has a scholarship."),
    rules.LIMIT_REACHED: N_("%(programme)s awards at most %(limit)s per series, and %(limit)s have been awarded: "
                            "this one cannot be."),
}


def require_admin(user) -> None:
    if not getattr(user, "is_admin", False):
        raise NotAllowed(_("Only administrators run financial aid."))


def groups_text(programme: AidProgramme) -> str:
    """Who the programme is for, in words, from the registry of groups (or the raw criteria)."""
    named = {criterion: words for _, criterion, words in rules.GROUPS.values()}
    words = [_(named[c]) if c in named else _("some applicants") for c in programme.criterion_list]
    if not words:
        return _("everyone registered")
    return words[0] if len(words) == 1 else _("%(some)s or %(last)s", some=", ".join(words[:-1]), last=words[-1])


# -- programmes -------------------------------------------------------------------------------------

def create_programme(actor, *, series_id: int | None, kind: str, name: str, description: str, max_awards: int | None,
                     criteria: list[rules.Criterion], deadline: date | None) -> AidProgramme:
    require_admin(actor)
    errors = {}
    if kind not in rules.KINDS:
        errors["kind"] = _("Choose one of: %(options)s.", options=", ".join(rules.KINDS))
    if not name.strip():
        errors["name"] = _("Give the programme its name.")
    if max_awards is not None and max_awards < 1:
        errors["max_awards"] = _("At least 1, or leave empty for no limit.")
    if errors:
        raise InvalidInput(_("The programme needs attention."), fields=errors)
    programme = AidProgramme(series_id=series_id, kind=kind, name=name.strip(), description=description.strip(),
                             max_awards=max_awards, criteria=[c.to_json() for c in criteria], deadline=deadline)
    db.session.add(programme)
    db.session.flush()
    return programme


def programmes_for(series_id: int) -> list[AidProgramme]:
    return programmes_by_series([series_id])[series_id]


@cache
def _programmes_for():
    return (select(AidProgramme).where(or_(AidProgramme.series_id.is_(None),
                                           AidProgramme.series_id.in_(bindparam("series_ids", expanding=True))))
            .order_by(AidProgramme.id))


def programmes_by_series(series_ids) -> dict[int, list[AidProgramme]]:
    """The programmes open to each series' registrants (its own and the society's), in one query."""
    found: dict[int, list[AidProgramme]] = {series_id: [] for series_id in series_ids}
    if found:
        for programme in db.session.scalars(_programmes_for(), {"series_ids": sorted(found)}):
            for series_id in ([programme.series_id] if programme.series_id is not None else found):
                found[series_id].append(programme)
    return found


def capped_full_tuition(series_id: int) -> AidProgramme | None:
    """The full-tuition programme with a limit that covers this series, if the society runs one."""
    return next((p for p in programmes_for(series_id) if p.kind == "full_tuition" and p.max_awards is not None), None)


def awards_made(programme: AidProgramme, series_id: int) -> int:
    return awards_counts([(programme.id, series_id)])[programme.id, series_id]


def awards_counts(pairs) -> dict[tuple[int, int], int]:
    """How many awards each (programme id, series id) has made, 0 where none: one query for them all."""
    pairs = set(pairs)
    if not pairs:
        return {}
    counted = db.session.execute(
        select(AidApplication.programme_id, AidApplication.series_id, func.count())
        .where(AidApplication.status == "awarded", AidApplication.programme_id.in_({p for p, _ in pairs}),
               AidApplication.series_id.in_({s for _, s in pairs}))
        .group_by(AidApplication.programme_id, AidApplication.series_id))
    made = {(programme_id, series_id): n for programme_id, series_id, n in counted}
    return {pair: made.get(pair, 0) for pair in pairs}


# -- applying ---------------------------------------------------------------------------------------

def apply_for_aid(application: Application, user, programme: AidProgramme, *, training_status: str, specialty: str,
                  statement: str) -> AidApplication:
    """The registrant asks for aid; refused with the reason when the rules say no."""
    if application.user_id != user.id:
        raise NotAllowed(_("Only the registrant applies for aid on their registration."))
    if not programme.applies_to(application.series_id):
        raise InvalidInput(_("That programme is not offered for this group."),
                           fields={"programme_id": _("Not offered here.")})
    errors = {}
    if training_status not in rules.TRAINING_STATUSES:
        errors["training_status"] = _("Choose one of: %(options)s.", options=", ".join(rules.TRAINING_STATUSES))
    if specialty not in rules.SPECIALTIES:
        errors["specialty"] = _("Choose a specialty from the list.")
    problem = rules.statement_problem(statement)
    if problem == "too_short":
        errors["statement"] = _("Say in a few sentences why you need support (at least %(min)s characters).",
                                min=rules.STATEMENT_MIN)
    elif problem == "too_long":
        errors["statement"] = _("Keep it short: at most %(max)s characters.", max=rules.STATEMENT_MAX)
    if errors:
        raise InvalidInput(_("The aid application needs attention."), fields=errors)
    who = rules.Applicant(discipline=application.user.discipline, training=training_status, specialty=specialty)
    already = db.session.scalar(select(AidApplication.id).where(
        AidApplication.programme_id == programme.id, AidApplication.application_id == application.id)) is not None
    refusal = rules.refusal_to_apply(registered=application.status in LIVE_STATUSES,
                                     on=series_today(application.series),
                                     deadline=programme.deadline, criteria=programme.criterion_list, who=who,
                                     already_applied=already)
    if refusal:
        raise DomainError(_(APPLY_MESSAGES[refusal], groups=groups_text(programme)), code=refusal)
    aid = AidApplication(programme_id=programme.id, application_id=application.id, series_id=application.series_id,
                         user_id=user.id, training_status=training_status, specialty=specialty,
                         statement=statement.strip())
    try:
        with db.session.begin_nested():
            db.session.add(aid)
    except IntegrityError:  # the same form sent twice at once
        raise DomainError(_(APPLY_MESSAGES[rules.ALREADY_APPLIED]), code=rules.ALREADY_APPLIED) from None
    return aid


def can_view(aid: AidApplication, user) -> bool:
    return user is not None and (aid.user_id == user.id or user.is_admin)


@cache
def _aid_of():
    return (select(AidApplication).where(AidApplication.user_id == bindparam("user_id"))
            .options(selectinload(AidApplication.programme)).order_by(AidApplication.submitted_at.desc()))


def aid_of(user) -> Sequence[AidApplication]:
    return db.session.scalars(_aid_of(), {"user_id": user.id}).all()


@cache
def _review_queue():
    waiting = AidApplication.status == "submitted"
    return (select(AidApplication).options(
        selectinload(AidApplication.programme), selectinload(AidApplication.user),
        selectinload(AidApplication.application).selectinload(Application.series))
        # The undecided first, the longest waiting first; then the decided, the latest decision first.
        .order_by(~waiting, case((waiting, AidApplication.submitted_at)), AidApplication.decided_at.desc(),
                  AidApplication.id))


def review_page() -> Pagination:
    """The page ?page= names of every aid application: the undecided first (the longest waiting first),
    then the decided (the latest decision first); each with its programme, applicant and registration."""
    return paginate(_review_queue())


@cache
def _series_open_to_programmes():
    return (select(Series.id, Series.title)
            .where(Series.lifecycle != "cancelled", not_over(bindparam("moment", type_=UTCDateTime())))
            .order_by(Series.first_meeting_local, Series.id))


def series_open_to_programmes() -> Sequence:
    """(id, title) of every series a new programme may be for: not cancelled and not over, soonest first.
    A society's past series, years of them, are not offered."""
    return db.session.execute(_series_open_to_programmes(), {"moment": now()}).all()


def programmes() -> Sequence[AidProgramme]:
    """Every programme, the oldest first, with its series."""
    return db.session.scalars(select(AidProgramme).options(selectinload(AidProgramme.series))
                              .order_by(AidProgramme.id)).all()


# -- deciding ---------------------------------------------------------------------------------------

def award(aid: AidApplication, actor, note: str = "") -> AidApplication:
    """Award the aid: the registration's fee is waived, and whatever was already paid is owed back."""
    require_admin(actor)
    # The series first (money changes: series/locking.py), then the programme, so that concurrent
    # awards of one programme wait here and each counts the ones before it.
    lock_series(aid.series_id)
    programme = db.session.scalars(select(AidProgramme).where(AidProgramme.id == aid.programme_id)
                                   .with_for_update()).one()
    db.session.refresh(aid)
    application = aid.application
    db.session.refresh(application)
    refusal = rules.refusal_to_award(kind=programme.kind, aid_status=aid.status, registration_status=application.status,
                                     already_aided=application.scholarship,
                                     awards_made=awards_made(programme, aid.series_id),
                                     max_awards=programme.max_awards)
    if refusal:
        raise DomainError(_(AWARD_MESSAGES[refusal], programme=programme.name, limit=programme.max_awards),
                          code=refusal)
    amount = rules.award_amount(programme.kind, application.price)
    moment = now()
    changed = rows_changed(
        update(AidApplication).where(AidApplication.id == aid.id, AidApplication.status == "submitted")
        .values(status="awarded", amount=amount, decided_by_id=actor.id, decided_at=moment, decision_note=note.strip())
        .execution_options(synchronize_session=False))
    waived = rows_changed(
        update(Application).where(Application.id == application.id, Application.scholarship.is_(False))
        .values(scholarship=True, waived_by=programme.name).execution_options(synchronize_session=False))
    if changed != 1 or waived != 1:  # decided, or aided another way, a moment ago: the caller rolls back
        raise DomainError(_(AWARD_MESSAGES[rules.NOT_SUBMITTED]), code=rules.NOT_SUBMITTED)
    db.session.expire(aid)
    db.session.expire(application)
    paid = paid_total(application)
    decision = refund_for_aid(price=application.price, paid=paid, award=amount, label=programme.name)
    refund = None
    if decision.amount > 0:
        already = refunded_total(application)
        refund = record_refund(application, decision, actor, key=f"aid:{aid.id}",
                               owed=(already, already + decision.amount))
    credit_to_account(application, actor, "aid_awarded", refund=refund, wording=waiver_label(application))
    log_action(application, "aid_awarded", actor, reason=note.strip(),
               data={"programme": programme.name, "amount": format_money(amount), "paid_before": format_money(paid)})
    db.session.flush()
    queue_email(key=f"aid_decided:aid-{aid.id}", kind="aid_decided", user=aid.user,
                context={"aid": aid, "series": application.series, "refund_owed": paid > 0})
    return aid


def decline(aid: AidApplication, actor, note: str) -> AidApplication:
    require_admin(actor)
    if not note.strip():
        raise InvalidInput(_("Say why, for the applicant."), fields={"reason": _("A reason is required.")})
    changed = rows_changed(
        update(AidApplication).where(AidApplication.id == aid.id, AidApplication.status == "submitted")
        .values(status="declined", decided_by_id=actor.id, decided_at=now(), decision_note=note.strip())
        .execution_options(synchronize_session=False))
    db.session.expire(aid)
    if changed != 1:
        raise DomainError(_(AWARD_MESSAGES[rules.NOT_SUBMITTED]), code=rules.NOT_SUBMITTED)
    queue_email(key=f"aid_decided:aid-{aid.id}", kind="aid_decided", user=aid.user,
                context={"aid": aid, "series": aid.application.series, "refund_owed": False})
    return aid


# -- scholarships -----------------------------------------------------------------------------------
# A scholarship waives a fee as an award does, outside any programme: here, beside the programmes whose
# limit it must not get round, with the credit note it causes (invoicing).

def grant_scholarship(application, actor, reason: str):
    """An administrator waives the fee of one application; granting twice changes nothing."""
    if not getattr(actor, "is_admin", False):
        raise NotAllowed(_("Only administrators grant scholarships."))
    lock_series(application.series_id)
    if application.scholarship:
        return application
    if not application.is_live:
        raise DomainError(_("This application is %(status)s; there is no fee left to waive.",
                            status=in_sentence(application.status_label)), code="not_live")
    if not reason:
        raise InvalidInput(_("Say why, for the record."),
                           fields={"reason": _("A reason is required (it is kept in the history).")})
    # A waiver beside a limited programme would get round its limit: those awards go through the programme.
    if (programme := capped_full_tuition(application.series_id)) is not None:
        raise DomainError(_("Full tuition for this group goes through %(programme)s, at most %(limit)s per series: "
                            "award it from the financial aid queue, where the limit is kept.",
                            programme=programme.name, limit=programme.max_awards), code="aid_programme")
    if paid_total(application) > ZERO:
        raise DomainError(_("Payments are already recorded on this application; a scholarship waives a fee before "
                            "anything is paid."), code="already_paid")
    changed = rows_changed(
        update(Application).where(Application.id == application.id, Application.scholarship.is_(False))
        .values(scholarship=True).execution_options(synchronize_session=False)
    )
    db.session.expire(application)
    if changed != 1:  # another administrator granted it a moment ago
        return application
    log_action(application, "scholarship_granted", actor, reason=reason, changes={"amount_due": [
        format_money(application.price), "0.00"]}, data={"waived": format_money(application.price)})
    credit_to_account(application, actor, "scholarship", wording=waiver_label(application))
    queue_email(key=f"invoice_scholarship:application-{application.id}", kind="invoice_scholarship",
                user=application.user, context={"application": application, "series": application.series})
    return application
