"""Applying, leaders' decisions, the waiting list and withdrawals.

Every operation takes the series lock first (series/locking.py) and decides inside it, so the
seat count, the waiting list's order and the money owed follow from one order of events. The
database still guards what it can on its own: the seat count moves only through a conditional
UPDATE under a CHECK constraint, each status change is a conditional UPDATE on the expected old
status, and a partial unique index allows one live application per person.

Operations flush and never commit: the request, job or command that calls them is the unit of
work (and holds the lock until it commits). What a member joining or leaving the group causes
elsewhere (the money owed back, the invoice, the rotation, calendars) is called by
flows/applications.py, which gets each operation's `Moved` for that and then tells the member, since
their email names what followed (a refund, say).
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..audit.services import log_action
from ..core.clock import now
from ..core.errors import DomainError, InvalidInput, NotAllowed, NotFound
from ..core.statements import rows_changed
from ..core.wording import in_sentence
from ..extensions import db
from ..notifications.services import queue_email
from ..series.locking import lock_series
from ..series.models import Series
from . import attestation
from .leader_mail import tell_leaders
from .models import LIVE_STATUSES, SEATED_STATUSES, Application, AttestationText
from .quotes import quote_for

# Whether the rotation still gives one more member a turn (rotation.planning.has_room_for_another):
# asked under the series lock before seating anyone, by the flow that seats them.
RoomToPresent = Callable[[Series, datetime], bool]


def _newest_attestation_text() -> AttestationText | None:
    return db.session.scalar(select(AttestationText).order_by(AttestationText.version.desc()).limit(1))


def current_attestation_text() -> AttestationText:
    """The wording applicants agree to now: the newest version, unless the built-in one is newer than
    every version no admin wrote (the code's wording changed since it was stored)."""
    newest = _newest_attestation_text()
    if newest is not None and (newest.created_by_id is not None or newest.version >= attestation.VERSION):
        return newest
    try:
        with db.session.begin_nested():
            stored = AttestationText(version=attestation.VERSION, intro=attestation.INTRO,
                                     items=[item.to_stored() for item in attestation.ITEMS])
            db.session.add(stored)
    except IntegrityError:  # stored by a concurrent first applicant
        stored = db.session.execute(select(AttestationText).where(
            AttestationText.version == attestation.VERSION)).scalar_one()
    return stored


def publish_attestation(intro: str, items: list, admin) -> AttestationText:
    """An admin's wording becomes the next version; applications made before keep theirs. Flushes."""
    if not getattr(admin, "is_admin", False):
        raise NotAllowed(_("Only administrators edit the society's commitments."))
    errors = attestation.check_text(intro, items, _)
    if errors:
        raise InvalidInput(_("The commitments need attention."), fields=errors)
    current = current_attestation_text()
    if current.intro == intro.strip() and current.item_list == items:
        raise DomainError(_("Nothing changed: this is the current wording."), code="unchanged")
    try:
        with db.session.begin_nested():
            stored = AttestationText(version=current.version + 1, intro=intro.strip(),
                                     items=[item.to_stored() for item in items], created_by_id=admin.id)
            db.session.add(stored)
    except IntegrityError as exc:
        raise DomainError(_("Someone saved another version meanwhile; reload and check it."),
                          code="state_changed") from exc
    return stored


def can_view(application: Application, user) -> bool:
    return user is not None and (application.user_id == user.id or application.series.can_manage(user))


def require_view(application: Application, user) -> None:
    """Anyone else is told there is no such application (404), exactly as for an unused id."""
    if not can_view(application, user):
        raise NotFound(f"No application with id {application.id}.")


def waitlist_positions(applications) -> dict[int, int]:
    """Each waitlisted application's place in the queue, from a series' applications already loaded."""
    queue = sorted((a for a in applications if a.status == "waitlisted"), key=lambda a: (a.waitlisted_at, a.id))
    return {a.id: n for n, a in enumerate(queue, start=1)}


def waitlist_position(application: Application) -> int | None:
    if application.status != "waitlisted":
        return None
    ahead = db.session.execute(
        select(func.count(Application.id)).where(
            Application.series_id == application.series_id, Application.status == "waitlisted",
            (Application.waitlisted_at < application.waitlisted_at)
            | ((Application.waitlisted_at == application.waitlisted_at) & (Application.id < application.id)),
        )
    ).scalar_one()
    return ahead + 1


@dataclass(frozen=True)
class Moved:
    """An application's change of status, for the caller to follow up (flows/applications.py)."""

    application: Application
    old_status: str
    new_status: str

    @property
    def joined(self) -> bool:
        return self.new_status == "enrolled" and self.old_status != "enrolled"

    @property
    def left(self) -> bool:
        return self.old_status == "enrolled" and self.new_status != "enrolled"


def _notify(application: Application, kind: str, *, stamp: str = "", carry: str | None = None, **context) -> None:
    # carry: the calendar invitation queued for the same event rides with this email (one email per event).
    queue_email(key=f"{kind}:application-{application.id}{stamp}", kind=kind, user=application.user, carry=carry,
                context={"application": application, "series": application.series,
                         "position": waitlist_position(application), **context})


def _move(application: Application, old_statuses, new_status: str, actor, *, action: str | None = None,
          reason: str = "", **values) -> Moved:
    """Change status only if it is still one of `old_statuses`; otherwise someone else got there first
    (DomainError: the caller's unit of work is then rolled back by its boundary)."""
    old = application.status
    changed = rows_changed(
        update(Application)
        .where(Application.id == application.id, Application.status.in_(tuple(old_statuses)))
        .values(status=new_status, **values)
        .execution_options(synchronize_session=False)
    )
    if changed != 1:
        raise DomainError(_("This application changed meanwhile; reload and try again."), code="state_changed")
    db.session.expire(application)
    log_action(application, action or new_status, actor, from_status=old, to_status=new_status, reason=reason)
    return Moved(application, old, new_status)


def _take_seat(series_id: int) -> bool:
    changed = rows_changed(
        update(Series).where(Series.id == series_id, Series.seats_taken < Series.capacity)
        .values(seats_taken=Series.seats_taken + 1).execution_options(synchronize_session=False)
    )
    return changed == 1


def _free_seat(series_id: int) -> None:
    db.session.execute(
        update(Series).where(Series.id == series_id, Series.seats_taken > 0)
        .values(seats_taken=Series.seats_taken - 1).execution_options(synchronize_session=False)
    )


def _someone_waiting(series_id: int) -> bool:
    return db.session.execute(select(exists().where(
        Application.series_id == series_id, Application.status.in_(("waitlisted", "offered"))))).scalar_one()


def _queue_stamp(series_id: int, moment):
    """When an application joins the waiting list: never before the last one to join it, so the queue's
    order (waitlisted_at, then id) is the order in which the lock let the accepts through."""
    last = db.session.scalar(select(func.max(Application.waitlisted_at)).where(Application.series_id == series_id))
    return max(moment, last + timedelta(microseconds=1)) if last is not None else moment


# -- applying -------------------------------------------------------------------------------------

def apply(series: Series, user, *, claims: Collection[str] = (), answers, note: str = "") -> Application:
    (series,) = lock_series(series.id)  # a cancellation either came first (refused here) or ends this one too
    moment = now()
    state = series.status_at(moment)
    if state not in ("open", "full"):
        reasons = {"draft": _("This series is not open for applications yet; applications are closed."),
                   "running": _("This series has already started; applications are closed."),
                   "completed": _("This series has finished; applications are closed."),
                   "cancelled": _("This series was cancelled; applications are closed.")}
        raise DomainError(reasons[state], code=f"series_{state}")
    if series.is_led_by(user):
        raise DomainError(_("Leaders cannot apply to a series they lead."), code="is_leader")
    if series.registration_closed:
        deadline = series.registration_deadline
        assert deadline is not None  # no deadline never closes registration
        raise DomainError(_("Registration for this series closed on %(day)s (the group's time zone, %(zone)s); "
                            "applications are no longer taken.", day=f"{deadline.day} {deadline:%B %Y}",
                            zone=series.timezone), code="registration_closed")
    agreed = current_attestation_text()
    missing = attestation.missing_items(agreed.item_list, answers)
    if missing:
        raise InvalidInput(_("Every commitment must be confirmed before applying."), fields=missing)
    if db.session.scalar(select(exists().where(Application.series_id == series.id, Application.user_id == user.id,
                                               Application.status.in_(LIVE_STATUSES)))):
        raise DomainError(_("You already have an application to this series."), code="already_applied")
    offered = quote_for(series, user, claims=claims)
    application = Application(
        series_id=series.id, user_id=user.id, claims=sorted(claims), note=note,
        attestation_text=agreed,
        attestation_answers=attestation.recorded_answers(agreed.item_list, answers), attested_at=moment,
        quote=offered.to_api(), price=offered.amount, currency=offered.currency, applied_at=moment,
    )
    db.session.add(application)
    try:
        db.session.flush()
    except IntegrityError as exc:  # a concurrent request created the live application first
        raise DomainError(_("You already have an application to this series."), code="already_applied") from exc
    log_action(application, "applied", user, to_status="pending", data={"quote": application.quote})
    _notify(application, "application_received")
    tell_leaders(application, "applied")
    return application


# -- leaders' decisions ---------------------------------------------------------------------------

def accept(application: Application, actor, *, room_to_present: RoomToPresent) -> Moved:
    """Enrol if a seat is free, nobody is queueing and the rotation has room; otherwise put the application
    on the waiting list. An enrolled member owes the fee from now: the flow issues the invoice."""
    (series,) = lock_series(application.series_id)
    require_view(application, actor)
    if not series.can_manage(actor):
        raise NotAllowed(_("Only this series' leaders or an administrator may accept applications."))
    if application.status != "pending":
        raise DomainError(_("Only pending applications can be accepted (this one is %(status)s).",
                            status=in_sentence(application.status_label)),
                          code="not_pending")
    moment = now()
    if series.status_at(moment) in ("cancelled", "completed", "draft"):
        raise DomainError(_("This series is not taking members."), code="series_closed")
    if not _someone_waiting(series.id) and room_to_present(series, moment) and _take_seat(series.id):
        moved = _move(application, ("pending",), "enrolled", actor, action="accepted", decided_at=moment,
                      enrolled_at=moment)
    else:
        moved = _move(application, ("pending",), "waitlisted", actor, action="waitlisted", decided_at=moment,
                      waitlisted_at=_queue_stamp(series.id, moment))
        _notify(application, "application_waitlisted")
    return moved


def decline(application: Application, actor, reason: str) -> Moved:
    """The applicant is told (tell_declined) after what is owed back is settled."""
    (series,) = lock_series(application.series_id)
    require_view(application, actor)
    if not series.can_manage(actor):
        raise NotAllowed(_("Only this series' leaders or an administrator may decline applications."))
    if not application.is_live:
        raise DomainError(_("This application is already %(status)s.", status=in_sentence(application.status_label)),
                          code="not_live")
    if not reason:
        raise InvalidInput(_("Tell the applicant why."),
                           fields={"reason": _("A reason is required; the applicant is told.")})
    old = application.status
    moved = _move(application, (old,), "declined", actor, reason=reason, decided_at=now(), ended_at=now(),
                  end_reason=reason)
    if old in SEATED_STATUSES:
        _free_seat(series.id)
    return moved


def tell_declined(application: Application, reason: str) -> None:
    _notify(application, "application_declined", reason=reason)


def withdraw(application: Application, actor, reason: str) -> Moved:
    """Withdraw in writing; the member and the leaders are told (tell_withdrawn) what is owed back."""
    lock_series(application.series_id)
    require_view(application, actor)
    if not application.is_live:
        raise DomainError(_("This application is already %(status)s.", status=in_sentence(application.status_label)),
                          code="not_live")
    if not reason:
        raise InvalidInput(_("Please say why, in a sentence."), fields={"reason": _("A written reason is required.")})
    old = application.status
    moved = _move(application, (old,), "withdrawn", actor, reason=reason, ended_at=now(), end_reason=reason)
    if old in SEATED_STATUSES:
        _free_seat(application.series_id)
    return moved


def tell_withdrawn(application: Application, refund) -> None:
    """`refund`: what is owed back (pricing.services.Owed, possibly 0.00), which the member's email names."""
    _notify(application, "application_withdrawn", refund=refund)
    tell_leaders(application, "withdrew")


def accept_offer(application: Application, actor) -> Moved:
    lock_series(application.series_id)
    require_view(application, actor)
    if application.user_id != actor.id:
        raise NotAllowed(_("Only the applicant can take up their offer."))
    if application.status != "offered":
        raise DomainError(_("There is no open offer on this application."), code="no_offer")
    moment = now()
    assert application.offer_expires_at is not None  # every offer is made with its expiry
    if application.offer_expires_at <= moment:
        raise DomainError(_("This offer has lapsed."), code="offer_expired")
    moved = _move(application, ("offered",), "enrolled", actor, action="offer_accepted", enrolled_at=moment,
                  took_offer=True)
    return moved


# -- the waiting list, run by the scheduler ----------------------------------------------------------

def lapsed_offers(moment) -> list[int]:
    return list(db.session.scalars(select(Application.id).where(
        Application.status == "offered", Application.offer_expires_at <= moment)))


def expire_offer(application_id: int, moment) -> Application | None:
    """A lapsed offer ends and frees its seat; None if another scheduler expired it or the member took it up.
    The member is told (tell_offer_expired) after what is owed back is settled."""
    application = db.session.get_one(Application, application_id)
    lock_series(application.series_id)
    if application.status != "offered" or application.offer_expires_at > moment:
        return None
    _move(application, ("offered",), "offer_expired", None, reason="The offer was not taken up in time.",
          ended_at=moment)
    _free_seat(application.series_id)
    return application


def tell_offer_expired(application: Application) -> None:
    _notify(application, "offer_expired")


def _next_in_line(series: Series) -> Application | None:
    # Someone who took an offer and then withdrew is not offered a place again.
    returned = select(Application.user_id).where(Application.series_id == series.id, Application.took_offer.is_(True),
                                                 Application.status == "withdrawn")
    return db.session.scalar(
        select(Application).where(Application.series_id == series.id, Application.status == "waitlisted",
                                  Application.user_id.not_in(returned))
        .order_by(Application.waitlisted_at, Application.id).limit(1)
    )


def series_with_free_seats() -> list[int]:
    """Published series with a free seat and someone on the waiting list."""
    return list(db.session.scalars(select(Series.id).where(
        Series.lifecycle == "published", Series.seats_taken < Series.capacity,
        exists().where(Application.series_id == Series.id, Application.status == "waitlisted"))))


def offer_free_seat(series_id: int, moment, *, room_to_present: RoomToPresent) -> Application | None:
    """Offer one free seat to the first person waiting for it, if the rotation has room; None when there is
    none to offer. The offer reserves the seat, so the flow invoices it, then tells the member (tell_offered).

    DomainError if that application changed meanwhile (the caller rolls back and looks again)."""
    (series,) = lock_series(series_id)
    if series.status_at(moment) in ("completed", "cancelled"):
        return None
    application = _next_in_line(series)
    if application is None or not room_to_present(series, moment) or not _take_seat(series.id):
        return None
    _move(application, ("waitlisted",), "offered", None, offered_at=moment,
          offer_expires_at=moment + timedelta(hours=series.offer_hours))
    return application


def tell_offered(application: Application, moment) -> None:
    _notify(application, "waitlist_offer", stamp=f":{moment.isoformat()}", expires_at=application.offer_expires_at)


def end_for_cancelled_series(series: Series, actor, reason: str) -> list[Moved]:
    """The society cancelled `series` (its lock held by the caller): every live application ends and
    frees its seat. What is owed back and the members' news follow in flows/series.py."""
    moment = now()
    ended = []
    for application in series_applications(series):
        if application.status in LIVE_STATUSES:
            ended.append(_move(application, LIVE_STATUSES, "cancelled", actor, action="series_cancelled",
                               reason=reason, ended_at=moment, end_reason=reason))
    series.seats_taken = 0
    return ended


def welcome(application: Application) -> None:
    """"You have a place": one email for the event, carrying the calendar invitation queued for it,
    so it is called after that invitation (flows/applications.py)."""
    _notify(application, "application_accepted", carry=f"calendar-invite:application-{application.id}")


def tell_series_cancelled(application: Application, reason: str) -> None:
    """The member hears the series is cancelled, with the refund already recorded (the email names it)."""
    _notify(application, "series_cancelled", reason=reason)


def series_applications(series: Series, ids=None, *, history: bool = True) -> list[Application]:
    """The applications of a series (all, or those with `ids`) with what a roster shows, in a fixed number of queries.

    `history=False` leaves out each application's audit trail, which only the roster page shows.
    """
    chosen = [Application.id.in_(ids)] if ids is not None else []
    loads = [selectinload(Application.user).selectinload(User.memberships), selectinload(Application.attestation_text),
             selectinload(Application.payments), selectinload(Application.refunds)]
    if history:
        loads.append(selectinload(Application.history))
    return list(db.session.scalars(
        select(Application).where(Application.series_id == series.id, *chosen).options(*loads)
        .order_by(Application.applied_at, Application.id)
    ))
