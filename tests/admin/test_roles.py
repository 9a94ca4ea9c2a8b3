"""Administrators make someone a leader or an administrator, or take the role away, on the person's page."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import requests
from sqlalchemy import select

from balint_online.accounts.models import User
from balint_online.audit.models import AuditEntry
from balint_online.extensions import db
from balint_online.notifications.models import OutboxMessage
from tests.browser import forms_on, page_text
from tests.factories import published_series
from tests.live import live_server


def role_of(user) -> str:
    db.session.refresh(user)
    return user.role


def logged() -> list[tuple[int, list, int]]:
    return [
        (e.object_id, e.changes["role"], e.actor_id)
        for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "role_changed").order_by(AuditEntry.id)
        )
    ]


def test_an_admin_makes_a_member_a_leader_then_an_admin_and_back(client, login, make_user, admin):
    person = make_user(name="Dr Mei Chen")
    page = f"/admin/people/{person.id}"
    login(admin)
    shown = page_text(client.get(page))
    assert "Member" in shown and 'value="leader"' in shown and "take administration away" not in shown

    made = client.submit(f"{page}/role", {"role": "leader"}, page=page)
    assert made.status_code == 302 and role_of(person) == "leader"
    assert "Dr Mei Chen is now: Leader (was Member)." in page_text(client.get(made.headers["Location"]))

    client.submit(f"{page}/role", {"role": "admin"}, page=page)
    assert role_of(person) == "admin"
    shown = page_text(client.get(page))
    assert "Yes, take administration away" in shown  # the confirmation appears for an administrator

    unconfirmed = client.submit(f"{page}/role", {"role": "leader"}, page=page)
    assert unconfirmed.status_code == 422 and role_of(person) == "admin"
    assert "Tick the box to confirm that Dr Mei Chen stops being an administrator." in page_text(unconfirmed)
    client.submit(f"{page}/role", {"role": "leader", "confirm": "y"}, page=page)
    assert role_of(person) == "leader"

    assert logged() == [(person.id, ["member", "leader"], admin.id), (person.id, ["leader", "admin"], admin.id),
                        (person.id, ["admin", "leader"], admin.id)]
    assert "role changed" in page_text(client.get("/admin/log?type=person"))
    # The project emails people about their groups and their own requests, not about an admin's change to their account.
    assert db.session.scalar(select(OutboxMessage)) is None


def test_the_new_leader_can_lead_at_once(client, login, make_user, admin):
    person = make_user()
    login(admin)
    client.submit(f"/admin/people/{person.id}/role", {"role": "leader"}, page=f"/admin/people/{person.id}")
    client.submit("/sign-out", page="/home")
    login(person)
    assert client.get("/lead/series/new").status_code == 200


def test_the_last_administrator_stays_one(client, login, admin):
    page = f"/admin/people/{admin.id}"
    login(admin)
    refused = client.submit(f"{page}/role", {"role": "member", "confirm": "y"}, page=page)
    assert refused.status_code == 422 and role_of(admin) == "admin"
    assert "Ada Admin is the only administrator: make someone else one first." in page_text(refused)
    assert logged() == []


def test_an_admin_may_step_down_while_another_remains(client, login, make_user, admin):
    other = make_user("admin")
    page = f"/admin/people/{admin.id}"
    login(admin)
    stepped = client.submit(f"{page}/role", {"role": "leader", "confirm": "y"}, page=page)
    assert stepped.status_code == 302 and role_of(admin) == "leader"
    assert client.get(page).status_code == 403  # the pages go at once
    assert role_of(other) == "admin"


def test_a_leader_of_a_running_series_stays_a_leader(client, login, make_user, admin, api):
    leader = make_user("leader", name="Dr Sam Leader")
    published_series(api(leader), title="Thursday group")
    page = f"/admin/people/{leader.id}"
    login(admin)
    refused = client.submit(f"{page}/role", {"role": "member"}, page=page)
    assert refused.status_code == 422 and role_of(leader) == "leader"
    assert "Dr Sam Leader leads Thursday group, which has not ended: give it another leader first." in page_text(
        refused
    )
    assert client.submit(f"{page}/role", {"role": "admin"}, page=page).status_code == 302  # more is fine


def test_only_admins_with_the_forms_token(client, login, make_user, admin):
    person, leader = make_user(), make_user("leader")
    path = f"/admin/people/{person.id}/role"
    login(leader)
    assert client.post(path, data={"role": "admin", "csrf_token": client.csrf_token("/home")}).status_code == 403
    client.submit("/sign-out", page="/home")
    login(admin)
    missing = client.post(path, data={"role": "admin"})
    assert missing.status_code == 400 and role_of(person) == "member"
    unknown = client.submit(path, {"role": "owner"}, page=f"/admin/people/{person.id}")
    assert unknown.status_code == 422 and role_of(person) == "member"
    token = client.csrf_token(f"/admin/people/{person.id}")
    assert client.post("/admin/people/999999/role", data={"role": "admin", "csrf_token": token}).status_code == 404


def test_two_admins_taking_the_role_from_each_other_at_once_leave_one(app, make_user):
    first, second = (
        (u.id, u.email) for u in (make_user("admin", name="Ada Admin"), make_user("admin", name="Bo Admin"))
    )
    with live_server(app) as base:
        sessions = []
        for (_, email), (other, _) in ((first, second), (second, first)):
            browser = requests.Session()
            token = forms_on(browser.get(base + "/sign-in").text, "/sign-in")[0]["hidden"]["csrf_token"]
            browser.post(base + "/sign-in", data={"email": email, "password": "correct horse battery",
                                                  "csrf_token": token}, timeout=30)
            page = f"/admin/people/{other}"
            token = next(f for f in forms_on(browser.get(base + page).text, page)
                         if f["action"] == f"{page}/role")["hidden"]["csrf_token"]
            sessions.append((browser, f"{base}{page}/role", token))
        barrier = Barrier(2)

        def demote(spec):
            browser, url, token = spec
            barrier.wait()
            return browser.post(url, data={"role": "member", "confirm": "y", "csrf_token": token},
                                allow_redirects=False, timeout=60).status_code

        with ThreadPoolExecutor(max_workers=2) as pool:
            codes = sorted(pool.map(demote, sessions))
    assert codes[0] == 302 and codes[1] in (403, 422), codes
    assert sorted(db.session.get(User, user_id).role for user_id, _ in (first, second)) == ["admin", "member"]
    db.session.rollback()
