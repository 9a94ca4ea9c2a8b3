"""Server-rendered pages: blueprints, template helpers, health checks and error pages."""

from flask import Blueprint, Flask, has_request_context, redirect, render_template, request, url_for
from werkzeug.routing import BuildError
from markupsafe import Markup
from flask_login import current_user, login_required
from sqlalchemy import text

from .core import clock, timefmt
from .core.forms import timezone_choices, timezone_names
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
    from .accounts.models import User

    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str):
        return db.session.get(User, int(user_id))

    for bp in (health, pages, *(module.bp for module in feature_modules("views"))):
        app.register_blueprint(bp)
    feature_modules("hooks")

    @app.context_processor
    def template_helpers():
        return {"viewer_tz": viewer_timezone(), "society_name": app.config["SOCIETY_NAME"],
                "timezone_choices": timezone_choices, "now": clock.now()}

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

    @app.template_filter("until")
    def until_filter(instant):
        return timefmt.until(instant, clock.now())

    @app.template_filter("money")
    def money_filter(amount, currency=""):
        return f"{amount:,.2f} {currency}".strip()

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'"
        )
        return response



pages = Blueprint("pages", __name__)


@pages.post("/viewer-timezone")
def choose_timezone():
    """Lets a visitor see every time in their own zone before creating an account."""
    chosen = request.form.get("timezone", "")
    back = request.form.get("next", "/")
    response = redirect(back if back.startswith("/") and not back.startswith("//") else "/")
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
