"""The waiting list's jobs (flows/applications.py), lapsed offers expired before freed seats are offered;
then the complimentary first year of membership offered once a series is over (flows/memberships.py).

Each offer made or expired is its own unit of work, committed at once (releasing its series' lock),
so one failure or a concurrent scheduler never undoes the others.
"""

from ..core.errors import DomainError
from ..enrollment.services import lapsed_offers, series_with_free_seats
from ..extensions import db
from ..flows.applications import expire_offer, offer_free_seat
from ..flows.memberships import offer_free_years
from ..jobs.registry import job


@job("expire-offers", every_seconds=60)
def expire_offers(moment) -> int:
    done = 0
    for application_id in lapsed_offers(moment):
        try:
            expired = expire_offer(application_id, moment)
        except DomainError:  # the member took it up at this very moment
            expired = False
        if expired:
            db.session.commit()
            done += 1
        else:
            db.session.rollback()
    return done


@job("waitlist-offers", every_seconds=60)
def make_offers(moment) -> int:
    """Offer each free seat to the first person waiting for it."""
    made = 0
    for series_id in series_with_free_seats():
        while True:
            try:
                offered = offer_free_seat(series_id, moment)
            except DomainError:  # that application changed meanwhile: undo (seat and lock included), look again
                db.session.rollback()
                continue
            if not offered:
                db.session.rollback()
                break
            db.session.commit()
            made += 1
    return made


@job("membership-offers", every_seconds=3600)
def offer_complimentary_memberships(moment) -> int:
    """Each offer is committed at once, so one failure never withholds the others' (or sends one twice)."""
    made = 0
    for offered in offer_free_years(moment):
        if offered:
            db.session.commit()
            made += 1
    return made
