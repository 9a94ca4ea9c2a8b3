"""The roster and its CSV read rows summed by the database (issue 19); they must say what the
rules on loaded objects say (pricing.services.payment_status, enrollment.quotes.membership_flags, User.membership_on)
in every state of money and membership."""

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from balint_online.accounts.models import Membership, User
from balint_online.enrollment.models import Application
from balint_online.enrollment.quotes import membership_flags
from balint_online.extensions import db
from balint_online.pricing.models import Payment, Refund, RefundStatus
from balint_online.pricing.services import payment_status
from bench.dataset import PASSWORD, Scale, build

TODAY = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def today(clock):
    clock.set("2026-12-01T12:00:00Z")


def varied_society():
    """A big series whose applicants are in every state: paid in part or in full, waived, refund owed
    or paid back, a society, other-society, complimentary or lapsed membership, or none."""
    built = build(Scale(members=80, series=4, group_size=3, big_applicants=24, big_meetings=6), TODAY)
    applications = db.session.scalars(select(Application).where(Application.series_id == built.big_series_id)
                                      .order_by(Application.id)).all()
    kinds = ("society", "other_society", "complimentary", None, "lapsed", "future")
    for n, a in enumerate(applications):
        db.session.execute(Membership.__table__.delete().where(Membership.user_id == a.user_id))
        kind = kinds[n % len(kinds)]
        if kind == "lapsed":
            db.session.add(Membership(user_id=a.user_id, kind="society", expires_on=TODAY - timedelta(days=1)))
        elif kind == "future":
            db.session.add(Membership(user_id=a.user_id, kind="society", starts_on=TODAY + timedelta(days=1),
                                      expires_on=TODAY + timedelta(days=300)))
        elif kind:
            db.session.add(Membership(user_id=a.user_id, kind=kind, expires_on=TODAY + timedelta(days=30 + n)))
        money = n % 6
        db.session.execute(Payment.__table__.delete().where(Payment.application_id == a.id))
        if money in (1, 3, 4, 5):
            db.session.add(Payment(application_id=a.id, amount=Decimal("100.00") if money == 1 else a.price,
                                   currency="USD", method="bank"))
        if money == 2:
            a.scholarship = True
        if money in (4, 5):
            db.session.add(Refund(application_id=a.id, amount=Decimal("50.00"), currency="USD", reason="withdrawn",
                                  status=RefundStatus.DUE if money == 4 else RefundStatus.PAID,
                                  acknowledged_on=TODAY, due_by=TODAY + timedelta(days=14)))
    db.session.commit()
    return built


def test_the_roster_csv_and_cards_say_what_the_rules_on_objects_say(app):
    built = varied_society()
    leader = db.session.get(User, built.leader_id)
    client = app.test_client()
    assert client.submit("/sign-in", {"email": leader.email, "password": PASSWORD}).status_code == 302
    rows = list(csv.DictReader(io.StringIO(client.get(f"/lead/series/{built.big_series_id}/roster.csv")
                                          .get_data(as_text=True))))
    db.session.expire_all()
    applications = db.session.scalars(select(Application).where(Application.series_id == built.big_series_id)
                                      .order_by(Application.applied_at, Application.id)).all()
    assert [r["email"] for r in rows] == [a.user.email for a in applications]
    statuses = set()
    for row, a in zip(rows, applications, strict=True):
        is_member, granted = membership_flags(a.user, TODAY)
        assert row["member"] == ("yes" if is_member else "other society" if granted else "no"), a.user.email
        assert row["payment_status"] == payment_status(a), a.user.email
        assert row["amount_due"] == f"{a.amount_due:.2f}"
        statuses.add(row["payment_status"])
    assert statuses >= {"unpaid", "part-paid", "paid", "waived", "refund-due", "refunded"}

    page = client.get(f"/lead/series/{built.big_series_id}/applications?pending_page=1").get_data(as_text=True)
    for card in re.findall(r'<article class="card applicant".*?</article>', page, re.S):
        a = db.session.get(Application, int(re.search(r'id="applicant-(\d+)"', card).group(1)))
        membership = a.user.membership_on(TODAY)
        assert (f"until {membership.expires_on.strftime('%a %-d %b %Y')}" in card) if membership \
            else "None on record" in card
        shows_payment = a.status in ("offered", "enrolled") or a.payments
        assert ("<dt>Payment</dt>" in card) == bool(shows_payment)


def test_the_ledger_says_what_the_rules_on_objects_say(app):
    """The ledger's lines and totals are summed by the database (admin.services._ledger_rows); they must
    be what `account` gives on every application loaded as objects, with money in every state."""
    from balint_online.admin.services import ledger_export, series_ledger_page
    from balint_online.pricing.services import ACCOUNT_FIELDS, account, add_accounts
    from balint_online.series.models import Series

    built = varied_society()
    db.session.execute(Application.__table__.update().where(Application.series_id == built.big_series_id,
                                                            Application.id % 5 == 0).values(status="withdrawn"))
    db.session.commit()
    applications = db.session.scalars(select(Application).where(Application.series_id == built.big_series_id)).all()
    assert {a.status for a in applications} >= {"enrolled", "withdrawn"}
    expected = add_accounts(account(a) for a in applications)
    with app.test_request_context("/?page=99"):
        ledger, page = series_ledger_page(db.session.get(Series, built.big_series_id), 10)
    assert ledger.totals == expected
    assert (page.total, page.page) == (len(applications), 3)  # a page past the end gives the last
    in_order = sorted(applications, key=lambda a: (a.applied_at, a.id))
    assert [line.application_id for line, _ in ledger.lines] == [a.id for a in in_order][20:]
    lines, totals = ledger_export(db.session.get(Series, built.big_series_id))
    assert totals == expected
    assert [(line.id, *(getattr(line, name) for name in ACCOUNT_FIELDS)) for line in lines] == \
        [(a.id, *(getattr(account(a), name) for name in ACCOUNT_FIELDS)) for a in in_order]


def test_the_series_list_says_what_each_ledger_and_the_rules_on_objects_say(app):
    """/admin/series sums a page of series' money and reads where each stands in two queries; each row must
    be what `account` gives on its applications as objects, and the status the series itself gives."""
    from balint_online.admin.services import ledgers_page
    from balint_online.pricing.services import account, add_accounts
    from balint_online.series.models import Series

    varied_society()
    with app.test_request_context("/admin/series"):
        _, rows = ledgers_page()
    assert len(rows) == db.session.scalar(select(func.count()).select_from(Series))
    for series, status, totals in rows:
        applications = db.session.scalars(select(Application).where(Application.series_id == series.id)).all()
        assert totals == add_accounts(account(a) for a in applications), series.title
        assert status == series.status, series.title
    assert any(totals.balance for _, _, totals in rows)  # the varied series owes money, and is listed


def test_the_administrators_unsettled_places_are_those_the_rule_on_objects_finds(app):
    """The dashboard's payments awaited and members in credit come from accounts summed by the database
    (pricing.services.unsettled_places); they must be the places `account` finds owing or in credit."""
    from balint_online.pricing.services import OWING_STATUSES, account, unsettled_places

    built = varied_society()
    held = db.session.scalars(select(Application).where(Application.series_id == built.big_series_id,
                                                        Application.status.in_(OWING_STATUSES))
                              .order_by(Application.id)).all()
    # In credit: a scholarship paid for, and a place paid twice.
    held[0].scholarship = True
    db.session.add(Payment(application_id=held[0].id, amount=Decimal("40.00"), currency="USD", method="bank"))
    for _ in range(2):
        db.session.add(Payment(application_id=held[-1].id, amount=held[-1].price, currency="USD", method="bank"))
    db.session.commit()
    db.session.expire_all()
    everyone = db.session.scalars(select(Application).where(Application.status.in_(OWING_STATUSES))
                                  .order_by(Application.applied_at, Application.id)).all()
    expected_owing = [(a.id, account(a)) for a in everyone if account(a).balance > 0]
    expected_credit = [(a.id, account(a)) for a in everyone if account(a).balance < 0]
    assert len(held) >= 2 and expected_owing and len(expected_credit) >= 2
    owing, in_credit = unsettled_places(per_page=1000)
    assert [(a.id, acct) for a, acct in owing.items] == expected_owing
    assert [(a.id, acct) for a, acct in in_credit.items] == expected_credit
    # A page at a time, each list by its own parameter: together the pages are the whole list.
    pages = [unsettled_places(owing_page=n, credit_page=n, per_page=1) for n in range(1, len(expected_owing) + 2)]
    assert [(a.id, acct) for owing, _ in pages[:-1] for a, acct in owing.items] == expected_owing
    assert pages[-1][0].items == pages[-2][0].items  # past the end: the last page
    assert [(a.id, acct) for _, credit in pages[:len(expected_credit)] for a, acct in credit.items] == expected_credit
    assert (pages[0][0].param, pages[0][1].param) == ("owing", "credit")
