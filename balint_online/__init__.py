"""Balint Online: the platform clinicians' societies use to run online Balint groups."""

import os
from collections.abc import Mapping
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .core import zones  # noqa: F401  (first: zone rules from the pinned tzdata, never the host's)
from .core.csrf import protect_forms
from .core.i18n import select_language
from .core.pool import begin_at_first_write, ping_when_idle
from .core.routing import bound_urls
from .core.sqlite import configure_sqlite
from .core.theme import check_theme
from .extensions import babel, csrf, db, limiter, login_manager, migrate
from .video.providers import spec_of

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "dev-insecure-change-me"


def create_app(config: Mapping | str | None = None) -> Flask:
    """Build a fresh application.

    `config` is either a profile name (`"testing"`, `"production"`) or a mapping of overrides.
    Order: config/default.py, the profile (``BALINT_CONFIG`` when none is given), environment
    variables, then the mapping.
    """
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=os.environ.get("BALINT_INSTANCE_PATH", str(PROJECT_ROOT / "instance")),
    )
    _load_config(app, config)
    _check_production(app)
    # A default video provider no spec describes would only fail when a meeting's room is made.
    spec_of(app.config["VIDEO_PROVIDER"])
    check_theme(app.config["SOCIETY_ACCENT_COLOR"], app.config["SOCIETY_LOGO_URL"], app.static_folder or "")

    if app.config["PROXY_HOPS"]:
        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way to add middleware
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)

    bound_urls(app)
    db.init_app(app)
    with app.app_context():
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            configure_sqlite(db.engine)
        else:
            ping_when_idle(db.engine, float(app.config["DB_PING_AFTER_IDLE_SECONDS"]))
            begin_at_first_write(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    protect_forms(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_language)

    from . import models  # noqa: F401  (every model registered before migrations look)
    from .api import register_api
    from .calendar.versions import watch_feed_changes
    from .cli import register_cli
    from .pagecache.versions import watch_changes
    from .web import register_web

    watch_feed_changes()
    watch_changes()  # after the feed versions: the data version is the last row a commit locks

    @app.teardown_request
    def end_unit_of_work(exc):
        # The request is the unit of work: a view or endpoint commits what it means to keep (services
        # only flush), so whatever is left uncommitted here, after an error or a refusal, is undone.
        db.session.rollback()

    register_web(app)
    register_api(app)
    register_cli(app)
    return app


def _load_config(app: Flask, config: Mapping | str | None) -> None:
    app.config.from_pyfile(str(PROJECT_ROOT / "config" / "default.py"))
    profile = config if isinstance(config, str) else os.environ.get("BALINT_CONFIG")
    if profile:
        app.config.from_pyfile(str(PROJECT_ROOT / "config" / f"{profile}.py"))
    if os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    # BALINT_BASE_URL -> BASE_URL, BALINT_MAIL_URL -> MAIL_URL, and so on for every setting.
    app.config.from_prefixed_env("BALINT")
    if isinstance(config, Mapping):
        app.config.update(config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        os.makedirs(app.instance_path, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "balint.db")
    app.config["SQLALCHEMY_DATABASE_URI"] = _normalise_db_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"] = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        connecting = options["connect_args"] = {**options.get("connect_args", {}),
                                                "prepare_threshold": app.config["POSTGRES_PREPARE_AFTER"]}
        if settings := app.config.get("POSTGRES_SETTINGS"):
            connecting["options"] = " ".join(f"-c {name}={value}" for name, value in settings.items())
    if isinstance(app.config.get("TRUSTED_HOSTS"), str):  # from the environment: a comma-separated list
        app.config["TRUSTED_HOSTS"] = [h.strip() for h in app.config["TRUSTED_HOSTS"].split(",") if h.strip()]


def _normalise_db_url(url: str) -> str:
    # Hosting platforms hand out postgres:// URLs; psycopg 3 is the driver installed.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _check_production(app: Flask) -> None:
    if app.config.get("PRODUCTION") and app.config["SECRET_KEY"] in (DEFAULT_SECRET_KEY, "", None):
        raise RuntimeError("Refusing to start: set SECRET_KEY to a long random value in production.")
