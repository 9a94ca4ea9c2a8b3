"""Lists that grow with a society come a page at a time, and every page can be reached."""

import re
from datetime import date

import pytest

from balint_online.accounts.models import User
from balint_online.extensions import db
from bench.dataset import PASSWORD, Scale, build

pytestmark = pytest.mark.now("2026-12-01T12:00:00Z")

SOCIETY = Scale(members=150, series=40, group_size=3, big_applicants=70, big_meetings=8)


@pytest.fixture
def society(app):
    return build(SOCIETY, date(2026, 12, 1))


def signed_in(app, user_id):
    client = app.test_client()
    user = db.session.get(User, user_id)
    assert client.submit("/sign-in", {"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def walk(client, path: str, item: str) -> list[str]:
    """Every item (by the regex `item`) across the pages, following each page's Next link."""
    seen, url = [], path
    while url:
        body = client.get(url).get_data(as_text=True)
        seen += re.findall(item, body)
        found = re.search(r'<a rel="next" href="([^"]+)"', body)
        url = found.group(1).replace("&amp;", "&") if found else None
    return seen


def test_the_catalogue_pages_through_every_open_group_once(app, client):
    # Every series of this society starts within the next four months, so all are open.
    society = build(Scale(members=60, series=24, group_size=2, big_applicants=4, big_meetings=4, years=0),
                    date(2026, 12, 1))
    titles = walk(client, "/", r'<h2><a href="/series/\d+">([^<]+)</a></h2>')
    assert len(titles) == len(society.open_series_ids) > 20 and len(set(titles)) == len(titles)
    first = client.get("/").get_data(as_text=True)
    assert first.count('class="card series-card"') == 20 and "Page 1 of 2" in first
    # A page number past the end shows the last page, not an empty catalogue.
    assert "Page 2 of 2" in client.get("/?page=99").get_data(as_text=True)


def test_people_search_and_the_admins_series_list_page_through_everyone(app, society):
    admin = signed_in(app, society.admin_id)
    people = walk(admin, "/admin/people?q=member", r'<a href="/admin/people/\d+">([^<]+)</a>')
    assert len(people) == SOCIETY.members and len(set(people)) == SOCIETY.members
    assert "q=member" in admin.get("/admin/people?q=member").get_data(as_text=True).split('rel="next"')[1][:200]
    ledgers = walk(admin, "/admin/series", r'<a href="/admin/series/\d+/ledger">')
    assert len(ledgers) == SOCIETY.series + 1


def test_each_roster_group_pages_on_its_own(app, society):
    leader = signed_in(app, society.leader_id)
    path = f"/lead/series/{society.big_series_id}/applications"
    first = leader.get(path).get_data(as_text=True)
    names = walk(leader, path, r'<h3 id="applicant-\d+">(?:\d+\. )?([^<]+)</h3>')
    # Following one group's pages keeps the others on their first page, so names repeat there;
    # every applicant is reached at least once and the enrolled group stays whole.
    assert set(names) == {f"Member {n:05d} Scale" for n in _applicant_numbers(society)}
    assert first.count('class="card applicant"') <= 25 * 3 + 10 * 3


def _applicant_numbers(society):
    from balint_online.enrollment.models import Application

    ids = db.session.scalars(db.select(Application.user_id).where(Application.series_id == society.big_series_id))
    return [int(db.session.get(User, i).email.removeprefix("member").split("@")[0]) for i in ids]


def test_a_search_matching_most_people_pages_by_name_and_stops_counting(app, society, monkeypatch):
    from balint_online.admin import services
    from balint_online.pagecache.kept import page_cache

    admin = signed_in(app, society.admin_id)
    sparse = walk(admin, "/admin/people?q=member", r'<a href="/admin/people/\d+">([^<]+)</a>')
    # Lower bounds so this society is "large": the count stops at 100 and the index is walked.
    monkeypatch.setattr(services, "SEARCH_COUNT_LIMIT", 100)
    monkeypatch.setattr(services, "SEARCH_DENSE_FROM", 60)
    page_cache().clear()  # new code is a new release, whose processes start with no page kept
    first = admin.get("/admin/people?q=member").get_data(as_text=True)
    assert "Page 1 of 4 · more than 100 in all" in first  # 25 a page
    dense = walk(admin, "/admin/people?q=member", r'<a href="/admin/people/\d+">([^<]+)</a>')
    assert dense == sparse[:100] and sparse == sorted(sparse)


def test_a_ledger_pages_its_lines_and_totals_every_application(app, society):
    admin = signed_in(app, society.admin_id)
    path = f"/admin/series/{society.big_series_id}/ledger"
    names = walk(admin, path, r'<a href="/admin/applications/\d+">([^<]+)</a>')
    assert sorted(names) == sorted(f"Member {n:05d} Scale" for n in _applicant_numbers(society))
    first = admin.get(path).get_data(as_text=True)
    assert "Page 1 of 3 · 70 in all" in first  # 25 lines a page
    # The totals are the whole series' on every page: its 8 enrolled members paid 875.00 each.
    assert first.count("7,000.00") >= 1 and admin.get(path + "?page=2").get_data(as_text=True).count("7,000.00") >= 1
