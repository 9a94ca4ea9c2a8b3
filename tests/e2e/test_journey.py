"""The whole journey in Chromium against a running server, with axe-core on the main pages."""

import re
from datetime import timedelta

from balint_online.extensions import db
from tests.e2e.conftest import screenshot, serious_accessibility_violations, sign_in
from tests.live import live_server

PASSWORD = "correct horse battery"


def confirmation_link(base, email):
    from sqlalchemy import select

    from balint_online.notifications.models import OutboxMessage

    db.session.rollback()  # see what the server committed...
    body = db.session.scalar(select(OutboxMessage.body_text).where(OutboxMessage.kind == "sign_up_confirm",
                                                                   OutboxMessage.recipient == email))
    db.session.rollback()  # ...and hold no lock the server would wait for
    return base + re.search(r"http://balint\.test(/sign-up/confirm/\S+)", body).group(1)


def accessible(page, name):
    screenshot(page, name)
    assert serious_accessibility_violations(page) == [], name


def test_leader_and_member_walk_the_whole_journey(app, make_user, new_page):
    make_user("leader", email="ruth@example.org", name="Dr Ruth Okafor", timezone="America/New_York")
    with live_server(app) as base:
        # The leader creates and publishes a series.
        leader = new_page()
        sign_in(leader, base, "ruth@example.org", PASSWORD)
        leader.goto(base + "/lead/series/new")
        leader.get_by_label("Title").fill("Monday evening group")
        leader.get_by_label("The group's time zone").select_option("America/New_York")
        leader.get_by_label("Date of the first meeting").fill("2026-10-19")
        leader.get_by_label("Start time (in the group's zone)").fill("19:00")
        leader.get_by_label("Non-member: regular").fill("875.00")
        leader.get_by_label("Society member: regular").fill("725.00")
        leader.get_by_role("button", name="Save as draft").click()
        leader.get_by_role("button", name="Publish and open applications").click()
        assert "Published" in leader.inner_text("main")
        series_url = leader.url
        series_id = int(series_url.rstrip("/").split("/")[-1])
        screenshot(leader, "01-leader-published")

        # A member finds it, signs up, and applies with the attestation.
        member = new_page(phone=True)
        member.goto(base + "/")
        accessible(member, "02-catalogue")
        member.get_by_role("link", name="Create an account").click()
        member.get_by_label("Full name").fill("Dr Jo Alvarez")
        member.get_by_label("Email").fill("jo@example.org")
        member.get_by_label("Discipline").select_option("physician")
        member.get_by_label("Time zone").select_option("Europe/London")
        member.get_by_role("button", name="Continue").click()
        assert "Check your inbox" in member.inner_text("main")
        member.goto(confirmation_link(base, "jo@example.org"))  # as if clicked in the email
        member.get_by_label("New password", exact=True).fill(PASSWORD)
        member.get_by_label("Repeat the password").fill(PASSWORD)
        member.get_by_role("button", name="Create my account").click()
        member.get_by_role("link", name="Monday evening group").click()
        accessible(member, "03-series-page")
        assert "Tue 20 Oct 2026, 00:00 – 01:30 BST" in member.inner_text("main")  # 19:00 New York, in London
        member.get_by_role("link", name=re.compile("Apply")).first.click()
        accessible(member, "04-application-form")
        for box in member.locator("input[type=checkbox][name^=attest_]").all():
            box.check()
        member.get_by_role("button", name="Apply", exact=True).click()
        assert "875.00" in member.inner_text("main")
        screenshot(member, "05-applied")

        # The leader accepts.
        leader.goto(f"{base}/lead/series/{series_id}/applications")
        accessible(leader, "06-leader-applications")
        leader.get_by_role("button", name="Accept Dr Jo Alvarez").click()
        leader.goto(f"{base}/lead/series/{series_id}")
        accessible(leader, "07-leader-workspace")

        # The member sees the rotation and their turn, and subscribes to the calendar.
        member.goto(base + "/home")
        accessible(member, "08-member-home")
        # On the phone the home opens on the next meeting: on the first screen, before everything else.
        next_meeting = member.locator("#next-heading").bounding_box()
        assert next_meeting["y"] + next_meeting["height"] < 844
        assert next_meeting["y"] < member.locator("#applications-heading").bounding_box()["y"]
        assert "You present" in member.locator(".next-meeting").first.inner_text()
        member.goto(f"{base}/series/{series_id}/rotation")
        screenshot(member, "09-rotation")
        assert "Dr Jo Alvarez" in member.inner_text("main")
        member.goto(base + "/calendar")
        feed_url = member.locator("#calendar-feed-url").input_value()
        feed = member.request.get(base + "/" + feed_url.split("/", 3)[3])
        assert feed.status == 200 and feed.headers["content-type"].startswith("text/calendar")
        assert "Monday evening group" in feed.text() and "you present" in feed.text()

        # Inside the join window the join link leads into the video room.
        db.session.remove()
        with app.app_context():
            from balint_online.series.models import Series
            first = db.session.get(Series, series_id).meetings[0].starts_at
        app.config["FROZEN_NOW"] = (first - timedelta(minutes=10)).isoformat()
        # The scheduler's run: rooms are provisioned (Jitsi needs no account), reminders queued.
        assert app.test_cli_runner().invoke(args=["jobs", "run-due"]).exit_code == 0
        db.session.remove()  # release SQLite's write lock for the server
        member.context.route("https://meet.jit.si/**", lambda route: route.fulfill(
            status=200, content_type="text/html", body="<html lang=en><title>Room</title><h1>Video room</h1></html>"))
        sign_in(member, base, "jo@example.org", PASSWORD)  # 18 days on: yesterday's session has ended
        member.get_by_role("link", name="Join the video meeting").first.click()
        member.wait_for_url(re.compile(r"^https://meet\.jit\.si/"))
        assert member.inner_text("h1") == "Video room"
        screenshot(member, "10-in-the-room")
