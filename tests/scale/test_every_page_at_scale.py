"""Every page anyone reaches by links costs the same queries in a society three times the size.

test_query_counts.py holds the pages the issue names, one by one. This walks the whole site as each
person would (tests/site_walk.py), in the benchmark's society at two sizes with invoices, refunds,
scholarships and aid in it, and compares each kind of page (its endpoint) between the two: a page
added anywhere is held to it as soon as something links to it. A page that costs more in the larger
society loads something row by row, and will slow down as the society grows.
"""

from datetime import date

import pytest
from werkzeug.routing import RequestRedirect

from balint_online.accounts.models import User
from balint_online.extensions import db
from bench.dataset import PASSWORD, build
from tests.scale.test_query_counts import LARGER, SMALL, documents, help_given
from tests.site_walk import START, reachable_pages
from tests.snapshots import new_test
from tests.statements import statements_of

pytestmark = pytest.mark.now("2026-12-01T12:00:00Z")

PEOPLE = ("member", "leader", "admin")

# Pages with one query that runs only when there is something for it to read: the walk may reach a
# different meeting or group in each society, with it in one and not the other. One query either way.
ONE_QUERY_WHEN_NEEDED = {
    "workspace.change_meeting": "names the members unavailable for the meeting, when any are",
    "certificates.attendance": "names who confirmed attendance by hand, when anyone did",
}


def walked(app, scale) -> dict[tuple[str, str], tuple[str, int]]:
    """{(person, endpoint): (the first page of it they reach, its statements)} in a society of `scale`."""
    db.session.remove()
    new_test()
    built = build(scale, date(2026, 12, 1))
    documents()
    help_given()
    adapter = app.url_map.bind("localhost")
    found = {}
    for who in PEOPLE:
        client = app.test_client()
        email = db.session.get(User, getattr(built, f"{who}_id")).email
        assert client.submit("/sign-in", {"email": email, "password": PASSWORD}).status_code == 302

        def counted(path, client=client, who=who):
            answered = []
            count = len(statements_of(lambda: answered.append(client.get(path))))
            try:
                endpoint = adapter.match(path.split("?")[0], method="GET")[0]
            except RequestRedirect:
                endpoint = None
            if endpoint and answered[0].status_code == 200:
                found.setdefault((who, endpoint), (path, count))
            return answered[0]

        reachable_pages(app, client, (*START, f"/series/{built.big_series_id}"), get=counted)
    return found


def test_every_page_costs_the_same_queries_at_both_sizes(app):
    small, larger = walked(app, SMALL), walked(app, LARGER)
    assert len(small) > 60, sorted(small)  # the walk reached the site, not a sign-in page
    grew = [f"{who} {endpoint}: {small[who, endpoint][0]} {small[who, endpoint][1]} queries, "
            f"{larger[who, endpoint][0]} {larger[who, endpoint][1]}"
            for who, endpoint in sorted(small.keys() & larger.keys())
            if abs(larger[who, endpoint][1] - small[who, endpoint][1]) > (endpoint in ONE_QUERY_WHEN_NEEDED)]
    assert not grew, "\n".join(grew)
