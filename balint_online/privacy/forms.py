from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from ..core.forms import Form

CONFIRMATION = "erase my data"


def _typed_confirmation(form, field) -> None:
    if " ".join((field.data or "").split()).lower() != CONFIRMATION:
        raise ValidationError(f"Type \u201c{CONFIRMATION}\u201d to confirm.")


class ErasureForm(Form):
    confirm = StringField(f"Type \u201c{CONFIRMATION}\u201d to confirm", validators=[_typed_confirmation],
                          description="Your account ends when an administrator confirms: this cannot be undone.")


class RefusalForm(Form):
    reason = TextAreaField("Why the request is refused (the member is told)",
                           validators=[InputRequired(), Length(max=1000)])
