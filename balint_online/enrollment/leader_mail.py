"""Leaders hear of each new application and each withdrawal: an email each, or one summary a day, as each
leader chose on their account page (`User.leader_mail`)."""

from ..notifications.digests import notify

KINDS = {"applied": "leader_application", "withdrew": "leader_withdrawal"}


def tell_leaders(application, event: str) -> None:
    """`event` is "applied" or "withdrew"; called inside the service's unit of work."""
    series = application.series
    for leader in series.leaders:
        notify(leader, key=f"{KINDS[event]}:application-{application.id}:user-{leader.id}", kind=KINDS[event],
               context={"series": series, "application": application}, daily=leader.leader_mail == "daily",
               topic=series.title)
