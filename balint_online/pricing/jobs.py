"""The complimentary membership offer, made once the series is over."""

from ..jobs.registry import job
from .services import make_membership_offers


@job("membership-offers", every_seconds=3600)
def offer_complimentary_memberships(moment):
    return make_membership_offers(moment)
