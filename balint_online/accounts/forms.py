from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length

from ..core.forms import Form, TimezoneField, choices
from .models import DISCIPLINES
from .services import MIN_PASSWORD


class SignInForm(Form):
    email = EmailField("Email", validators=[InputRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=200)])
    remember = BooleanField("Keep me signed in on this device")


class SignUpForm(Form):
    name = StringField("Full name", validators=[InputRequired(), Length(max=120)])
    email = EmailField("Email", validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)])
    discipline = SelectField("Discipline", choices=choices(DISCIPLINES))
    timezone = TimezoneField(description="Every time on the site is shown in this zone.")
    password = PasswordField("Password", validators=[InputRequired(), Length(min=MIN_PASSWORD, max=200)],
                             description=f"At least {MIN_PASSWORD} characters.")
    confirm = PasswordField("Repeat the password", validators=[InputRequired(), EqualTo("password", "The passwords differ.")])


class ProfileForm(Form):
    name = StringField("Full name", validators=[InputRequired(), Length(max=120)])
    discipline = SelectField("Discipline", choices=choices(DISCIPLINES))
    timezone = TimezoneField(description="Every time on the site is shown in this zone.")


class ResetRequestForm(Form):
    email = EmailField("Email", validators=[InputRequired(), Length(max=254)])


class ResetForm(Form):
    password = PasswordField("New password", validators=[InputRequired(), Length(min=MIN_PASSWORD, max=200)],
                             description=f"At least {MIN_PASSWORD} characters.")
    confirm = PasswordField("Repeat the password", validators=[InputRequired(), EqualTo("password", "The passwords differ.")])
