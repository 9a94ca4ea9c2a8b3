"""Formatting of instants for people and for the API.

What people read is written in their language (`locale`, a code such as "de"): Babel gives each
language's names of days and months, its plural rules and its relative times ("in 3 Tagen"); the
patterns here keep one style per language. English stays the site's own style, and a language
without a pattern of its own gets Babel's medium date.
"""

from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache
from typing import Literal

from babel import Locale
from babel.dates import format_date, format_timedelta

from .zonerules import current as current_rules

# A calendar date as a reader of the language writes it: `Tue 3 Nov 2026`, `Di., 3. Nov. 2026`.
DATE_PATTERNS = {"en": "EEE d MMM y", "de": "EEE, d. MMM y"}
# The few phrases no CLDR pattern gives; a language not listed here reads them in English.
WORDS = {
    "en": {"next day": "(next day)", "now": "now", "under a minute": "in less than a minute"},
    "de": {"next day": "(am nächsten Tag)", "now": "jetzt", "under a minute": "in weniger als einer Minute"},
}
# The units `until` counts in, largest first (no weeks or months: "in 45 days").
UNTIL_UNITS: tuple[tuple[Literal["day", "hour", "minute"], int], ...] = (("day", 86400), ("hour", 3600), ("minute", 60))


@cache
def _babel(locale: str) -> Locale:
    # Parsed once: pages write many dates, and parsing is most of the cost of each.
    return Locale.parse(locale.replace("-", "_"))


def _language(locale: str) -> str:
    return locale.replace("-", "_").split("_")[0].lower()


def _word(name: str, locale: str) -> str:
    return WORDS.get(_language(locale), WORDS["en"])[name]


def iso_z(instant: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z suffix, as the API writes every instant."""
    if instant is None:
        return None
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_wall(instant: datetime, tz: str) -> str:
    """`YYYY-MM-DDTHH:MM` in the zone, as the API writes wall-clock times."""
    return instant.astimezone(current_rules().zone(tz)).strftime("%Y-%m-%dT%H:%M")


def human(instant: datetime, tz: str, *, with_date: bool = True, locale: str = "en") -> str:
    """`Tue 3 Nov 2026, 19:00 EST` (German: `Di., 3. Nov. 2026, 19:00 EST`) in the given zone, with the
    zone named."""
    local = instant.astimezone(current_rules().zone(tz))
    clock = local.strftime("%H:%M %Z")
    return f"{human_date(local.date(), locale)}, {clock}" if with_date else clock


@lru_cache(maxsize=4096)  # a page writes the same few days many times, and Babel's formatting is not cheap
def human_date(day: date, locale: str = "en") -> str:
    """`Tue 3 Nov 2026` (German `Di., 3. Nov. 2026`): a calendar date in the style of `human`, never ISO,
    on every page."""
    return format_date(day, DATE_PATTERNS.get(_language(locale), "medium"), locale=_babel(locale))


def human_span(starts_at: datetime, ends_at: datetime, tz: str, locale: str = "en") -> str:
    """`Tue 3 Nov 2026, 19:00 – 20:30 EST`, the zone named once; a meeting that ends after midnight there
    says so: `Tue 3 Nov 2026, 23:30 – 01:00 EST (next day)`."""
    zone = current_rules().zone(tz)
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    days = (end.date() - start.date()).days
    if days > 1:
        return f"{human(starts_at, tz, locale=locale)} – {human(ends_at, tz, locale=locale)}"
    start_text = f"{human_date(start.date(), locale)}, {start:%H:%M}"
    if start.tzname() != end.tzname():  # the clocks change during the meeting
        start_text += start.strftime(" %Z")
    next_day = f" {_word('next day', locale)}" if days == 1 else ""
    return f"{start_text} – {end.strftime('%H:%M %Z')}{next_day}"


def until(instant: datetime, moment: datetime, locale: str = "en") -> str:
    """How long from `moment` to `instant`, as people say it: "in 3 days", "in 5 hours", "now" (German
    "in 3 Tagen"): the largest whole unit, counted down, with the language's plural."""
    seconds = (instant - moment).total_seconds()
    if seconds <= 0:
        return _word("now", locale)
    for unit, size in UNTIL_UNITS:
        if seconds >= size:
            count = int(seconds // size)
            # An infinite threshold makes Babel keep the unit given and the count as it is.
            return format_timedelta(timedelta(seconds=count * size), granularity=unit, threshold=float("inf"),
                                    add_direction=True, locale=_babel(locale))
    return _word("under a minute", locale)
