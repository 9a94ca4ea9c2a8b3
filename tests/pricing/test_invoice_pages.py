"""Invoices, receipts and paying, as the member and the society see them."""


import pytest

from tests.browser import page_text
from tests.factories import apply, published_series


@pytest.fixture(autouse=True)
def society_on_invoices(app):
    app.config.update(INVOICE_PAYMENT_INSTRUCTIONS="Transfer to IBAN NL00 BANK 0123 4567 89, Balint Society.",
                      SOCIETY_ADDRESS="Balint Society\n1 Harbour Street")


def test_invoice_and_receipt(api, login, leader, make_user):
    series = published_series(api(leader))
    member = make_user(name="Jo Alvarez")
    a = apply(api(member), series["id"])
    api(leader).post(f"/api/v1/applications/{a['id']}/accept")
    admin = api(make_user("admin"))
    paid = admin.post(f"/api/v1/applications/{a['id']}/payments",
                      json={"amount": "300.00", "method": "transfer", "reference": "BANK-77"}).get_json()
    client = login(member)
    invoice = page_text(client.get(f"/applications/{a['id']}/invoice"))
    number = "BO-2026-000001"  # the year's first invoice, issued when the leader accepted
    for expected in (
        f"Invoice {number}",
        "Jo Alvarez",
        "Evening group",
        "Non-member rate, early-bird (through 2026-10-05)",
        "Fee",
        "800.00 USD",
        "500.00 USD to pay",
        "300.00 USD",
        "500.00 USD",
        "IBAN NL00 BANK 0123 4567 89",
        "1 Harbour Street",
        "as the payment reference",
    ):
        assert expected in invoice
    receipt = page_text(client.get(f"/payments/{paid['id']}/receipt"))
    assert f"Receipt R-2026-{paid['id']:06d}" in receipt and "300.00 USD" in receipt and "Bank transfer" in receipt
    assert "BANK-77" in receipt and number in receipt
    home = page_text(client.get("/home"))
    assert number in home and "300.00 USD received" in home


def test_paying_goes_where_the_provider_says(api, login, leader, make_user):
    series = published_series(api(leader))
    member = make_user()
    a = apply(api(member), series["id"])
    api(leader).post(f"/api/v1/applications/{a['id']}/accept")
    client = login(member)
    # Without a card provider there is no "Pay" button that takes no payment: "How to pay" leads to the invoice's
    # instructions; the old form post still arrives there.
    page = page_text(client.get(f"/applications/{a['id']}"))
    assert "How to pay" in page and "Pay 800.00 USD" not in page
    assert "How to pay" in page_text(client.get("/home")) and "800.00 USD to pay" in page_text(client.get("/home"))
    resp = client.post(
        f"/applications/{a['id']}/pay", data={"csrf_token": client.csrf_token(f"/applications/{a['id']}/invoice")}
    )
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/applications/{a['id']}/invoice#how-to-pay")


def test_the_built_in_provider_takes_no_notifications(client):
    resp = client.post("/api/v1/payments/notifications/invoice", json={"paid": True})
    assert resp.status_code == 400 and resp.get_json()["error"] == "notification_rejected"
    assert client.post("/api/v1/payments/notifications/nobody", json={}).status_code == 400


def test_money_pages_are_for_the_member_and_admins_only(api, login, leader, make_user):
    series = published_series(api(leader))
    a = apply(api(make_user()), series["id"])
    paid = api(make_user("admin")).post(f"/api/v1/applications/{a['id']}/payments",
                                        json={"amount": "800.00", "method": "cash"}).get_json()
    for person in (make_user(), leader):
        client = login(person)
        assert client.get(f"/applications/{a['id']}/invoice").status_code == 404  # not theirs to know of
        assert client.get(f"/payments/{paid['id']}/receipt").status_code == 404
        # Hand-built: no page shows them a pay button for someone else's place.
        forged = client.post(f"/applications/{a['id']}/pay", data={"csrf_token": client.csrf_token("/home")})
        assert forged.status_code == 404
    client = login(make_user("admin"))
    assert client.get(f"/applications/{a['id']}/invoice").status_code == 200
    assert client.get(f"/payments/{paid['id']}/receipt").status_code == 200
