"""Server-rendered pages: blueprints, template helpers, health checks and error pages."""

from functools import cache

from flask import Blueprint, Flask, has_request_context, redirect, render_template, request, url_for
from werkzeug.exceptions import SecurityError
from werkzeug.routing import BuildError
from markupsafe import Markup
from flask_login import current_user, login_required
from sqlalchemy import text

from .core import clock, timefmt
from .core.pagination import page_url
from .core.forms import timezone_names, timezone_options
from .core.urls import safe_path
from .features import feature_modules
from .extensions import db, login_manager

health = Blueprint("health", __name__)


@health.get("/healthz")
def healthz():
    return {"status": "ok"}


@health.get("/readyz")
def readyz():
    """Ready when the database answers and its schema is at the newest migration."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from flask import current_app

    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(conn).get_current_heads())
    except Exception as exc:  # any failure to reach the database means not ready
        return {"status": "unavailable", "reason": type(exc).__name__}, 503
    migrate_ext = current_app.extensions["migrate"]
    heads = set(ScriptDirectory.from_config(migrate_ext.migrate.get_config(migrate_ext.directory)).get_heads())
    if current != heads:
        return {"status": "unavailable", "reason": "database not migrated"}, 503
    return {"status": "ready"}


TZ_COOKIE = "tz"


def viewer_timezone() -> str:
    """The signed-in person's zone; a visitor's chosen zone (cookie); else UTC."""
    # Emails are rendered by the scheduler too, where nobody is signed in.
    if not has_request_context():
        return "UTC"
    if current_user.is_authenticated:
        return current_user.timezone
    chosen = request.cookies.get(TZ_COOKIE, "")
    return chosen if chosen in timezone_names() else "UTC"


def error_page(status: int, message: str | None, headers=None):
    # The page shows the signed-in person, which needs a usable session even after a failed statement.
    db.session.rollback()
    titles = {400: "That request was not understood", 403: "Not for you, sorry", 404: "Page not found",
              405: "Not allowed here", 409: "That cannot be done now", 413: "That is too large to send",
              422: "Please check what you entered", 429: "Slow down a little", 500: "Something went wrong"}
    body = render_template("error.html", status=status, title=titles.get(status, "Error"), message=message)
    return body, status, dict(headers or {})


def register_web(app: Flask) -> None:
    from .accounts.signins import load_user

    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"

    login_manager.user_loader(load_user)

    for bp in (health, pages, *(module.bp for module in feature_modules("views"))):
        app.register_blueprint(bp)

    @app.context_processor
    def template_helpers():
        return {"viewer_tz": viewer_timezone(), "society_name": app.config["SOCIETY_NAME"],
                "now": clock.now()}

    app.add_template_global(page_url)
    app.add_template_global(timezone_options)

    @app.template_global()
    def feature_url(endpoint: str, **values) -> str | None:
        """A link into another feature's pages, or None where that page does not exist."""
        try:
            return url_for(endpoint, **values)
        except BuildError:
            return None

    @app.template_filter("when")
    def when(instant, tz=None, with_date=True):
        return timefmt.human(instant, tz or viewer_timezone(), with_date=with_date)

    @app.template_filter("span")
    def span(meeting, tz=None):
        """A meeting's start and end, the end dated when it falls on the next day."""
        return timefmt.human_span(meeting.starts_at, meeting.ends_at, tz or viewer_timezone())

    @app.template_filter("until")
    def until_filter(instant):
        return timefmt.until(instant, clock.now())

    @app.template_filter("money")
    def money_filter(amount, currency=""):
        return f"{amount:,.2f} {currency}".strip()

    @app.errorhandler(SecurityError)
    def untrusted_host(exc):
        # Plain: a page would build links for a host this site does not answer to.
        return "Unknown host.", 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        # same-origin: secret addresses (calendar feeds, reset links) never leave in a Referer.
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Content-Security-Policy", content_security_policy(app.config["PAYMENT_PROVIDER"]))
        headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if app.config["STRICT_TRANSPORT_SECURITY"]:
            headers.setdefault("Strict-Transport-Security", app.config["STRICT_TRANSPORT_SECURITY"])
        if _personal():
            headers["Cache-Control"] = "no-store"
        return response


@cache
def content_security_policy(payment_provider: str) -> str:
    """Forms post only here, and on to the payment provider's hosted page (browsers hold the redirect
    after "Pay" to form-action too); no page may frame ours, and no <base> may redirect relative links."""
    from .pricing.providers import PROVIDERS

    provider = PROVIDERS.get(payment_provider)
    form_action = " ".join(("'self'", *(provider.form_action_origins if provider else ())))
    return ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            f"object-src 'none'; frame-ancestors 'none'; form-action {form_action}; base-uri 'none'")
# Video rooms open on the provider's site, so no page here needs a camera, a microphone or more.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def _personal() -> bool:
    """Whether this answer was made for someone: a signed-in page or download, or an API call with a token.

    Such answers (names, payments, invoices, rosters, CSV exports, tokens shown once) must stay out
    of every cache, the browser's included. Only a user already loaded counts, so static files
    cost no database work. The personal calendar feed is not covered: calendar clients poll it
    and revalidate with its ETag, so it answers "private, no-cache" itself (calendar/views.py).
    """
    from flask import g

    user = g.get("_login_user")
    return bool(getattr(user, "is_authenticated", False) or g.get("api_user") is not None)


pages = Blueprint("pages", __name__)


@pages.post("/viewer-timezone")
def choose_timezone():
    """Lets a visitor see every time in their own zone before creating an account."""
    chosen = request.form.get("timezone", "")
    response = redirect(safe_path(request.form.get("next"), "/"))
    if chosen in timezone_names():
        response.set_cookie(TZ_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


@pages.get("/home")
@login_required
def home():
    """The member's own page: what they lead and what they applied to."""
    return render_template("home.html", sections=home_sections(current_user))


def home_sections(user) -> list[Markup]:
    """Each feature's `home.section(user)` gives a (template, context) pair, or None; rendered in order."""
    contributions = (module.section(user) for module in feature_modules("home"))
    return [Markup(render_template(template, **context)) for template, context in filter(None, contributions)]
