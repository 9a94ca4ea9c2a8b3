"""What administrators change and oversee: memberships (one by one or imported), and the money of every series."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..accounts.models import MEMBERSHIP_KINDS, Membership, User
from ..audit.services import log_action
from ..core.errors import InvalidInput, NotAllowed
from ..core.money import ZERO
from ..core.pagination import Pagination, paginate
from ..enrollment.models import Application
from ..extensions import db
from ..pricing.models import REFUNDS_OWED, Payment, Refund, RefundStatus
from ..pricing.services import Account, account, add_accounts
from ..series.models import Series
from .imports import ImportCheck, check_rows, read_cells

# Kinds an administrator grants by hand; the complimentary year comes only from its offer.
GRANTABLE_KINDS = {kind: MEMBERSHIP_KINDS[kind] for kind in ("society", "other_society")}


def require_admin(user) -> None:
    if not getattr(user, "is_admin", False):
        raise NotAllowed("Only administrators may do this.")


# -- memberships ------------------------------------------------------------------------------------

def search_people(text: str) -> Pagination:
    """A page of people whose name or email contains the text, by name."""
    query = select(User).options(selectinload(User.memberships)).order_by(User.name, User.id)
    if text := (text or "").strip():
        text = text.lower()
        query = query.where(or_(func.lower(User.name).contains(text, autoescape=True),
                                func.lower(User.email).contains(text, autoescape=True)))
    return paginate(query, per_page=50)


def add_membership(user: User, *, kind: str, expires_on: date, note: str, actor) -> Membership:
    """Record a membership; a member of another Balint society gets the member rate this way."""
    require_admin(actor)
    if kind not in GRANTABLE_KINDS:
        raise InvalidInput("Unknown kind of membership.", fields={"kind": f"Choose one of: {', '.join(GRANTABLE_KINDS)}."})
    if kind == "other_society" and not note:
        raise InvalidInput("Say which society.", fields={"note": "Name the Balint society they belong to."})
    membership = Membership(user=user, kind=kind, expires_on=expires_on, note=note)
    db.session.add(membership)
    db.session.flush()
    log_action(membership, "membership_added", actor, changes={"expires_on": [None, expires_on.isoformat()]},
               data={"kind": kind, "note": note})
    return membership


def change_expiry(membership: Membership, expires_on: date, actor) -> Membership:
    require_admin(actor)
    if membership.starts_on and expires_on < membership.starts_on:
        raise InvalidInput("A membership cannot end before it starts.",
                           fields={"expires_on": f"Must be on or after {membership.starts_on.isoformat()}."})
    log_action(membership, "membership_expiry_changed", actor,
               changes={"expires_on": [membership.expires_on.isoformat(), expires_on.isoformat()]})
    membership.expires_on = expires_on
    db.session.flush()
    return membership


def _read(text: str) -> tuple[ImportCheck, dict[str, User]]:
    cells = read_cells(text)
    emails = {values[0].strip().lower() for _, values in cells if values}
    users = {u.email: u for u in db.session.scalars(
        select(User).where(func.lower(User.email).in_(emails)).options(selectinload(User.memberships)))}
    return check_rows(cells, known_emails=users.keys(), kinds=MEMBERSHIP_KINDS), users


def check_membership_import(text: str) -> ImportCheck:
    """The dry run: every row's problems, nothing written."""
    return _read(text)[0]


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def apply_membership_import(text: str, actor) -> tuple[ImportCheck, ImportResult | None]:
    """Write the file's memberships only if its dry run is clean: each row sets the expiry of the person's
    membership of that kind (the latest one), or creates it. Applying the same file twice changes nothing."""
    require_admin(actor)
    check, users = _read(text)
    if not check.clean:
        return check, None
    created = updated = unchanged = 0
    for row in check.rows:
        user = users[row.email]
        same_kind = [m for m in user.memberships if m.kind == row.kind]
        if not same_kind:
            membership = Membership(user=user, kind=row.kind, expires_on=row.expires_on, note="Imported")
            db.session.add(membership)
            db.session.flush()
            log_action(membership, "membership_imported", actor, changes={"expires_on": [None, row.expires_on.isoformat()]},
                       data={"kind": row.kind})
            created += 1
        elif (latest := max(same_kind, key=lambda m: m.expires_on)).expires_on != row.expires_on:
            log_action(latest, "membership_imported", actor,
                       changes={"expires_on": [latest.expires_on.isoformat(), row.expires_on.isoformat()]})
            latest.expires_on = row.expires_on
            updated += 1
        else:
            unchanged += 1
    db.session.flush()
    return check, ImportResult(created, updated, unchanged)


# -- money ------------------------------------------------------------------------------------------

def _applications(*conditions) -> list[Application]:
    return db.session.scalars(
        select(Application).where(*conditions)
        .options(selectinload(Application.user), selectinload(Application.payments), selectinload(Application.refunds))
        .order_by(Application.applied_at, Application.id)
    ).all()


@dataclass(frozen=True)
class Ledger:
    series: Series
    lines: list[tuple[Application, Account]]
    totals: Account


def series_ledger(series: Series) -> Ledger:
    lines = [(a, account(a)) for a in _applications(Application.series_id == series.id)]
    return Ledger(series=series, lines=lines, totals=add_accounts(acct for _, acct in lines))


def ledgers_page() -> tuple[Pagination, list[Ledger]]:
    """A page of series, newest first, each with its money totals, in a fixed number of queries."""
    page = paginate(select(Series).options(selectinload(Series.meetings), selectinload(Series.leaders))
                    .order_by(Series.first_meeting_local.desc(), Series.id.desc()))
    by_series: dict[int, list[Application]] = {series.id: [] for series in page.items}
    if by_series:
        for application in _applications(Application.series_id.in_(by_series)):
            by_series[application.series_id].append(application)
    ledgers = []
    for series in page.items:
        lines = [(a, account(a)) for a in by_series[series.id]]
        ledgers.append(Ledger(series=series, lines=lines, totals=add_accounts(acct for _, acct in lines)))
    return page, ledgers


def refunds_due() -> list[Refund]:
    """Every refund still owed (due, sent through Stripe, or failed there), earliest deadline first."""
    return db.session.scalars(
        select(Refund).where(Refund.status.in_(REFUNDS_OWED), Refund.amount > ZERO)
        .options(selectinload(Refund.application)).order_by(Refund.due_by, Refund.id)
    ).all()


def refunds_paid(limit: int = 20) -> list[Refund]:
    """The refunds most recently paid (by hand, or confirmed by Stripe)."""
    return db.session.scalars(
        select(Refund).where(Refund.status == RefundStatus.PAID, Refund.amount > ZERO)
        .options(selectinload(Refund.application)).order_by(Refund.paid_at.desc(), Refund.id.desc()).limit(limit)
    ).all()


def balances_outstanding() -> list[tuple[Application, Account]]:
    # Only those who have paid less than the quoted price (net of refunds) can owe anything, so
    # the society's settled history is never loaded; `account` then decides exactly.
    def total(model):
        return (select(func.coalesce(func.sum(model.amount), 0)).where(model.application_id == Application.id)
                .correlate(Application).scalar_subquery())

    candidates = _applications(Application.status.in_(("offered", "enrolled")),
                               total(Payment) - total(Refund) < Application.price)
    owing = [(a, account(a)) for a in candidates]
    return [(a, acct) for a, acct in owing if acct.balance > 0]


def scholarships() -> list[Application]:
    return _applications(Application.scholarship.is_(True))
