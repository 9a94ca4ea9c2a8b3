"""The waiting list's jobs; lapsed offers are expired before freed seats are offered."""

from ..jobs.registry import job
from .services import expire_offers, make_offers


@job("expire-offers", every_seconds=60)
def expire_waitlist_offers(moment):
    return expire_offers(moment)


@job("waitlist-offers", every_seconds=60)
def make_waitlist_offers(moment):
    return make_offers(moment)
