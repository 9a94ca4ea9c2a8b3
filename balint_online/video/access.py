"""Who may enter a meeting's video room, and when: a plain function, without Flask or a database."""

from dataclasses import dataclass
from datetime import datetime, timedelta

HOST, PARTICIPANT = "host", "participant"
# Why someone is kept out; the API's error codes.
NOT_ENROLLED, TOO_EARLY, ENDED, CANCELLED = "not_enrolled", "too_early", "ended", "cancelled"


@dataclass(frozen=True)
class Verdict:
    role: str | None  # HOST or PARTICIPANT when let in
    refusal: str | None  # one of the reasons above when kept out
    opens_at: datetime

    @property
    def allowed(self) -> bool:
        return self.role is not None


def decide(*, moment: datetime, starts_at: datetime, ends_at: datetime, window: timedelta, cancelled: bool,
           is_leader: bool, is_enrolled: bool) -> Verdict:
    """The series' leaders (as hosts) and its enrolled members, from `window` before the start until the end.

    A cancellation is public (the series page shows it), so it is said first, even to outsiders;
    everything after that is said only to people in the group.
    """
    opens_at = starts_at - window

    def refuse(reason: str) -> Verdict:
        return Verdict(None, reason, opens_at)

    if cancelled:
        return refuse(CANCELLED)
    if not (is_leader or is_enrolled):
        return refuse(NOT_ENROLLED)
    if moment < opens_at:
        return refuse(TOO_EARLY)
    if moment >= ends_at:
        return refuse(ENDED)
    return Verdict(HOST if is_leader else PARTICIPANT, None, opens_at)
