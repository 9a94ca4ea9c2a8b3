"""Every email in its reader's language (issue 16): a member who chose German reads German, subject and
body, with German dates and amounts; an English member reads the same event in English, also when a
German-speaking leader's request caused it."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from balint_online.calendar.jobs import queue_reminders
from balint_online.extensions import db
from balint_online.notifications.models import OutboxMessage
from tests.factories import apply, published_series

GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}


@pytest.fixture(autouse=True)
def october(clock):
    clock.set("2026-10-01T12:00:00Z")


def speaking(user, language):
    user.language = language
    db.session.commit()
    return user


def mail(user, kind) -> OutboxMessage:
    """The latest message of that kind to `user`."""
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id, OutboxMessage.kind == kind)
                              .order_by(OutboxMessage.id.desc())).first()


def test_each_member_reads_the_same_events_in_their_own_language(api, leader, make_user):
    speaking(leader, "de")
    series = published_series(api(leader), title="Abendgruppe", timezone="Europe/Berlin",
                              first_meeting_local="2026-10-19T19:00", currency="EUR")
    greta = speaking(make_user(name="Dr Greta Roth", timezone="Europe/Berlin"), "de")
    emma = make_user(name="Dr Emma Hale", timezone="Europe/London")
    for person in (greta, emma):
        application = apply(api(person), series["id"])
        accepted = api(leader).post(f"/api/v1/applications/{application['id']}/accept", headers=GERMAN)
        assert accepted.get_json()["status"] == "enrolled"

    received = mail(greta, "application_received")
    assert received.subject == "Ihre Anmeldung ist eingegangen: Abendgruppe"
    assert received.body_text.startswith("Guten Tag Dr Greta Roth,\n\nVielen Dank für Ihre Anmeldung zu Abendgruppe.")
    assert "Die Ihnen heute genannte Gebühr beträgt 800,00 EUR" in received.body_text
    assert "Abendgruppe, geleitet von Dr Ruth." in received.body_text
    assert "  1. Mo., 19. Okt. 2026, 19:00 – 20:30 CEST\n" in received.body_text
    assert received.body_text.strip().splitlines()[-1] == (
        "Sie erhalten diese Nachricht, weil Sie sich zu Abendgruppe angemeldet haben.")
    assert '<html lang="de">' in received.body_html and "Balintgruppen online." in received.body_html

    place = mail(greta, "application_accepted")
    assert place.subject == "Sie haben einen Platz in Abendgruppe"
    assert "Willkommen in Abendgruppe. Ihr Platz ist bestätigt." in place.body_text
    assert "Fälliger Betrag: 800,00 EUR." in place.body_text

    # The same events in English for Emma, though the German-speaking leader's request caused the second.
    assert mail(emma, "application_received").subject == "We received your application: Abendgruppe"
    english = mail(emma, "application_accepted")
    assert english.subject == "You have a place in Abendgruppe"
    assert "Welcome to Abendgruppe. Your place is confirmed." in english.body_text
    assert "Amount due: 800.00 EUR." in english.body_text
    assert "  1. Mon 19 Oct 2026, 18:00 – 19:30 BST\n" in english.body_text
    assert '<html lang="en">' in english.body_html

    # An hour before the first meeting: each reminder in its reader's language and time zone.
    assert queue_reminders(datetime.fromisoformat("2026-10-19T16:00:00+00:00") + timedelta(minutes=1)) >= 2
    reminder = mail(greta, "meeting_reminder")
    assert reminder.subject == "Erinnerung: Abendgruppe, Sitzung 1, Mo., 19. Okt. 2026, 19:00 CEST"
    assert "Sitzung 1 von Abendgruppe: Mo., 19. Okt. 2026, 19:00 – 20:30 CEST." in reminder.body_text
    assert "Der Link öffnet den Raum ab 15 Minuten vor Beginn." in reminder.body_text
    assert mail(emma, "meeting_reminder").subject == "Reminder: Abendgruppe, meeting 1, Mon 19 Oct 2026, 18:00 BST"
    assert mail(leader, "meeting_reminder").subject.startswith("Erinnerung: Abendgruppe, Sitzung 1")
