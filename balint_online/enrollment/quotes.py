"""The price a person is quoted for a series, which their application locks in when they apply.

Applying needs it, so it sits with enrollment; pricing's pages and endpoints show the same quote.
"""

from collections.abc import Collection
from datetime import date

from sqlalchemy import ColumnElement, exists, or_

from ..accounts.models import Membership
from ..core.clock import now
from ..core.prices import Quote, local_date, parse_price_table, quote


def membership_flags(user, on: date) -> tuple[bool, bool]:
    """(is a member, has been granted the member rate) on the date, from the membership records."""
    covering = [m for m in user.memberships if m.covers(on)]
    is_member = any(m.kind in ("society", "complimentary") for m in covering)
    granted = any(m.kind == "other_society" for m in covering)
    return is_member, granted


def membership_flag_columns(user_id, on: date | ColumnElement[date]) -> tuple:
    """`membership_flags` in SQL, for each row's `user_id`: (is_member, granted) labelled columns; `on`
    a date or one bound as the statement runs."""
    def covering(*kinds):
        return exists().where(Membership.user_id == user_id, Membership.kind.in_(kinds),
                              or_(Membership.starts_on.is_(None), Membership.starts_on <= on),
                              Membership.expires_on >= on)

    return covering("society", "complimentary").label("is_member"), covering("other_society").label("granted")


def series_today(series) -> date:
    return local_date(now(), series.timezone)


def quote_for(series, user, *, claims: Collection[str] = (), on: date | None = None,
              scholarship: bool = False) -> Quote:
    on = on or series_today(series)
    is_member, granted = membership_flags(user, on)
    return quote(parse_price_table(series.prices), currency=series.currency, on=on,
                 early_bird_deadline=series.early_bird_deadline, is_member=is_member, claims=claims,
                 member_rate_granted=granted, scholarship=scholarship)

