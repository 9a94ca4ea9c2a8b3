"""The zone rules the app computes instants with, and the one place zone names are made canonical.

Normally these are the pinned tzdata's rules (core/zones.py). They sit behind `current()` so that
a change of rules can be tried without installing another tzdata release: a test installs a
`ZoneRules` whose `overrides` read some zones from other files, with another `version`, and
the re-planning job (series/rezone.py) sees what a tzdata upgrade would do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from .zones import RULES_VERSION

__all__ = ["PINNED", "ZoneRules", "canonical_zone", "current", "install"]


@dataclass(frozen=True)
class ZoneRules:
    """A release of zone rules: its name and how to read a zone from it."""

    version: str
    overrides: dict[str, ZoneInfo] = field(default_factory=dict, hash=False, compare=False)

    def zone(self, name: str) -> ZoneInfo:
        return self.overrides.get(name) or _pinned_zone(name)


# ZoneInfo keeps only its last 8 zones alive; a roster of people in 30 zones read zone files on
# every row. The pinned release never changes in a process, and only real names get cached.
@cache
def _pinned_zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


PINNED = ZoneRules(RULES_VERSION)
_current: ZoneRules = PINNED


def current() -> ZoneRules:
    return _current


def install(rules: ZoneRules) -> ZoneRules:
    """Compute with `rules` from now on (tests); returns the rules it replaces."""
    global _current
    previous, _current = _current, rules
    return previous


@lru_cache(maxsize=1)
def _links() -> dict[str, str]:
    """Alias -> canonical name, from the "L target alias" lines of the pinned release."""
    text = resources.files("tzdata").joinpath("zoneinfo", "tzdata.zi").read_text(encoding="utf-8")
    links = {}
    for line in text.splitlines():
        if line.startswith("L "):
            _, target, alias = line.split()
            links[alias] = target
    return links


def canonical_zone(name: str) -> str:
    """The canonical IANA name for `name` (`US/Eastern` -> `America/New_York`); others unchanged."""
    links = _links()
    seen = set()
    while name in links and name not in seen:  # links may chain in a future release
        seen.add(name)
        name = links[name]
    return name


class SchedulingError(ValueError):
    """A schedule that cannot be built; `field` names the input at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


_ZONES: frozenset[str] | None = None


def zone(name: str) -> ZoneInfo:
    """The zone for an IANA name; only canonical names from the tz database are accepted."""
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    if not isinstance(name, str) or name not in _ZONES:
        raise SchedulingError("timezone", f"{name!r} is not an IANA time zone such as 'America/New_York'.")
    try:
        return current().zone(name)
    except ZoneInfoNotFoundError as exc:  # listed but unreadable: treat as unknown
        raise SchedulingError("timezone", f"{name!r} is not an available time zone.") from exc
