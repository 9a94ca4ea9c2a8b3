"""The complimentary first year of membership, once a series is over: whether the member took part is
video's attendance; whether they qualify, and the offer and its email, are pricing's."""

from ..enrollment.models import Application
from ..pricing.services import offer_membership
from ..video.attendance import attended_meeting_ids


def offer_free_year(application: Application, moment) -> bool:
    """False if they do not qualify or another scheduler offered it first."""
    took_part = bool(attended_meeting_ids(application.series, application.user_id))
    return offer_membership(application, moment, took_part=took_part)
