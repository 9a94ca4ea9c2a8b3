"""Form pieces shared by features: every page's form derives from `Form`."""

from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Protocol, TypeVar

import wtforms
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import DateField, DateTimeField, DecimalField, SelectField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than types-WTForms
from wtforms.meta import DefaultMeta
from wtforms.validators import InputRequired, StopValidation, ValidationError
from wtforms.widgets import Select, html_params

from . import clock
from .money import money
from .schemas import day_problem, text_problem
from .zonelist import canonical_zones, chosen_zone, grouped_choices


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


class _QuickSelect(Select):
    """WTForms' select with the same markup, written in one pass: its own renders every option through
    html_params and looks the option renderer up again on every render, a tenth of a page with a few
    hundred options (a leader's rotation forms, the attendance grid). Groups, options with attributes
    of their own and values other than text or numbers go WTForms' way."""

    def __call__(self, field, **kwargs):
        choices = [] if field.has_groups() else list(field._iter_choices_normalized())
        if not choices or any(c.render_kw or isinstance(c.value, bool) or not isinstance(c.value, (str, int))
                              for c in choices):
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for name in self.validation_attrs:
            if name not in kwargs and getattr(flags, name, False):
                kwargs[name] = getattr(flags, name)
        options = "".join(f'<option {"selected " if c.selected else ""}value="{escape(c.value)}">'
                          f"{escape(c.label or c.value)}</option>" for c in choices)
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>{options}</select>")


_QUICK_SELECT = _QuickSelect()


class SharedRules(DefaultMeta):
    """`storable_text` first on every field and `sane_date` on every date field, for pages' forms and
    the groups nested in them alike; single-choice selects written by `_QuickSelect`."""

    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        dates = [sane_date] if isinstance(field, (DateField, DateTimeField)) else []
        field.validators = [storable_text, *field.validators, *dates]
        if type(field.widget) is Select and not field.widget.multiple:
            field.widget = _QUICK_SELECT
        return field


class Form(FlaskForm):
    """A page's form: CSRF-protected (Flask-WTF), with the shared rules on every field."""

    class Meta(SharedRules):
        pass


class SubForm(wtforms.Form):
    """A group of fields repeated inside a page's form (FieldList(FormField(...))): the same rules,
    no token of its own (the page's form carries it)."""

    Meta = SharedRules


T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class _Holds(Protocol[T_co]):
    @property
    def data(self) -> T_co | None: ...


def required(field: _Holds[T]) -> T:
    """The value of a validated field whose validators (InputRequired, DataRequired) admit no form without one.

    WTForms types every field's data as optional, since a field missing from the post keeps None.
    """
    if field.data is None:
        raise ValueError("a required field has no value: read it only after the form validated")
    return field.data


@lru_cache(maxsize=2)
def _zone_options(hour: datetime) -> str:
    """Every zone as an <option> in its region's <optgroup>, with the offset of `hour`: built once an hour
    per process, since rendered afresh (WTForms, 500-odd options) they were most of the time of every
    page with a zone to choose (the account page, sign-up, the picker)."""
    parts = []
    for region, zones in grouped_choices(hour):
        options = "".join(
            f'<option value="{escape(z.name)}" data-search="{escape(z.search)}">{escape(z.label)}</option>'
            for z in zones
        )
        parts.append(f'<optgroup label="{escape(region)}">{options}</optgroup>' if region else options)
    return "".join(parts)


def timezone_options(selected: str) -> Markup:
    """The grouped options with `selected` (or the zone an alias of it names) chosen; offsets as of now."""
    markup = _zone_options(clock.now().replace(minute=0, second=0, microsecond=0))
    zone = chosen_zone(selected)
    if zone is not None:
        value = f'<option value="{escape(zone)}"'
        markup = markup.replace(value, value + " selected", 1)
    return Markup(markup)


def choices(mapping: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in mapping.items()]


def zone_script() -> Markup:
    """static/js/zones.js, for the pages with a zone to choose only (it runs once however often it is named),
    with the words its search box shows, in the page's language."""
    words = html_params(data_placeholder=_("Search a city or country"), data_label=_("Search zones by city or country"),
                        data_one=_("1 time zone matches."), data_many=_("%(count)s time zones match.", count="{count}"),
                        data_none=_("No time zone matches; the whole list is shown."))
    return Markup(f'<script src="{escape(url_for("static", filename="js/zones.js"))}" {words} defer></script>')


class _ZoneSelect(Select):
    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        if "required" not in kwargs and "required" in getattr(field, "flags", []):
            kwargs["required"] = True
        # data-zone-search: the script puts a search box before it.
        return Markup(f"<select {html_params(name=field.name, data_zone_search=True, **kwargs)}>"
                      f"{timezone_options(field.data or '')}</select>{zone_script()}")


class TimezoneField(SelectField):
    """A zone of the list; a posted alias is taken as its canonical zone, and only names stay stored."""

    widget = _ZoneSelect()

    def __init__(self, label=None, **kwargs):
        kwargs.setdefault("validators", [InputRequired()])
        super().__init__(label or _l("Time zone"), **kwargs)

    def process_formdata(self, valuelist):
        if valuelist:
            self.data = chosen_zone(valuelist[0]) or valuelist[0]

    def pre_validate(self, form):
        if self.data not in canonical_zones():
            raise ValidationError(_("Choose a time zone from the list."))


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


class MoneyField(DecimalField):
    """An amount as people type it, read by the same rule as the API's (core.money.money):
    at most two places, within a money column; "1.005" or "1e400" is refused, never rounded."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, places=2, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0] and not valuelist[0].strip():
            # Only spaces pass InputRequired; an Optional field clears this error and stays empty.
            raise ValueError(_("Write an amount, like 875.00."))
        if valuelist and valuelist[0].strip():
            try:
                self.data = money(valuelist[0])
            except (TypeError, ValueError) as exc:
                raise ValueError(_("Write the amount like 875.00: it %(problem)s.", problem=exc)) from None
