from datetime import date
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DecimalField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ..core.forms import Form, MoneyField, TimezoneField, choices
from ..core.prices import CATEGORIES, CATEGORY_LABELS
from ..core.schemas import day_problem
from ..core.videoproviders import PROVIDER_LABELS


def _skip_dates(form, field):
    try:
        field.parsed = [date.fromisoformat(p.strip()) for p in (field.data or "").replace(";", ",").split(",")
                        if p.strip()]
    except ValueError as exc:
        raise ValidationError(_("Write dates as YYYY-MM-DD, separated by commas.")) from exc
    for day in field.parsed:
        if problem := day_problem(day):
            raise ValidationError(f"{day}: {problem}")


class SeriesForm(Form):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)],
                                description=_l("Who the group is for, what to expect. No patient details."))
    timezone = TimezoneField(_l("The group's time zone"))
    first_date = DateField(_l("Date of the first meeting"), validators=[InputRequired()])
    start_time = TimeField(_l("Start time (in the group's zone)"), validators=[InputRequired()])
    meeting_count = IntegerField(_l("Number of meetings"), default=8,
                                 validators=[InputRequired(), NumberRange(1, 52)])
    interval_weeks = IntegerField(_l("Weeks between meetings"), default=1,
                                  validators=[InputRequired(), NumberRange(1, 8)])
    duration_minutes = IntegerField(_l("Length in minutes"), default=90,
                                    validators=[InputRequired(), NumberRange(15, 480)])
    capacity = IntegerField(_l("Places"), default=8, validators=[InputRequired(), NumberRange(1, 500)])
    presenters_per_meeting = IntegerField(_l("Presenters per meeting"), default=1,
                                          validators=[InputRequired(), NumberRange(1, 10)])
    co_leader = EmailField(_l("Co-leader's email (optional)"), validators=[Optional(), Length(max=254)])
    video_provider = SelectField(_l("Video"), choices=choices(PROVIDER_LABELS))
    currency = StringField(_l("Currency"), default=lambda: current_app.config["DEFAULT_CURRENCY"],
                           validators=[InputRequired(), Length(min=3, max=3)])
    trainee_discount = DecimalField(_l("Trainee discount % (fills blank trainee prices)"), places=0,
                                    default=Decimal(20), validators=[Optional(), NumberRange(0, 100)])
    early_bird_deadline = DateField(_l("Early-bird rate through"), validators=[Optional()])
    registration_deadline = DateField(_l("Applications taken through"), validators=[Optional()],
                                      description=_l("The last day, in the group's zone, on which people can apply."))
    cancellation_deadline = DateField(_l("Cancellation deadline"), validators=[Optional()])
    cancellation_fee = MoneyField(_l("Cancellation fee"), default=Decimal("100.00"), validators=[InputRequired()])
    skip_dates = StringField(_l("Skip dates (YYYY-MM-DD, comma-separated)"), validators=[Optional(), _skip_dates])
    offer_hours = IntegerField(_l("Hours a waiting-list offer stays open"), default=48,
                               validators=[InputRequired(), NumberRange(1, 336)])


# One early and one regular field per price category, added to the form class.
for _category in CATEGORIES:
    for _period in ("early", "regular"):
        setattr(SeriesForm, f"price_{_category}_{_period}", MoneyField(
            _l("%(category)s: early", category=_l(CATEGORY_LABELS[_category])) if _period == "early"
            else _l("%(category)s: regular", category=_l(CATEGORY_LABELS[_category])), validators=[Optional()]))


# What a published series' edit page offers: the changes that keep what applicants were promised.
PUBLISHED_FIELDS = ("title", "description", "co_leader", "capacity", "early_bird_deadline", "registration_deadline",
                    "cancellation_deadline")


def only_published_fields(form: SeriesForm) -> SeriesForm:
    for name in [f.name for f in form if f.name not in PUBLISHED_FIELDS and f.name != "csrf_token"]:
        del form[name]
    return form


def price_field_rows(form: SeriesForm):
    if f"price_{CATEGORIES[0]}_regular" not in form:
        return []
    return [(_(CATEGORY_LABELS[c]), form[f"price_{c}_early"], form[f"price_{c}_regular"]) for c in CATEGORIES]


def fill_form(form: SeriesForm, data, co_leader: str | None) -> None:
    """Show a series' terms (a SeriesInput) in the form, to be edited."""
    for f in form:
        if f.name in ("csrf_token", "first_date", "start_time", "co_leader", "skip_dates", "trainee_discount") \
                or f.name.startswith("price_"):
            continue
        f.data = getattr(data, f.name)
    if "first_date" in form:
        form.first_date.data, form.start_time.data = data.first_meeting_local.date(), data.first_meeting_local.time()
        form.skip_dates.data = ", ".join(d.isoformat() for d in data.skip_dates)
        form.trainee_discount.data = None
        for category, cell in (data.prices or {}).items():
            for period in ("early", "regular"):
                if cell.get(period) is not None:
                    form[f"price_{category}_{period}"].data = Decimal(cell[period])
    form.co_leader.data = co_leader


def prices_from_form(form: SeriesForm) -> dict:
    table = {}
    for category in CATEGORIES:
        cell = {}
        for period in ("early", "regular"):
            value = form[f"price_{category}_{period}"].data
            if value is not None:
                cell[period] = f"{value:.2f}"
        if cell:
            table[category] = cell
    return table


class BackgroundForm(Form):
    """A leader's professional background, shown beside their name on the series they lead."""

    background = TextAreaField(_l("Your professional background"), validators=[Optional(), Length(max=600)],
                               render_kw={"maxlength": 600, "rows": 4},
                               description=_l("A few lines for clinicians choosing a group: your profession, "
                                              "training as a Balint leader, and experience. "
                                              "Shown on your series' public pages."))
