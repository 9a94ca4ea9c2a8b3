"""Refunds paid back onto cards. (The complimentary membership's offers ask video's attendance, so their
job is applications', run just before this one.)"""

from ..jobs.registry import job
from .card_refunds import pay_out_due


@job("card-refunds", every_seconds=120)
def pay_out_card_refunds(moment):
    return pay_out_due(moment)
