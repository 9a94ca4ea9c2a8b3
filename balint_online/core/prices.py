"""Tuition and refund rules for Balint group series.

Plain functions over ``Decimal`` money (always exactly two places, never
float): no Flask, no database. Callers convert instants to the series' local
date with :func:`local_date` before asking about deadlines, because every
deadline here is a calendar date, inclusive, in the series' IANA time zone.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .money import CENT, FLOAT_MESSAGE, format_money, money, signed_cents
from .pricecategories import BY_KEY, KEYS, LABELS, REGISTRY, Facts, category_of, check_claims

# The categories are data (categories.py); these names are what the rest of the code reads.
CATEGORIES = KEYS
CATEGORY_LABELS = LABELS
PERIODS = ("early", "regular")
# The rates of people who are not members: "Those registering at the non-member rate will have an option
# to apply for a one-year complimentary membership to the ABS following the conference" (seed 000).
NON_MEMBER_CATEGORIES = tuple(c.key for c in REGISTRY if not c.member_rate)

DEFAULT_TRAINEE_DISCOUNT_PERCENT = Decimal("20")
DEFAULT_CANCELLATION_FEE = Decimal("100.00")
REFUND_DUE_DAYS = 30

REFUND_WITHDRAWN_BY_DEADLINE = "withdrawn_by_deadline"
REFUND_WITHDRAWN_AFTER_DEADLINE = "withdrawn_after_deadline"
REFUND_CANCELLED_BY_SOCIETY = "cancelled_by_society"
REFUND_DECLINED_AFTER_ACCEPTANCE = "declined_after_acceptance"
REFUND_AID_AWARDED = "aid_awarded"
REFUND_OFFER_LAPSED = "offer_lapsed"
REFUND_REASONS = (
    REFUND_WITHDRAWN_BY_DEADLINE,
    REFUND_WITHDRAWN_AFTER_DEADLINE,
    REFUND_CANCELLED_BY_SOCIETY,
    REFUND_DECLINED_AFTER_ACCEPTANCE,
    REFUND_AID_AWARDED,
    REFUND_OFFER_LAPSED,
)
# How an application ended, as far as money is concerned (see refund_owed).
WITHDRAWN, DECLINED, OFFER_LAPSED, CANCELLED_BY_SOCIETY = "withdrawn", "declined", "offer_lapsed", "cancelled"

_CURRENCY_RE = re.compile(r"[A-Z]{3}")

# Which cell the percentage helper derives from which base cell.
_DISCOUNT_BASES = {c.key: c.discounted_from for c in REGISTRY if c.discounted_from}


# --------------------------------------------------------------------------
# Price tables
# --------------------------------------------------------------------------


def _positive_amount(value) -> Decimal:
    amount = money(value)
    if amount == 0:
        raise ValueError("must be a positive amount such as 875.00 (got 0.00)")
    return amount


@dataclass(frozen=True, kw_only=True)
class Rate:
    """One category's price: ``regular`` and an optional ``early`` (early-bird).

    Keyword-only, so the two figures cannot be swapped by position. Both are
    normalised through :func:`money` (strings are accepted) and must be
    positive; ``early`` must not exceed ``regular``. ``early=None`` means the
    regular rate applies during the early-bird period too.
    """

    regular: Decimal
    early: Decimal | None = None

    def __post_init__(self):
        object.__setattr__(self, "regular", _positive_amount(self.regular))
        if self.early is not None:
            object.__setattr__(self, "early", _positive_amount(self.early))
            if self.early > self.regular:
                raise ValueError(
                    f"early-bird rate {self.early} must not exceed the regular rate {self.regular}"
                )


PriceTable = Mapping[str, Rate]


class PriceTableError(ValueError):
    """A price table failed validation.

    ``errors`` maps a dotted field path (``"prices.member.regular"``) to a
    message; every problem found is reported, not just the first.
    """

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{path}: {message}" for path, message in self.errors.items()))


def _is_blank(value) -> bool:
    # HTML forms send empty strings for untouched inputs.
    return value is None or (isinstance(value, str) and not value.strip())


def parse_price_table(raw, *, field_prefix: str = "prices") -> dict[str, Rate]:
    """Build a price table from the API shape.

    ``raw`` looks like ``{"standard": {"early": "800.00", "regular": "875.00"},
    "member": {"regular": "725.00"}, ...}``. A category given as ``None`` is
    left blank (e.g. for :func:`fill_trainee_cells`); a missing, ``None`` or
    blank ``early`` means no early-bird rate for that category. Amounts must
    be strings or ints (JSON numbers with a fraction arrive as floats and are
    rejected with a field error).

    Raises :class:`PriceTableError` listing every bad field: unknown
    categories or cell fields, missing ``standard`` or ``regular``, amounts
    that are not positive whole cents, and ``early`` above ``regular``.
    The result is keyed in :data:`CATEGORIES` order.
    """
    if not isinstance(raw, Mapping):
        raise PriceTableError({field_prefix: "must be an object mapping categories to rates"})
    errors: dict[str, str] = {}
    table: dict[str, Rate] = {}
    for name, cell in raw.items():
        path = f"{field_prefix}.{name}"
        if name not in CATEGORIES:
            errors[path] = f"is not a category; expected one of {', '.join(CATEGORIES)}"
            continue
        if cell is None:
            continue
        if not isinstance(cell, Mapping):
            errors[path] = 'must be an object such as {"early": "750.00", "regular": "875.00"}'
            continue
        for extra in cell:
            if extra not in ("early", "regular"):
                errors[f"{path}.{extra}"] = "is not a rate field; expected early or regular"
        amounts: dict[str, Decimal] = {}
        for part in ("early", "regular"):
            value = cell.get(part)
            if _is_blank(value):
                if part == "regular":
                    errors[f"{path}.regular"] = "is required"
                continue
            try:
                amounts[part] = _positive_amount(value)
            except (TypeError, ValueError) as exc:
                errors[f"{path}.{part}"] = str(exc)
        if f"{path}.early" in errors or f"{path}.regular" in errors:
            continue
        early, regular = amounts.get("early"), amounts["regular"]
        if early is not None and early > regular:
            errors[f"{path}.early"] = (
                f"must not exceed the regular rate ({format_money(regular)})"
            )
            continue
        table[name] = Rate(early=early, regular=regular)
    if raw.get("standard") is None:
        errors[f"{field_prefix}.standard"] = "is required: every table needs a non-member rate"
    if errors:
        raise PriceTableError(errors)
    return {name: table[name] for name in CATEGORIES if name in table}


def _check_table(table) -> None:
    if not isinstance(table, Mapping):
        raise TypeError(f"price table must be a mapping, not {type(table).__name__}")
    for name, rate in table.items():
        if name not in CATEGORIES:
            raise ValueError(f"price table has an unknown category {name!r}")
        if not isinstance(rate, Rate):
            raise TypeError(f"price table cell {name!r} must be a Rate, not {type(rate).__name__}")
    if "standard" not in table:
        raise ValueError("price table must have a standard (non-member) rate")


def _percent(value) -> Decimal:
    if isinstance(value, float):
        raise TypeError("percent " + FLOAT_MESSAGE)
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise TypeError(f"percent must be a string, int or Decimal, not {type(value).__name__}")
    try:
        percent = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise ValueError(f"percent must be a number (got {value!r})") from None
    if not percent.is_finite() or not 0 <= percent < 100:
        raise ValueError(f"percent must be at least 0 and less than 100 (got {value})")
    return percent


def fill_trainee_cells(table: PriceTable, percent=DEFAULT_TRAINEE_DISCOUNT_PERCENT) -> dict[str, Rate]:
    """Return a copy of ``table`` with blank trainee cells filled in.

    Each category with a ``discounted_from`` base is derived from it
    (``trainee`` from ``standard``, ``member_trainee`` from ``member``, only
    if the base exists), each figure reduced by
    ``percent`` and rounded half-up to the cent. A base without an early
    rate yields a trainee cell without one. Cells already present are never
    touched, so explicit prices always win. ``percent`` is a Decimal, int or
    string in [0, 100). Raises ``ValueError`` if a derived figure would round
    to 0.00 (only possible for near-100% discounts on tiny prices).
    """
    _check_table(table)
    factor = (100 - _percent(percent)) / 100

    def discounted(amount: Decimal) -> Decimal:
        return (amount * factor).quantize(CENT, rounding=ROUND_HALF_UP)

    filled = dict(table)
    for name, base_name in _DISCOUNT_BASES.items():
        base = table.get(base_name)
        if name in filled or base is None:
            continue
        filled[name] = Rate(
            regular=discounted(base.regular),
            early=None if base.early is None else discounted(base.early),
        )
    return {name: filled[name] for name in CATEGORIES if name in filled}


def table_to_api(table: PriceTable) -> dict:
    """Render a table back to the API shape, in :data:`CATEGORIES` order.

    Every cell has both keys; ``"early"`` is ``None`` when there is no
    early-bird rate. Round-trips through :func:`parse_price_table`.
    """
    _check_table(table)
    return {
        name: {
            "early": None if (early := table[name].early) is None else format_money(early),
            "regular": format_money(table[name].regular),
        }
        for name in CATEGORIES
        if name in table
    }


def price_range(table: PriceTable) -> tuple[Decimal, Decimal]:
    """Lowest and highest figure in the table, early-bird rates included.

    Fallbacks in :func:`quote` only ever reuse existing cells, so no quote
    (before a scholarship) falls outside this range.
    """
    _check_table(table)
    amounts = [
        amount
        for rate in table.values()
        for amount in (rate.early, rate.regular)
        if amount is not None
    ]
    return min(amounts), max(amounts)


# --------------------------------------------------------------------------
# Quotes
# --------------------------------------------------------------------------


def _require_date(value, name: str) -> None:
    # datetime is a date subclass; comparing one to a deadline would silently
    # use the wrong calendar day, so force the conversion through local_date().
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a date in the series' time zone (see local_date())")


def local_date(instant: datetime, tz: str) -> date:
    """Calendar date of an aware instant in the IANA zone ``tz``.

    Raises ``ValueError`` for a naive datetime or an unknown zone.
    """
    if not isinstance(instant, datetime):
        raise TypeError(f"instant must be a datetime, not {type(instant).__name__}")
    if instant.utcoffset() is None:
        raise ValueError("instant must be timezone-aware (store and pass UTC)")
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {tz!r}") from None
    return instant.astimezone(zone).date()


def category_for(*, is_member: bool, claims: Collection[str] = ()) -> str:
    """Price category for an applicant (pass ``is_member=True`` for a granted member rate): the most
    particular one whose rule holds for their membership and the claims they made (categories.py)."""
    return category_of(Facts(is_member=is_member, claims=check_claims(claims)))


def period_for(on: date, early_bird_deadline: date | None) -> str:
    """``"early"`` on or before the deadline (inclusive), else ``"regular"``.

    Both are local dates in the series' zone; no deadline means no early-bird
    period.
    """
    _require_date(on, "on")
    if early_bird_deadline is None:
        return "regular"
    _require_date(early_bird_deadline, "early_bird_deadline")
    return "early" if on <= early_bird_deadline else "regular"


@dataclass(frozen=True)
class QuoteLine:
    """One explained step of a figure; ``amount`` may be negative (a waiver, a fee)."""

    label: str
    amount: Decimal

    def __post_init__(self):
        object.__setattr__(self, "amount", signed_cents(self.amount, "line amount"))

    def to_api(self) -> dict:
        return {"label": self.label, "amount": format_money(self.amount)}


@dataclass(frozen=True)
class Quote:
    """What an applicant owes, with ``amount == sum(line.amount for line in lines)``.

    ``category`` is the applicant's category (after any granted member
    rate); ``rate_category`` is the table cell actually charged, which
    differs when the table has no cell for ``category``. ``period`` is the
    rate actually charged: ``"regular"`` when the category has no early-bird
    figure even inside the early-bird period.
    """

    category: str
    rate_category: str
    period: str
    amount: Decimal
    currency: str
    lines: tuple[QuoteLine, ...]

    def to_api(self) -> dict:
        return {
            "category": self.category,
            "rate_category": self.rate_category,
            "period": self.period,
            "amount": format_money(self.amount),
            "currency": self.currency,
            "lines": [line.to_api() for line in self.lines],
        }


def _charged(rate: Rate, in_early_period: bool) -> Decimal:
    return rate.early if in_early_period and rate.early is not None else rate.regular


def _resolve_category(table: PriceTable, category: str, in_early_period: bool) -> str:
    if category in table:
        return category
    # Fallbacks are earlier categories and `standard` is always present, so this terminates.
    candidates = [_resolve_category(table, fallback, in_early_period) for fallback in BY_KEY[category].fallbacks]
    # Ties go to the first candidate, i.e. the trainee rate for a member trainee.
    return min(candidates, key=lambda name: _charged(table[name], in_early_period))


def quote(
    table: PriceTable,
    *,
    currency: str,
    on: date,
    early_bird_deadline: date | None,
    is_member: bool,
    claims: Collection[str] = (),
    member_rate_granted: bool = False,
    scholarship: bool = False,
) -> Quote:
    """Price one application.

    ``on`` is the local date (series zone) the price is fixed for, e.g. the
    application date via :func:`local_date`. ``member_rate_granted`` gives a
    non-member (a member of another Balint society) the member rate.
    ``claims`` are what the applicant says of themselves (keys of
    ``categories.CLAIMS``, e.g. ``{"trainee"}``). A category without a cell falls back to the cheapest applicable cell:
    each category's ``fallbacks`` (member trainee -> lower of trainee and
    member; trainee or member -> non-member); the line label says so. A scholarship adds a line waiving
    the whole tuition, so the amount becomes 0.00.

    ``currency`` must be an ISO 4217 code in capitals (``"EUR"``).
    """
    _check_table(table)
    if not isinstance(currency, str) or not _CURRENCY_RE.fullmatch(currency):
        raise ValueError(f"currency must be a three-letter ISO code such as EUR (got {currency!r})")
    category = category_for(is_member=is_member or member_rate_granted, claims=claims)
    in_early_period = period_for(on, early_bird_deadline) == "early"
    rate_category = _resolve_category(table, category, in_early_period)
    rate = table[rate_category]
    early_applies = in_early_period and rate.early is not None
    amount = _charged(rate, in_early_period)

    label = f"{CATEGORY_LABELS[rate_category]} rate"
    if member_rate_granted and not is_member:
        label += " (granted: member of another Balint society)"
    if rate_category != category:
        label += f" (no {CATEGORY_LABELS[category]} rate set)"
    if early_applies:
        assert early_bird_deadline is not None  # the early period needs a deadline (period_for)
        label += f", early-bird (through {early_bird_deadline.isoformat()})"
    elif in_early_period:
        label += ", regular (no early-bird rate)"
    else:
        label += ", regular"

    lines = [QuoteLine(label, amount)]
    if scholarship:
        lines.append(QuoteLine("Scholarship: tuition waived", -amount))
    return Quote(
        category=category,
        rate_category=rate_category,
        period="early" if early_applies else "regular",
        amount=sum((line.amount for line in lines), Decimal("0.00")),
        currency=currency,
        lines=tuple(lines),
    )


# --------------------------------------------------------------------------
# Refunds
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class RefundDecision:
    """A refund with ``amount == sum(line.amount for line in lines)``.

    ``reason`` is one of :data:`REFUND_REASONS` (a stable code for storage
    and templates); the lines are the human explanation.
    """

    amount: Decimal
    reason: str
    lines: tuple[QuoteLine, ...]

    def to_api(self) -> dict:
        return {
            "amount": format_money(self.amount),
            "reason": self.reason,
            "lines": [line.to_api() for line in self.lines],
        }


def _decision(reason: str, lines: list[QuoteLine]) -> RefundDecision:
    return RefundDecision(
        amount=sum((line.amount for line in lines), Decimal("0.00")),
        reason=reason,
        lines=tuple(lines),
    )


def refund_for_withdrawal(
    *,
    paid: Decimal,
    received_on: date,
    cancellation_deadline: date | None,
    fee: Decimal = DEFAULT_CANCELLATION_FEE,
) -> RefundDecision:
    """Refund for an applicant's own withdrawal.

    ``received_on`` is the local date (series zone) the written withdrawal
    arrived. On or before ``cancellation_deadline`` the refund is ``paid``
    minus ``fee``, never below zero; after it, nothing. With no deadline set
    there is no cutoff: every withdrawal is refunded minus the fee.
    """
    paid = money(paid)
    fee = money(fee)
    _require_date(received_on, "received_on")
    if cancellation_deadline is not None:
        _require_date(cancellation_deadline, "cancellation_deadline")
    lines = [QuoteLine("Amount paid", paid)]
    if cancellation_deadline is not None and received_on > cancellation_deadline:
        lines.append(
            QuoteLine(
                f"Withdrawal received after the cancellation deadline "
                f"({cancellation_deadline.isoformat()}): no refund",
                -paid,
            )
        )
        return _decision(REFUND_WITHDRAWN_AFTER_DEADLINE, lines)
    kept = min(fee, paid)
    label = "Cancellation fee" if kept == fee else "Cancellation fee (capped at the amount paid)"
    lines.append(QuoteLine(label, -kept))
    return _decision(REFUND_WITHDRAWN_BY_DEADLINE, lines)


def refund_for_society_cancellation(*, paid: Decimal, declined: bool = False) -> RefundDecision:
    """Full refund when the society cancels the series, or (``declined=True``)
    declines an applicant it had already accepted."""
    paid = money(paid)
    if declined:
        reason, why = REFUND_DECLINED_AFTER_ACCEPTANCE, "application declined after acceptance"
    else:
        reason, why = REFUND_CANCELLED_BY_SOCIETY, "series cancelled by the society"
    return _decision(reason, [QuoteLine(f"Amount paid, refunded in full ({why})", paid)])


def refund_for_aid(*, price: Decimal, paid: Decimal, award: Decimal, label: str) -> RefundDecision:
    """What an aid award gives back of what was already paid.

    The award is one more input to what is owed: the member owes ``price - award`` (never below
    zero), so whatever they paid above that is owed back to them. ``label`` names the award on the
    refund's explanation.
    """
    price, paid, award = money(price), money(paid), money(award)
    owed = max(price - award, Decimal("0.00"))
    lines = [QuoteLine("Amount paid", paid)]
    if paid > owed:
        lines.append(QuoteLine(f"{label}: owed after the award {format_money(owed)}", -owed))
    else:
        lines.append(QuoteLine(f"{label}: nothing paid above the {format_money(owed)} still owed", -paid))
    return _decision(REFUND_AID_AWARDED, lines)


def earns_complimentary_membership(*, category: str, took_part: bool, member_today: bool) -> bool:
    """Offered after the series to whoever registered at a non-member rate (trainees included), took
    part, and is still not a member of any kind. Paying in full or not, aided or not, does not matter."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown price category {category!r}")
    return category in NON_MEMBER_CATEGORIES and took_part and not member_today


def refund_owed(
    *,
    ending: str | None,
    paid: Decimal,
    ended_on: date | None = None,
    cancellation_deadline: date | None = None,
    fee: Decimal = DEFAULT_CANCELLATION_FEE,
) -> RefundDecision | None:
    """What is owed back, in total, of everything ``paid`` on an application, by how it ended.

    ``ending`` is None while the application holds or queues for a place (nothing is owed back),
    else WITHDRAWN (``ended_on``: the local date the withdrawal arrived; the fee or, after the
    deadline, everything is kept), DECLINED, OFFER_LAPSED or CANCELLED_BY_SOCIETY (all refunded).
    It depends only on the total paid, not on when each payment came: money arriving after the
    application ended is owed back at once, less whatever the policy still keeps of the total.
    """
    if ending is None:
        return None
    if ending == WITHDRAWN:
        assert ended_on is not None  # a withdrawal's date decides what is kept
        return refund_for_withdrawal(paid=paid, received_on=ended_on, cancellation_deadline=cancellation_deadline,
                                     fee=fee)
    if ending == DECLINED:
        return refund_for_society_cancellation(paid=paid, declined=True)
    if ending == CANCELLED_BY_SOCIETY:
        return refund_for_society_cancellation(paid=paid)
    if ending == OFFER_LAPSED:
        return _decision(REFUND_OFFER_LAPSED, [QuoteLine("Amount paid, refunded in full (the offered place "
                                                          "was not taken up)", money(paid))])
    raise ValueError(f"unknown ending {ending!r}")


def refund_still_owed(owed: RefundDecision, already: Decimal) -> RefundDecision:
    """What remains to give back of ``owed`` once ``already`` (owed back or paid out before, e.g. by
    an aid award) is counted; never below zero, with the lines that explain it."""
    already = money(already)
    lines = list(owed.lines)
    if already > 0:
        lines.append(QuoteLine("Already owed back or refunded", -min(already, owed.amount)))
    return _decision(owed.reason, lines)


def refund_top_up(owed: RefundDecision, already: Decimal) -> RefundDecision | None:
    """The refund still to record when ``already`` (owed back or paid out before) falls short of ``owed``."""
    remaining = refund_still_owed(owed, already)
    return remaining if remaining.amount > 0 else None


def refund_due_by(acknowledged_on: date) -> date:
    """Date a refund must be paid by: 30 days after the cancellation was acknowledged."""
    _require_date(acknowledged_on, "acknowledged_on")
    return acknowledged_on + timedelta(days=REFUND_DUE_DAYS)
