from wtforms import BooleanField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..core.forms import Form
from . import attestation

def _strip(text):
    return text.strip() if text else text


NOTE_HINT = ("Optional, for the leaders: your setting, what draws you to the group. "
             "Please include no patient details.")


class ApplyForm(Form):
    trainee = BooleanField("I am a trainee (resident, student or fellow)",
                           description="Trainees pay the trainee rate; the price below follows this box.")
    note = TextAreaField("A note for the leaders", filters=[_strip], validators=[Optional(), Length(max=1000)], description=NOTE_HINT)
    recalculate = SubmitField("Update the price")
    submit = SubmitField("Apply")

    def answers(self) -> dict[str, bool]:
        return {key: self[field_name(key)].data for key in attestation.KEYS}

    def attestation_fields(self):
        return [self[field_name(key)] for key in attestation.KEYS]


def field_name(key: str) -> str:
    return f"attest_{key}"


# One checkbox per commitment, labelled with its exact wording.
for _key, _wording in attestation.ITEMS:
    setattr(ApplyForm, field_name(_key), BooleanField(_wording))


class WithdrawForm(Form):
    reason = TextAreaField("Why are you withdrawing?", filters=[_strip],
                           validators=[DataRequired("Please say why, in a sentence."), Length(max=1000)],
                           description="Your written withdrawal; the leaders see it. No patient details, please.")


class DeclineForm(Form):
    reason = TextAreaField("Reason for declining", filters=[_strip],
                           validators=[DataRequired("A reason is required: the applicant is told."), Length(max=1000)],
                           description="The applicant receives this reason by email, as written.")
