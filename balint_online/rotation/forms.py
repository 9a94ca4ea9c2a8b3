"""Forms of the rotation pages: plain selects and checkboxes (no drag and drop, no scripts)."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import Form
from .models import CASE_TITLE_MAX


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SwapForm(Form):
    turn_a = SelectField(_l("First turn"), validators=[InputRequired()])
    turn_b = SelectField(_l("Second turn"), validators=[InputRequired()])


class MoveForm(Form):
    turn = SelectField(_l("Turn to move"), validators=[InputRequired()])
    to_meeting = SelectField(_l("To meeting"), validators=[Optional()])
    to_user = SelectField(_l("Presented by"), validators=[Optional()])


class AvailabilityForm(Form):
    unavailable = MultiCheckboxField(_l("Meetings where I cannot present"), coerce=int, validate_choice=True)


class SwapRequestForm(Form):
    my_turn = SelectField(_l("Your turn"), validators=[InputRequired()])
    their_turn = SelectField(_l("The turn you would like instead"), validators=[InputRequired()])
    message = TextAreaField(_l("A note for them (optional)"), validators=[Optional(), Length(max=500)],
                            description=_l("Why you ask, if you like. No names, dates or details that could "
                                           "identify a patient."))


class PlacementForm(Form):
    blockout = SelectField(_l("Member and meeting they marked unavailable"), validators=[InputRequired()])
    message = TextAreaField(_l("A note for them (optional)"), validators=[Optional(), Length(max=500)],
                            description=_l("Why you ask, e.g. so that everyone keeps a turn. No names, dates or "
                                           "details that could identify a patient."))


class CaseTitleForm(Form):
    case_title = StringField(
        _l("Title of your case (optional)"), validators=[Optional(), Length(max=CASE_TITLE_MAX)],
        description=_l("A few words for the group, at most %(max)s characters, such as \u201cThe patient who "
                       "always brings a gift\u201d. No names, dates or details that could identify a patient.",
                       max=CASE_TITLE_MAX),
    )


def turn_value(meeting_id: int, user_id: int) -> str:
    return f"{meeting_id}:{user_id}"


def parse_turn(value: str) -> tuple[int, int]:
    """A turn_value chosen from a validated select (so well formed) as (meeting id, user id)."""
    meeting_id, user_id = (int(part) for part in (value or "").split(":"))
    return meeting_id, user_id
