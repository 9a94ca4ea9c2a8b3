"""Changing a series or its meetings, and everything that follows, in order.

Pages and the API call these, never series/services.py's halves directly, so that no consequence is
forgotten; each flushes inside the caller's unit of work, which commits.
"""

from datetime import datetime

from ..accounts.models import User
from ..calendar import services as calendar
from ..core.zonerules import current as current_rules
from ..enrollment import services as enrollment
from ..rotation import services as rotation
from ..series import services as series_services
from ..series.models import Meeting, Series
from ..series.rezone import replan_series
from ..series.services import SeriesInput
from ..video.rooms import lift_back_off
from .payments import settle


def publish_series(series: Series, user: User) -> Series:
    series = series_services.publish_series(series, user)
    calendar.leaders_invited(series)
    return series


def update_series(series: Series, data: SeriesInput, user: User, default_provider: str) -> Series:
    series = series_services.update_series(series, data, user, default_provider)
    if series.lifecycle == "published":  # a new leader is invited; the others are not asked twice
        calendar.leaders_invited(series)
    return series


_WHAT = {"rescheduled": "was moved", "cancelled": "was cancelled", "added": "was added",
         "restored": "takes place after all"}


def _meeting_changed(meeting: Meeting, change: str, actor: User) -> None:
    """What one changed meeting causes: the turns re-planned, calendars updated, its room dealt with
    at the scheduler's next pass (the provider is never called in the leader's request)."""
    rotation.refresh(meeting.series, reason=f"meeting {meeting.number} {_WHAT[change]}", actor=actor)
    calendar.meeting_changed(meeting, change)
    lift_back_off([meeting.id])


def reschedule_meeting(meeting: Meeting, starts_at_local: datetime, user: User) -> Meeting:
    meeting = series_services.reschedule_meeting(meeting, starts_at_local, user)
    _meeting_changed(meeting, "rescheduled", user)
    return meeting


def cancel_meeting(meeting: Meeting, user: User, reason: str = "") -> Meeting:
    meeting = series_services.cancel_meeting(meeting, user, reason)
    _meeting_changed(meeting, "cancelled", user)
    return meeting


def add_meeting(series: Series, starts_at_local: datetime, user: User) -> Meeting:
    meeting = series_services.add_meeting(series, starts_at_local, user)
    _meeting_changed(meeting, "added", user)
    return meeting


def restore_meeting(meeting: Meeting, user: User) -> Meeting:
    meeting = series_services.restore_meeting(meeting, user)
    _meeting_changed(meeting, "restored", user)
    return meeting


def cancel_series(series: Series, user: User, reason: str) -> Series:
    """The society cancels a series, all in one unit of work under the series lock."""
    series = series_services.cancel_series(series, user, reason)  # it and its meetings to come
    ended = enrollment.end_for_cancelled_series(series, user, reason)  # every live application
    for moved in ended:
        settle(moved.application, user)  # everything paid is owed back in full, and credited
        enrollment.tell_series_cancelled(moved.application, reason)  # the email names the refund
    rotation.clear_future(series, reason="the series was cancelled", actor=user)  # held turns stay, no emails
    for moved in ended:
        if moved.left:
            calendar.member_left(moved.application)
    calendar.leaders_uninvited(series)
    lift_back_off([m.id for m in series.meetings if m.is_cancelled])  # rooms removed at the next pass
    return series


def follow_zone_rules(series: Series, moment: datetime) -> list[Meeting]:
    """New zone rules moved the instants of meetings still to come: everyone's calendar object follows
    and everyone is told; the rooms follow at the video job's next pass."""
    rules = current_rules()
    moved = replan_series(series, moment, rules)
    if moved:
        lift_back_off([m.id for m in moved])
    if moved and series.lifecycle == "published":
        calendar.announce_replanned(series, moved, rules.version)
    return moved
