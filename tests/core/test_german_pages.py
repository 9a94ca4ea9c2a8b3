"""A German-speaking clinician reads the public pages in German: a visitor whose browser asks for it,
and a member who chose it on their account page. Form errors, WTForms' own included, are German too."""

from balint_online.extensions import db
from tests.browser import page_text
from tests.factories import published_series

GERMAN_BROWSER = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}


def test_a_visitor_with_a_german_browser_reads_the_catalogue_and_a_series_in_german(client, clock, leader, api):
    clock.set("2026-10-01T12:00:00Z")
    series = published_series(api(leader), title="Abendgruppe")

    catalogue = page_text(client.get("/", headers=GERMAN_BROWSER))
    assert "<h1>Online-Balintgruppen</h1>" in catalogue
    assert "Kleine, vertrauliche Gruppen von Behandelnden" in catalogue
    assert ">Gruppe finden</a>" in catalogue and ">Konto anlegen</a>" in catalogue
    assert "8 Sitzungen, wöchentlich, je 90 Minuten, ab" in catalogue
    assert "Die Gruppen sind vertraulich" in catalogue

    detail = page_text(client.get(f"/series/{series['id']}", headers=GERMAN_BROWSER))
    assert "Ihre Gruppenleitung</h2>" in detail
    assert "<h2>Sitzungen</h2>" in detail and "Fortbildungspunkte</h2>" in detail
    assert "Sagt die Gesellschaft ab, wird alles erstattet." in detail
    assert ">Geplant</td>" in detail
    assert "Offen für Anmeldungen" in detail  # the series' status: a label made lazy in core/labels.py


def test_sign_in_and_sign_up_are_german(client):
    sign_in = page_text(client.get("/sign-in", headers=GERMAN_BROWSER))
    assert "<h1>Anmelden</h1>" in sign_in
    assert "Auf diesem Gerät angemeldet bleiben</label>" in sign_in
    assert '<button type="submit" class="button">Anmelden</button>' in sign_in
    assert "Passwort vergessen?" in sign_in

    sign_up = page_text(client.get("/sign-up", headers=GERMAN_BROWSER))
    assert "<h1>Konto anlegen</h1>" in sign_up
    assert "Balintgruppen sind für alle, die Patientinnen und Patienten behandeln und begleiten" in sign_up
    assert ">Vollständiger Name</label>" in sign_up and ">Berufsgruppe</label>" in sign_up
    assert ">Ärztin / Arzt</option>" in sign_up
    assert '<button type="submit" class="button">Weiter</button>' in sign_up
    # The zone search's words travel on zones.js's own tag, in the page's language.
    assert 'data-placeholder="Stadt oder Land suchen"' in sign_up


def test_a_bad_sign_up_is_refused_in_german_wtforms_own_messages_too(client):
    sent = client.submit("/sign-up", {"name": "", "email": "kein-at-zeichen", "timezone": "Europe/Berlin"},
                         headers=GERMAN_BROWSER)
    assert sent.status_code == 422
    page = page_text(sent)
    assert "Bitte prüfen Sie diese Felder" in page
    assert "Dieses Feld wird benötigt." in page  # WTForms' InputRequired, from its own German catalogue
    assert "Ungültige E-Mail-Adresse." in page  # WTForms' Email validator
    assert "This field is required." not in page


def test_a_wrong_password_is_refused_in_german(client, make_user):
    member = make_user()
    page = page_text(client.submit("/sign-in", {"email": member.email, "password": "not it"},
                                   headers=GERMAN_BROWSER))
    assert "E-Mail-Adresse und Passwort passen zu keinem Konto." in page


def test_a_member_who_chose_german_reads_their_home_page_in_german(client, make_user, login):
    member = make_user()
    member.language = "de"
    db.session.commit()
    login(member)
    home = client.get("/home", headers={"Accept-Language": "en"}, follow_redirects=True)
    text = page_text(home)
    assert '<html lang="de">' in text
    assert f"<h1>Guten Tag, {member.name}</h1>" in text
    assert ">Meine Gruppen</a>" in text and ">Abmelden</button>" in text
    assert "Ihr Kalender" in text  # a section of the home page (calendar/_home.html)

    flashed = page_text(client.submit("/account", {"name": member.name, "discipline": member.discipline,
                                                   "timezone": member.timezone, "language": "de"},
                                      follow_redirects=True))
    assert "Ihre Angaben sind gespeichert." in flashed
