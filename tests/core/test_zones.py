"""Meeting instants follow the zone rules pinned in requirements.txt, never the host's zone files.

Africa/Casablanca is the witness: Morocco's rules for 2027 differ by an hour between tzdata
2025b (UTC+1 outside Ramadan) and the pinned release (UTC+0 all year).
"""

import os
import re
import subprocess
import sys
import zoneinfo
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path

import tzdata

from balint_online.core.zones import RULES_VERSION
from tests.factories import create_series

ROOT = Path(__file__).resolve().parents[2]


def pinned_file(key: str) -> zoneinfo.ZoneInfo:
    with resources.files("tzdata.zoneinfo").joinpath(*key.split("/")).open("rb") as fh:
        return zoneinfo.ZoneInfo.from_file(fh, key=key)


def test_the_rules_in_use_are_the_pinned_release():
    pin = re.search(r"^tzdata==(\S+)$", (ROOT / "requirements.txt").read_text(), re.M).group(1)
    assert tzdata.__version__ == pin and RULES_VERSION == tzdata.IANA_VERSION
    assert zoneinfo.TZPATH == ()
    ours, pinned = zoneinfo.ZoneInfo("Africa/Casablanca"), pinned_file("Africa/Casablanca")
    day = datetime(2027, 1, 1, 19, 0)
    while day.year == 2027:
        assert day.replace(tzinfo=ours).utcoffset() == day.replace(tzinfo=pinned).utcoffset(), day
        day += timedelta(days=1)


def test_a_series_in_casablanca_meets_at_the_pinned_instants(api, make_user, clock):
    clock.set("2026-12-01T12:00:00Z")
    series = create_series(api(make_user("leader")), timezone="Africa/Casablanca",
                           first_meeting_local="2027-01-04T19:00",
                           early_bird_deadline="2026-12-15", cancellation_deadline="2026-12-20")
    starts = [m["starts_at"] for m in series["meetings"]]
    # Pinned rules: UTC+0 all of 2027, so 19:00 local is 19:00Z every week (2025b would say 18:00Z).
    assert starts == [f"{date(2027, 1, 4) + timedelta(weeks=n)}T19:00:00Z" for n in range(8)]


def test_host_zone_files_cannot_change_an_instant(tmp_path):
    # A host whose Casablanca file says Tokyo time (UTC+9): zoneinfo alone would believe it.
    fake = tmp_path / "zoneinfo" / "Africa"
    fake.mkdir(parents=True)
    with resources.files("tzdata.zoneinfo").joinpath("Asia", "Tokyo").open("rb") as src:
        (fake / "Casablanca").write_bytes(src.read())
    probe = (
        "from datetime import datetime; import zoneinfo\n"
        "local = datetime(2027, 3, 1, 19, 0)\n"
        "print(local.replace(tzinfo=zoneinfo.ZoneInfo('Africa/Casablanca')).utcoffset())\n"
        "from balint_online.series.scheduling import to_utc\n"
        "print(to_utc(local, 'Africa/Casablanca').isoformat())\n"
    )
    env = {**os.environ, "PYTHONTZPATH": str(tmp_path / "zoneinfo")}
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    before, after = out.stdout.split()
    assert before == "9:00:00"  # the double works: without the app, the host's file wins
    assert after == "2027-03-01T19:00:00+00:00"
