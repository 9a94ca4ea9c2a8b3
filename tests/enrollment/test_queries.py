"""Who is enrolled: the one query the rotation, calendar, video, certificates, workspace and pricing ask."""

from sqlalchemy import select

from balint_online.accounts.models import User
from balint_online.enrollment.queries import enrolled_ids, enrolled_members, enrolled_series_ids, is_enrolled
from balint_online.extensions import db
from balint_online.series.models import Series
from tests.factories import apply, published_series


def test_only_accepted_members_still_in_the_group_are_enrolled(api, leader, make_user):
    series = published_series(api(leader), capacity=2, meeting_count=4)
    zoe, adam, waiting, pending, leaving = (make_user(name=n) for n in ("Zoe", "Adam", "Wait", "Pend", "Leave"))
    for person in (zoe, leaving, adam, waiting):  # two seats: Leave withdraws, Adam takes the seat, Wait waits
        application = apply(api(person), series["id"])
        api(leader).post(f"/api/v1/applications/{application['id']}/accept")
        if person is leaving:
            api(leaving).post(f"/api/v1/applications/{application['id']}/withdraw", json={"reason": "Moved job"})
    apply(api(pending), series["id"])

    row = db.session.get(Series, series["id"])
    people = {u.name: u for u in db.session.scalars(select(User).order_by(User.id))}
    assert [name for name in people if is_enrolled(row, people[name])] == ["Zoe", "Adam"]
    assert not is_enrolled(row, None)
    assert enrolled_ids(row.id) == [zoe.id, adam.id]  # in the order they were enrolled
    assert [u.name for u in enrolled_members([row.id])[row.id]] == ["Adam", "Zoe"]  # by name
    assert db.session.scalars(enrolled_series_ids(adam.id)).all() == [row.id]
    assert db.session.scalars(enrolled_series_ids(waiting.id)).all() == []
