"""Leaders' decisions and members' choices on applications, and what a member joining or leaving causes.

Pages and the API call these; each flushes inside the caller's unit of work, which commits.
"""

from ..calendar import services as calendar
from ..enrollment import services as enrollment
from ..enrollment.models import Application
from ..enrollment.services import Moved
from ..pricing.services import Owed
from ..rotation import services as rotation


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
    _roster_changed(enrollment.accept(application, actor), actor)
    return application


def decline(application: Application, actor, reason: str) -> Application:
    _roster_changed(enrollment.decline(application, actor, reason), actor)
    return application


def withdraw(application: Application, actor, reason: str) -> Owed:
    """Returns what is owed back (possibly 0.00)."""
    moved = enrollment.withdraw(application, actor, reason)
    _roster_changed(moved, actor)
    assert moved.owed is not None  # settle_refunds settles every ended application
    return moved.owed


def accept_offer(application: Application, actor) -> Application:
    _roster_changed(enrollment.accept_offer(application, actor), actor)
    return application
