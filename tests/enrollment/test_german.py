"""A German-speaking clinician applies, pays, asks for aid and reads their invoice in German.

Names, dates, amounts and the society's own words (its commitments, the stored quote lines) are data
and stay as written; every sentence the site writes around them is German.
"""

import pytest
from sqlalchemy import select

from balint_online.enrollment.models import Application
from balint_online.extensions import db
from tests.browser import page_text
from tests.factories import ATTESTATION, apply, published_series


@pytest.fixture(autouse=True)
def october(app, clock):
    clock.set("2026-10-01T12:00:00Z")
    app.config.update(INVOICE_PAYMENT_INSTRUCTIONS="IBAN DE00 1234 5678 9012 3456 78, Balint-Gesellschaft.")


@pytest.fixture
def series(api, leader):
    return published_series(api(leader), capacity=2, meeting_count=4)


@pytest.fixture
def german(make_user):
    member = make_user(name="Dr. Anna Weber")
    member.language = "de"
    db.session.commit()
    return member


def confirmed(**extra) -> dict:
    return {**{f"attest_{key}": "y" for key in ATTESTATION}, **extra}


def test_the_apply_form_speaks_german_and_a_bad_application_is_refused_in_german(login, german, series):
    client = login(german)
    url = f"/series/{series['id']}/apply"
    form = client.get(url)
    body = page_text(form)
    assert '<html lang="de"' in body
    for sentence in ("Anmeldung zu Evening group", "Wann die Gruppe sich trifft", "Wozu Sie sich verpflichten",
                     "Ihre Gebühr", "Der Preis wird mit Ihrer Anmeldung festgeschrieben.",
                     "Eine Nachricht an die Gruppenleitung", "Bitte keine Angaben zu Patientinnen und Patienten.",
                     "Ich bin in Aus- oder Weiterbildung", "4 Sitzungen zu je 90 Minuten.",
                     'value="Anmelden"', 'value="Preis aktualisieren"'):
        assert sentence in body, sentence
    assert "What you commit to" not in body and "When the group meets" not in body

    refused = client.submit(url, {"submit": "y"})  # no commitment confirmed
    text = page_text(refused)
    assert refused.status_code == 422
    assert text.count("Bitte bestätigen Sie diese Verpflichtung.") >= len([k for k, v in ATTESTATION.items() if v]) - 1
    assert "Please confirm this commitment." not in text
    assert db.session.scalar(select(Application)) is None


def test_the_application_and_its_withdrawal_read_in_german(login, german, series):
    client = login(german)
    sent = client.submit(f"/series/{series['id']}/apply", confirmed(submit="y"))
    assert sent.status_code == 302
    page = page_text(client.get(sent.headers["Location"]))
    for sentence in ("Vielen Dank: Ihre Anmeldung ist eingegangen.", "Ihre Anmeldung: Evening group",
                     "Wartet auf die Entscheidung der Gruppenleitung",
                     "Jetzt ist nichts zu zahlen: Die Gebühr (800,00 USD, bei der Anmeldung festgeschrieben)",
                     "Finanzielle Unterstützung</a>: Hilfe bei der Teilnahmegebühr beantragen.",
                     "Sie können Ihre Anmeldung jederzeit schriftlich zurückziehen.",
                     "Anmeldung zu dieser Gruppe zurückziehen"):
        assert sentence in page, sentence

    application = db.session.scalar(select(Application))
    withdraw = f"/applications/{application.id}/withdraw"
    unexplained = client.submit(withdraw, {"reason": ""})
    assert unexplained.status_code == 422
    assert "Bitte nennen Sie den Grund in einem Satz." in page_text(unexplained)
    assert "Warum ziehen Sie Ihre Anmeldung zurück?" in page_text(unexplained)


def test_the_invoice_payment_and_receipt_read_in_german(api, login, leader, make_user, german, series):
    a = apply(api(german), series["id"])
    api(leader).post(f"/api/v1/applications/{a['id']}/accept")
    client = login(german)
    application = page_text(client.get(f"/applications/{a['id']}"))
    assert "Aufgenommen" in application and "Noch nicht bezahlt" in application
    assert "800,00 USD zu zahlen" in application and "So bezahlen Sie" in application

    invoice = page_text(client.get(f"/applications/{a['id']}/invoice"))
    for sentence in ("Rechnung BO-2026-000001", "Rechnungsempfänger:", "Ihr Konto", "Stand der Anmeldung:",
                     "Bitte geben Sie <strong>BO-2026-000001</strong> als Verwendungszweck an.",
                     "IBAN DE00", "Wer zahlt", "Zahlende Organisation (freiwillig)", "Rechnungsangaben speichern",
                     "Diese Rechnung als PDF herunterladen"):
        assert sentence in invoice, sentence
    assert "How to pay" not in invoice and "Billed to" not in invoice

    paid = api(make_user("admin")).post(f"/api/v1/applications/{a['id']}/payments",
                                        json={"amount": "300.00", "method": "transfer"}).get_json()
    receipt = page_text(client.get(f"/payments/{paid['id']}/receipt"))
    assert "Quittung R-2026-" in receipt and "Überweisung" in receipt and "Vielen Dank." in receipt
    home = page_text(client.get("/home"))
    assert "Rechnungen und Zahlungen" in home and "500,00 USD zu zahlen" in home


def test_the_aid_form_speaks_german_and_says_what_is_missing_in_german(api, login, admin, german, series):
    created = api(admin).post("/api/v1/aid-programmes", json={
        "kind": "reimbursement", "name": "Lebowitz-Stipendium", "series_id": series["id"],
        "eligible": [{"disciplines": ["nurse_practitioner"]}]})
    assert created.status_code == 201, created.get_json()
    a = apply(api(german), series["id"])
    client = login(german)
    url = f"/applications/{a['id']}/aid"
    form = page_text(client.get(url))
    for sentence in ("Finanzielle Unterstützung für Evening group", "Erstattung der Kursgebühr",
                     "für Pflegefachpersonen mit erweiterter Praxis", "Ihr Ausbildungsstand",
                     "Nicht in Aus- oder Weiterbildung", "Warum Sie den Antrag stellen",
                     "Antrag auf Unterstützung senden"):
        assert sentence in form, sentence

    # A physician is not in the programme's group: the refusal says so in German.
    refused = client.submit(url, {"programme_id": str(created.get_json()["id"]), "training_status": "none",
                                  "specialty": "", "statement": "Die Gebühr übersteigt mein Fortbildungsbudget."})
    assert refused.status_code == 422
    assert ("Dieses Programm richtet sich an: Pflegefachpersonen mit erweiterter Praxis; "
            "nach Ihren Angaben gehören Sie nicht dazu.") in page_text(refused)
    unexplained = client.submit(url, {"programme_id": str(created.get_json()["id"]), "statement": ""})
    assert "Bitte sagen Sie kurz, warum Sie den Antrag stellen." in page_text(unexplained)
