"""Sign-up, sign-in, sign-out, password reset and the profile page."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..core.errors import DomainError
from ..core.forms import attach_domain_error
from ..extensions import db, limiter
from .forms import ProfileForm, ResetForm, ResetRequestForm, SignInForm, SignUpForm
from .services import authenticate, complete_password_reset, create_user, find_reset, start_password_reset

bp = Blueprint("accounts", __name__)


def _safe_next(default: str) -> str:
    target = request.args.get("next", "")
    parts = urlsplit(target)
    # Only same-site paths: an open redirect would help phishing.
    if target.startswith("/") and not target.startswith("//") and not parts.netloc and not parts.scheme:
        return target
    return default


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], error_message="Too many sign-in attempts; wait a minute and try again.")
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            flash(f"Welcome back, {user.name}.", "success")
            return redirect(_safe_next(url_for("pages.home")))
        form.password.errors.append("That email and password do not match an account.")
    return render_template("accounts/sign_in.html", form=form), 422 if form.errors else 200


@bp.route("/sign-up", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def sign_up():
    form = SignUpForm()
    if request.method == "GET" and not form.timezone.data:
        form.timezone.data = request.args.get("tz", "UTC")
    if form.validate_on_submit():
        try:
            user = create_user(email=form.email.data, name=form.name.data, password=form.password.data,
                               timezone=form.timezone.data, discipline=form.discipline.data)
        except DomainError as exc:
            attach_domain_error(form, exc, "email")
        else:
            login_user(user)
            flash("Your account is ready. Find a group that suits you below.", "success")
            return redirect(_safe_next(url_for("series.catalogue")))
    return render_template("accounts/sign_up.html", form=form), 422 if form.errors else 200


@bp.post("/sign-out")
def sign_out():
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("series.catalogue"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    form = ResetRequestForm()
    if form.validate_on_submit():
        start_password_reset(form.email.data)
        flash("If that address has an account, a reset link is on its way. It works once, for a short time.", "info")
        return redirect(url_for(".sign_in"))
    return render_template("accounts/forgot.html", form=form), 422 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    if find_reset(token) is None:
        return render_template("accounts/reset_invalid.html"), 404
    form = ResetForm()
    if form.validate_on_submit():
        try:
            user = complete_password_reset(token, form.password.data)
        except DomainError as exc:
            form.password.errors.append(exc.message)
        else:
            login_user(user)
            flash("Your password is changed.", "success")
            return redirect(url_for("pages.home"))
    return render_template("accounts/reset.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        form.populate_obj(current_user)
        db.session.commit()
        flash("Your details are saved.", "success")
        return redirect(url_for(".profile"))
    return render_template("accounts/profile.html", form=form)


@bp.get("/dev/outbox")
@login_required
def outbox():
    """Development aid: read what the platform would have emailed (admins, or anyone in debug)."""
    from sqlalchemy import select

    from ..notifications.models import OutboxMessage

    if not (current_app.debug or current_user.is_admin):
        abort(404)
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(100)).all()
    return render_template("accounts/outbox.html", messages=messages)
