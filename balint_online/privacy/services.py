"""The workflow of a member's data: export it, ask for its erasure, an administrator refuses or confirms.

Every step is in the audit log and the member is told by email. Services flush; the request commits.
"""

from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..audit.services import log_action
from ..core.clock import now
from ..core.errors import DomainError, NotAllowed, NotFound
from ..enrollment.models import Application
from ..extensions import db
from ..notifications.services import queue_email
from ..pricing.services import account
from ..series.models import Series
from .erasure import erase_person, new_pseudonym
from .export import personal_data
from .models import ErasureRequest, ErasureStatus
from .rules import Holding, LedSeries, Refusal, erasure_refusals

ENDED = ("completed", "cancelled")


def export_data(user: User, *, form: str) -> dict:
    """What is held about `user`, recorded as given to them (`form`: "json" or "page")."""
    data = personal_data(user)
    log_action(user, "data_exported", user, data={"format": form})
    db.session.flush()
    return data


def erasure_refusals_for(user: User) -> tuple[Refusal, ...]:
    applications = db.session.scalars(select(Application).where(Application.user_id == user.id)
                                      .order_by(Application.id)).all()
    holdings = []
    for a in applications:
        money = account(a)
        holdings.append(Holding(series_id=a.series_id, series_title=a.series.title, live=a.is_live,
                                series_over=a.series.status in ENDED, balance=money.balance,
                                refund_due=money.refund_due, currency=a.currency))
    led = [LedSeries(s.id, s.title, s.status in ENDED)
           for s in db.session.scalars(select(Series).where(Series.leaders.any(User.id == user.id)))]
    return erasure_refusals(holdings, led)


def _refusal_data(refusals) -> list[dict]:
    return [{"kind": r.kind, "series_id": r.series_id} for r in refusals]


def pending_request(user: User) -> ErasureRequest | None:
    return db.session.scalar(select(ErasureRequest).where(ErasureRequest.user_id == user.id,
                                                          ErasureRequest.status == "pending"))


def latest_request(user: User) -> ErasureRequest | None:
    return db.session.scalar(select(ErasureRequest).where(ErasureRequest.user_id == user.id)
                             .order_by(ErasureRequest.id.desc()).limit(1))


def request_erasure(user: User) -> tuple[ErasureRequest | None, tuple[Refusal, ...]]:
    """Record the member's request (the one already pending, when sent twice), or why it cannot be
    made now: then nothing is recorded but the refusal, in the audit log."""
    refusals = erasure_refusals_for(user)
    if refusals:
        log_action(user, "erasure_refused", user, data={"refusals": _refusal_data(refusals)})
        db.session.flush()
        return None, refusals
    if (found := pending_request(user)) is not None:
        return found, ()
    erasure = ErasureRequest(user_id=user.id, requested_at=now())
    try:
        with db.session.begin_nested():
            db.session.add(erasure)
    except IntegrityError:  # the same form sent twice at once: the other request recorded it
        return pending_request(user), ()
    log_action(erasure, "erasure_requested", user, to_status="pending")
    queue_email(key=f"erasure-received:{erasure.id}", kind="erasure_received", user=user,
                context={"erasure": erasure})
    db.session.flush()
    return erasure, ()


def pending_requests() -> Sequence[ErasureRequest]:
    return db.session.scalars(select(ErasureRequest).where(ErasureRequest.status == "pending")
                              .order_by(ErasureRequest.requested_at)).all()


def decided_requests(limit: int = 50) -> Sequence[ErasureRequest]:
    return db.session.scalars(select(ErasureRequest).where(ErasureRequest.status != "pending")
                              .order_by(ErasureRequest.decided_at.desc()).limit(limit)).all()


def _claim_pending(request_id: int, admin: User) -> ErasureRequest:
    """The request, locked until the decision commits, so two administrators never both decide it."""
    erasure = db.session.scalar(select(ErasureRequest).where(ErasureRequest.id == request_id).with_for_update()
                                .execution_options(populate_existing=True))
    if erasure is None:
        raise NotFound(_("There is no such request."))
    if erasure.status != "pending":
        raise DomainError(_("This request is already decided (%(status)s).", status=erasure.status_label.lower()),
                          code="decided")
    if erasure.user_id == admin.id:
        raise NotAllowed(_("Another administrator decides a request of your own."))
    return erasure


def refuse_erasure(request_id: int, admin: User, reason: str) -> ErasureRequest:
    erasure = _claim_pending(request_id, admin)
    erasure.status, erasure.decided_at, erasure.decided_by_id, erasure.reason = (ErasureStatus.REFUSED, now(), admin.id,
                                                                                  reason)
    log_action(erasure, "erasure_refused", admin, from_status="pending", to_status="refused", reason=reason)
    queue_email(key=f"erasure-refused:{erasure.id}", kind="erasure_refused", user=erasure.user,
                context={"erasure": erasure})
    db.session.flush()
    return erasure


def confirm_erasure(request_id: int, admin: User) -> tuple[ErasureRequest, tuple[Refusal, ...]]:
    """Erase the person, unless something arose since they asked (then nothing changes and the reasons
    are returned, for the administrator to refuse with or to wait on)."""
    erasure = _claim_pending(request_id, admin)
    person = erasure.user
    refusals = erasure_refusals_for(person)
    if refusals:
        return erasure, refusals
    address, pseudonym, admin_id = person.email, new_pseudonym(), admin.id
    erase_person(person, pseudonym)
    erasure.status, erasure.decided_at, erasure.decided_by_id, erasure.pseudonym = (ErasureStatus.DONE, now(), admin_id,
                                                                                     pseudonym)
    log_action(erasure, "erased", admin, from_status="pending", to_status="done", data={"pseudonym": pseudonym})
    # To the address captured above: the account no longer has one. Deleted from the outbox once sent.
    queue_email(key=f"erasure-done:{erasure.id}", kind="erasure_done", user=None, recipient=address,
                context={"pseudonym": pseudonym})
    db.session.flush()
    return erasure, ()
