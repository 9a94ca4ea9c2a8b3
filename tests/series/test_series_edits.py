"""Editing a series (PATCH and the edit page share one service) and its registration deadline."""

import re
from html.parser import HTMLParser

from sqlalchemy import select

from balint_online.extensions import db
from balint_online.notifications.models import OutboxMessage
from tests.factories import ATTESTATION, apply, create_series, published_series


def test_a_draft_changes_freely_and_its_meetings_are_replanned(api, leader, make_user):
    make_user("leader", email="sam@example.org", name="Sam Co")
    draft = create_series(api(leader))
    resp = api(leader).patch(f"/api/v1/series/{draft['id']}", json={
        "first_meeting_local": "2026-11-04T18:30", "meeting_count": 6, "capacity": 6, "interval_weeks": 2,
        "prices": {"standard": {"regular": "900.00"}}, "leader_emails": ["ruth@example.org", "sam@example.org"],
        "registration_deadline": "2026-10-28"})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert [m["starts_at_local"] for m in body["meetings"]][:2] == ["2026-11-04T18:30", "2026-11-18T18:30"]
    assert len(body["meetings"]) == 6 and [m["number"] for m in body["meetings"]] == list(range(1, 7))
    assert body["prices"]["standard"] == {"early": None, "regular": "900.00"} and body["capacity"] == 6
    assert body["registration_deadline"] == "2026-10-28" and len(body["leaders"]) == 2
    # Untouched fields keep their values; bad values are refused as on create.
    assert body["title"] == "Evening group" and body["timezone"] == "America/New_York"
    bad = api(leader).patch(f"/api/v1/series/{draft['id']}", json={"first_meeting_local": "2027-03-14T02:30",
                                                                    "capacity": 0})
    assert bad.status_code == 422 and set(bad.get_json()["fields"]) == {"capacity"}
    gap = api(leader).patch(f"/api/v1/series/{draft['id']}", json={"first_meeting_local": "2027-03-14T02:30"})
    assert gap.status_code == 422 and "does not exist" in gap.get_json()["fields"]["first_meeting_local"]


def test_a_published_series_keeps_what_applicants_were_promised(api, leader, make_user):
    series = published_series(api(leader), registration_deadline="2026-10-10")
    path = f"/api/v1/series/{series['id']}"
    ok = api(leader).patch(path, json={"title": "Monday evening group", "description": "Now with more detail.",
                                       "capacity": 8, "registration_deadline": "2026-10-14",
                                       "cancellation_deadline": "2026-10-15"})
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["title"] == "Monday evening group" and ok.get_json()["registration_deadline"] == "2026-10-14"
    refused = api(leader).patch(path, json={
        "first_meeting_local": "2026-10-20T19:00", "prices": {"standard": {"regular": "999.00"}},
        "capacity": 6, "early_bird_deadline": "2026-10-01", "cancellation_fee": "150.00", "title": "Changed again"})
    assert refused.status_code == 409
    problem = refused.get_json()
    assert problem["error"] == "published_terms"
    assert set(problem["fields"]) == {"first_meeting_local", "prices", "capacity", "early_bird_deadline",
                                      "cancellation_fee"}
    assert "only be added" in problem["fields"]["capacity"] and "later" in problem["fields"]["early_bird_deadline"]
    # Nothing of a refused edit is saved, not even its allowed parts.
    assert api(leader).get(path).get_json()["title"] == "Monday evening group"
    # Sending back unchanged values is not a change.
    same = api(leader).patch(path, json={"prices": ok.get_json()["prices"], "first_meeting_local": "2026-10-19T19:00"})
    assert same.status_code == 200
    # A new co-leader gets the meetings in their calendar, like the leaders at publication.
    co = make_user("leader", email="sam@example.org", name="Sam Co")
    added = api(leader).patch(path, json={"leader_emails": ["ruth@example.org", "sam@example.org"]})
    assert added.status_code == 200 and [x["name"] for x in added.get_json()["leaders"]] == ["Dr Ruth", "Sam Co"]
    invites = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "calendar_invite",
                                                             OutboxMessage.user_id == co.id)).all()
    assert len(invites) == 1 and invites[0].calendar_method == "REQUEST"
    assert api(make_user("leader")).patch(path, json={"title": "Mine"}).status_code == 403
    assert api(make_user()).patch(path, json={"title": "Mine"}).status_code == 403


def test_applications_after_the_registration_deadline_are_refused(api, client, clock, leader, make_user):
    series = published_series(api(leader), registration_deadline="2026-10-10")
    assert api(leader).get(f"/api/v1/series/{series['id']}").get_json()["registration_deadline"] == "2026-10-10"
    # The deadline's whole day counts, in New York: 23:30 there is already the 11th in UTC.
    clock.set("2026-10-11T03:30:00Z")
    apply(api(make_user()), series["id"])
    clock.set("2026-10-11T04:30:00Z")
    late = api(make_user()).post(f"/api/v1/series/{series['id']}/applications",
                                 json={"trainee": False, "attestation": ATTESTATION})
    assert late.status_code == 409 and late.get_json()["error"] == "registration_closed"
    assert "closed on 10 October 2026" in late.get_json()["message"]
    page = client.get(f"/series/{series['id']}").get_data(as_text=True)
    assert "Registration closed on Sat 10 Oct 2026." in page and "Apply for a place" not in page
    too_late = api(leader).post("/api/v1/series", json={**_payload(), "registration_deadline": "2026-10-30"})
    assert too_late.status_code == 422 and "registration_deadline" in too_late.get_json()["fields"]


def _payload():
    from tests.factories import series_payload

    return series_payload()


class _Filled(HTMLParser):
    """The values a browser would send for a page's inputs, selects and text areas as shown."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") and a.get("type") not in ("checkbox", "submit"):
            self.values[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value")
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.values[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def shown(client, url) -> dict:
    parser = _Filled()
    parser.feed(client.get(url).get_data(as_text=True))
    return {k: v.strip("\n") for k, v in parser.values.items() if k != "csrf_token"}


def test_the_edit_page_shares_the_service(client, login, api, leader):
    draft = create_series(api(leader))
    login(leader)
    edit = f"/lead/series/{draft['id']}/edit"
    page = client.get(edit).get_data(as_text=True)
    assert 'value="Evening group"' in page and 'value="2026-10-19"' in page and 'value="800.00"' in page
    resp = client.submit(edit, {**shown(client, edit), "title": "Renamed draft", "meeting_count": "6", "capacity": "4",
                                "registration_deadline": "2026-10-12"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    body = api(leader).get(f"/api/v1/series/{draft['id']}").get_json()
    assert body["title"] == "Renamed draft" and len(body["meetings"]) == 6
    assert body["registration_deadline"] == "2026-10-12" and body["prices"]["member"]["early"] == "650.00"

    api(leader).post(f"/api/v1/series/{draft['id']}/publish")
    page = client.get(edit).get_data(as_text=True)
    assert "applicants were promised" in page and "first_date" not in page and "price_standard_regular" not in page
    lower = client.submit(edit, {**shown(client, edit), "capacity": "3"})
    assert lower.status_code == 422 and "Places can only be added" in lower.get_data(as_text=True)
    resp = client.submit(edit, {**shown(client, edit), "title": "Published title", "capacity": "5"})
    assert resp.status_code == 302, re.findall(r'class="error"[^>]*>([^<]*)', resp.get_data(as_text=True))
    body = api(leader).get(f"/api/v1/series/{draft['id']}").get_json()
    assert body["title"] == "Published title" and body["capacity"] == 5
