"""The zones people choose from: canonical names only, grouped by region, with the current offset.

Plain functions over the pinned tzdata (core/zones.py, core/zonerules.py): no Flask, no database.
The list holds each canonical zone of the release once (about 310 of them) and UTC; an alias
(`US/Eastern`, `Asia/Calcutta`, `GB`) is never offered, but it is understood wherever a name
comes in (`chosen_zone`), and its place and country names make the canonical zone findable
("Oslo" finds Europe/Berlin).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from importlib import resources

from .zonerules import canonical_zone, current

__all__ = ["ZoneChoice", "canonical_zones", "chosen_zone", "format_offset", "grouped_choices", "same_clock"]

UTC = "UTC"
# Zones that are UTC under another name: offered as the one "UTC".
_UTC_NAMES = frozenset({"Etc/UTC", "Etc/GMT", "UTC"})
# IANA's region prefixes, in words people use.
REGIONS = {"Africa": "Africa", "America": "Americas", "Antarctica": "Antarctica", "Asia": "Asia",
           "Atlantic": "Atlantic Ocean", "Australia": "Australia", "Europe": "Europe", "Indian": "Indian Ocean",
           "Pacific": "Pacific Ocean"}


@dataclass(frozen=True)
class ZoneChoice:
    name: str        # the IANA name stored
    region: str      # "Europe"
    place: str       # "Berlin", "Argentina / Buenos Aires"
    offset: str      # "UTC+01:00" at the moment the list was made
    search: str      # other words that find it: countries, the places of its aliases

    @property
    def label(self) -> str:
        return f"{self.region} \u2014 {self.place} ({self.offset})" if self.region else f"{self.place} ({self.offset})"


def _tzdata_text(name: str) -> str:
    return resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def canonical_zones() -> frozenset[str]:
    """Every canonical regional zone of the pinned release ("Z" lines of tzdata.zi), and UTC."""
    zones = {line.split()[1] for line in _tzdata_text("tzdata.zi").splitlines() if line.startswith("Z ")}
    return frozenset(z for z in zones if z.split("/")[0] in REGIONS) | {UTC}


def chosen_zone(name: str | None) -> str | None:
    """The zone of the list that `name` means (an alias gives its canonical zone); None when it means none."""
    if not name or len(name) > 64:
        return None
    canonical = canonical_zone(name)
    if canonical in _UTC_NAMES:
        return UTC
    return canonical if canonical in canonical_zones() else None


def format_offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


@lru_cache(maxsize=1)
def _search_words() -> dict[str, str]:
    """zone -> the countries it serves (zone1970.tab, iso3166.tab) and the places of its aliases."""
    countries = {}
    for line in _tzdata_text("iso3166.tab").splitlines():
        if line and not line.startswith("#"):
            code, country = line.split("\t", 1)
            countries[code] = country
    words: dict[str, list[str]] = defaultdict(list)
    for line in _tzdata_text("zone1970.tab").splitlines():
        if line and not line.startswith("#"):
            codes, _, zone = line.split("\t")[:3]
            words[zone] += [countries[c] for c in codes.split(",") if c in countries]
    for line in _tzdata_text("tzdata.zi").splitlines():
        if line.startswith("L "):
            _, _, alias = line.split()
            target = chosen_zone(alias)
            if target is not None:
                words[target].append(alias.rsplit("/", 1)[-1].replace("_", " "))
    return {zone: " ".join(dict.fromkeys(found)) for zone, found in words.items()}


def grouped_choices(at: datetime) -> list[tuple[str, list[ZoneChoice]]]:
    """UTC alone first, then (region, its zones by place), each with its offset at `at` (aware)."""
    rules, search = current(), _search_words()
    groups: dict[str, list[ZoneChoice]] = defaultdict(list)
    for name in canonical_zones() - {UTC}:
        prefix, _, rest = name.partition("/")
        offset = format_offset(at.astimezone(rules.zone(name)).utcoffset() or timedelta(0))
        groups[REGIONS[prefix]].append(ZoneChoice(name, REGIONS[prefix], rest.replace("_", " ").replace("/", " / "),
                                                  offset, search.get(name, "")))
    utc = ZoneChoice(UTC, "", "UTC", format_offset(timedelta(0)), search.get(UTC, ""))
    return [("", [utc])] + [(region, sorted(groups[region], key=lambda c: c.place)) for region in sorted(groups)]


def same_clock(at: datetime, zone: str, other: str) -> bool:
    """Whether two zones show the same wall-clock time at `at`: then a time need not be given in both."""
    if zone == other:
        return True
    rules = current()
    try:
        return at.astimezone(rules.zone(zone)).utcoffset() == at.astimezone(rules.zone(other)).utcoffset()
    except (KeyError, ValueError):
        return False
