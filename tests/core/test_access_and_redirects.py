"""Smaller hardening: redirects that stay on the site, 404 for what a caller may not know of,
405 with Allow, and leaders who see only what their role needs of scholarships."""

import re
from urllib.parse import quote, urljoin, urlsplit

import pytest

from tests.factories import apply, create_series, published_series

pytestmark = pytest.mark.now("2026-09-01T12:00:00Z")

# What a browser makes of a Location header: tabs and newlines dropped, a backslash read as a slash.
HOSTILE_NEXT = ["/\t/evil.example/", "/\\evil.example/", "\\\\evil.example", "/\n/evil.example",
                "https://evil.example/",
                "//evil.example", " //evil.example", "/%09/evil.example", "java\tscript:alert(1)"]


def _lands_on_site(resp) -> bool:
    location = resp.headers["Location"]
    as_browser = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    return urlsplit(urljoin("http://localhost/somewhere", as_browser)).netloc == "localhost"


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_next_never_leaves_the_site(client, make_user, login, target):
    resp = client.submit("/viewer-timezone", {"timezone": "Europe/Paris", "next": target}, page="/")
    assert resp.status_code == 302 and _lands_on_site(resp), resp.headers["Location"]
    user = make_user()
    login(user)
    resp = client.submit("/calendar/reset", {"next": target}, page="/calendar")
    assert resp.status_code == 302 and _lands_on_site(resp), resp.headers["Location"]
    client.submit("/sign-out", page="/home")
    url = "/sign-in?next=" + quote(target, safe="")
    resp = client.submit(url, {"email": user.email, "password": "correct horse battery"}, page=url)
    assert resp.status_code == 302 and _lands_on_site(resp), resp.headers["Location"]


def test_a_same_site_next_is_kept(client):
    resp = client.submit("/viewer-timezone", {"timezone": "Europe/Paris", "next": "/series/3?x=1"}, page="/")
    assert resp.headers["Location"] == "/series/3?x=1"


def test_405_names_the_allowed_methods(client):
    page = client.delete("/sign-in")
    assert page.status_code == 405 and {"GET", "POST"} <= set(page.headers["Allow"].replace(" ", "").split(","))
    api = client.delete("/api/v1/series")
    assert api.status_code == 405 and "GET" in api.headers["Allow"] and api.get_json()["error"] == "method_not_allowed"


def test_another_persons_application_is_not_found_in_the_api_and_the_pages(client, api, make_user, login):
    leader, member, stranger = make_user("leader"), make_user(), make_user()
    series = published_series(api(leader))
    application = apply(api(member), series["id"])
    missing = api(stranger).get("/api/v1/applications/999999")
    theirs = api(stranger).get(f"/api/v1/applications/{application['id']}")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.get_json()["error"] == "not_found"
    for action in ("withdraw", "accept", "decline", "accept-offer"):
        resp = api(stranger).post(f"/api/v1/applications/{application['id']}/{action}", json={"reason": "x"})
        assert resp.status_code == 404, action
    login(stranger)
    for path in (f"/applications/{application['id']}", f"/applications/{application['id']}/invoice"):
        assert client.get(path).status_code == 404, path


def test_a_draft_is_not_found_by_other_leaders(client, api, make_user, login):
    owner, other = make_user("leader"), make_user("leader")
    draft = create_series(api(owner))
    assert api(other).get(f"/api/v1/series/{draft['id']}").status_code == 404
    assert api(other).post(f"/api/v1/series/{draft['id']}/publish").status_code == 404
    meeting = draft["meetings"][0]["id"]
    assert api(other).post(f"/api/v1/meetings/{meeting}/cancel").status_code == 404
    login(other)
    for path in (f"/series/{draft['id']}", f"/lead/series/{draft['id']}/applications", f"/lead/series/{draft['id']}",
                 f"/lead/series/{draft['id']}/attendance", f"/series/{draft['id']}/rotation",
                 f"/meetings/{meeting}.ics"):
        assert client.get(path).status_code == 404, path


def test_leaders_see_no_scholarship_reasons_or_payments_in_the_history(client, api, make_user, login):
    leader, member, admin = make_user("leader"), make_user(), make_user("admin")
    series = published_series(api(leader))
    application = apply(api(member), series["id"])
    reason = "Hardship: recently widowed, income under 20,000"
    resp = api(admin).post(f"/api/v1/applications/{application['id']}/scholarship", json={"reason": reason})
    assert resp.status_code in (200, 201), resp.get_json()
    for_admin = api(admin).get(f"/api/v1/applications/{application['id']}").get_json()
    assert any(e["reason"] == reason for e in for_admin["history"])
    for_leader = api(leader).get(f"/api/v1/applications/{application['id']}").get_json()
    assert [e for e in for_leader["history"] if e["action"] == "scholarship_granted"] == []
    login(leader)
    roster = client.get(f"/lead/series/{series['id']}/applications")
    assert roster.status_code == 200 and member.name.encode() in roster.data
    assert reason.encode() not in roster.data and b"scholarship granted" not in roster.data
