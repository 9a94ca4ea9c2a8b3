"""Form pieces shared by features."""

from functools import cache
from zoneinfo import available_timezones

from wtforms import SelectField
from wtforms.validators import InputRequired


@cache
def timezone_choices() -> list[tuple[str, str]]:
    names = sorted(n for n in available_timezones() if "/" in n and not n.startswith(("Etc/", "SystemV/", "posix/", "right/")))
    return [("UTC", "UTC")] + [(n, n.replace("_", " ")) for n in names]


class TimezoneField(SelectField):
    def __init__(self, label="Time zone", **kwargs):
        kwargs.setdefault("validators", [InputRequired()])
        super().__init__(label, choices=timezone_choices(), **kwargs)
