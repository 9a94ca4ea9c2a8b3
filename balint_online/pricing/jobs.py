"""The complimentary membership offer, made once the series is over; refunds paid back onto cards."""

from ..jobs.registry import job
from .card_refunds import pay_out_due
from .services import make_membership_offers


@job("membership-offers", every_seconds=3600)
def offer_complimentary_memberships(moment):
    return make_membership_offers(moment)


@job("card-refunds", every_seconds=120)
def pay_out_card_refunds(moment):
    return pay_out_due(moment)
