"""Money primitives: Decimal amounts with exactly two places, never float, and their integer cents.

Plain functions, no Flask, no database; the pricing rules, the money column type (core/types.py)
and every feature showing an amount use these.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale
from babel.numbers import parse_pattern

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# Money columns are 64-bit integers of cents: room for any real fee, and a hard bound on input, so that
# no amount the rules accept overflows its column.
MAX_CENTS = 2**63 - 1
MAX_AMOUNT = Decimal(MAX_CENTS) / 100
# ASCII digits only: Decimal() would also accept exponents, underscores and
# non-Latin digits, none of which belong in a price field.
_AMOUNT_RE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
FLOAT_MESSAGE = 'must be given as a string such as "875.00", not a floating-point number'


def money(value) -> Decimal:
    """Parse a non-negative amount into a ``Decimal`` with exactly two places.

    Accepts ``str`` (ASCII digits, optional ``.`` and fraction, surrounding
    whitespace ignored), ``int`` and ``Decimal``. Trailing zeros beyond cents
    are fine ("1.500" -> 1.50); anything that is not a whole number of cents
    is not. Messages start with "must ..." so they can be shown as field
    errors as they are.

    Raises ``TypeError`` for floats (binary floats cannot hold cents exactly),
    bools and other types; ``ValueError`` for malformed text, NaN/infinity,
    negatives, more than two decimal places or absurdly large values.
    """
    if isinstance(value, float):
        raise TypeError(FLOAT_MESSAGE)
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise TypeError(f"must be a string, int or Decimal amount, not {type(value).__name__}")
    if isinstance(value, str):
        text = value.strip()
        if not _AMOUNT_RE.fullmatch(text):
            raise ValueError(f"must be an amount such as 875.00 (got {value!r})")
        value = Decimal(text)
    elif isinstance(value, int):
        value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"must be a finite amount (got {value})")
    if value < 0:
        raise ValueError(f"must not be negative (got {value})")
    if value > MAX_AMOUNT:
        raise ValueError(f"must be smaller: at most {MAX_AMOUNT} (got {value})")
    return exact_cents(value)


def exact_cents(value: Decimal) -> Decimal:
    """Quantize a finite Decimal to cents, refusing to round."""
    try:
        cents = value.quantize(CENT)
    except InvalidOperation:
        raise ValueError(f"must be a smaller amount (got {value})") from None
    if cents != value:
        raise ValueError(f"must have at most two decimal places (got {value})")
    # A negative zero would be rendered as "-0.00".
    return cents.copy_abs() if cents == 0 else cents


def signed_cents(value, what: str) -> Decimal:
    """Validate a possibly negative amount (quote and refund lines)."""
    if not isinstance(value, Decimal):
        raise TypeError(f"{what} must be a Decimal, not {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"{what} must be finite (got {value})")
    return exact_cents(value)


def format_money(amount: Decimal) -> str:
    """Render an amount as plain text with two places: ``"875.00"``, ``"-750.00"``.

    No currency symbol and no thousands separator; that is presentation.
    Raises ``TypeError`` for non-Decimals and ``ValueError`` for sub-cent values.
    """
    return f"{signed_cents(amount, 'amount'):f}"


def to_cents(amount: Decimal) -> int:
    """An amount as integer cents; refuses sub-cent values and amounts beyond a 64-bit column."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"money must be a Decimal, not {type(amount).__name__}")
    cents = amount.quantize(CENT) * 100
    if cents != amount * 100:
        raise ValueError(f"{amount} has more than two decimal places")
    if abs(cents) > MAX_CENTS:
        raise ValueError(f"{amount} does not fit a money column")
    return int(cents)


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


AMOUNT_PATTERN = parse_pattern("#,##0.00")


def amount_text(amount, currency: str = "", locale: str = "en") -> str:
    """An amount as its reader's language writes it, the currency's code after it: `1,234.50 USD`,
    German `1.234,50 USD` (`locale` a code such as "de"; Babel knows each language's separators)."""
    # Remembered by the amount's text: equal Decimals share a hash, and -0.00 must not answer for 0.00.
    return _amount_text(str(amount), currency, locale)


@lru_cache(maxsize=4096)  # pages repeat the same few prices on every row; Babel parses a pattern per call
def _amount_text(amount: str, currency: str, locale: str) -> str:
    return f"{AMOUNT_PATTERN.apply(Decimal(amount), Locale.parse(locale.replace('-', '_')))} {currency}".strip()
