"""Forms of the rotation pages: plain selects and checkboxes (no drag and drop, no scripts)."""

from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import Form
from .models import CASE_TITLE_MAX

PRIVACY_HINT = "No names, dates or details that could identify a patient."


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SwapForm(Form):
    turn_a = SelectField("First turn", validators=[InputRequired()])
    turn_b = SelectField("Second turn", validators=[InputRequired()])


class MoveForm(Form):
    turn = SelectField("Turn to move", validators=[InputRequired()])
    to_meeting = SelectField("To meeting", validators=[Optional()])
    to_user = SelectField("Presented by", validators=[Optional()])


class AvailabilityForm(Form):
    unavailable = MultiCheckboxField("Meetings where I cannot present", coerce=int, validate_choice=True)


class SwapRequestForm(Form):
    my_turn = SelectField("Your turn", validators=[InputRequired()])
    their_turn = SelectField("The turn you would like instead", validators=[InputRequired()])
    message = TextAreaField("A note for them (optional)", validators=[Optional(), Length(max=500)],
                            description="Why you ask, if you like. " + PRIVACY_HINT)


class PlacementForm(Form):
    blockout = SelectField("Member and meeting they marked unavailable", validators=[InputRequired()])
    message = TextAreaField("A note for them (optional)", validators=[Optional(), Length(max=500)],
                            description="Why you ask, e.g. so that everyone keeps a turn. " + PRIVACY_HINT)


class CaseTitleForm(Form):
    case_title = StringField(
        "Title of your case (optional)", validators=[Optional(), Length(max=CASE_TITLE_MAX)],
        description=f"A few words for the group, at most {CASE_TITLE_MAX} characters, such as "
                    f"\u201cThe patient who always brings a gift\u201d. {PRIVACY_HINT}",
    )


def turn_value(meeting_id: int, user_id: int) -> str:
    return f"{meeting_id}:{user_id}"


def parse_turn(value: str) -> tuple[int, int]:
    """A turn_value chosen from a validated select (so well formed) as (meeting id, user id)."""
    meeting_id, user_id = (int(part) for part in (value or "").split(":"))
    return meeting_id, user_id
