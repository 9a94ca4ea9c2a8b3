"""What administrators change and oversee: memberships (one by one or imported), and the money of every series."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Row, String, bindparam, func, or_, select, type_coerce
from sqlalchemy.orm import selectinload

from ..accounts.models import LEADING_ROLES, MEMBERSHIP_KINDS, ROLES, Membership, User
from ..audit.models import AuditEntry
from ..audit.services import log_action
from ..core.errors import DomainError, InvalidInput, NotAllowed
from ..core.money import ZERO
from ..core.pagination import ListPage, Pagination, count_up_to, paginate, requested_page
from ..core.sql import substring_at
from ..core.types import Money
from ..enrollment.models import Application
from ..extensions import db
from ..pricing.models import REFUNDS_OWED, Refund, RefundStatus
from ..pricing.services import ACCOUNT_FIELDS, Account, account_of_row, accounts_table, add_accounts
from ..series.models import Series
from ..series.scheduling import SeriesStatus
from ..series.services import statuses_now
from .imports import ImportCheck, check_rows, read_cells
from .roles import RoleRefusal, role_refusal

# Kinds an administrator grants by hand; the complimentary year comes only from its offer.
GRANTABLE_KINDS = {kind: MEMBERSHIP_KINDS[kind] for kind in ("society", "other_society")}


def require_admin(user) -> None:
    if not getattr(user, "is_admin", False):
        raise NotAllowed(_("Only administrators may do this."))


# -- roles ------------------------------------------------------------------------------------------

ROLE_LABELS = {"member": _l("Member"), "leader": _l("Leader"), "admin": _l("Administrator")}
# Series whose members no longer need their leader.
SERIES_OVER = ("completed", "cancelled")


def change_role(person: User, role: str, actor, *, confirmed: bool = False) -> bool:
    """Make `person` a member, a leader or an administrator (roles.py says when not); False when they
    are one already. Logged as `role_changed`. No email: like memberships, the role is settled with
    the person by the society, and the pages they see change with it.
    """
    require_admin(actor)
    if role not in ROLES:
        raise InvalidInput(_("Unknown role."), fields={
            "role": _("Choose one of: %(roles)s.", roles=", ".join(map(str, ROLE_LABELS.values())))})
    # The administrators' rows, then the person's, always in this order: two administrators taking the
    # role from each other are served one after the other, and the second sees who is left.
    admin_ids = db.session.scalars(
        select(User.id).where(User.role == "admin").order_by(User.id).with_for_update()
    ).all()
    if getattr(actor, "id", None) not in admin_ids:  # their own role was taken while they waited
        raise NotAllowed(_("Only administrators may do this."))
    person = db.session.scalars(select(User).where(User.id == person.id).with_for_update()
                                .execution_options(populate_existing=True)).one()
    if person.role == role:
        return False
    if person.is_erased:
        raise DomainError(
            _("An erased account keeps no role."), code="erased", fields={"role": _("This account was erased.")}
        )
    led = db.session.scalars(select(Series).where(Series.leaders.any(User.id == person.id)).order_by(Series.id))
    refusal = role_refusal(takes_admin_away=person.is_admin and role != "admin", confirmed=confirmed,
                           other_admins=len(set(admin_ids) - {person.id}),
                           stops_leading=person.can_lead and role not in LEADING_ROLES,
                           running_series_led=[s.title for s in led if s.status not in SERIES_OVER])
    if refusal is not None:
        raise _role_error(refusal, person)
    log_action(person, "role_changed", actor, changes={"role": [person.role, role]})
    person.role = role
    db.session.flush()
    return True


def _role_error(refusal: RoleRefusal, person: User) -> DomainError:
    if refusal.kind == "unconfirmed":
        return InvalidInput(
            _("Confirm taking administration away."),
            fields={"confirm": _("Tick the box to confirm that %(name)s stops being an administrator.",
                                 name=person.name)},
        )
    if refusal.kind == "last_admin":
        return DomainError(_("The last administrator stays one."), code="last_admin",
                           fields={"role": _("%(name)s is the only administrator: make someone else one first.",
                                             name=person.name)})
    return DomainError(_("A leader of a running series stays a leader."), code="leads_series",
                       fields={"role": _("%(name)s leads %(titles)s, which has not ended: give it another leader "
                                         "first.", name=person.name, titles=", ".join(refusal.series_titles))})


# -- memberships ------------------------------------------------------------------------------------

# A search matching more than this many people says "more than" rather than counting everyone.
SEARCH_COUNT_LIMIT = 1000
# From this many matches a page of results is found by walking the name index until the page is full.
SEARCH_DENSE_FROM = 500


def search_people(text: str) -> Pagination:
    """A page of people whose name or email contains the text, by name.

    The (bounded) count comes first and decides how the page is found. PostgreSQL cannot estimate
    a substring match, so it assumes few matches and sorts them all: fine for a name, slow when
    a search matches thousands. Then the same match is written with strpos/instr, which the
    planner assumes matches many, so it walks the (name, id) index and stops at the page's end.
    """
    if not (text := (text or "").strip()):
        everyone = _people_query("everyone")
        return paginate(everyone, counted=count_up_to(everyone, SEARCH_COUNT_LIMIT))
    text = text.lower()
    params = {"text": text, "pattern": "%" + text.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"}
    counted = count_up_to(_people_query("few"), SEARCH_COUNT_LIMIT, params)
    return paginate(_people_query("many" if counted.total >= SEARCH_DENSE_FROM else "few"), counted=counted,
                    params=params)


@cache
def _people_query(matching: str):
    """The search's query for "everyone", or for a text matched as a pattern ("few") or found by strpos/instr
    ("many"): built once each, the text bound as it runs."""
    query = select(User).options(selectinload(User.memberships)).order_by(User.name, User.id)
    if matching == "few":
        pattern = bindparam("pattern", type_=String())
        return query.where(or_(func.lower(User.name).like(pattern, escape="/"),
                               func.lower(User.email).like(pattern, escape="/")))
    if matching == "many":
        text = bindparam("text", type_=String())
        return query.where(or_(substring_at(func.lower(User.name), text) > 0,
                               substring_at(func.lower(User.email), text) > 0))
    return query


def add_membership(user: User, *, kind: str, expires_on: date, note: str, actor) -> Membership:
    """Record a membership; a member of another Balint society gets the member rate this way."""
    require_admin(actor)
    if kind not in GRANTABLE_KINDS:
        raise InvalidInput(_("Unknown kind of membership."),
                           fields={"kind": _("Choose one of: %(kinds)s.", kinds=", ".join(GRANTABLE_KINDS))})
    if kind == "other_society" and not note:
        raise InvalidInput(_("Say which society."), fields={"note": _("Name the Balint society they belong to.")})
    membership = Membership(user=user, kind=kind, expires_on=expires_on, note=note)
    db.session.add(membership)
    db.session.flush()
    log_action(membership, "membership_added", actor, changes={"expires_on": [None, expires_on.isoformat()]},
               data={"kind": kind, "note": note})
    return membership


def change_expiry(membership: Membership, expires_on: date, actor) -> Membership:
    require_admin(actor)
    if membership.starts_on and expires_on < membership.starts_on:
        raise InvalidInput(_("A membership cannot end before it starts."),
                           fields={
                               "expires_on": _("Must be on or after %(day)s.", day=membership.starts_on.isoformat())})
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
        assert row.expires_on is not None  # a clean check has a date on every row
        user = users[row.email]
        same_kind = [m for m in user.memberships if m.kind == row.kind]
        if not same_kind:
            membership = Membership(user=user, kind=row.kind, expires_on=row.expires_on, note="Imported")
            db.session.add(membership)
            db.session.flush()
            log_action(membership, "membership_imported", actor,
                       changes={"expires_on": [None, row.expires_on.isoformat()]},
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

@dataclass(frozen=True)
class LedgerLine:
    """What a series' ledger shows of one application: who, where it stands, and its money."""

    application_id: int
    name: str
    email: str
    status: str
    scholarship: bool
    currency: str


# The ledger's statements are built once, the series bound when each runs: building them took
# longer than running them.

@cache
def _ledger_rows():
    """Every line of a series' ledger, in its order: who applied, where it stands, and its money."""
    m = accounts_table("series")
    return (select(m.c.id, User.name, User.email, m.c.status, m.c.scholarship, m.c.currency,
                   *(m.c[name] for name in ACCOUNT_FIELDS))
            .join(User, User.id == m.c.user_id).order_by(m.c.applied_at, m.c.id))


@cache
def _ledger_page():
    return _ledger_rows().limit(bindparam("limit")).offset(bindparam("offset"))


def _sums(m) -> list:
    """The account's every field added up over the rows of `m` (an `accounts_table`)."""
    return [type_coerce(func.coalesce(func.sum(m.c[name]), 0), Money) for name in ACCOUNT_FIELDS]


@cache
def _ledger_sums():
    return select(func.count(), *_sums(accounts_table("series")))


@cache
def _ledgers_sums():
    m = accounts_table("several series")
    return select(m.c.series_id, *_sums(m)).group_by(m.c.series_id)


def _ledger_totals(series_id: int) -> tuple[int, Account]:
    """How many applications a series has and their money added up, by the database."""
    count, *sums = db.session.execute(_ledger_sums(), {"series_id": series_id}).one()
    return count, Account(*sums)


def ledger_export(series: Series) -> tuple[Sequence[Row], Account]:
    """Every line of a series' ledger as rows (their columns `ACCOUNT_FIELDS` among them), and their
    totals: one query, no object per applicant."""
    rows = db.session.execute(_ledger_rows(), {"series_id": series.id}).all()
    # The account's columns are the rows' last ones: added up a column at a time.
    columns = list(zip(*(r[-len(ACCOUNT_FIELDS):] for r in rows), strict=True)) or [()] * len(ACCOUNT_FIELDS)
    return rows, Account(*(sum(column, ZERO) for column in columns))


@dataclass(frozen=True)
class Ledger:
    series: Series
    lines: list[tuple[LedgerLine, Account]]  # a page of them
    totals: Account


def series_ledger_page(series: Series, per_page: int) -> tuple[Ledger, ListPage]:
    """The ledger's totals over every application, and the page of its lines that ?page= names
    (clamped to the last): two queries, whatever the number of applicants."""
    count, totals = _ledger_totals(series.id)
    pages = max((count + per_page - 1) // per_page, 1)
    page = min(requested_page(), pages)
    rows = db.session.execute(_ledger_page(), {"series_id": series.id, "limit": per_page,
                                               "offset": (page - 1) * per_page})
    lines = [(LedgerLine(r.id, r.name, r.email, r.status, r.scholarship, r.currency),
              account_of_row(r)) for r in rows]
    return Ledger(series=series, lines=lines, totals=totals), ListPage(lines, page, per_page, count)


@cache
def _newest_series():
    return select(Series).order_by(Series.first_meeting_local.desc(), Series.id.desc())


def ledgers_page() -> tuple[Pagination, list[tuple[Series, SeriesStatus, Account]]]:
    """A page of series, newest first, each with where it stands and its money totals added up by the
    database: four queries however many meetings and applications the series have."""
    page = paginate(_newest_series())
    if not page.items:
        return page, []
    statuses = statuses_now(page.items)
    totals = {series_id: Account(*sums) for series_id, *sums in
              db.session.execute(_ledgers_sums(), {"series_ids": [s.id for s in page.items]})}
    return page, [(s, statuses[s.id], totals.get(s.id) or add_accounts(())) for s in page.items]


def _with_application():
    # The lists name each refund's member and group.
    return selectinload(Refund.application).options(selectinload(Application.user), selectinload(Application.series))


def refunds_due() -> Sequence[Refund]:
    """Every refund still owed (due, sent through Stripe, or failed there), earliest deadline first."""
    return db.session.scalars(
        select(Refund).where(Refund.status.in_(REFUNDS_OWED), Refund.amount > ZERO)
        .options(_with_application()).order_by(Refund.due_by, Refund.id)
    ).all()


def refunds_paid(limit: int = 20) -> Sequence[Refund]:
    """The refunds most recently paid (by hand, or confirmed by Stripe)."""
    return db.session.scalars(
        select(Refund).where(Refund.status == RefundStatus.PAID, Refund.amount > ZERO)
        .options(_with_application()).order_by(Refund.paid_at.desc(), Refund.id.desc()).limit(limit)
    ).all()


@cache
def _scholarships():
    return (select(Application).where(Application.scholarship.is_(True))
            .options(selectinload(Application.user), selectinload(Application.series))
            .order_by(Application.applied_at.desc(), Application.id.desc()))


def scholarships_page() -> tuple[Pagination, dict[int | None, AuditEntry]]:
    """The page ?page= names of the applications with a scholarship, the latest first, each with its
    member and group; and the entry that granted each (when, by whom, why), by application id."""
    page = paginate(_scholarships())
    grants: dict[int | None, AuditEntry] = {}
    if page.items:
        for entry in db.session.scalars(
                select(AuditEntry).where(AuditEntry.action == "scholarship_granted",
                                         AuditEntry.application_id.in_([a.id for a in page.items]))
                .options(selectinload(AuditEntry.actor)).order_by(AuditEntry.id)):
            grants.setdefault(entry.application_id, entry)  # the first, should it have been logged twice
    return page, grants
