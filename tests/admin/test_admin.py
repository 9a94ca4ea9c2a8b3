"""The administrators' pages: who may see them, memberships, the CSV import and series oversight."""

import io
from datetime import date

from sqlalchemy import func, select

from balint_online.accounts.models import Membership
from balint_online.extensions import db
from tests.browser import page_text
from tests.factories import apply, published_series


def memberships() -> list[tuple[str, str, date]]:
    return [(m.user.email, m.kind, m.expires_on)
            for m in db.session.scalars(select(Membership).order_by(Membership.id))]


ADMIN_PAGES = ("/admin/", "/admin/people", "/admin/memberships/import", "/admin/scholarships", "/admin/series")


def test_only_admins(client, login, make_user, admin):
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 302  # to sign in
    for role in ("member", "leader"):
        client = login(make_user(role))
        for path in ADMIN_PAGES:
            assert client.get(path).status_code == 403, path
        assert "Admin</a>" not in page_text(client.get("/home"))
    client = login(admin)
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 200, path
    assert "Admin</a>" in page_text(client.get("/home"))


def test_search_takes_wildcards_and_the_escape_character_as_written(login, make_user, admin):
    make_user(name="Ann_Lee")
    make_user(name="Ann Lee")
    make_user(name="Bo 100% Sure")
    make_user(name="Cy a/b")
    client = login(admin)
    for text, found, missed in (("n_l", "Ann_Lee", "Ann Lee"), ("0%", "Bo 100% Sure", "Ann"), ("a/b", "Cy a/b", "Ann")):
        page = page_text(client.get("/admin/people", query_string={"q": text}))
        assert found in page and missed not in page, text


def test_search_set_expiry_and_grant_the_member_rate(api, login, make_user, admin):
    leader = make_user("leader")
    series = published_series(api(leader))
    visitor = make_user(name="Greta Visitor", email="greta@example.nl")
    make_user(name="Someone Else")
    client = login(admin)
    found = page_text(client.get("/admin/people?q=GRETA"))
    assert "Greta Visitor" in found and "Someone Else" not in found

    person = f"/admin/people/{visitor.id}"
    refused = client.submit(f"{person}/memberships", {"kind": "other_society", "expires_on": "2027-03-31", "note": ""},
                            page=person)
    assert refused.status_code == 422 and "Name the Balint society" in page_text(refused)
    assert 'value="2027-03-31"' in page_text(refused)
    client.submit(f"{person}/memberships", {"kind": "other_society", "expires_on": "2027-03-31",
                                            "note": "Dutch Balint Society"}, page=person)
    quote = api(visitor).get(f"/api/v1/series/{series['id']}/quote").get_json()
    assert quote["amount"] == "650.00" and "granted: member of another Balint society" in quote["lines"][0]["label"]

    membership = db.session.scalar(select(Membership))
    changed = client.submit(f"/admin/memberships/{membership.id}", {f"m{membership.id}-expires_on": "2026-09-30"},
                            page=person, follow_redirects=True)
    assert "now runs until 2026-09-30" in page_text(changed)
    assert api(visitor).get(f"/api/v1/series/{series['id']}/quote").get_json()["amount"] == "800.00"


def test_import_dry_run_lists_every_problem_and_writes_nothing(login, make_user, admin):
    make_user(email="jo@example.org")
    make_user(email="priya@example.org", member_until=date(2026, 12, 31))
    client = login(admin)
    bad = ("email,expires_on,kind\n"
           "jo@example.org,2027-06-30,society\n"
           "nobody@example.org,2027-06-30\n"
           "priya@example.org,30/06/2027\n"
           "JO@example.org,2027-07-01\n"
           "priya@example.org,2027-06-30,honorary\n")
    for action in ("check", "apply"):
        resp = client.submit("/admin/memberships/import", {"csv_file": (io.BytesIO(bad.encode()), "members.csv"),
                                                            action: "x"}, content_type="multipart/form-data")
        body = page_text(resp)
        assert resp.status_code == 422 and "nothing was written" in body
        for problem in ("Unknown email: no account for nobody@example.org.",
                        "Bad date '30/06/2027': write the expiry date as YYYY-MM-DD.",
                        "Duplicate: jo@example.org is already on line 2.",
                        "Duplicate: priya@example.org is already on line 4.",
                        "Unknown kind 'honorary'"):
            assert problem in body
        assert "Rows with problems (4 of 5)" in body
        assert memberships() == [("priya@example.org", "society", date(2026, 12, 31))]


def test_a_clean_import_is_checked_then_applied(login, make_user, admin):
    make_user(email="jo@example.org")
    make_user(email="priya@example.org", member_until=date(2026, 12, 31))
    client = login(admin)
    clean = "jo@example.org,2027-06-30\nPriya@example.org,2027-12-31,society\n"
    dry = client.submit("/admin/memberships/import", {"csv_text": clean, "check": "x"})
    assert dry.status_code == 200 and "2 rows, no problems" in page_text(dry) and "Apply the import" in page_text(dry)
    assert len(memberships()) == 1
    done = client.submit("/admin/memberships/import", {"csv_text": clean, "apply": "x"}, follow_redirects=True)
    assert "Imported: 1 created, 1 updated, 0 unchanged." in page_text(done)
    assert sorted(memberships()) == [("jo@example.org", "society", date(2027, 6, 30)),
                                     ("priya@example.org", "society", date(2027, 12, 31))]
    again = client.submit("/admin/memberships/import", {"csv_text": clean, "apply": "x"}, follow_redirects=True)
    assert "0 created, 0 updated, 2 unchanged" in page_text(again)
    assert db.session.scalar(select(func.count(Membership.id))) == 2


def test_series_oversight(api, login, make_user, admin):
    leader = make_user("leader")
    series = published_series(api(leader), title="Monday evening group", capacity=4, meeting_count=4)
    a = apply(api(make_user()), series["id"])
    api(leader).post(f"/api/v1/applications/{a['id']}/accept")
    api(admin).post(f"/api/v1/applications/{a['id']}/payments", json={"amount": "500.00", "method": "card"})
    body = page_text(login(admin).get("/admin/series"))
    assert "Monday evening group" in body and "1 / 4" in body and "Open for applications" in body
    assert "500.00" in body and "300.00" in body  # paid, and the balance still owed
    overview = page_text(login(admin).get("/admin/"))
    assert "Payments awaited (1)" in overview and "300.00 USD" in overview
