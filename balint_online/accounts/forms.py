from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length

from ..core.forms import Form, TimezoneField, choices
from ..core.i18n import LANGUAGES
from ..core.text import one_line
from .models import DISCIPLINES
from .services import MIN_PASSWORD


class LanguageField(SelectField):
    """Each language named in itself, or "as my browser asks", which is stored as no choice (None)."""

    def __init__(self, label, **kwargs):
        super().__init__(label, choices=[("", _l("As my browser asks")), *LANGUAGES.items()], **kwargs)

    def process_data(self, value):
        super().process_data(value or "")  # no choice stored (None) is the "as my browser asks" option

    def populate_obj(self, obj, name):
        setattr(obj, name, self.data or None)


class SignInForm(Form):
    email = EmailField("Email", validators=[InputRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=200)])
    remember = BooleanField("Keep me signed in on this device")


class SignUpForm(Form):
    name = StringField("Full name", validators=[InputRequired(), Length(max=120)])
    email = EmailField("Email", validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)])
    discipline = SelectField("Discipline", choices=choices(DISCIPLINES))
    timezone = TimezoneField(description="Every time on the site is shown in this zone.")


class ProfileForm(Form):
    name = StringField("Full name", validators=[InputRequired(), Length(max=120)], filters=[one_line])
    discipline = SelectField("Discipline", choices=choices(DISCIPLINES))
    timezone = TimezoneField(description="Every time on the site is shown in this zone.")
    language = LanguageField(_l("Language"), description=_l("Pages and emails are written in this language."))


class ResetRequestForm(Form):
    email = EmailField("Email", validators=[InputRequired(), Length(max=254)])


class ResetForm(Form):
    """Choosing a password: after a reset link, and when confirming a new account's address."""

    password = PasswordField("New password", validators=[InputRequired(), Length(min=MIN_PASSWORD, max=200)],
                             description=f"At least {MIN_PASSWORD} characters.")
    confirm = PasswordField("Repeat the password",
                            validators=[InputRequired(), EqualTo("password", "The passwords differ.")])


class ChangePasswordForm(Form):
    current_password = PasswordField("Current password", validators=[InputRequired(), Length(max=200)])
    password = PasswordField("New password", validators=[InputRequired(), Length(min=MIN_PASSWORD, max=200)],
                             description=f"At least {MIN_PASSWORD} characters. You will stay signed in here only.")
    confirm = PasswordField("Repeat the new password",
                            validators=[InputRequired(), EqualTo("password", "The passwords differ.")])


class ApiTokenForm(Form):
    name = StringField("Name", validators=[InputRequired(), Length(max=80)],
                       description="What the token is for, e.g. \"reporting script\".")
