"""The price categories: which row of a series' price table an applicant pays, and why.

The one place a category is defined. A series' price table is a JSON map keyed by these keys
(validated against them by ``prices.parse_price_table``); the series form and page, the apply form,
the API bodies and queries and so the OpenAPI document, and quotes all read this module.

Adding a category is one ``Category`` below (key, label, eligibility rule, fallbacks) and, when its
rule rests on something the applicant states about themselves, one ``Claim``: the apply form gets
a box for it, the application and quote APIs a boolean of the claim's key, and the application
keeps what was claimed (``Application.claims``). Plain data and functions: no Flask, no database.
The words stay English here (quotes store them, the API documents them); pages translate them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from ..core.labels import N_


@dataclass(frozen=True)
class Facts:
    """What a category's rule may look at: membership on the pricing date (or a member rate granted
    to a member of another Balint society) and the claims the applicant made."""

    is_member: bool
    claims: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Claim:
    """Something an applicant states about themselves that a price depends on."""

    key: str
    # The roster's heading for it.
    title: str
    # The apply form's box, word for word.
    label: str
    # The hint under the box and the API field's description.
    description: str
    # How a yes reads on the roster.
    yes: str


@dataclass(frozen=True)
class Category:
    key: str
    # What people read: form rows, the series page, quote lines ("<label> rate").
    label: str
    rule: Callable[[Facts], bool]
    # Rows charged instead when the table has no row for this category: the cheapest wins, ties to the first.
    fallbacks: tuple[str, ...] = ()
    # A member's rate: whoever registered at any other rate is offered a complimentary membership.
    member_rate: bool = False
    # The row the discount helper derives this row from when it is left blank (see prices.fill_trainee_cells).
    discounted_from: str | None = None


def _anyone(facts: Facts) -> bool:
    return True


def _member(facts: Facts) -> bool:
    return facts.is_member


def _trainee(facts: Facts) -> bool:
    return "trainee" in facts.claims


def _member_trainee(facts: Facts) -> bool:
    return facts.is_member and "trainee" in facts.claims


CLAIMS: tuple[Claim, ...] = (
    Claim("trainee", N_("Trainee"), N_("I am a trainee (resident, student or fellow)"),
          N_("Trainees pay the trainee rate; the price below follows this box."),
          N_("Yes (resident, student or fellow)")),
)

# From the most general to the most particular: an applicant pays the last one whose rule holds.
# The order is also the order of the price table everywhere it is shown or returned.
REGISTRY: tuple[Category, ...] = (
    Category("standard", N_("Non-member"), _anyone),
    Category("member", N_("Society member"), _member, fallbacks=("standard",), member_rate=True),
    Category("trainee", N_("Trainee (resident, student, fellow)"), _trainee, fallbacks=("standard",),
             discounted_from="standard"),
    Category("member_trainee", N_("Member trainee"), _member_trainee, fallbacks=("trainee", "member"), member_rate=True,
             discounted_from="member"),
)

KEYS: tuple[str, ...] = tuple(c.key for c in REGISTRY)
BY_KEY: dict[str, Category] = {c.key: c for c in REGISTRY}
LABELS: dict[str, str] = {c.key: c.label for c in REGISTRY}
CLAIM_KEYS: tuple[str, ...] = tuple(c.key for c in CLAIMS)
CLAIMS_BY_KEY: dict[str, Claim] = {c.key: c for c in CLAIMS}


def check_claims(claims: Collection[str]) -> frozenset[str]:
    """The claims as a frozenset; ValueError for a key no Claim defines."""
    if isinstance(claims, str):
        raise TypeError("claims must be a collection of claim keys, not a string")
    unknown = sorted(set(claims) - set(CLAIM_KEYS))
    if unknown:
        raise ValueError(f"unknown claim {unknown[0]!r}; expected one of {', '.join(CLAIM_KEYS)}")
    return frozenset(claims)


def category_of(facts: Facts) -> str:
    """The most particular category whose rule holds (``standard``'s always does)."""
    return next(c.key for c in reversed(REGISTRY) if c.rule(facts))


def _check_registry() -> None:
    # A wrong entry fails at import, not on the first quote that reaches it.
    if not KEYS or KEYS[0] != "standard" or len(set(KEYS)) != len(KEYS):
        raise ValueError("price categories: standard comes first and every key once")
    for position, category in enumerate(REGISTRY):
        for other in (*category.fallbacks, category.discounted_from):
            if other is not None and other not in KEYS[:position]:
                raise ValueError(f"price category {category.key}: {other} must be an earlier category")
        if category.key != "standard" and not category.fallbacks:
            raise ValueError(f"price category {category.key} needs a fallback")
    if len(set(CLAIM_KEYS)) != len(CLAIM_KEYS) or "on" in CLAIM_KEYS:
        raise ValueError("claims: every key once, and not 'on' (the quote query's date)")


_check_registry()
