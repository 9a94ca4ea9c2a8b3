"""The complimentary first year of membership, once a series is over: whether the member took part is
video's attendance; whether they qualify, and the offer and its email, are pricing's."""

from collections.abc import Iterator

from ..pricing.services import membership_offer_candidates, offer_membership
from ..video.attendance import took_part


def offer_free_years(moment) -> Iterator[bool]:
    """Each candidate's offer in turn: True when made, False if they do not qualify or another scheduler
    offered it first. Who took part is read for every candidate at once."""
    candidates = membership_offer_candidates(moment)
    attended = took_part(candidates, moment)
    for application in candidates:
        yield offer_membership(application, moment, took_part=application.id in attended)
