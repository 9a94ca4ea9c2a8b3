from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..core.forms import Form, choices
from .imports import MAX_FILE_BYTES, MAX_ROWS
from .services import GRANTABLE_KINDS, ROLE_LABELS

# Pasted rows travel as a form field, which Flask keeps under MAX_FORM_MEMORY_SIZE (500 kB).
PASTE_LIMIT = 400_000


class RoleForm(Form):
    role = RadioField("Role", choices=choices(ROLE_LABELS), validators=[InputRequired()],
                      description="A leader creates and leads groups; an administrator also runs this site.")
    confirm = BooleanField("Yes, take administration away",
                           description="Only when changing an administrator's role: they lose these pages at once.")


class MembershipForm(Form):
    kind = SelectField("Kind", choices=choices(GRANTABLE_KINDS),
                       description="A member of another Balint society pays the member rate.")
    expires_on = DateField("Expires on (inclusive)", validators=[InputRequired()])
    note = StringField("Note", validators=[Optional(), Length(max=200)],
                       description="For another society's member: which society.")


class ExpiryForm(Form):
    expires_on = DateField("New expiry date", validators=[InputRequired()])


class ImportForm(Form):
    csv_file = FileField("CSV file", description="Columns: email, expires_on (YYYY-MM-DD), kind (optional: "
                                                 "society, other_society or complimentary). A header row is allowed. "
                                                 f"At most {MAX_FILE_BYTES // 1_000_000} MB and {MAX_ROWS} rows.")
    csv_text = TextAreaField("Or paste the rows", validators=[Optional(), Length(max=PASTE_LIMIT)])
    check = SubmitField("Check the file (dry run)")
    apply = SubmitField("Apply the import")

    def text(self) -> str | None:
        """The CSV as text, from the upload or the box; None (with the error on the field) when unreadable."""
        upload = self.csv_file.data
        if upload:
            content = upload.read(MAX_FILE_BYTES + 1)
            if len(content) > MAX_FILE_BYTES:
                self.csv_file.errors = [f"The file is larger than {MAX_FILE_BYTES // 1_000_000} MB: "
                                        "split it and import each part; nothing was read."]
                return None
            try:
                return content.decode("utf-8-sig")
            except UnicodeDecodeError:
                self.csv_file.errors = ["The file is not UTF-8 text; save it as CSV (UTF-8)."]
                return None
        return self.csv_text.data or ""
