"""Credit by body and discipline through the app: each member's certificate carries their own body's line,
and the home page says why a certificate did not come."""

from html import unescape

from sqlalchemy import select

from balint_online.certificates.services import set_credit
from balint_online.extensions import db
from balint_online.notifications.models import OutboxMessage
from balint_online.series.models import Series
from tests.certificates.test_certificates_app import run_jobs
from tests.certificates.test_credit_rules import APA, NASW
from tests.certificates.test_rules_and_pdf import pdf_text
from tests.factories import apply, published_series


def test_a_psychologist_and_a_social_worker_get_different_credit_lines(app, api, client, login, make_user, clock):
    leader = make_user("leader", name="Dr Ruth")
    series = published_series(api(leader), capacity=3, meeting_count=3)
    psy = make_user(name="Pat Psychologist", discipline="psychologist")
    sw = make_user(name="Sam Socialworker", discipline="social_worker")
    doc = make_user(name="Dee Physician", discipline="physician")
    for member in (psy, sw, doc):
        a = apply(api(member), series["id"])
        api(leader).post(f"/api/v1/applications/{a['id']}/accept")
    login(leader)
    credit_page = f"/lead/series/{series['id']}/credit"
    assert client.submit(credit_page, {"minutes_per_meeting": "90", "min_meetings": "3", "grace_minutes": "10",
                                       "statements": ""}).status_code == 302
    for line in (APA, NASW):
        resp = client.submit(f"/lead/series/{series['id']}/credit/lines", {
            "body": line.body, "amount": f"{line.amount}", "credit_type": "", "statement": line.statement},
                             page=credit_page)
        assert resp.status_code == 302
    shown = unescape(client.get(credit_page).get_data(as_text=True))
    assert "19.25 CE credits" in shown and "17 continuing education contact hours" in shown
    bad = client.submit(f"/lead/series/{series['id']}/credit/lines", {"body": "apa", "amount": "lots"},
                        page=credit_page)
    assert bad.status_code == 422 and "states no figure" in unescape(bad.get_data(as_text=True))
    client.post("/sign-out")

    for meeting in series["meetings"]:
        clock.set(meeting["starts_at"])
        run_jobs(app)  # the scheduler opens the rooms; the way in never makes one
        for member in (psy, sw, doc):
            assert api(member).get(f"/api/v1/meetings/{meeting['id']}/join").status_code == 200
    clock.set("2026-11-03T12:00:00Z")
    run_jobs(app)

    mails = {m.recipient: m
             for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "certificate_issued"))}
    assert set(mails) == {psy.email, sw.email}
    texts = {}
    for member in (psy, sw):
        login(member)
        link = mails[member.email].body_text.split("http://balint.test")[1].split()[0]
        texts[member.email] = pdf_text(client.get(link).data)
        client.post("/sign-out")
    assert "American Psychological Association: 19.25 CE credits" in texts[psy.email]
    assert "National Association of Social Workers" not in texts[psy.email]
    assert "National Association of Social Workers: 17 continuing education contact hours" in texts[sw.email]
    assert "Approval # 886826093-7562" in texts[sw.email]
    assert "American Psychological Association" not in texts[sw.email]

    login(doc)
    home = unescape(client.get("/home").get_data(as_text=True))
    assert f"No certificate for {series['title']}: no credit line for your discipline." in home
    standing = api(doc).get(f"/api/v1/series/{series['id']}/credit/me").get_json()
    assert standing["eligible"] is False and standing["full_meetings"] == 3
    assert standing["reasons"] == [{"code": "no_credit_line", "meeting_number": None}]
    mine = api(psy).get(f"/api/v1/series/{series['id']}/credit/me").get_json()
    assert mine["eligible"] and mine["certificate_number"] and [line["body"] for line in mine["lines"]] == ["apa"]


def test_credit_lines_through_the_api(api, make_user):
    leader = make_user("leader")
    series = published_series(api(leader))
    assert api(leader).get(f"/api/v1/series/{series['id']}/credit").status_code == 404
    url = f"/api/v1/series/{series['id']}/credit/lines"
    assert api(leader).post(url, json={"body": "aavsb"}).get_json()["error"] == "no_credit_settings"
    set_credit(db.session.get(Series, series["id"]), leader, minutes_per_meeting=90, min_meetings=8, statements="")
    line = api(leader).post(url, json={"body": "aavsb", "amount": "19.25", "statement":
                                       "This program is approved by the American Association of Veterinary State "
                                       "Boards for 19.25 credits."})
    assert line.status_code == 201
    assert line.get_json()["disciplines"] == ["veterinarian"] and line.get_json()["credit_type"] == "credits"
    assert api(make_user()).post(url, json={"body": "apa"}).status_code == 403
    bad = api(leader).post(url, json={"body": "ama", "amount": "-1"})
    assert bad.status_code == 422 and "body" in bad.get_json()["fields"]
    bad = api(leader).post(url, json={"body": "apa", "amount": "1e3", "disciplines": ["astronaut"]})
    assert bad.status_code == 422 and set(bad.get_json()["fields"]) == {"amount", "disciplines"}
    shown = api(leader).get(f"/api/v1/series/{series['id']}/credit").get_json()
    assert [(line["body"], line["amount"])
            for line in shown["lines"]] == [("aavsb", "19.25")] and shown["grace_minutes"] == 10
