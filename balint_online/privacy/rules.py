"""When an erasure must wait: plain facts in, the reasons out (no Flask, no database).

The rule: a person is not erased while
- they hold or queue for a place (pending, waiting list, offered, enrolled) in a series that has
  not ended (completed or cancelled): withdrawing first settles seats, refunds and the rotation;
- money is still owed either way on any application: a balance they owe, or a refund owed to them
  (recorded and unpaid, or not yet recorded);
- they lead a series that has not ended: its members need their leader.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from ..core.money import ZERO


@dataclass(frozen=True)
class Holding:
    """One of the person's applications, as the rule sees it."""

    series_id: int
    series_title: str
    live: bool
    series_over: bool
    # What they still owe (negative: what the society holds beyond what it keeps), and refunds recorded but unpaid.
    balance: Decimal
    refund_due: Decimal
    currency: str


@dataclass(frozen=True)
class LedSeries:
    series_id: int
    series_title: str
    over: bool


@dataclass(frozen=True)
class Refusal:
    """Why erasure must wait: `kind` is live_place, owes, owed or leads; `amount` for money."""

    kind: str
    series_id: int
    series_title: str
    amount: Decimal | None = None
    currency: str = ""


def erasure_refusals(holdings: Iterable[Holding], led: Iterable[LedSeries]) -> tuple[Refusal, ...]:
    refusals = []
    for h in holdings:
        if h.live and not h.series_over:
            refusals.append(Refusal("live_place", h.series_id, h.series_title))
        if h.balance > ZERO:
            refusals.append(Refusal("owes", h.series_id, h.series_title, h.balance, h.currency))
        owed_to_them = h.refund_due + max(-h.balance, ZERO)
        if owed_to_them > ZERO:
            refusals.append(Refusal("owed", h.series_id, h.series_title, owed_to_them, h.currency))
    refusals += [Refusal("leads", s.series_id, s.series_title) for s in led if not s.over]
    return tuple(refusals)
