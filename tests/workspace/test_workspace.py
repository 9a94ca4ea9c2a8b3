"""The leader's workspace: the hub, meeting changes with a preview of who is told, messages, CSV."""

import csv
import io

import requests
from sqlalchemy import select

from balint_online.extensions import db
from balint_online.notifications.models import OutboxMessage
from tests.browser import forms_on
from tests.live import live_server


def test_hub_lists_meetings_and_the_group(client, login, group):
    leader, series, members = group
    login(leader)
    page = client.get(f"/lead/series/{series['id']}").get_data(as_text=True)
    assert "Reschedule or cancel" in page and "Who will be told (4 people)" in page
    assert all(m.name in page for m in members)


def test_other_leaders_and_members_are_refused(client, login, make_user, group):
    _, series, members = group
    login(make_user("leader"))
    for path in (f"/lead/series/{series['id']}", f"/lead/series/{series['id']}/roster.csv",
                 f"/lead/meetings/{series['meetings'][1]['id']}/change", f"/lead/series/{series['id']}/message"):
        assert client.get(path).status_code == 403, path


def test_reschedule_from_the_page(client, login, api, group):
    leader, series, _ = group
    login(leader)
    meeting = series["meetings"][2]
    preview = client.get(f"/lead/meetings/{meeting['id']}/change").get_data(as_text=True)
    assert "Who will be told (4 people)" in preview and 'value="2026-11-02"' in preview
    change = f"/lead/meetings/{meeting['id']}/change"
    bad = client.submit(f"/lead/meetings/{meeting['id']}/reschedule",
                        {"move-new_date": "2027-03-14", "move-new_time": "02:30"}, page=change)
    assert bad.status_code == 422 and "does not exist" in bad.get_data(as_text=True)
    ok = client.submit(f"/lead/meetings/{meeting['id']}/reschedule",
                       {"move-new_date": "2026-11-04", "move-new_time": "18:00"}, page=change)
    assert ok.status_code == 302
    moved = api(leader).get(f"/api/v1/series/{series['id']}").get_json()["meetings"][2]
    assert moved["starts_at"] == "2026-11-04T23:00:00Z" and moved["sequence"] == 1


def test_cancel_a_meeting_needs_a_reason(client, login, api, group):
    leader, series, _ = group
    login(leader)
    meeting = series["meetings"][3]
    change = f"/lead/meetings/{meeting['id']}/change"
    assert client.submit(f"/lead/meetings/{meeting['id']}/cancel", {"cancel-reason": ""},
                         page=change).status_code == 422
    assert client.submit(f"/lead/meetings/{meeting['id']}/cancel", {"cancel-reason": "Holiday"},
                         page=change).status_code == 302
    assert api(leader).get(f"/api/v1/series/{series['id']}").get_json()["meetings"][3]["status"] == "cancelled"


def test_message_the_group_once(client, login, group):
    leader, series, members = group
    login(leader)
    compose = f"/lead/series/{series['id']}/message"
    # One form sent twice (a double click): the group hears once.
    data = {**client.form(compose), "subject": "Room change", "body": "We meet in the new room from next week."}
    assert client.post(compose, data=data).status_code == 302
    assert client.post(compose, data=data).status_code == 302
    sent = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "group_message")).all()
    assert sorted(m.recipient for m in sent) == sorted([leader.email] + [m.email for m in members])
    assert "We meet in the new room" in sent[0].body_text and sent[0].subject.endswith("Room change")


def test_roster_csv(client, login, group):
    leader, series, members = group
    login(leader)
    resp = client.get(f"/lead/series/{series['id']}/roster.csv")
    assert resp.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert [r["name"] for r in rows] == [m.name for m in members]
    assert rows[0]["trainee"] == "yes" and rows[0]["status"] == "enrolled" and rows[0]["amount_due"] == "450.00"
    assert rows[1]["payment_status"] == "unpaid" and rows[1]["discipline"] == "Physician"


def test_cancel_the_series_from_the_page(client, login, api, group):
    leader, series, members = group
    login(leader)
    assert "This cannot be undone" in client.get(f"/lead/series/{series['id']}/cancel").get_data(as_text=True)
    assert client.submit(f"/lead/series/{series['id']}/cancel", {"reason": "Leader unwell"}).status_code == 302
    assert api(leader).get(f"/api/v1/series/{series['id']}").get_json()["status"] == "cancelled"


def test_csv_cells_cannot_run_as_spreadsheet_formulas():
    from balint_online.core.csvfile import safe_cell

    assert safe_cell('=HYPERLINK("http://evil")') == '\'=HYPERLINK("http://evil")'
    assert safe_cell("+1 555") == "'+1 555" and safe_cell("@SUM(A1)") == "'@SUM(A1)" and safe_cell("-x") == "'-x"
    assert safe_cell("-100.00") == "-100.00" and safe_cell("Dr Jo") == "Dr Jo" and safe_cell(3) == "3"


def test_the_csv_downloads_stream_under_a_real_server(app, group):
    """A streamed CSV is written after the view returns; a real server has ended the request's
    database session by then (the test client, inside the test's app context, does not)."""
    leader, series, members = group
    email, names = leader.email, [m.name for m in members]  # the server takes over the test's session
    with live_server(app) as base:
        browser = requests.Session()
        token = forms_on(browser.get(base + "/sign-in").text, "/sign-in")[0]["hidden"]["csrf_token"]
        browser.post(base + "/sign-in", data={"email": email, "password": "correct horse battery",
                                              "csrf_token": token}, timeout=30)
        for path in ("roster.csv", "attendance.csv"):
            resp = browser.get(f"{base}/lead/series/{series['id']}/{path}", timeout=30)
            assert resp.status_code == 200, path
        rows = list(csv.DictReader(io.StringIO(browser.get(f"{base}/lead/series/{series['id']}/roster.csv").text)))
        assert [r["name"] for r in rows] == names
