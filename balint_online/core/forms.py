"""Form pieces shared by features."""

from functools import cache
from zoneinfo import available_timezones

from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired


@cache
def timezone_names() -> frozenset[str]:
    """The zones people may choose: regional IANA names, and UTC."""
    return frozenset(n for n in available_timezones() if "/" in n and not n.startswith(("Etc/", "SystemV/", "posix/", "right/"))) | {"UTC"}


@cache
def timezone_choices() -> list[SelectChoice]:
    names = sorted(timezone_names() - {"UTC"})
    return [SelectChoice("UTC", "UTC")] + [SelectChoice(n, n.replace("_", " ")) for n in names]


def choices(mapping: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in mapping.items()]


class TimezoneField(SelectField):
    def __init__(self, label="Time zone", **kwargs):
        kwargs.setdefault("validators", [InputRequired()])
        super().__init__(label, choices=timezone_choices(), **kwargs)
