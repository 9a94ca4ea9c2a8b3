"""Re-planning against new zone rules, as a plain decision: which meetings move, and where."""

from datetime import UTC, datetime, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

from balint_online.core.zonerules import PINNED, ZoneRules
from balint_online.series.rezone import replan


def _fixed(key: str, file: str) -> ZoneInfo:
    with resources.files("tzdata").joinpath("zoneinfo", *file.split("/")).open("rb") as source:
        return ZoneInfo.from_file(source, key=key)


def _meetings(tz: str, first: datetime, count: int):
    zone = ZoneInfo(tz)
    found = []
    for n in range(count):
        local = first + timedelta(weeks=n)
        start = local.replace(tzinfo=zone).astimezone(UTC)
        found.append((n + 1, local, start, start + timedelta(minutes=90)))
    return found


def test_only_meetings_whose_offset_changes_move_and_each_keeps_its_length():
    meetings = _meetings("Europe/London", datetime(2026, 10, 6, 19, 0), 6)
    rules = ZoneRules("2099z", {"Europe/London": _fixed("Europe/London", "Etc/GMT")})
    moves = replan(meetings, "Europe/London", rules)
    assert [m.meeting_id for m in moves] == [1, 2, 3]  # the summer-time ones, before 25 October
    for move, (_, _, start, end) in zip(moves, meetings, strict=False):
        assert move.starts_at == start + timedelta(hours=1)
        assert move.ends_at - move.starts_at == end - start


def test_the_same_rules_move_nothing():
    meetings = _meetings("Pacific/Chatham", datetime(2026, 9, 15, 19, 0), 6)
    assert replan(meetings, "Pacific/Chatham", PINNED) == []
