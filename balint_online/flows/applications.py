"""Leaders' decisions and members' choices on applications, the waiting list's offers, and what a member
joining or leaving causes.

Pages, the API and the waiting list's jobs call these; each flushes inside the caller's unit of work,
which commits. Enrollment decides under the series lock, asking the rotation whether a newcomer still
gets a turn; then, in order: the invoice for a seat now owed, or the refund settled for an ending (the
member's email names it), the member told, and the rotation and calendars following the roster.
"""

from ..calendar import services as calendar
from ..enrollment import services as enrollment
from ..enrollment.models import Application
from ..enrollment.services import Moved
from ..invoicing.services import issue_invoice
from ..pricing.services import Owed
from ..rotation import services as rotation
from ..rotation.planning import has_room_for_another
from .payments import settle


def _roster_changed(moved: Moved, actor) -> None:
    """Joining or leaving the enrolled members re-plans the turns and invites or uninvites the member."""
    application = moved.application
    if moved.joined:
        came = "from the waiting list" if moved.old_status == "offered" else "the group"
        rotation.refresh(application.series, reason=f"a member joined {came}", actor=actor)
        calendar.member_joined(application)
        enrollment.welcome(application)  # after the invitation, which it carries
    elif moved.left:
        rotation.refresh(application.series, reason="a member left the group", actor=actor)
        calendar.member_left(application)


def accept(application: Application, actor) -> Application:
    moved = enrollment.accept(application, actor, room_to_present=has_room_for_another)
    if moved.joined:
        issue_invoice(application, actor)  # the member owes the fee from now
    _roster_changed(moved, actor)
    return application


def _settled(application: Application, actor) -> Owed:
    owed = settle(application, actor)  # what is owed back, and the credit note
    assert owed is not None  # every ended application is settled
    return owed


def decline(application: Application, actor, reason: str) -> Application:
    moved = enrollment.decline(application, actor, reason)
    _settled(application, actor)
    enrollment.tell_declined(application, reason)
    _roster_changed(moved, actor)
    return application


def withdraw(application: Application, actor, reason: str) -> Owed:
    """Returns what is owed back (possibly 0.00)."""
    moved = enrollment.withdraw(application, actor, reason)
    owed = _settled(application, actor)
    enrollment.tell_withdrawn(application, owed)
    _roster_changed(moved, actor)
    return owed


def accept_offer(application: Application, actor) -> Application:
    _roster_changed(enrollment.accept_offer(application, actor), actor)
    return application


def expire_offer(application_id: int, moment) -> bool:
    """A lapsed offer ends; False if another scheduler expired it or the member took it up."""
    application = enrollment.expire_offer(application_id, moment)
    if application is None:
        return False
    _settled(application, None)
    enrollment.tell_offer_expired(application)
    return True


def offer_free_seat(series_id: int, moment) -> bool:
    """Offer one free seat to the first person waiting for it; False when there is none to offer."""
    application = enrollment.offer_free_seat(series_id, moment, room_to_present=has_room_for_another)
    if application is None:
        return False
    issue_invoice(application, None)  # an offer reserves the seat: the fee is owed from now
    enrollment.tell_offered(application, moment)
    return True
