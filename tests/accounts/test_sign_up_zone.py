"""The zone a visitor chose, or their browser's, is the sign-up form's default and ends up on the account."""

import re

from sqlalchemy import select

from balint_online.accounts.models import User
from balint_online.extensions import db
from balint_online.notifications.models import OutboxMessage
from tests.browser import page_text

DETAILS = {"name": "Dr Asha Rao", "email": "asha@example.org", "discipline": "psychologist"}


def selected_zone(html: str) -> str:
    return re.search(
        r'<select [^>]*id="timezone"[^>]*>.*?<option value="([^"]+)"[^>]*\bselected', html, re.DOTALL
    ).group(1)


def confirm(client, password="a long enough pw"):
    body = db.session.scalar(select(OutboxMessage.body_text).where(OutboxMessage.kind == "sign_up_confirm"))
    link = re.search(r"http://balint\.test(/\S+)", body).group(1)
    shown = page_text(client.get(link))
    client.submit(link, {"password": password, "confirm": password})
    return shown, db.session.scalar(select(User).where(User.email == DETAILS["email"]))


def test_the_zone_the_visitor_chose_is_the_default_and_survives_the_emailed_link(client):
    client.submit("/viewer-timezone", {"timezone": "Asia/Kolkata"}, page="/")
    form = page_text(client.get("/sign-up"))
    assert selected_zone(form) == "Asia/Kolkata"
    assert "data-viewer-zone" not in form and "data-detect-zone" not in form  # chosen: nothing to detect
    # The visitor leaves the zone as shown: the form posts its selected option.
    assert client.submit("/sign-up", {**DETAILS, "timezone": selected_zone(form)}).status_code == 200
    shown, user = confirm(client)
    assert "Times will be shown in Asia/Kolkata" in shown
    assert user.timezone == "Asia/Kolkata"


def test_before_the_browser_is_asked_the_field_follows_it(client):
    form = page_text(client.get("/sign-up"))
    assert selected_zone(form) == "UTC"
    # zones.js moves the untouched field (data-viewer-zone) to what the detector form's answer names.
    assert re.search(r'<select [^>]*data-viewer-zone[^>]*id="timezone"', form)
    assert re.search(r'<form method="post" action="/viewer-timezone" hidden data-detect-zone="UTC">', form)
    hidden = client.form("/viewer-timezone", page="/sign-up")
    assert client.post("/viewer-timezone", data={**hidden, "detected": "Asia/Calcutta"}).get_json() == {
        "timezone": "Asia/Kolkata"
    }
    assert selected_zone(page_text(client.get("/sign-up"))) == "Asia/Kolkata"


def test_a_link_may_name_the_zone_and_a_wrong_choice_keeps_what_was_chosen(client):
    assert selected_zone(page_text(client.get("/sign-up?tz=Asia/Calcutta"))) == "Asia/Kolkata"
    assert selected_zone(page_text(client.get("/sign-up?tz=Not/AZone"))) == "UTC"
    wrong = client.submit("/sign-up", {**DETAILS, "email": "not an address", "timezone": "Europe/Berlin"})
    assert wrong.status_code == 422
    assert selected_zone(page_text(wrong)) == "Europe/Berlin" and "data-viewer-zone" not in page_text(wrong)
