"""Invoices a finance office accepts: issued once the fee is owed, numbered without gaps, made out to
an organisation when one pays, never changed after issue (credit notes instead), as PDFs; and the
society accountant's export."""

import csv
import io

import pytest
from flask_migrate import downgrade, upgrade
from pypdf import PdfReader
from sqlalchemy import func, select

from balint_online.audit.models import AuditEntry
from balint_online.enrollment.models import Application
from balint_online.extensions import db
from balint_online.invoicing.models import BillingDetails, CreditNote, Invoice
from balint_online.pricing.models import Refund
from tests.browser import page_text
from tests.core.test_order_of_events import fire, token
from tests.factories import apply, published_series
from tests.live import live_server

ORGANISATION = {"organisation": "Riverside Health NHS Trust", "address": "Finance Office\n2 Mill Lane\nLeeds LS1 4AB",
                "po_reference": "PO-44871", "tax_id": "GB 654 3210 98"}


@pytest.fixture(autouse=True)
def society_on_invoices(app):
    app.config.update(SOCIETY_ADDRESS="Balint Society\n1 Harbour Street", SOCIETY_TAX_ID="GB123456789",
                      SOCIETY_REGISTRATION="Registered charity no. 1234567",
                      SOCIETY_TAX_NOTE="VAT exempt: education by an eligible body.",
                      INVOICE_PAYMENT_INSTRUCTIONS="Transfer to IBAN NL00 BANK 0123 4567 89.")


def pdf_text(resp) -> str:
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/pdf"
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(resp.data)).pages)


def accepted(api, leader, series, member) -> dict:
    a = apply(api(member), series["id"])
    assert api(leader).post(f"/api/v1/applications/{a['id']}/accept").get_json()["status"] == "enrolled"
    return a


def test_an_organisation_pays_and_its_invoice_says_so(api, login, leader, make_user):
    series = published_series(api(leader))
    member = make_user(name="Jo Alvarez")
    a = apply(api(member), series["id"])
    client = login(member)
    # Before the leaders decide there is no invoice, but the member can say who will pay.
    before = page_text(client.get(f"/applications/{a['id']}/invoice"))
    assert "No invoice yet" in before and "BO-2026-" not in before
    assert client.submit(f"/applications/{a['id']}/billing", ORGANISATION,
                         page=f"/applications/{a['id']}/invoice").status_code == 302
    assert db.session.scalar(select(func.count(Invoice.id))) == 0

    api(leader).post(f"/api/v1/applications/{a['id']}/accept")
    html = page_text(client.get(f"/applications/{a['id']}/invoice"))
    assert "Invoice BO-2026-000001" in html and "Riverside Health NHS Trust" in html and "PO-44871" in html
    assert f'href="/applications/{a["id"]}/invoice.pdf"' in html
    text = pdf_text(client.get(f"/applications/{a['id']}/invoice.pdf"))
    for expected in ("Invoice BO-2026-000001", "Date: 2026-10-01", "Billed to", "Riverside Health NHS Trust",
                     "Finance Office", "2 Mill Lane", "Leeds LS1 4AB", "GB 654 3210 98", "PO-44871",
                     "For Jo Alvarez (", "Evening group, led by Dr Ruth; 8 online meetings, 2026-10-19 to 2026-12-07",
                     "Non-member rate, early-bird (through 2026-10-05)", "800.00 USD", "Total",
                     "Balint Society", "1 Harbour Street", "GB123456789", "Registered charity no. 1234567",
                     "VAT exempt: education by an eligible body.", "IBAN NL00 BANK 0123 4567 89",
                     "Please quote BO-2026-000001 as the payment reference."):
        assert expected in text, expected
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "invoice_issued"))
    assert entry.data["number"] == "BO-2026-000001" and entry.data["organisation"] == "Riverside Health NHS Trust"


def test_a_new_payer_after_issue_gets_a_new_invoice_and_the_old_one_a_credit_note(api, login, leader, make_user):
    series = published_series(api(leader))
    member = make_user(name="Jo Alvarez")
    a = accepted(api, leader, series, member)
    client = login(member)
    first = client.get(f"/applications/{a['id']}/invoice.pdf").data
    done = client.submit(f"/applications/{a['id']}/billing", ORGANISATION, page=f"/applications/{a['id']}/invoice",
                         follow_redirects=True)
    assert "Invoice BO-2026-000002 is issued to the new payer" in page_text(done)
    old, new = db.session.scalars(select(Invoice).order_by(Invoice.id)).all()
    assert (old.number, old.payer_organisation, old.total) == ("BO-2026-000001", "", new.total)
    assert (new.number, new.payer_organisation, new.replaces_id) == (
        "BO-2026-000002", ORGANISATION["organisation"], old.id)
    note = db.session.scalar(select(CreditNote))
    assert (note.number, note.invoice_id, str(note.amount), note.reason) == ("CN-2026-000001", old.id, "800.00",
                                                                              "payer_changed")
    # The first invoice, as downloaded before, is unchanged; the page offers it among the earlier ones.
    assert client.get(f"/invoices/{old.id}.pdf").data == first
    html = page_text(client.get(f"/applications/{a['id']}/invoice"))
    assert "Invoice BO-2026-000002" in html and "Credit note CN-2026-000001" in html and "Earlier invoices" in html
    assert "Re-invoiced" not in html and "Invoice re-issued to a new payer" in html
    assert "Invoice BO-2026-000002" in pdf_text(client.get(f"/applications/{a['id']}/invoice.pdf"))
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.application_id == a["id"])
                                 .order_by(AuditEntry.id)).all()
    assert actions[-3:] == ["payer_changed", "credit_note_issued", "invoice_issued"]
    # The same details again change nothing.
    client.submit(f"/applications/{a['id']}/billing", ORGANISATION, page=f"/applications/{a['id']}/invoice")
    assert db.session.scalar(select(func.count(Invoice.id))) == 2


def test_billing_details_are_bounded_and_checked(api, login, leader, make_user):
    series = published_series(api(leader))
    member = make_user()
    a = accepted(api, leader, series, member)
    client = login(member)
    resp = client.submit(f"/applications/{a['id']}/billing", {**ORGANISATION, "organisation": "x" * 201},
                         page=f"/applications/{a['id']}/invoice")
    assert resp.status_code == 422 and "Organisation paying" in page_text(resp)
    assert db.session.get(BillingDetails, a["id"]) is None and db.session.scalar(select(func.count(Invoice.id))) == 1
    # Without the form's token nothing is saved.
    assert client.post(f"/applications/{a['id']}/billing", data=ORGANISATION).status_code == 400
    assert db.session.get(BillingDetails, a["id"]) is None


def test_a_refund_after_withdrawing_comes_with_a_credit_note(api, login, leader, admin, make_user):
    series = published_series(api(leader))
    member = make_user(name="Jo Alvarez")
    a = accepted(api, leader, series, member)
    api(admin).post(f"/api/v1/applications/{a['id']}/payments", json={"amount": "800.00", "method": "transfer"})
    client = login(member)
    invoice_before = client.get(f"/applications/{a['id']}/invoice.pdf").data
    # Before the cancellation deadline (12 October): everything back but the 100.00 fee.
    resp = client.submit(f"/applications/{a['id']}/withdraw", {"reason": "A new job"})
    assert resp.status_code == 302
    refund = db.session.scalar(select(Refund))
    note = db.session.scalar(select(CreditNote))
    assert str(refund.amount) == "700.00" and note.refund_id == refund.id
    assert (note.number, str(note.amount), note.reason) == ("CN-2026-000001", "700.00", "withdrawn")
    html = page_text(client.get(f"/applications/{a['id']}/invoice"))
    assert "Credit note CN-2026-000001" in html and "Invoice BO-2026-000001" in html
    text = pdf_text(client.get(f"/credit-notes/{note.id}.pdf"))
    for expected in ("Credit note CN-2026-000001", "Credits invoice", "BO-2026-000001 of 2026-10-01",
                     "Application withdrawn", "-700.00 USD", "Total credited",
                     "700.00 USD owed back, due by 2026-10-31",
                     "Jo Alvarez", "GB123456789"):
        assert expected in text, expected
    # The invoice itself is as it was issued.
    assert client.get(f"/applications/{a['id']}/invoice.pdf").data == invoice_before
    assert str(db.session.scalar(select(Invoice)).total) == "800.00"


def test_a_lapsed_offer_and_a_cancelled_series_credit_what_is_no_longer_owed(api, clock, leader, make_user):
    from balint_online.applications.jobs import expire_offers, make_offers
    from balint_online.core.clock import now

    series = published_series(api(leader), capacity=1)
    first, second = make_user(), make_user()
    a = accepted(api, leader, series, first)
    b = apply(api(second), series["id"])
    assert api(leader).post(f"/api/v1/applications/{b['id']}/accept").get_json()["status"] == "waitlisted"
    assert db.session.scalar(select(func.count(Invoice.id))) == 1  # waiting owes nothing yet
    api(first).post(f"/api/v1/applications/{a['id']}/withdraw", json={"reason": "Moved"})
    assert make_offers(now()) == 1  # the freed seat is offered: the fee is owed from the offer
    offered = db.session.scalar(select(Invoice).where(Invoice.application_id == b["id"]))
    assert offered.number == "BO-2026-000002"
    clock.set("2026-10-09T12:00:00Z")
    assert expire_offers(now()) == 1
    third = make_user()
    c = accepted(api, leader, series, third)
    assert api(leader).post(f"/api/v1/series/{series['id']}/cancel",
                            json={"reason": "Leader unwell"}).status_code == 200
    notes = db.session.scalars(select(CreditNote).order_by(CreditNote.id)).all()
    # Nothing was paid, so each invoice is credited in full: the member owes nothing now.
    assert [(n.number, n.invoice.application_id, n.reason, str(n.amount)) for n in notes] == [
        ("CN-2026-000001", a["id"], "withdrawn", "800.00"), ("CN-2026-000002", b["id"], "offer_lapsed", "800.00"),
        ("CN-2026-000003", c["id"], "cancelled", "875.00")]


def test_pending_and_declined_applicants_have_no_invoice(api, login, leader, make_user):
    series = published_series(api(leader))
    pending, declined = make_user(), make_user()
    p = apply(api(pending), series["id"])
    d = apply(api(declined), series["id"])
    api(leader).post(f"/api/v1/applications/{d['id']}/decline", json={"reason": "Not a clinician"})
    client = login(pending)
    assert "BO-2026-" not in page_text(client.get(f"/applications/{p['id']}/invoice"))
    assert client.get(f"/applications/{p['id']}/invoice.pdf").status_code == 404
    client = login(declined)
    assert client.get(f"/applications/{d['id']}/invoice").status_code == 404
    assert client.get(f"/applications/{d['id']}/invoice.pdf").status_code == 404
    home = page_text(client.get("/home"))  # declined before owing anything: no invoice, no amount
    assert "Declined" in home and "Invoices and payments" not in home and "800.00" not in home
    assert db.session.scalar(select(func.count(Invoice.id))) == 0


def test_documents_are_for_the_member_and_admins_only(api, login, leader, admin, make_user):
    series = published_series(api(leader))
    member = make_user()
    a = accepted(api, leader, series, member)
    paid = api(admin).post(f"/api/v1/applications/{a['id']}/payments",
                           json={"amount": "800.00", "method": "cash", "reference": "TILL-3"}).get_json()
    api(member).post(f"/api/v1/applications/{a['id']}/withdraw", json={"reason": "Moved"})
    note_id = db.session.scalar(select(CreditNote.id))
    invoice_id = db.session.scalar(select(Invoice.id))
    urls = [f"/applications/{a['id']}/invoice.pdf", f"/invoices/{invoice_id}.pdf", f"/credit-notes/{note_id}.pdf",
            f"/payments/{paid['id']}/receipt.pdf"]
    for person in (make_user(), leader):
        client = login(person)
        assert [client.get(url).status_code for url in urls] == [404] * 4
        assert client.post(f"/applications/{a['id']}/billing",
                           data={**ORGANISATION, "csrf_token": client.csrf_token("/home")}).status_code == 404
    client = login(admin)
    assert [client.get(url).status_code for url in urls] == [200] * 4
    receipt = pdf_text(client.get(f"/payments/{paid['id']}/receipt.pdf"))
    assert "Receipt R-2026-" in receipt and "800.00 USD" in receipt and "Cash, reference TILL-3" in receipt
    assert "invoice BO-2026-000001" in receipt
    assert f'href="/payments/{paid["id"]}/receipt.pdf"' in page_text(client.get(f"/payments/{paid['id']}/receipt"))


def rows_of(resp) -> list[dict]:
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))


def test_the_accountant_gets_every_document_of_a_period(api, login, clock, leader, admin, make_user):
    series = published_series(api(leader))
    member = make_user(name="Jo Alvarez")
    a = apply(api(member), series["id"])
    client = login(member)
    client.submit(f"/applications/{a['id']}/billing", ORGANISATION, page=f"/applications/{a['id']}/invoice")
    api(leader).post(f"/api/v1/applications/{a['id']}/accept")
    clock.set("2026-10-03T12:00:00Z")
    api(admin).post(f"/api/v1/applications/{a['id']}/payments",
                    json={"amount": "800.00", "method": "transfer", "reference": "BANK-77"})
    clock.set("2026-10-05T12:00:00Z")
    api(member).post(f"/api/v1/applications/{a['id']}/withdraw", json={"reason": "A new job"})
    refund = db.session.scalar(select(Refund))
    clock.set("2026-11-02T12:00:00Z")
    client = login(admin)
    form = {**client.form(f"/admin/refunds/{refund.id}/paid", page=f"/admin/applications/{a['id']}"),
            f"r{refund.id}-reference": "OUT-5"}
    client.post(f"/admin/refunds/{refund.id}/paid", data=form)

    assert 'action="/admin/accounts.csv"' in page_text(client.get("/admin/accounts"))
    rows = rows_of(client.get("/admin/accounts.csv?from=2026-10-01&to=2026-11-30"))
    assert [(r["date"], r["document"], r["number"], r["amount"]) for r in rows] == [
        ("2026-10-01", "invoice", "BO-2026-000001", "800.00"),
        ("2026-10-03", "payment", rows[1]["number"], "800.00"),
        ("2026-10-05", "credit_note", "CN-2026-000001", "-700.00"),
        ("2026-11-02", "refund", rows[3]["number"], "-700.00"),
    ]
    assert rows[1]["number"].startswith("R-2026-") and rows[1]["reference"] == "BANK-77"
    assert rows[3]["reference"] == "OUT-5" and rows[3]["method"] == "refund"
    for row in rows:
        assert (row["invoice"], row["payer"], row["organisation"], row["tax_id"], row["currency"], row["group"]) == (
            "BO-2026-000001", "Jo Alvarez", ORGANISATION["organisation"], ORGANISATION["tax_id"], "USD",
            "Evening group")
    assert rows[2]["reason"] == "Application withdrawn" and rows[0]["po_reference"] == "PO-44871"
    # Both days are included; outside the period, nothing.
    assert [r["document"] for r in rows_of(client.get("/admin/accounts.csv?from=2026-10-03&to=2026-10-05"))] == [
        "payment", "credit_note"]
    assert rows_of(client.get("/admin/accounts.csv?from=2027-01-01&to=2027-12-31")) == []
    client = login(member)
    assert client.get("/admin/accounts.csv?from=2026-10-01&to=2026-11-30").status_code == 403


@pytest.mark.parametrize("query",
                         ["", "?from=2026-10-01", "?from=2026-10-01&to=yesterday", "?from=2026-13-01&to=2026-12-31",
                                   "?from=2026-12-01&to=2026-10-01", "?from=1000-01-01&to=2026-01-01",
                                   "?from=2026-1-1&to=2026-12-31"])
def test_a_period_that_is_not_one_is_refused(login, admin, query):
    resp = login(admin).get(f"/admin/accounts.csv{query}")
    assert resp.status_code == 400 and "Nothing was exported" in page_text(resp)


def test_existing_applications_that_owe_get_invoices_from_the_migration(app, api, clock, leader, make_user):
    series = published_series(api(leader), capacity=2)
    later, earlier, waiting = make_user(), make_user(), make_user()
    b = apply(api(later), series["id"])
    a = apply(api(earlier), series["id"])
    w = apply(api(waiting), series["id"])
    api(leader).post(f"/api/v1/applications/{a['id']}/accept")
    clock.set("2026-10-02T12:00:00Z")
    api(leader).post(f"/api/v1/applications/{b['id']}/accept")
    db.session.remove()
    downgrade(revision="s3money01")  # as before invoices were stored
    upgrade(revision="heads")
    invoices = db.session.scalars(select(Invoice).order_by(Invoice.sequence)).all()
    # Numbered in the order they came to owe the fee, with what they owe.
    assert [(i.application_id, i.number, i.issued_on.isoformat(), str(i.total)) for i in invoices] == [
        (a["id"], "BO-2026-000001", "2026-10-01", "800.00"), (b["id"], "BO-2026-000002", "2026-10-02", "800.00")]
    assert invoices[0].lines == [{"label": "Non-member rate, early-bird (through 2026-10-05)", "amount": "800.00"}]
    assert "Evening group, led by Dr Ruth" in invoices[0].description
    assert db.session.get(Application, w["id"]).status == "pending"
    # The next invoice continues the year's numbering.
    third = make_user()
    series2 = published_series(api(leader))
    c = apply(api(third), series2["id"])
    api(leader).post(f"/api/v1/applications/{c['id']}/accept")
    assert db.session.scalar(select(Invoice.number).where(Invoice.application_id == c["id"])) == "BO-2026-000003"


# -- numbering under concurrency ------------------------------------------------------------------------

RUNS = 5


@pytest.fixture(params=range(RUNS), ids=lambda n: f"run{n}")
def run(request, backend):
    if backend == "sqlite" and request.param:
        pytest.skip("SQLite serialises every writer; one run shows the answers are right there too")
    return request.param


def test_simultaneous_issues_share_out_the_numbers_without_gaps_or_repeats(app, api, make_user, run):
    """Acceptances in different series (so different series locks) issue invoices at the same moment."""
    count = 6
    leaders = [make_user("leader") for _ in range(count)]
    pending = []
    for leader in leaders:
        series = published_series(api(leader))
        pending.append((leader, apply(api(make_user()), series["id"])))
    # One more year's counter row is made by the first invoice of the year, concurrently too.
    calls = [(f"/api/v1/applications/{a['id']}/accept", token(leader), {}) for leader, a in pending]
    with live_server(app) as base:
        answers = fire(base, calls)
    assert [r.status_code for r in answers] == [200] * count, [r.text for r in answers]
    numbers = db.session.execute(select(Invoice.sequence, Invoice.number).order_by(Invoice.sequence)).all()
    assert [n for n, _ in numbers] == list(range(1, count + 1))
    assert len({number for _, number in numbers}) == count


def test_documents_outlive_a_deleted_application(api, leader, make_user):
    series = published_series(api(leader))
    member = make_user()
    a = accepted(api, leader, series, member)
    api(member).post(f"/api/v1/applications/{a['id']}/withdraw", json={"reason": "Moved"})
    application = db.session.get(Application, a["id"])
    assert application.invoices  # loaded in the session, as an erasure would have them
    db.session.delete(application)
    db.session.commit()
    invoice = db.session.scalar(select(Invoice))
    assert invoice.application_id is None and invoice.number == "BO-2026-000001" and invoice.credit_notes
