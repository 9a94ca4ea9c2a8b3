"""Pages that grow with a society cost the same number of queries at any size.

Each page is asked for at two sizes of the benchmark's society (bench/dataset.py): if the
second costs more queries than the first, something is loaded row by row (an N+1) and the page
will slow down as the society grows.
"""

from datetime import date

import pytest

from balint_online.accounts.models import User
from balint_online.extensions import db
from bench.dataset import PASSWORD, Scale, build
from tests.snapshots import new_test
from tests.statements import statements_of

pytestmark = pytest.mark.now("2026-12-01T12:00:00Z")

SMALL = Scale(members=120, series=12, group_size=6, big_applicants=30, big_meetings=8)
LARGER = Scale(members=360, series=36, group_size=8, big_applicants=90, big_meetings=24)

PAGES = [
    ("member", "/"),
    ("member", "/home"),
    ("member", "/calendar"),
    ("leader", "/lead"),
    ("leader", "/lead/series/{big}"),
    ("leader", "/lead/series/{big}/applications"),
    ("leader", "/series/{big}/rotation"),
    ("leader", "/lead/series/{big}/attendance"),
    ("leader", "/lead/series/{big}/roster.csv"),
    ("leader", "/lead/series/{big}/attendance.csv"),
    ("admin", "/admin/"),
    ("admin", "/admin/people?q=scale"),
    ("admin", "/admin/series"),
    ("admin", "/admin/series/{big}/ledger"),
    ("admin", "/admin/series/{big}/ledger.csv"),
]


def queries_for(app, scale: Scale, pages, prepare=None) -> dict[tuple[str, str], int]:
    """The statements each of `pages` costs in one society of `scale`, each from a cold session."""
    db.session.remove()
    new_test()  # the tables emptied, and the set-up builders know it
    built = build(scale, date(2026, 12, 1))
    if prepare is not None:
        prepare()
    clients = {}
    for who in {who for who, _ in pages}:
        person = db.session.get(User, getattr(built, f"{who}_id"))
        clients[who] = app.test_client()
        assert clients[who].submit("/sign-in", {"email": person.email, "password": PASSWORD}).status_code == 302
    return {(who, path): page_statements(clients[who], path.format(big=built.big_series_id)) for who, path in pages}


def page_statements(client, path: str) -> int:
    """The statements one page costs, from a cold session as a request in production starts."""
    answered = {}

    def ask():
        answered["response"] = client.get(path)
        answered["body"] = answered["response"].get_data()  # a streamed download runs its queries as it is read

    count = len(statements_of(ask))
    assert answered["response"].status_code == 200, answered["body"][:500]
    return count


@pytest.fixture(scope="module")
def measured():
    """Counts per (database, pages): each society built once for all the pages it is asked for."""
    return {}


def counts(app, measured, pages, prepare=None) -> tuple[dict, dict]:
    """(small, larger): the statements of every page of `pages` at both sizes."""
    key = (app.config["SQLALCHEMY_DATABASE_URI"], tuple(pages))
    if key not in measured:
        measured[key] = (queries_for(app, SMALL, pages, prepare), queries_for(app, LARGER, pages, prepare))
    return measured[key]


@pytest.mark.parametrize(("who", "path"), PAGES, ids=[p for _, p in PAGES])
def test_the_page_costs_the_same_queries_at_both_sizes(app, measured, who, path):
    small, larger = (at[who, path] for at in counts(app, measured, PAGES))
    assert larger == small, f"{path}: {small} queries for the small society, {larger} for one three times its size"


def documents() -> None:
    """An invoice for every enrolled member; a third of them refunded in part, with a credit note."""
    from decimal import Decimal

    from sqlalchemy import select

    from balint_online.core.clock import now
    from balint_online.enrollment.models import Application
    from balint_online.invoicing.services import credit_to_account, issue_invoice
    from balint_online.pricing.models import Refund

    for n, application in enumerate(db.session.scalars(select(Application).where(Application.status == "enrolled")
                                                        .order_by(Application.id)).all()):
        issue_invoice(application, None)
        if n % 3 == 0:
            refund = Refund(amount=Decimal("100.00"), currency="USD", reason="withdrawn_by_deadline", status="paid",
                            acknowledged_on=date(2026, 11, 1), due_by=date(2026, 12, 1), paid_at=now(),
                            paid_reference=f"OUT-{n}")
            application.refunds.append(refund)
            application.status = "withdrawn"
            db.session.flush()
            credit_to_account(application, None, "withdrawn", refund=refund)
    db.session.commit()


DOCUMENT_PAGES = [
    ("admin", "/admin/"),
    ("admin", "/admin/accounts.csv?from=2021-01-01&to=2027-12-31"),
    ("member", "/home"),
    ("admin", "/admin/series/{big}/ledger.csv"),
]


def test_a_search_matching_more_than_it_counts_costs_the_same_queries_at_both_sizes(app, monkeypatch):
    from balint_online.admin import services

    # Both societies are "large" for the search: it stops counting and walks the name index.
    monkeypatch.setattr(services, "SEARCH_COUNT_LIMIT", 100)
    monkeypatch.setattr(services, "SEARCH_DENSE_FROM", 60)
    page = [("admin", "/admin/people?q=scale")]
    small, larger = queries_for(app, SMALL, page), queries_for(app, LARGER, page)
    assert larger == small


def rotation_changes() -> None:
    """Ten changes to the big series' rotation (the one with the most applicants), each moving two members' turns."""
    from sqlalchemy import func, select

    from balint_online.enrollment.models import Application
    from balint_online.rotation.models import PresenterTurn, RotationEvent
    from balint_online.series.models import Meeting

    big = db.session.scalar(select(Application.series_id).group_by(Application.series_id)
                            .order_by(func.count().desc()).limit(1))
    turns = db.session.execute(select(PresenterTurn.meeting_id, PresenterTurn.user_id).join(Meeting)
                               .where(Meeting.series_id == big).order_by(PresenterTurn.id)).all()
    for n in range(10):
        (meeting_a, member_a), (meeting_b, member_b) = turns[n % len(turns)], turns[(n + 1) % len(turns)]
        db.session.add(RotationEvent(series_id=big, kind="swapped", changes=[
            [meeting_a, member_a, "removed"], [meeting_b, member_a, "added"],
            [meeting_b, member_b, "removed"], [meeting_a, member_b, "added"]]))
    db.session.commit()


def test_the_rotation_page_words_its_last_changes_in_one_more_query(app):
    """The leaders' list of the last ten changes names everyone they moved with one query, not two per change."""
    page = [("leader", "/series/{big}/rotation")]
    plain, changed = queries_for(app, SMALL, page), queries_for(app, SMALL, page, prepare=rotation_changes)
    assert changed[page[0]] == plain[page[0]] + 1


def help_given() -> None:
    """Scholarships and aid, as a society gives them over the years: a scholarship on every seventh
    application, granted by the administrator with its history entry; the society's bursary and every
    sixth series' own programme, applied for by every fifth enrolled member, every third of them awarded."""
    from sqlalchemy import select

    from balint_online.aid.models import AidApplication
    from balint_online.aid.services import create_programme
    from balint_online.audit.services import log_action
    from balint_online.enrollment.models import Application
    from balint_online.series.models import Series

    admin = db.session.scalar(select(User).where(User.role == "admin"))
    for n, application in enumerate(db.session.scalars(select(Application).order_by(Application.id)).all()):
        if n % 7 == 0:
            application.scholarship = True
            log_action(application, "scholarship_granted", admin, reason="Hardship")
    bursary = create_programme(admin, series_id=None, kind="reimbursement", name="Bursary", description="",
                               max_awards=None, criteria=[], deadline=None)
    own = {s: create_programme(admin, series_id=s, kind="full_tuition", name=f"Tuition {s}", description="",
                               max_awards=2, criteria=[], deadline=None)
           for s in db.session.scalars(select(Series.id).order_by(Series.id)).all()[::6]}
    enrolled = db.session.scalars(select(Application).where(Application.status == "enrolled")
                                  .order_by(Application.id)).all()
    for n, application in enumerate(enrolled[::5]):
        db.session.add(AidApplication(
            programme=own.get(application.series_id, bursary), application_id=application.id,
            series_id=application.series_id, user_id=application.user_id, training_status="resident",
            specialty="surgery", statement="My department does not fund training of this kind this year.",
            status="awarded" if n % 3 == 0 else "submitted"))
    db.session.commit()


HELP_PAGES = [
    ("admin", "/admin/scholarships"),
    ("admin", "/admin/aid"),
    ("admin", "/admin/series"),
]


# Pages that show what a society adds over the years beside its groups, each with that added first.
PREPARED = {documents: DOCUMENT_PAGES, help_given: HELP_PAGES}


@pytest.mark.parametrize(("prepare", "who", "path"),
                         [(prepare, who, path) for prepare, pages in PREPARED.items() for who, path in pages],
                         ids=[f"{prepare.__name__}:{path}" for prepare, pages in PREPARED.items() for _, path in pages])
def test_documents_scholarships_and_aid_cost_the_same_queries_at_both_sizes(app, measured, prepare, who, path):
    small, larger = (at[who, path] for at in counts(app, measured, PREPARED[prepare], prepare=prepare))
    assert larger == small, f"{path}: {small} queries for the small society, {larger} for one three times its size"
