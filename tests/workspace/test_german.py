"""A leader who reads German works in German: the workspace, its changes and messages, and attendance."""

import pytest

from balint_online.extensions import db
from tests.browser import page_text


@pytest.fixture
def group(group):
    """The workspace's group, its leader reading German."""
    leader = group[0]
    leader.language = "de"
    db.session.commit()
    return group


def test_the_hub_is_in_german(client, login, group):
    leader, series, _ = group
    hub = page_text(login(leader).get(f"/lead/series/{series['id']}"))
    assert "3 von 3 Plätzen belegt" in hub and "Wer benachrichtigt wird (4 Personen)" in hub
    assert "Verlegen oder absagen" in hub and "Der Gruppe schreiben" in hub and "Teilnehmendenliste (CSV)" in hub
    assert "Wird die ganze Reihe abgesagt, werden alle benachrichtigt und erhalten ihre Zahlungen zurück" in hub
    assert "Reschedule or cancel" not in hub and "Who will be told" not in hub


def test_a_change_and_a_message_are_confirmed_in_german(client, login, group):
    leader, series, _ = group
    login(leader)
    meeting = series["meetings"][2]
    change = f"/lead/meetings/{meeting['id']}/change"
    preview = page_text(client.get(change))
    assert "Sitzung 3 von" in preview and "Verschieben" in preview
    assert "Neue Anfangszeit (in der Zeitzone der Gruppe)" in preview
    moved = client.submit(f"/lead/meetings/{meeting['id']}/reschedule",
                          {"move-new_date": "2026-11-04", "move-new_time": "18:00"}, page=change)
    assert moved.status_code == 302
    hub = page_text(client.get(moved.headers["Location"]))
    assert "Sitzung 3 verschoben; 4 Personen werden per E-Mail benachrichtigt." in hub
    message = f"/lead/series/{series['id']}/message"
    sent = client.submit(message, {"subject": "Raumwechsel", "body": "Bitte beachten Sie den neuen Termin."},
                         page=message)
    assert "Nachricht an 4 Personen gesendet." in page_text(client.get(sent.headers["Location"]))


def test_attendance_is_in_german(client, login, group):
    leader, series, members = group
    page = page_text(login(leader).get(f"/lead/series/{series['id']}/attendance"))
    assert f"Anwesenheit: {series['title']}" in page and "Bestätigen Sie, wer zu jeder Sitzung kam." in page
    assert "steht noch aus" in page and members[0].name in page
