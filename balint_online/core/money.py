"""Money's bounds, shared by the pure rules and the database columns (core/types.py)."""

from decimal import Decimal

CENT = Decimal("0.01")
# Money columns are 64-bit integers of cents: room for any real fee, and a hard bound on input.
MAX_CENTS = 2**63 - 1
MAX_AMOUNT = Decimal(MAX_CENTS) / 100
