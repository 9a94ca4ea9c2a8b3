from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..core.forms import Form, choices
from .imports import MAX_FILE_BYTES, MAX_ROWS
from .services import GRANTABLE_KINDS, ROLE_LABELS

# Pasted rows travel as a form field, which Flask keeps under MAX_FORM_MEMORY_SIZE (500 kB).
PASTE_LIMIT = 400_000


class RoleForm(Form):
    role = RadioField(_l("Role"), choices=choices(ROLE_LABELS), validators=[InputRequired()],
                      description=_l("A leader creates and leads groups; an administrator also runs this site."))
    confirm = BooleanField(_l("Yes, take administration away"),
                           description=_l("Only when changing an administrator's role: they lose these pages at once."))


class MembershipForm(Form):
    kind = SelectField(_l("Kind"), choices=choices(GRANTABLE_KINDS),
                       description=_l("A member of another Balint society pays the member rate."))
    expires_on = DateField(_l("Expires on (inclusive)"), validators=[InputRequired()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)],
                       description=_l("For another society's member: which society."))


class ExpiryForm(Form):
    expires_on = DateField(_l("New expiry date"), validators=[InputRequired()])


class ImportForm(Form):
    csv_file = FileField(_l("CSV file"), description=_l(
        "Columns: email, expires_on (YYYY-MM-DD), kind (optional: society, other_society or complimentary). "
        "A header row is allowed. At most %(mb)s MB and %(rows)s rows.", mb=MAX_FILE_BYTES // 1_000_000, rows=MAX_ROWS))
    csv_text = TextAreaField(_l("Or paste the rows"), validators=[Optional(), Length(max=PASTE_LIMIT)])
    check = SubmitField(_l("Check the file (dry run)"))
    apply = SubmitField(_l("Apply the import"))

    def text(self) -> str | None:
        """The CSV as text, from the upload or the box; None (with the error on the field) when unreadable."""
        upload = self.csv_file.data
        if upload:
            content = upload.read(MAX_FILE_BYTES + 1)
            if len(content) > MAX_FILE_BYTES:
                self.csv_file.errors = [_("The file is larger than %(mb)s MB: split it and import each part; "
                                          "nothing was read.", mb=MAX_FILE_BYTES // 1_000_000)]
                return None
            try:
                return content.decode("utf-8-sig")
            except UnicodeDecodeError:
                self.csv_file.errors = [_("The file is not UTF-8 text; save it as CSV (UTF-8).")]
                return None
        return self.csv_text.data or ""
