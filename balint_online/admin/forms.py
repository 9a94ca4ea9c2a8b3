from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..core.forms import choices
from .services import GRANTABLE_KINDS


class MembershipForm(FlaskForm):
    kind = SelectField("Kind", choices=choices(GRANTABLE_KINDS),
                       description="A member of another Balint society pays the member rate.")
    expires_on = DateField("Expires on (inclusive)", validators=[InputRequired()])
    note = StringField("Note", validators=[Optional(), Length(max=200)],
                       description="For another society's member: which society.")


class ExpiryForm(FlaskForm):
    expires_on = DateField("New expiry date", validators=[InputRequired()])


class ImportForm(FlaskForm):
    csv_file = FileField("CSV file", description="Columns: email, expires_on (YYYY-MM-DD), kind (optional: "
                                                 "society, other_society or complimentary). A header row is allowed.")
    csv_text = TextAreaField("Or paste the rows", validators=[Optional(), Length(max=500_000)])
    check = SubmitField("Check the file (dry run)")
    apply = SubmitField("Apply the import")

    def text(self) -> str | None:
        """The CSV as text, from the upload or the box; None (with the error on the field) when unreadable."""
        upload = self.csv_file.data
        if upload:
            try:
                return upload.read(2_000_000).decode("utf-8-sig")
            except UnicodeDecodeError:
                self.csv_file.errors = ["The file is not UTF-8 text; save it as CSV (UTF-8)."]
                return None
        return self.csv_text.data or ""
