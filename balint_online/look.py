"""The site's look: the society's logo and accent (settings), /theme.css, and /design, the page of examples
of every component (templates/design.html)."""

from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional, Regexp

from .core import theme
from .core.forms import Form, choices
from .core.pagination import ListPage

look = Blueprint("look", __name__)


def society_logo_url(absolute: bool = False) -> str | None:
    """SOCIETY_LOGO_URL as a browser loads it: an absolute URL as given, a path under static served here
    (with BASE_URL in front for an email)."""
    logo = current_app.config["SOCIETY_LOGO_URL"]
    if not logo or theme.logo_origin(logo):
        return logo or None
    if absolute:
        return f"{current_app.config['BASE_URL'].rstrip('/')}{current_app.static_url_path}/{logo.lstrip('/')}"
    return url_for("static", filename=logo.lstrip("/"))


def theme_url() -> str:
    # The colour in the address: a changed accent is fetched afresh, an unchanged one stays cached.
    return url_for("look.theme_css", v=current_app.config["SOCIETY_ACCENT_COLOR"].strip().lstrip("#").lower())


def email_theme() -> dict:
    """The accent's shades and the logo's absolute address, for the emails' inline styles."""
    return {**theme.accent_palette(current_app.config["SOCIETY_ACCENT_COLOR"]), "logo": society_logo_url(absolute=True)}


@look.get("/theme.css")
def theme_css():
    """The society's accent as CSS custom properties: a stylesheet from here, so the CSP needs no inline style."""
    body = theme.theme_css(current_app.config["SOCIETY_ACCENT_COLOR"])
    return body, 200, {"Content-Type": "text/css; charset=utf-8", "Cache-Control": "public, max-age=86400"}


class ExampleForm(Form):
    """The form on /design: every field style, and a real error summary when sent incomplete."""

    name = StringField(_l("Full name"), [InputRequired(_l("Enter your full name."))],
                       description=_l("As it should appear on certificates."))
    email = StringField(
        _l("Email"),
        [
            InputRequired(_l("Enter an email address.")),
            Regexp(r"[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter an address like name@example.org.")),
        ],
    )
    discipline = SelectField(_l("Discipline"), choices=choices({"": _l("Choose one"), "physician": _l("Physician"),
                                                                "nurse_practitioner": _l("Nurse practitioner"),
                                                                "psychologist": _l("Psychologist")}),
                             validators=[InputRequired(_l("Choose your discipline."))])
    note = TextAreaField(_l("Anything the leaders should know"), [Optional()],
                         description=_l("Optional. Please share no identifying patient details."))
    agree = BooleanField(_l("I will keep every case non-identifying"), [DataRequired(_l("Tick the box to continue."))])


@look.route("/design", methods=["GET", "POST"])
def design():
    """The design system's page of examples, rendered from the macros every page uses.

    Sending the example form shows the error summary and inline errors; nothing is stored."""
    form = ExampleForm()
    if form.validate_on_submit():
        flash(_("The example form is complete. Nothing was stored."), "success")
        return redirect(url_for("look.design"))
    # The example invoices' dates, shown by the `day` filter in the page's language.
    example_dates = (date(2026, 10, 19), date(2026, 10, 26), date(2026, 11, 2))
    return render_template("design.html", form=form, example_pager=ListPage([], 2, 10, 45), example_dates=example_dates)
