"""Forms for applying for aid, deciding it, and setting up a programme."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than types-WTForms
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import Form
from . import rules


def _strip(text):
    return text.strip() if text else text


def _choices(mapping: dict[str, str]) -> list[SelectChoice]:
    """A registry of aid/rules.py (English, marked for the catalogue) as options in the reader's language."""
    return [SelectChoice(key, _l(label)) for key, label in mapping.items()]


class AidApplicationForm(Form):
    programme_id = RadioField(_l("Programme"), coerce=int, validators=[InputRequired(_l("Choose a programme."))])
    training_status = SelectField(_l("Your training status"), choices=_choices(rules.TRAINING_STATUSES),
                                  default="none")
    specialty = SelectField(_l("Your specialty, if you are a resident or fellow"),
                            choices=_choices(rules.SPECIALTIES), default="")
    statement = TextAreaField(
        _l("Why you are applying"), filters=[_strip],
        validators=[InputRequired(_l("Say briefly why you are applying.")),
                    Length(rules.STATEMENT_MIN, rules.STATEMENT_MAX)],
        description=_l("A few sentences on why the tuition is a hardship or barrier for you "
                       "(at most %(max)d characters). Please write nothing about patients.",
                       max=rules.STATEMENT_MAX))


class AidDecisionForm(Form):
    reason = TextAreaField(_l("Note (sent to the applicant when declining)"), filters=[_strip],
                           validators=[Optional(), Length(max=1000)])


class ProgrammeForm(Form):
    series_id = SelectField(_l("For"), coerce=int, default=0)
    kind = SelectField(_l("Kind"), choices=_choices(rules.KINDS))
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    description = TextAreaField(_l("What the society says about it (shown to applicants)"),
                                validators=[Length(max=4000)])
    max_awards = IntegerField(_l("Most awards per series (empty: no limit)"),
                              validators=[Optional(), NumberRange(1, 1000)])
    groups = SelectMultipleField(_l("Who may apply (none ticked: everyone registered)"),
                                 choices=[SelectChoice(key, _l(label)) for key, (label, *_) in rules.GROUPS.items()],
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    deadline = DateField(_l("Application deadline (inclusive, in the series' time zone)"), validators=[Optional()])
