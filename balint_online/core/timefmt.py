"""Formatting of instants for people and for the API."""

from datetime import UTC, date, datetime

from .zonerules import current as current_rules


def iso_z(instant: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z suffix, as the API writes every instant."""
    if instant is None:
        return None
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_wall(instant: datetime, tz: str) -> str:
    """`YYYY-MM-DDTHH:MM` in the zone, as the API writes wall-clock times."""
    return instant.astimezone(current_rules().zone(tz)).strftime("%Y-%m-%dT%H:%M")


def human(instant: datetime, tz: str, *, with_date: bool = True) -> str:
    """`Tue 3 Nov 2026, 19:00 EST` in the given zone, with the zone named."""
    local = instant.astimezone(current_rules().zone(tz))
    pattern = "%a %-d %b %Y, %H:%M %Z" if with_date else "%H:%M %Z"
    return local.strftime(pattern)


def human_date(day: date) -> str:
    """`Tue 3 Nov 2026`: a calendar date in the style of `human`, never ISO, on every page."""
    return day.strftime("%a %-d %b %Y")


def human_span(starts_at: datetime, ends_at: datetime, tz: str) -> str:
    """`Tue 3 Nov 2026, 19:00 – 20:30 EST`, the zone named once; a meeting that ends after midnight there
    says so: `Tue 3 Nov 2026, 23:30 – 01:00 EST (next day)`."""
    zone = current_rules().zone(tz)
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    days = (end.date() - start.date()).days
    if days > 1:
        return f"{human(starts_at, tz)} – {human(ends_at, tz)}"
    start_text = start.strftime("%a %-d %b %Y, %H:%M")
    if start.tzname() != end.tzname():  # the clocks change during the meeting
        start_text += start.strftime(" %Z")
    return f"{start_text} – {end.strftime('%H:%M %Z')}{' (next day)' if days == 1 else ''}"


def until(instant: datetime, moment: datetime) -> str:
    """How long from `moment` to `instant`, as people say it: "in 3 days", "in 5 hours", "now"."""
    seconds = (instant - moment).total_seconds()
    if seconds <= 0:
        return "now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"in {count} {unit}{'' if count == 1 else 's'}"
    return "in less than a minute"
