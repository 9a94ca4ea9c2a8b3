"""Members' and leaders' calendars follow enrolments, meetings and series by email (iTIP)."""

from ..core.signals import application_changed, meeting_changed, series_changed
from . import services


@application_changed.connect
def on_application_changed(application, old_status, new_status, actor=None, **_):
    # Keyed by application: someone who leaves and later re-applies gets a fresh invitation.
    if new_status == "enrolled":
        services.invite(application.series, application.user, f"calendar-invite:application-{application.id}")
    elif old_status == "enrolled":
        # Also how members hear of a cancelled series: enrollment ends every enrolment then.
        services.uninvite(application.series, application.user, f"calendar-cancel:application-{application.id}")


@meeting_changed.connect
def on_meeting_changed(meeting, change, actor=None, **_):
    if change in ("added", "restored"):
        services.meeting_back(meeting, change)
    elif meeting.series.lifecycle == "published":
        services.announce_meeting_change(meeting)


@series_changed.connect
def on_series_changed(series, change, actor=None, **_):
    # Leaders only: members are invited and uninvited with their enrolment (above).
    for leader in series.leaders:
        # An edit may bring a new leader; the key keeps everyone else from a second invitation.
        if change == "published" or (change == "edited" and series.lifecycle == "published"):
            services.invite(series, leader, f"calendar-invite:series-{series.id}:leader-{leader.id}")
        elif change == "cancelled":
            services.uninvite(series, leader, f"calendar-cancel:series-{series.id}:leader-{leader.id}")
