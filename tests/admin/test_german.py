"""An administrator who reads German: the people and the ledgers in German."""

import pytest

from balint_online.extensions import db
from tests.browser import page_text
from tests.factories import apply, published_series


@pytest.fixture(autouse=True)
def october(clock):
    clock.set("2026-10-01T12:00:00Z")


@pytest.fixture
def german_admin(admin):
    admin.language = "de"
    db.session.commit()
    return admin


def test_people_and_a_membership_in_german(client, login, make_user, german_admin):
    visitor = make_user(name="Greta Visitor")
    login(german_admin)
    people = page_text(client.get("/admin/people"))
    assert "Personen nach Name oder E-Mail suchen" in people and "Personen, nach Name" in people
    assert "Export für die Buchhaltung" in people and "Greta Visitor" in people
    none = page_text(client.get("/admin/people?q=nobody-like-this"))
    assert "Niemand passt zu „nobody-like-this“." in none
    person = f"/admin/people/{visitor.id}"
    assert "Keine Mitgliedschaft erfasst: Greta Visitor zahlt den Tarif für Nichtmitglieder." in page_text(
        client.get(person))
    done = client.submit(f"{person}/memberships", {"kind": "other_society", "expires_on": "2027-12-31", "note": ""},
                         page=person)
    assert done.status_code == 422
    assert "Nennen Sie die Balint-Gesellschaft, der die Person angehört." in page_text(done)


def test_the_ledger_in_german(api, client, login, make_user, german_admin):
    leader = make_user("leader")
    series = published_series(api(leader), title="Montagsgruppe", capacity=4, meeting_count=4)
    a = apply(api(make_user()), series["id"])
    api(leader).post(f"/api/v1/applications/{a['id']}/accept")
    ledger = page_text(login(german_admin).get(f"/admin/series/{series['id']}/ledger"))
    assert "Kassenbuch: Montagsgruppe" in ledger and "1 von 4 Plätzen" in ledger
    assert "Eingegangen, abzüglich ausgezahlter Erstattungen" in ledger and "Noch offen bei Teilnehmenden" in ledger
    assert "Alle Anmeldungen zu Montagsgruppe" in ledger and "Received, net of refunds paid" not in ledger
    overview = page_text(client.get("/admin/"))
    assert "Ausstehende Zahlungen (1)" in overview and "Eine Zahlung erfassen …" in overview
