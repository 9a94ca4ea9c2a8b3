"""Certificates through the app: attendance decides, the job issues once, leaders reissue; attendance CSV."""

import csv
import io

from sqlalchemy import select

from balint_online.extensions import db
from balint_online.notifications.models import OutboxMessage
from tests.certificates.test_rules_and_pdf import pdf_text
from tests.factories import apply, published_series, run_jobs


def test_members_who_attended_enough_receive_a_certificate(app, api, client, login, make_user, clock):
    leader = make_user("leader", name="Dr Ruth")
    series = published_series(api(leader), capacity=2, meeting_count=2)
    keen, busy = make_user(name="Keen Member"), make_user(name="Busy Member")
    for member in (keen, busy):
        a = apply(api(member), series["id"])
        api(leader).post(f"/api/v1/applications/{a['id']}/accept")
    login(leader)
    credit = f"/lead/series/{series['id']}/credit"
    form = {"minutes_per_meeting": "90", "min_meetings": "2", "statements": "Approved for 3 hours of CE credit."}
    assert client.submit(credit, form).status_code == 302

    first, second = series["meetings"]
    clock.set(first["starts_at"])
    run_jobs(app)  # the scheduler opens the rooms; the way in never makes one
    assert api(keen).get(f"/api/v1/meetings/{first['id']}/join").status_code == 200
    assert api(busy).get(f"/api/v1/meetings/{first['id']}/join").status_code == 200
    clock.set(second["starts_at"])
    run_jobs(app)
    assert api(keen).get(f"/api/v1/meetings/{second['id']}/join").status_code == 200

    clock.set("2026-10-27T12:00:00Z")
    login(leader)  # weeks later: the first sign-in has long timed out
    export = client.get(f"/lead/series/{series['id']}/attendance.csv")
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(export.get_data(as_text=True)))}
    assert rows["Keen Member"]["attended"] == "2" and rows["Busy Member"]["attended"] == "1"

    run_jobs(app)
    run_jobs(app)
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "certificate_issued")).all()
    assert [m.recipient for m in mails] == [keen.email]
    client.submit("/sign-out", page="/home")
    login(keen)
    home = client.get("/home").get_data(as_text=True)
    assert "Your certificates" in home and "3.00 hours" in home
    link = mails[0].body_text.split("http://balint.test")[1].split()[0]
    pdf = client.get(link)
    assert pdf.headers["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.data)
    assert "Keen Member" in text and "attended 2 of 2 meetings" in text and "3.00 hours" in text
    client.submit("/sign-out", page="/home")
    login(busy)
    assert client.get(link).status_code == 404

    client.submit("/sign-out", page="/home")
    login(leader)
    page = client.get(credit).get_data(as_text=True)
    assert "BO-" in page and "Keen Member" in page
    certificate_id = int(link.split("/")[-1].removesuffix(".pdf"))
    assert client.submit(f"/certificates/{certificate_id}/reissue", page=credit).status_code == 302
    page = client.get(credit).get_data(as_text=True)
    assert "(superseded)" in page and page.count("Keen Member") == 2
