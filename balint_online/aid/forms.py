"""Forms for applying for aid, deciding it, and setting up a programme."""

from wtforms import DateField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than types-WTForms
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import Form, choices
from . import rules


def _strip(text):
    return text.strip() if text else text


class AidApplicationForm(Form):
    programme_id = RadioField("Programme", coerce=int, validators=[InputRequired("Choose a programme.")])
    training_status = SelectField("Your training status", choices=choices(rules.TRAINING_STATUSES), default="none")
    specialty = SelectField("Your specialty, if you are a resident or fellow", choices=choices(rules.SPECIALTIES),
                            default="")
    statement = TextAreaField(
        "Why you are applying", filters=[_strip],
        validators=[InputRequired("Say briefly why you are applying."),
                    Length(rules.STATEMENT_MIN, rules.STATEMENT_MAX)],
        description=f"A few sentences on why the tuition is a hardship or barrier for you "
                    f"(at most {rules.STATEMENT_MAX} characters). Please write nothing about patients.")


class AidDecisionForm(Form):
    reason = TextAreaField("Note (sent to the applicant when declining)", filters=[_strip],
                           validators=[Optional(), Length(max=1000)])


class ProgrammeForm(Form):
    series_id = SelectField("For", coerce=int, default=0)
    kind = SelectField("Kind", choices=choices(rules.KINDS))
    name = StringField("Name", validators=[InputRequired(), Length(max=200)])
    description = TextAreaField("What the society says about it (shown to applicants)", validators=[Length(max=4000)])
    max_awards = IntegerField("Most awards per series (empty: no limit)", validators=[Optional(), NumberRange(1, 1000)])
    groups = SelectMultipleField("Who may apply (none ticked: everyone registered)",
                                 choices=[SelectChoice(key, label) for key, (label, _) in rules.GROUPS.items()],
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    deadline = DateField("Application deadline (inclusive, in the series' time zone)", validators=[Optional()])
