"""Form pieces shared by features: every page's form derives from `Form`."""

from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import cache, lru_cache
from zoneinfo import available_timezones

import wtforms
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import DateField, DateTimeField, SelectField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than types-WTForms
from wtforms.meta import DefaultMeta
from wtforms.validators import InputRequired, StopValidation, ValidationError
from wtforms.widgets import Select, html_params

from .schemas import day_problem, text_problem


def storable_text(form, field) -> None:
    """The one rule for every text a form takes (the API's too, core/schemas.py): nothing a database cannot store."""
    sent = [value for value in field.raw_data or () if isinstance(value, str)]
    for value in sent + ([field.data] if isinstance(field.data, str) else []):
        if problem := text_problem(value):
            # Stops this field's other validators, which may look the value up in the database.
            raise StopValidation(problem)


def sane_date(form, field) -> None:
    """The API's date range (core/schemas.py) for every date a form takes."""
    day = field.data.date() if isinstance(field.data, datetime) else field.data
    if isinstance(day, date) and (problem := day_problem(day)):
        raise ValidationError(problem)


class SharedRules(DefaultMeta):
    """`storable_text` first on every field and `sane_date` on every date field, for pages' forms and
    the groups nested in them alike."""

    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        dates = [sane_date] if isinstance(field, (DateField, DateTimeField)) else []
        field.validators = [storable_text, *field.validators, *dates]
        return field


class Form(FlaskForm):
    """A page's form: CSRF-protected (Flask-WTF), with the shared rules on every field."""

    class Meta(SharedRules):
        pass


class SubForm(wtforms.Form):
    """A group of fields repeated inside a page's form (FieldList(FormField(...))): the same rules,
    no token of its own (the page's form carries it)."""

    Meta = SharedRules


@cache
def timezone_names() -> frozenset[str]:
    """The zones people may choose: regional IANA names, and UTC."""
    return frozenset(n for n in available_timezones() if "/" in n
                     and not n.startswith(("Etc/", "SystemV/", "posix/", "right/"))) | {"UTC"}


@cache
def timezone_choices() -> list[SelectChoice]:
    names = sorted(timezone_names() - {"UTC"})
    return [SelectChoice("UTC", "UTC")] + [SelectChoice(n, n.replace("_", " ")) for n in names]


def choices(mapping: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in mapping.items()]


@lru_cache(maxsize=64)
def timezone_options(selected: str) -> Markup:
    """The 500-odd zones as <option>s, built once per selected zone: rendered afresh, they were
    most of the time of every page with a zone to choose (the account page, sign-up, the picker)."""
    return Markup("".join(f'<option value="{escape(c.value)}"{" selected" if c.value == selected else ""}>'
                          f"{escape(c.label)}</option>" for c in timezone_choices()))


class _ZoneSelect(Select):
    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        if "required" not in kwargs and "required" in getattr(field, "flags", []):
            kwargs["required"] = True
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>{timezone_options(field.data or '')}</select>")


class TimezoneField(SelectField):
    widget = _ZoneSelect()

    def __init__(self, label="Time zone", **kwargs):
        kwargs.setdefault("validators", [InputRequired()])
        super().__init__(label, choices=timezone_choices(), **kwargs)


def attach_errors(form, fields: Mapping[str, str], fallback: str,
                  rename: Callable[[str], str] = lambda name: name) -> None:
    """Show a service's field errors (InvalidInput.fields) under the form's own fields.

    `rename` maps a service's field name to the form's; a name the form lacks goes under `fallback`.
    """
    for name, problem in fields.items():
        target = rename(name)
        field = form[target] if target in form else form[fallback]
        # WTForms keeps errors in a tuple until validation has run on the field.
        field.errors = list(field.errors) + [problem]


def attach_domain_error(form, exc, fallback: str, rename: Callable[[str], str] = lambda name: name) -> None:
    """A DomainError on the form: its fields, or its message under `fallback` when it names none."""
    attach_errors(form, exc.fields or {fallback: exc.message}, fallback, rename)
