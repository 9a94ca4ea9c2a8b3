"""One append-only audit log: what admins and a series' leaders see of who did what."""

import html
import re

import pytest
from sqlalchemy import func, select

from balint_online.audit.models import AuditEntry
from balint_online.extensions import db
from tests.factories import apply, published_series


def test_every_object_is_logged_and_shown_to_admins_and_to_the_series_leaders(api, client, login, make_user):
    leader, other_leader = make_user("leader", name="Dr Lea Der"), make_user("leader")
    admin = make_user("admin", name="Ada Admin")
    member = make_user(name="Jo Member")
    series = published_series(api(leader))
    other = published_series(api(other_leader), title="Morning group")
    application = apply(api(member), series["id"])
    api(leader).post(f"/api/v1/applications/{application['id']}/accept")
    meeting = series["meetings"][1]
    assert api(leader).post(f"/api/v1/meetings/{meeting['id']}/reschedule",
                            json={"starts_at_local": "2026-10-27T19:00"}).status_code == 200
    api(admin).post(f"/api/v1/applications/{application['id']}/payments",
                    json={"amount": "875.00", "method": "transfer", "reference": "T-1"})
    api(member).post(f"/api/v1/applications/{application['id']}/withdraw", json={"reason": "A new job."})
    login(admin)
    client.submit(f"/admin/people/{member.id}/memberships",
                  {"kind": "society", "expires_on": "2027-06-30", "note": ""}, page=f"/admin/people/{member.id}")

    logged = {(e.object_type, e.action) for e in db.session.scalars(select(AuditEntry))}
    assert {("series", "created"), ("series", "published"), ("application", "applied"), ("application", "accepted"),
            ("meeting", "rescheduled"), ("payment", "payment_recorded"), ("application", "withdrawn"),
            ("refund", "refund_owed"), ("membership", "membership_added")} <= logged
    moved = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "rescheduled"))
    assert moved.changes["sequence"] == [0, 1] and moved.changes["starts_at"][1] == "2026-10-27T23:00:00Z"
    owed = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "refund_owed"))
    assert owed.changes == {"owed": ["0.00", "775.00"]}

    everything = client.get("/admin/log").get_data(as_text=True)
    for expected in ("rescheduled", "payment recorded", "refund owed", "membership added", "Jo Member", "Ada Admin",
                     "0.00 → 775.00", "A new job."):
        assert expected in everything
    assert "refund owed" in client.get(f"/admin/log?series={series['id']}&type=refund").get_data(as_text=True)

    assert client.submit("/sign-out", page="/admin/").status_code == 302
    login(leader)
    theirs = client.get(f"/lead/series/{series['id']}/log")
    assert theirs.status_code == 200
    text = theirs.get_data(as_text=True)
    assert "rescheduled" in text and "refund owed" in text and "membership added" not in text
    assert client.get(f"/lead/series/{other['id']}/log").status_code == 403


def test_the_log_is_append_only(api, make_user):
    leader = make_user("leader")
    published_series(api(leader))
    entry = db.session.scalars(select(AuditEntry)).first()
    entry.reason = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalars(select(AuditEntry)).first())
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()


def test_older_entries_are_a_page_away_however_long_the_log(api, client, login, make_user, monkeypatch):
    from balint_online.audit import services

    monkeypatch.setattr(services, "LOG_PAGE", 4)
    leader, admin = make_user("leader"), make_user("admin")
    series = published_series(api(leader))
    for n in range(9):
        apply(api(make_user(name=f"Member {n}")), series["id"])

    login(admin)
    seen, path = [], "/admin/log?type=application"
    while path:
        page = client.get(path).get_data(as_text=True)
        rows = page.count('<td data-label="When">')
        assert 0 < rows <= 4
        seen.append(rows)
        older = re.search(r'<a rel="next" href="([^"]+)">Older entries</a>', page)
        path = html.unescape(older.group(1)) if older else None
        if path:
            assert "type=application" in path and "before=" in path  # the filter is kept
    assert sum(seen) == db.session.scalar(select(func.count()).select_from(AuditEntry)
                                          .where(AuditEntry.object_type == "application"))
    assert "Newest entries" in page
