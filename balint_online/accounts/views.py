"""Sign-up, sign-in, sign-out, password reset and the profile page."""

from collections.abc import Callable
from typing import cast

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..core.errorpage import error_page
from ..core.errors import DomainError
from ..core.forms import attach_domain_error, required
from ..core.urls import safe_path
from ..core.viewer import viewer_timezone, visitor_zone_unknown
from ..core.zonelist import chosen_zone
from ..extensions import db, limiter, login_manager
from ..notifications.models import OutboxMessage
from . import signins
from .forms import ApiTokenForm, ChangePasswordForm, ProfileForm, ResetForm, ResetRequestForm, SignInForm, SignUpForm
from .models import ApiToken
from .services import (
    api_tokens,
    authenticate,
    change_password,
    complete_password_reset,
    create_user,
    find_reset,
    read_sign_up,
    revoke_api_token,
    start_password_reset,
    start_sign_up,
)

bp = Blueprint("accounts", __name__)


def _safe_next(default: str) -> str:
    return safe_path(request.args.get("next"), default)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _account_limit() -> str:
    return current_app.config["ACCOUNT_RATE_LIMIT"]


def _account_key() -> str:
    """Counts attempts on one account from every address: a botnet spreading its guesses still meets a limit."""
    return "account:" + request.form.get("email", "").strip().lower()[:254]


def _throttled(error_message: Callable[[], str] | None = None):
    """Per IP and per account, on POST only; `error_message` gives the refusal in the page's language."""
    def decorate(view):
        view = limiter.limit(_account_limit, key_func=_account_key, methods=["POST"], error_message=error_message)(view)
        return limiter.limit(_login_limit, methods=["POST"], error_message=error_message)(view)
    return decorate


@bp.route("/sign-in", methods=["GET", "POST"])
@_throttled(lambda: _("Too many sign-in attempts; wait a minute and try again."))
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        user = authenticate(required(form.email), required(form.password))
        if user is not None:
            signins.sign_in(user, remember=form.remember.data)
            db.session.commit()
            flash(_("Welcome back, %(name)s.", name=user.name), "success")
            return redirect(_safe_next(url_for("pages.home")))
        # Validation leaves each field's errors a list (WTForms types them as any sequence).
        cast(list[str], form.password.errors).append(_("That email and password do not match an account."))
    return render_template("accounts/sign_in.html", form=form), 422 if form.errors else 200


@bp.route("/sign-up", methods=["GET", "POST"])
@_throttled()
def sign_up():
    form = SignUpForm()
    if request.method == "GET":
        # A link's ?tz=, else the zone the visitor chose or their browser's (core/viewer.py); until
        # the browser's is known, static/js/zones.js moves the untouched field to it.
        linked = chosen_zone(request.args.get("tz"))
        form.timezone.data = linked or viewer_timezone()
        if linked is None and visitor_zone_unknown():
            form.timezone.render_kw = {"data-viewer-zone": ""}
    if form.validate_on_submit():
        try:
            start_sign_up(email=required(form.email), name=required(form.name), timezone=form.timezone.data,
                          discipline=form.discipline.data)
        except DomainError as exc:
            attach_domain_error(form, exc, "email")
        else:
            db.session.commit()
            return render_template("accounts/sign_up_sent.html", email=required(form.email).strip().lower())
    return render_template("accounts/sign_up.html", form=form), 422 if form.errors else 200


@bp.route("/sign-up/confirm/<token>", methods=["GET", "POST"])
def confirm_sign_up(token):
    details = read_sign_up(token)
    if details is None:
        return error_page(404, _("This link has expired or was used already. Create your account again, or sign in."))
    form = ResetForm()
    if form.validate_on_submit():
        try:
            # The language they signed up in is the one their emails are written in, jobs' included.
            user = create_user(password=required(form.password), language=str(get_locale()), **details)
        except DomainError as exc:
            attach_domain_error(form, exc, "password")
        else:
            signins.sign_in(user)
            db.session.commit()
            flash(_("Your account is ready. Find a group that suits you below."), "success")
            return redirect(url_for("series.catalogue"))
    return render_template("accounts/confirm_sign_up.html", form=form, details=details), 422 if form.errors else 200


@bp.post("/sign-out")
def sign_out():
    if current_user.is_authenticated:
        signins.sign_out(current_user)
        db.session.commit()
    flash(_("You are signed out."), "info")
    return redirect(url_for("series.catalogue"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@_throttled()
def forgot_password():
    form = ResetRequestForm()
    if form.validate_on_submit():
        start_password_reset(required(form.email))
        db.session.commit()
        flash(_("If that address has an account, a reset link is on its way. It works once, for a short time."), "info")
        return redirect(url_for(".sign_in"))
    return render_template("accounts/forgot.html", form=form), 422 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    if find_reset(token) is None:
        return render_template("accounts/reset_invalid.html"), 404
    form = ResetForm()
    if form.validate_on_submit():
        try:
            user = complete_password_reset(token, required(form.password))
        except DomainError as exc:
            cast(list[str], form.password.errors).append(exc.message)  # a list once validated
        else:
            signins.sign_in(user)
            db.session.commit()
            flash(_("Your password is changed, and every other device is signed out."), "success")
            return redirect(url_for("pages.home"))
    return render_template("accounts/reset.html", form=form)


def _account_page(form=None, password_form=None, status=200):
    return render_template("accounts/profile.html", form=form or ProfileForm(obj=current_user),
                           password_form=password_form or ChangePasswordForm(),
                           sign_ins=signins.live_sign_ins(current_user),
                           this_sign_in=signins.current_record(current_user)), status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        form.populate_obj(current_user)
        db.session.commit()
        flash(_("Your details are saved."), "success")
        return redirect(url_for(".profile"))
    return _account_page(form, status=422 if form.errors else 200)


@bp.post("/account/password")
@login_required
@limiter.limit(_login_limit)
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, required(form.current_password), required(form.password))
        except DomainError as exc:
            attach_domain_error(form, exc, "current_password")
        else:
            signins.sign_in(current_user._get_current_object())  # the person, not the proxy that reads g
            db.session.commit()
            flash(_("Your password is changed, and every other device is signed out."), "success")
            return redirect(url_for(".profile"))
    return _account_page(password_form=form, status=422)


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    count = signins.end_everywhere(current_user)
    signins.sign_out(current_user)
    db.session.commit()
    flash(ngettext("You are signed out everywhere (%(num)d session ended).",
                   "You are signed out everywhere (%(num)d sessions ended).", count), "info")
    return redirect(url_for(".sign_in"))


def dev_outbox_enabled() -> bool:
    """Development only: `make run` (debug), or DEV_OUTBOX set on the embedded defaults; never in production.

    It shows every message, reset links among them, to whoever is signed in.
    """
    config = current_app.config
    wanted = config["DEV_OUTBOX"]
    return not config.get("PRODUCTION") and (current_app.debug if wanted is None else bool(wanted))


@bp.get("/dev/outbox")
def outbox():
    """Development aid: read what the platform would have emailed."""
    if not dev_outbox_enabled():
        abort(404)
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(100)).all()
    return render_template("accounts/outbox.html", messages=messages)


def _tokens_page(form=None, new_token=None, status=200):
    return render_template("accounts/tokens.html", form=form or ApiTokenForm(), tokens=api_tokens(current_user),
                           new_token=new_token, days=current_app.config["API_TOKEN_DAYS"]), status


@bp.get("/account/tokens")
@login_required
def tokens():
    return _tokens_page()


@bp.post("/account/tokens")
@login_required
def create_token():
    form = ApiTokenForm()
    if not form.validate_on_submit():
        return _tokens_page(form, status=422)
    _, raw = ApiToken.issue(current_user, name=required(form.name))
    db.session.commit()
    # Shown on this answer only (never stored, never flashed into the session cookie).
    return _tokens_page(new_token=raw, status=201)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id):
    token = revoke_api_token(token_id, owner=current_user)
    if token is None:
        abort(404)
    db.session.commit()
    flash(_("The token \u201c%(name)s\u201d no longer works.", name=token.name), "info")
    return redirect(url_for(".tokens"))
