"""When a person's role may change: plain facts in, the reason it may not out (no Flask, no database).

The rule:
- taking administration away is confirmed first, and never leaves the society without an administrator;
- a leader of a series that has not ended (completed or cancelled) keeps a role that may lead: its
  members need their leader, and a series' leaders must be able to lead.
"""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RoleRefusal:
    """Why the change is refused: `kind` is unconfirmed, last_admin or leads (with those series' titles)."""

    kind: str
    series_titles: tuple[str, ...] = ()


def role_refusal(*, takes_admin_away: bool, confirmed: bool, other_admins: int, stops_leading: bool,
                 running_series_led: Sequence[str]) -> RoleRefusal | None:
    if takes_admin_away and not confirmed:
        return RoleRefusal("unconfirmed")
    if takes_admin_away and other_admins == 0:
        return RoleRefusal("last_admin")
    if stops_leading and running_series_led:
        return RoleRefusal("leads", tuple(running_series_led))
    return None
