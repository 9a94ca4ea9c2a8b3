"""Who is enrolled in a series: the one place the rule is written, for every feature that asks.

A person is a member of a group while their application to its series is "enrolled"; an offer not
yet taken up, a withdrawal or a cancelled series is not a member.
"""

from collections.abc import Iterable
from functools import cache

from sqlalchemy import ColumnElement, Select, bindparam, select

from ..accounts.models import User
from ..extensions import db
from .models import Application


def _enrolled() -> ColumnElement[bool]:
    return Application.status == "enrolled"


def enrolled(*, series_ids: Iterable[int] | Select | None = None,
             user_id: int | None = None) -> Select[Application]:
    """The enrolled applications, to these series (ids or a subquery of them) and/or of this person."""
    query = select(Application).where(_enrolled())
    if series_ids is not None:
        query = query.where(Application.series_id.in_(series_ids))
    if user_id is not None:
        query = query.where(Application.user_id == user_id)
    return query


def enrolled_series_ids(user_id: int) -> Select[int]:
    """A subquery: the series `user_id` is enrolled in."""
    return enrolled(user_id=user_id).with_only_columns(Application.series_id)


def is_enrolled(series, user) -> bool:
    """Is `user` (a visitor or nobody included) an enrolled member of `series`?"""
    if user is None or not getattr(user, "is_authenticated", True):
        return False
    return db.session.scalar(enrolled(series_ids=[series.id], user_id=user.id)
                             .with_only_columns(Application.id).limit(1)) is not None


def enrolled_ids(series_id: int) -> list[int]:
    """The members' user ids in the order they were enrolled."""
    return list(db.session.scalars(enrolled(series_ids=[series_id]).with_only_columns(Application.user_id)
                                   .order_by(Application.enrolled_at, Application.id)))


@cache
def _members_in_order():
    return (select(User).join(Application, Application.user_id == User.id)
            .where(_enrolled(), Application.series_id == bindparam("series_id"))
            .order_by(Application.enrolled_at, Application.id))


def enrolled_people(series_id: int) -> list[User]:
    """The members, in the order they were enrolled, in one query (built once)."""
    return list(db.session.scalars(_members_in_order(), {"series_id": series_id}))


def enrolled_members(series_ids: Iterable[int]) -> dict[int, list[User]]:
    """Each series' enrolled members, by name: one query, the people only (not their applications)."""
    found: dict[int, list[User]] = {sid: [] for sid in series_ids}
    if found:
        for series_id, user in db.session.execute(
                enrolled(series_ids=found).with_only_columns(Application.series_id, User)
                .join(User, User.id == Application.user_id)):
            found[series_id].append(user)
    for members in found.values():
        members.sort(key=lambda u: (u.name, u.id))  # by Python's order, the same whatever the database's collation
    return found
