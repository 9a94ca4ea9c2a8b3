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
        super().__init__(label, choices=choices({"": _l("As my browser asks"), **LANGUAGES}), **kwargs)

    def process_data(self, value):
        super().process_data(value or "")  # no choice stored (None) is the "as my browser asks" option

    def populate_obj(self, obj, name):
        setattr(obj, name, self.data or None)


class SignInForm(Form):
    email = EmailField(_l("Email"), validators=[InputRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class SignUpForm(Form):
    name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)])
    discipline = SelectField(_l("Discipline"), choices=choices(DISCIPLINES))
    timezone = TimezoneField(description=_l("Every time on the site is shown in this zone."))


class ProfileForm(Form):
    name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=120)], filters=[one_line])
    discipline = SelectField(_l("Discipline"), choices=choices(DISCIPLINES))
    timezone = TimezoneField(description=_l("Every time on the site is shown in this zone."))
    language = LanguageField(_l("Language"), description=_l("Pages and emails are written in this language."))


class ResetRequestForm(Form):
    email = EmailField(_l("Email"), validators=[InputRequired(), Length(max=254)])


class ResetForm(Form):
    """Choosing a password: after a reset link, and when confirming a new account's address."""

    password = PasswordField(_l("New password"), validators=[InputRequired(), Length(min=MIN_PASSWORD, max=200)],
                             description=_l("At least %(num)d characters.", num=MIN_PASSWORD))
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[InputRequired(), EqualTo("password", _l("The passwords differ."))])


class ChangePasswordForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired(), Length(max=200)])
    password = PasswordField(_l("New password"), validators=[InputRequired(), Length(min=MIN_PASSWORD, max=200)],
                             description=_l("At least %(num)d characters. You will stay signed in here only.",
                                            num=MIN_PASSWORD))
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[InputRequired(), EqualTo("password", _l("The passwords differ."))])


class ApiTokenForm(Form):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=80)],
                       description=_l('What the token is for, e.g. "reporting script".'))
