"""The complimentary membership offer, made once the series is over; refunds paid back onto cards."""

from ..extensions import db
from ..jobs.registry import job
from .card_refunds import pay_out_due
from .services import membership_offer_candidates, offer_membership


@job("membership-offers", every_seconds=3600)
def offer_complimentary_memberships(moment) -> int:
    """Each offer is committed at once, so one failure never withholds the others' (or sends one twice)."""
    made = 0
    for application in membership_offer_candidates(moment):
        if offer_membership(application, moment):
            db.session.commit()
            made += 1
    return made


@job("card-refunds", every_seconds=120)
def pay_out_card_refunds(moment):
    return pay_out_due(moment)
