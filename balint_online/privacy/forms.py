from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from ..core.forms import Form

# The words a member types to confirm, in the page's language; the English ones are taken on any page.
CONFIRMATION = _l("erase my data")
CONFIRMATION_EN = "erase my data"


def _typed_confirmation(form, field) -> None:
    typed = " ".join((field.data or "").split()).lower()
    if typed not in (str(CONFIRMATION).lower(), CONFIRMATION_EN):
        raise ValidationError(_("Type \u201c%(words)s\u201d to confirm.", words=CONFIRMATION))


class ErasureForm(Form):
    confirm = StringField(_l("Type \u201c%(words)s\u201d to confirm", words=CONFIRMATION),
                          validators=[_typed_confirmation],
                          description=_l("Your account ends when an administrator confirms: this cannot be undone."))


class RefusalForm(Form):
    reason = TextAreaField(_l("Why the request is refused (the member is told)"),
                           validators=[InputRequired(), Length(max=1000)])
