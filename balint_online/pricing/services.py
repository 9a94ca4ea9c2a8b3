"""Quotes for real people, payments and refunds recorded against applications, scholarships, each
application's account, and the complimentary first year of membership."""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import BigInteger, bindparam, case, cast, exists, func, select, type_coerce, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..accounts.models import Membership, User
from ..audit.services import log_action
from ..core.clock import now, today_in
from ..core.errors import DomainError, NotAllowed
from ..core.money import ZERO, format_money
from ..core.pagination import PER_PAGE, ListPage, page_of
from ..core.prices import (
    CANCELLED_BY_SOCIETY,
    DECLINED,
    OFFER_LAPSED,
    WITHDRAWN,
    QuoteLine,
    RefundDecision,
    earns_complimentary_membership,
    local_date,
    refund_due_by,
    refund_owed,
    refund_still_owed,
    refund_top_up,
)
from ..core.statements import rows_changed
from ..core.types import Money
from ..enrollment.models import Application
from ..enrollment.queries import enrolled
from ..enrollment.quotes import membership_flags, series_today
from ..extensions import db
from ..notifications.services import queue_email
from ..series.locking import lock_series
from ..series.models import Meeting, Series
from .models import REFUNDS_OWED, MembershipOffer, Payment, PaymentStatus, Refund, RefundStatus


def paid_total(application) -> Decimal:
    return sum((p.amount for p in application.payments), ZERO)


def refunded_total(application) -> Decimal:
    return sum((r.amount for r in application.refunds), ZERO)


def payment_status(application) -> PaymentStatus:
    """unpaid, part-paid, paid, waived (scholarship), refund-due or refunded."""
    return payment_status_for(
        refund_owed=any(r.status in REFUNDS_OWED and r.amount > 0 for r in application.refunds),
        refunded=any(r.amount > 0 for r in application.refunds), paid=paid_total(application),
        due=application.amount_due, scholarship=application.scholarship)


def payment_columns() -> tuple:
    """What `payment_status_for` needs of each application row, summed by the database:
    (paid, refund_owed, refunded) labelled columns, correlated to `Application`."""
    paid = type_coerce(select(func.coalesce(func.sum(Payment.amount), 0))
                       .where(Payment.application_id == Application.id).correlate(Application).scalar_subquery(), Money)
    refund_owed = exists().where(Refund.application_id == Application.id, Refund.status.in_(REFUNDS_OWED),
                                 Refund.amount > ZERO)
    refunded = exists().where(Refund.application_id == Application.id, Refund.amount > ZERO)
    return paid.label("paid"), refund_owed.label("refund_owed"), refunded.label("refunded")


def row_payment_status(row) -> PaymentStatus:
    """`payment_status` of a row holding an application's price, scholarship and `payment_columns`."""
    return payment_status_for(refund_owed=row.refund_owed, refunded=row.refunded, paid=row.paid,
                              due=ZERO if row.scholarship else row.price, scholarship=row.scholarship)


def payment_status_for(*, refund_owed: bool, refunded: bool, paid: Decimal, due: Decimal,
                       scholarship: bool) -> PaymentStatus:
    """The rule of `payment_status` without a database, for pages that sum the money in a query."""
    if refund_owed:
        return PaymentStatus.REFUND_DUE
    if refunded:
        return PaymentStatus.REFUNDED
    if due == ZERO:
        return PaymentStatus.WAIVED if scholarship else PaymentStatus.PAID
    if paid >= due:
        return PaymentStatus.PAID
    return PaymentStatus.PART_PAID if paid > ZERO else PaymentStatus.UNPAID


def _existing(model, key: str | None):
    if not key:
        return None
    return db.session.scalar(select(model).where(model.idempotency_key == key))


# A request without an Idempotency-Key that repeats the reference and amount of a payment recorded on
# the same application this recently is taken for a client's retry, not a second payment: retries
# come within seconds or minutes, while two real payments with one reference and one amount inside
# ten minutes do not happen (an instalment plan spaces them by weeks).
RETRY_WINDOW = timedelta(minutes=10)


def _retried(application, amount: Decimal, reference: str) -> Payment | None:
    if not reference:
        return None
    return db.session.scalar(select(Payment).where(
        Payment.application_id == application.id, Payment.reference == reference, Payment.amount == amount,
        Payment.received_at > now() - RETRY_WINDOW).order_by(Payment.id).limit(1))


def record_payment(application, *, amount: Decimal, method: str, reference: str, actor,
                   idempotency_key: str | None = None,
                   provider: str = "manual") -> tuple[Payment, bool]:
    """Record money received; (payment, created). A retried request records nothing new: one with the
    same Idempotency-Key, or (without a key) one repeating reference and amount within RETRY_WINDOW.

    Under the series lock, which the caller's unit of work keeps, so that what a new payment causes
    follows whatever state the application is in now (flows/payments.py: a payment on an application
    that has ended is owed back at once, less what the policy keeps; then the member is told).
    """
    lock_series(application.series_id)
    if existing := _existing(Payment, idempotency_key):
        return _same_payment(existing, application, amount), False
    if idempotency_key is None and (existing := _retried(application, amount, reference)):
        return existing, False
    payment = Payment(amount=amount, currency=application.currency, method=method,
                      reference=reference, idempotency_key=idempotency_key, provider=provider,
                      recorded_by_id=getattr(actor, "id", None), received_at=now())
    try:
        with db.session.begin_nested():
            application.payments.append(payment)
    except IntegrityError:
        # The same key on another application's payment, committed meanwhile (that series' lock is not ours).
        existing = _existing(Payment, idempotency_key)
        if existing is None:  # not a concurrent retry with the same key: a real fault
            raise
        return _same_payment(existing, application, amount), False
    log_action(payment, "payment_recorded", actor, changes={"paid": [format_money(paid_total(application) - amount),
                                                                     format_money(paid_total(application))]},
               data={"amount": format_money(amount), "method": method, "reference": reference, "provider": provider})
    return payment, True


def tell_payment_received(payment: Payment) -> None:
    """The member's receipt by email, with their account as it stands once the payment is settled."""
    application = payment.application
    queue_email(key=f"payment_received:payment-{payment.id}", kind="payment_received", user=application.user,
                context={"application": application, "series": application.series, "payment": payment,
                         "account": account(application)})


def _same_payment(existing: Payment, application, amount: Decimal) -> Payment:
    if existing.application_id != application.id or existing.amount != amount:
        raise DomainError(_("That idempotency key was used for a different payment."), code="idempotency_conflict")
    return existing


# How each ended status settles its money (core.prices.refund_owed); live statuses owe nothing back.
ENDINGS = {"withdrawn": WITHDRAWN, "declined": DECLINED, "offer_expired": OFFER_LAPSED,
           "cancelled": CANCELLED_BY_SOCIETY}


@dataclass(frozen=True)
class Owed:
    """What an ended application is owed back now, beyond what was owed back before, and the refund
    recorded just now for it (if any). `ending`: how it ended (one of ENDINGS' values, which is also the
    credit note's reason)."""

    decision: RefundDecision
    currency: str
    acknowledged_on: date
    recorded: Refund | None
    ending: str

    @property
    def amount(self) -> Decimal:
        return self.decision.amount

    @property
    def reason(self) -> str:
        return self.decision.reason

    @property
    def lines(self):
        return self.decision.lines

    @property
    def due_by(self) -> date:
        return self.recorded.due_by if self.recorded is not None else refund_due_by(self.acknowledged_on)


def settle_refunds(application, actor) -> Owed | None:
    """Bring what is owed back in line with everything paid and the application's state, recording a
    refund for any shortfall; the invoice follows what the member is now charged (a credit note), by
    flows/payments.settle, which calls this. Call under the series lock, after each payment and each
    ending; None while the application is live. The caller commits."""
    series = application.series
    ending = ENDINGS.get(application.status)
    ended_on = local_date(application.ended_at or now(), series.timezone)
    decision = refund_owed(ending=ending, paid=paid_total(application), ended_on=ended_on,
                           cancellation_deadline=series.cancellation_deadline, fee=series.cancellation_fee)
    if decision is None:
        return None
    assert ending is not None  # refund_owed decides only on an ending
    acknowledged_on = series_today(series)
    already = refunded_total(application)
    shortfall = refund_top_up(decision, already)
    if shortfall is None:  # owed back before (by an earlier ending or an aid award): nothing more now
        return Owed(refund_still_owed(decision, already), application.currency, acknowledged_on, None, ending)
    # One refund per application and total owed: a repeat of the same settlement adds nothing.
    refund = record_refund(application, shortfall, actor, key=f"{decision.reason}:{format_money(decision.amount)}",
                           owed=(decision.amount - shortfall.amount, decision.amount))
    return Owed(shortfall, application.currency, acknowledged_on, refund, ending)


def record_refund(application, decision: RefundDecision, actor, *, key: str, owed: tuple[Decimal, Decimal]) -> Refund:
    """A refund owed to the member, due within the policy's time, in the audit log; the caller holds
    the series lock. `owed` is what was owed back before and after it. Never more back than was paid."""
    if refunded_total(application) + decision.amount > paid_total(application):
        raise DomainError(_("A refund of %(amount)s would return more than was paid on this application.",
                            amount=format_money(decision.amount)), code="refund_exceeds_payments")
    acknowledged_on = series_today(application.series)
    refund = Refund(amount=decision.amount, currency=application.currency, reason=decision.reason,
                    lines=[line.to_api() for line in decision.lines], status=RefundStatus.DUE,
                    acknowledged_on=acknowledged_on,
                    due_by=refund_due_by(acknowledged_on), idempotency_key=f"refund:{application.id}:{key}")
    application.refunds.append(refund)
    db.session.flush()
    log_action(refund, "refund_owed", actor, changes={"owed": [format_money(owed[0]), format_money(owed[1])]},
               data={"amount": format_money(decision.amount), "reason": decision.reason})
    return refund


def mark_refund_paid(refund: Refund, *, reference: str, actor) -> Refund:
    """Record that a refund went out by hand; a second click (or a second admin) changes nothing. Not
    while it is going out through Stripe (that would pay it twice), but once Stripe has failed it."""
    lock_series(refund.application.series_id)
    before = refund.status
    changed = rows_changed(
        update(Refund).where(Refund.id == refund.id, Refund.payable_by_hand)
        .values(status=RefundStatus.PAID, paid_at=now(),
                paid_reference=reference).execution_options(synchronize_session=False)
    )
    db.session.expire(refund)
    if changed != 1:  # paid already, or going out through Stripe: nothing changes
        return refund
    refund_went_out(refund, actor, before=before)
    return refund


def refund_went_out(refund: Refund, actor, *, before: str) -> None:
    """A refund now paid: in the audit log, and the member emailed (once). The caller commits."""
    application = refund.application
    log_action(refund, "refund_paid", actor, changes={"status": [before, RefundStatus.PAID]},
               data={"amount": format_money(refund.amount), "reference": refund.paid_reference})
    queue_email(key=f"refund_paid:refund-{refund.id}", kind="refund_paid", user=application.user,
                context={"application": application, "series": application.series, "refund": refund})


# -- documents and accounts -------------------------------------------------------------------------

def receipt_number(payment) -> str:
    return f"R-{payment.received_at.year}-{payment.id:06d}"


def waiver_label(application) -> str:
    """How the waiver of a fee is worded: by the aid programme that covered it, or as a scholarship."""
    if application.waived_by:
        return f"{application.waived_by}: registration fee covered"
    return "Scholarship: tuition waived"


def invoice_lines(application) -> list[QuoteLine]:
    """The locked quote's lines as applied for, and the scholarship's waiver when one was granted."""
    lines = [QuoteLine(line["label"], Decimal(line["amount"])) for line in application.quote["lines"]]
    if application.scholarship:
        lines.append(QuoteLine(waiver_label(application), -application.price))
    return lines


# Statuses in which the member owes the fee: they hold a place, or one is reserved for them.
OWING_STATUSES = ("offered", "enrolled")


@dataclass(frozen=True)
class Account:
    """One application's money. `charged` is what the member owes in the end; `balance` what is still
    outstanding (negative: the society holds more than it keeps and has not yet recorded a refund)."""

    quoted: Decimal
    due: Decimal
    paid: Decimal
    refund_due: Decimal
    refund_paid: Decimal
    charged: Decimal
    balance: Decimal

    @property
    def net_received(self) -> Decimal:
        return self.paid - self.refund_paid


def account_for(*, status: str, quoted: Decimal, due: Decimal, paid: Decimal, refund_due: Decimal,
                refund_paid: Decimal) -> Account:
    """The rule, without a database: whoever holds a place owes the amount due; anyone else (still
    waiting, or ended) owes only what the society keeps of what they paid, after refunds."""
    refunds = refund_due + refund_paid
    charged = due if status in OWING_STATUSES else paid - refunds
    return Account(quoted=quoted, due=due, paid=paid, refund_due=refund_due, refund_paid=refund_paid,
                   charged=charged, balance=charged - paid + refunds)


def account(application) -> Account:
    def refunds(statuses):
        return sum((r.amount for r in application.refunds if r.status in statuses), ZERO)

    return account_for(status=application.status, quoted=application.price, due=application.amount_due,
                       paid=paid_total(application), refund_due=refunds(REFUNDS_OWED),
                       refund_paid=refunds({RefundStatus.PAID}))


ACCOUNT_FIELDS = ("quoted", "due", "paid", "refund_due", "refund_paid", "charged", "balance")


def add_accounts(accounts) -> Account:
    accounts = list(accounts)
    return Account(**{name: sum((getattr(a, name) for a in accounts), ZERO) for name in ACCOUNT_FIELDS})


def account_of_row(row) -> Account:
    """The account in a row read from `accounts_table` (its columns ACCOUNT_FIELDS)."""
    return Account(**{name: getattr(row, name) for name in ACCOUNT_FIELDS})

# Whose accounts `accounts_table` sums: one series' applications (bound as `series_id`), several series'
# (bound as the list `series_ids`: a page of series), or every place held (offered or enrolled) in every
# series. Each as (which applications, whether to sum only their money): a few series' payments are
# found through their applications; for every place held, summing all the society's payments (nearly all
# of them theirs) is cheaper than picking theirs out (6 ms against 10 at the benchmark's scale).
ACCOUNT_SCOPES = {
    "series": (lambda: Application.series_id == bindparam("series_id"), True),
    "several series": (lambda: Application.series_id.in_(bindparam("series_ids", expanding=True)), True),
    "holding": (lambda: Application.status.in_(OWING_STATUSES), False),
}


@cache
def accounts_table(scope: str):
    """Each application of `scope` (a key of ACCOUNT_SCOPES) with its money, summed by the database (a
    subquery with the columns ACCOUNT_FIELDS): the payments and refunds, then `account_for`'s rule in SQL
    (tests/scale/test_rows_agree.py holds it to the rule on loaded objects). Hundreds or thousands of
    applications load no objects. Built once per scope, its values bound as it runs."""
    condition, narrow = ACCOUNT_SCOPES[scope]
    within = condition()

    def sums(model, *columns):
        # Summed per application once and joined: as correlated subqueries, PostgreSQL ran each sum
        # again for every expression of the rule that names it. Summed as 64-bit integers (cents), as
        # stored: PostgreSQL's own sum of them is a slower NUMERIC.
        summed = select(model.application_id, *(cast(func.sum(c), BigInteger).label(c.name) for c in columns))
        if narrow:
            summed = summed.join(Application, Application.id == model.application_id).where(within)
        return summed.group_by(model.application_id).subquery()

    paid = sums(Payment, Payment.amount.label("amount"))
    refunded = sums(Refund, case((Refund.status.in_(REFUNDS_OWED), Refund.amount), else_=0).label("due"),
                    case((Refund.status == RefundStatus.PAID, Refund.amount), else_=0).label("paid"))

    def money(column):
        return type_coerce(func.coalesce(column, 0), Money)

    a = (select(Application.id, Application.series_id, Application.user_id, Application.applied_at, Application.status,
                Application.scholarship, Application.currency, Application.price.label("quoted"),
                type_coerce(case((Application.scholarship, 0), else_=Application.price), Money).label("due"),
                money(paid.c.amount).label("paid"), money(refunded.c.due).label("refund_due"),
                money(refunded.c.paid).label("refund_paid"))
         .outerjoin(paid, paid.c.application_id == Application.id)
         .outerjoin(refunded, refunded.c.application_id == Application.id)
         .where(within).subquery())
    refunds = a.c.refund_due + a.c.refund_paid
    charged = case((a.c.status.in_(OWING_STATUSES), a.c.due), else_=a.c.paid - refunds)
    return select(a.c.id, a.c.series_id, a.c.user_id, a.c.applied_at, a.c.status, a.c.scholarship, a.c.currency,
                  a.c.quoted, a.c.due, a.c.paid, a.c.refund_due, a.c.refund_paid,
                  type_coerce(charged, Money).label("charged"),
                  type_coerce(charged - a.c.paid + refunds, Money).label("balance")).subquery()


@cache
def _unsettled():
    held = accounts_table("holding")
    return (select(held.c.id, *(held.c[name] for name in ACCOUNT_FIELDS))
            .where(held.c.balance != ZERO).order_by(held.c.applied_at, held.c.id))


def unsettled_places(*, owing_page: int = 1, credit_page: int = 1,
                     per_page: int = PER_PAGE) -> tuple[ListPage, ListPage]:
    """(owing, in credit): every place held whose fee is not paid in full, and every place paid beyond its
    fee and not yet refunded (the member is in credit: an administrator should record the refund); each
    the page asked for (?owing=, ?credit=) of (application, its account), oldest application first.

    The database sums every account once and keeps only the unsettled ones: a society's years of settled
    places, thousands of them, load no object (loading them to ask `account` took a second at the
    benchmark's scale); of the unsettled, only the pages' applications are loaded."""
    rows = db.session.execute(_unsettled()).all()
    owing = page_of([r for r in rows if r.balance > 0], owing_page, param="owing", per_page=per_page)
    in_credit = page_of([r for r in rows if r.balance < 0], credit_page, param="credit", per_page=per_page)
    shown = [r.id for r in (*owing.items, *in_credit.items)]
    listed = {a.id: a for a in db.session.scalars(
        select(Application).where(Application.id.in_(shown))
        .options(selectinload(Application.user), selectinload(Application.series)))} if shown else {}

    def filled(found: ListPage) -> ListPage:
        return replace(found, items=[(listed[r.id], account_of_row(r)) for r in found.items])
    return filled(owing), filled(in_credit)


# -- the complimentary first year of membership -----------------------------------------------------

# Offers go out for series that ended within this many days, so the job does not re-read old series forever.
OFFER_WINDOW_DAYS = 90


def _earned_free_year(application, moment, took_part: bool) -> bool:
    """Registered at a non-member rate, took part (came to a meeting), and not a member of any kind today."""
    today = local_date(moment, application.user.timezone)
    return earns_complimentary_membership(
        category=application.quote.get("category", "standard"), took_part=took_part,
        member_today=membership_flags(application.user, today) != (False, False))


def membership_offer_candidates(moment) -> list:
    """Enrolled members of a series completed lately who were never offered the free year."""
    last_end = (select(func.max(Meeting.ends_at)).where(Meeting.series_id == Series.id, Meeting.status != "cancelled")
                .scalar_subquery())
    completed = select(Series.id).where(Series.lifecycle == "published", last_end <= moment,
                                        last_end > moment - timedelta(days=OFFER_WINDOW_DAYS))
    return list(db.session.scalars(
        enrolled(series_ids=completed).where(~exists().where(MembershipOffer.user_id == Application.user_id))
        .order_by(Application.id)
        # What the rule reads of each (their memberships) and the offer's email (their group), loaded at once.
        .options(selectinload(Application.user).selectinload(User.memberships), selectinload(Application.series))
    ))


def offer_membership(application, moment, *, took_part: bool) -> bool:
    """Offer a qualifying non-member a free year, once, emailed once; False if they do not qualify or
    another scheduler offered it first. `took_part`: whether they came to a meeting (video's attendance,
    which the flow asks: flows/memberships.py)."""
    if not _earned_free_year(application, moment, took_part):
        return False
    offer = MembershipOffer(user_id=application.user_id, application_id=application.id, made_at=moment)
    try:
        with db.session.begin_nested():
            db.session.add(offer)
    except IntegrityError:  # another scheduler offered it first
        return False
    queue_email(key=f"membership_offer:user-{application.user_id}", kind="membership_offer",
                user=application.user, context={"series": application.series, "offer": offer})
    return True


@cache
def _open_offer():
    return select(MembershipOffer).where(MembershipOffer.user_id == bindparam("user_id"),
                                         MembershipOffer.taken_at.is_(None))


def open_membership_offer(user) -> MembershipOffer | None:
    return db.session.scalar(_open_offer(), {"user_id": user.id})


def one_year_from(day: date) -> date:
    """The last day of a year that starts on `day` (29 February starts a year ending 28 February)."""
    try:
        anniversary = day.replace(year=day.year + 1)
    except ValueError:
        anniversary = day.replace(year=day.year + 1, day=28) + timedelta(days=1)
    return anniversary - timedelta(days=1)


def take_up_membership_offer(offer: MembershipOffer, user):
    """The member accepts: a complimentary membership for one year from today (their date)."""
    if offer.user_id != user.id:
        raise NotAllowed(_("Only the person it was offered to can take up this membership."))
    moment = now()
    changed = rows_changed(
        update(MembershipOffer).where(MembershipOffer.id == offer.id, MembershipOffer.taken_at.is_(None))
        .values(taken_at=moment).execution_options(synchronize_session=False)
    )
    if changed != 1:
        raise DomainError(_("You have already taken up this membership."), code="offer_taken")
    today = today_in(user.timezone)
    membership = Membership(user_id=user.id, kind="complimentary", starts_on=today, expires_on=one_year_from(today),
                            note="Complimentary first year, offered after a Balint group")
    db.session.add(membership)
    db.session.flush()
    db.session.execute(update(MembershipOffer).where(MembershipOffer.id == offer.id)
                       .values(membership_id=membership.id).execution_options(synchronize_session=False))
    log_action(membership, "complimentary_membership", user,
               changes={"expires_on": [None, membership.expires_on.isoformat()]},
               data={"starts_on": today.isoformat(), "application_id": offer.application_id})
    db.session.expire(offer)
    db.session.expire(user, ["memberships"])
    return membership
