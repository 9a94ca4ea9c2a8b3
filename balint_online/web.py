"""Server-rendered pages: blueprints, template helpers, health checks and error pages."""

from datetime import date
from functools import cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import (
    Blueprint,
    Flask,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import text
from werkzeug.exceptions import SecurityError
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from .accounts.signins import load_user
from .core import clock, labels, theme, timefmt
from .core.forms import timezone_options, zone_script
from .core.i18n import (
    LANGUAGE_COOKIE,
    LANGUAGES,
    and_list,
    current_locale,
    install_template_gettext,
    known_language,
)
from .core.money import amount_text
from .core.pagination import page_url
from .core.urls import safe_path
from .core.viewer import TZ_COOKIE, viewer_timezone, visitor_zone_unknown
from .core.wording import in_sentence
from .core.zonelist import chosen_zone, same_clock
from .extensions import db, login_manager
from .features import feature_modules
from .homepage import render_home
from .look import email_theme, look, society_logo_url, theme_url
from .pagecache.kept import kept
from .pricing.providers import PROVIDERS

health = Blueprint("health", __name__)


@health.get("/healthz")
def healthz():
    return {"status": "ok"}


@cache
def _migration_heads(directory: str) -> frozenset[str]:
    # The migrations shipped with this code: read once, not on every probe (parsing them all took 15 ms).
    migrate_ext = current_app.extensions["migrate"]
    return frozenset(ScriptDirectory.from_config(migrate_ext.migrate.get_config(directory)).get_heads())


@health.get("/readyz")
def readyz():
    """Ready when the database answers and its schema is at the newest migration."""
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(conn).get_current_heads())
    except Exception as exc:  # any failure to reach the database means not ready
        return {"status": "unavailable", "reason": type(exc).__name__}, 503
    if current != _migration_heads(current_app.extensions["migrate"].directory):
        return {"status": "unavailable", "reason": "database not migrated"}, 503
    return {"status": "ready"}


def register_web(app: Flask) -> None:
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = _l("Please sign in to continue.")
    # Flashed as text in the page's language: the session stores plain strings only.
    login_manager.localize_callback = str
    login_manager.login_message_category = "info"

    login_manager.user_loader(load_user)

    for bp in (health, pages, look, *(module.bp for module in feature_modules("views"))):
        app.register_blueprint(bp)

    @app.context_processor
    def template_helpers():
        return {"viewer_tz": viewer_timezone(), "society_name": app.config["SOCIETY_NAME"],
                "now": clock.now()}

    app.add_template_global(page_url)
    # A status's words for people ({{ application.status|label }}): no page shows a raw code.
    app.add_template_filter(labels.label, "label")
    app.add_template_filter(in_sentence, "in_sentence")
    app.add_template_filter(and_list)  # {{ names|and_list }}: "A, B and C" in the page's language
    # Functions, not context values: emails are rendered outside any request, where url_for cannot build.
    app.add_template_global(society_logo_url)
    app.add_template_global(theme_url)
    app.add_template_global(email_theme)
    app.add_template_global(timezone_options)
    app.add_template_global(same_clock)
    app.add_template_global(zone_script)
    app.add_template_global(visitor_zone_unknown)
    app.add_template_global(lambda: str(current_locale()), "page_language")
    app.jinja_env.globals["languages"] = LANGUAGES
    # {% trans %} blocks as one line of text, however the template wraps them (babel.cfg extracts alike).
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    install_template_gettext(app)

    @app.template_global()
    def feature_url(endpoint: str, **values) -> str | None:
        """A link into another feature's pages, or None where that page does not exist."""
        try:
            return url_for(endpoint, **values)
        except BuildError:
            return None

    # Dates, times and amounts in the page's (or the email's) language: `str(current_locale())`, the code
    # flask_babel chose, or the one `force_locale` set for an email's reader.
    @app.template_filter("when")
    def when(instant, tz=None, with_date=True):
        return timefmt.human(instant, tz or viewer_timezone(), with_date=with_date, locale=str(current_locale()))

    @app.template_filter("span")
    def span(meeting, tz=None):
        """A meeting's start and end, the end dated when it falls on the next day."""
        return timefmt.human_span(meeting.starts_at, meeting.ends_at, tz or viewer_timezone(), str(current_locale()))

    @app.template_filter("until")
    def until_filter(instant):
        return timefmt.until(instant, clock.now(), str(current_locale()))

    @app.template_filter("day")
    def day_filter(day):
        """A calendar date as every page writes it: `Mon 28 Dec 2026` (from a date or its ISO text)."""
        return timefmt.human_date(date.fromisoformat(day) if isinstance(day, str) else day, str(current_locale()))

    @app.template_global()
    def own_time_differs(series, tz: str) -> bool:
        """Whether the series' own zone shows any meeting at another time than `tz` does (so worth a column)."""
        return tz != series.timezone and any(
            timefmt.human(m.starts_at, tz) != timefmt.human(m.starts_at, series.timezone) for m in series.live_meetings)

    @app.template_filter("number")
    def number_filter(value):
        """A decimal to two places as the language writes it: `1,234.50`, German `1.234,50`."""
        return amount_text(value, locale=str(current_locale()))

    @app.template_filter("money")
    def money_filter(amount, currency=""):
        return amount_text(amount, currency, str(current_locale()))

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
        headers.setdefault("Content-Security-Policy", content_security_policy(
            app.config["PAYMENT_PROVIDER"], theme.logo_origin(app.config["SOCIETY_LOGO_URL"])))
        headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if app.config["STRICT_TRANSPORT_SECURITY"]:
            headers.setdefault("Strict-Transport-Security", app.config["STRICT_TRANSPORT_SECURITY"])
        if _personal():
            headers["Cache-Control"] = "no-store"
        return response


@cache
def content_security_policy(payment_provider: str, logo_origin: str | None = None) -> str:
    """Forms post only here, and on to the payment provider's hosted page (browsers hold the redirect
    after "Pay" to form-action too); no page may frame ours, and no <base> may redirect relative links.
    Images come from here, or the society's logo from its own host."""
    provider = PROVIDERS.get(payment_provider)
    form_action = " ".join(("'self'", *(provider.form_action_origins if provider else ())))
    img_src = " ".join(("'self'", "data:", *((logo_origin,) if logo_origin else ())))
    return (f"default-src 'self'; img-src {img_src}; style-src 'self'; script-src 'self'; "
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
    user = g.get("_login_user")
    return bool(getattr(user, "is_authenticated", False) or g.get("api_user") is not None)


pages = Blueprint("pages", __name__)


@pages.post("/viewer-timezone")
def choose_timezone():
    """Lets a visitor see every time in their own zone before creating an account.

    static/js/zones.js posts the browser's zone as `detected` to a visitor who has not chosen: the
    answer names the zone it means (an alias made canonical; UTC for one we do not know, so that it
    is asked once), and the page reloads only if that changes its times.
    """
    if "detected" in request.form:
        zone: str | None = chosen_zone(request.form["detected"]) or "UTC"
        response: Response = jsonify(timezone=zone)  # or a redirect: werkzeug's Response covers both
    else:
        zone = chosen_zone(request.form.get("timezone"))
        response = redirect(safe_path(request.form.get("next"), "/"))
    if zone is not None:
        response.set_cookie(TZ_COOKIE, zone, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


@pages.post("/language")
def choose_language():
    """The footer's language switch: saved on a signed-in person's account (emails follow it), in a
    cookie for a visitor; either way it wins over what the browser asks for."""
    code = known_language(request.form.get("language"))
    response = redirect(safe_path(request.form.get("next"), "/"))
    if code is None:
        return response
    if current_user.is_authenticated:
        current_user.language = code
        db.session.commit()
    else:
        response.set_cookie(LANGUAGE_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


@pages.get("/home")
@login_required
@kept
def home():
    """The person's own page, in the order homepage.py sets: what comes next, what needs them, the rest."""
    return render_template("home.html", **render_home(current_user, clock.now(), render_template))
