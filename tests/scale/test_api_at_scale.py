"""The API's reads cost the same queries in a society three times the size, as the pages do.

Each read is asked for with the person's bearer token in the benchmark's society at two sizes
(tests/scale/test_query_counts.py's), with invoices, refunds, scholarships and aid in it: one that
costs more in the larger society loads something row by row.
"""

from datetime import date

import pytest
from sqlalchemy import select

from balint_online.accounts.models import ApiToken, User
from balint_online.enrollment.models import Application
from balint_online.extensions import db
from bench.dataset import build
from tests.scale.test_query_counts import LARGER, SMALL, documents, help_given
from tests.snapshots import new_test
from tests.statements import statements_of

pytestmark = pytest.mark.now("2026-12-01T12:00:00Z")

READS = [
    ("member", "/api/v1/series"),
    ("member", "/api/v1/commitments"),
    ("member", "/api/v1/me/calendar"),
    ("member", "/api/v1/applications/{application}"),
    ("member", "/api/v1/series/{big}"),
    ("member", "/api/v1/series/{big}/aid-programmes"),
    ("leader", "/api/v1/series/{big}"),
    ("leader", "/api/v1/series/{big}/roster"),
    ("leader", "/api/v1/series/{big}/rotation"),
    ("leader", "/api/v1/series/{big}/rotation/placements"),
    ("leader", "/api/v1/series/{big}/swap-requests"),
    ("admin", "/api/v1/series"),
    ("admin", "/api/v1/series/{big}/roster"),
    ("admin", "/api/v1/applications/{application}"),
]


def reads_at(app, scale) -> dict[tuple[str, str], int]:
    """The statements each read costs in a society of `scale`."""
    db.session.remove()
    new_test()
    built = build(scale, date(2026, 12, 1))
    documents()
    help_given()
    tokens = {who: ApiToken.issue(db.session.get(User, getattr(built, f"{who}_id")))[1]
              for who in ("member", "leader", "admin")}
    # The member's latest application: with its payments, refund, invoice and credit note, as the prepare left them.
    application = db.session.scalar(select(Application.id).where(Application.user_id == built.member_id)
                                    .order_by(Application.id.desc()).limit(1))
    db.session.commit()
    client = app.test_client()
    counts = {}
    for who, path in READS:
        answered = []
        url = path.format(big=built.big_series_id, application=application)
        headers = {"Authorization": f"Bearer {tokens[who]}"}
        count = len(statements_of(lambda url=url, headers=headers, answered=answered: answered.append(
            client.get(url, headers=headers))))
        assert answered[0].status_code == 200, (who, url, answered[0].get_data(as_text=True)[:300])
        counts[who, path] = count
    return counts


def test_every_read_costs_the_same_queries_at_both_sizes(app):
    small, larger = reads_at(app, SMALL), reads_at(app, LARGER)
    grew = [f"{who} {path}: {small[who, path]} queries, {larger[who, path]}" for who, path in READS
            if larger[who, path] != small[who, path]]
    assert not grew, "\n".join(grew)


def test_the_rosters_waiting_list_places_are_each_applications_own(app):
    """The roster reads the waiting list's places from the applications it loaded; each must be the place
    the application's own answer counts."""
    from balint_online.enrollment.services import waitlist_position

    db.session.remove()
    new_test()
    built = build(LARGER, date(2026, 12, 1))  # the big series with 90 applicants, several of them waiting
    token = ApiToken.issue(db.session.get(User, built.leader_id))[1]
    db.session.commit()
    roster = app.test_client().get(f"/api/v1/series/{built.big_series_id}/roster",
                                   headers={"Authorization": f"Bearer {token}"}).get_json()
    places = {a["id"]: a["waitlist_position"] for a in roster["applications"]}
    assert sorted(p for p in places.values() if p) == list(range(1, 1 + sum(1 for p in places.values() if p)))
    assert len([p for p in places.values() if p]) >= 2
    assert places == {a: waitlist_position(db.session.get(Application, a)) for a in places}
