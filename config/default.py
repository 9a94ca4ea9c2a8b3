"""Defaults for every environment. Environment variables override these (see README)."""

# Development only: production refuses to start with this value.
SECRET_KEY = "dev-insecure-change-me"

# None means: a SQLite file in the instance folder (set by the application factory).
SQLALCHEMY_DATABASE_URI = None
SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

# Public URL used in emails and calendar links.
BASE_URL = "http://localhost:5000"
# "outbox" keeps messages in the database outbox only; "smtp://host:port" delivers them.
MAIL_URL = "outbox"
MAIL_SENDER = "Balint Online <no-reply@balint.invalid>"
MAIL_USERNAME = None
MAIL_PASSWORD = None
MAIL_STARTTLS = False

VIDEO_PROVIDER = "jitsi"
JITSI_BASE_URL = "https://meet.jit.si"

SOCIETY_NAME = "Balint Society"
DEFAULT_CURRENCY = "USD"

# Sign-in throttling. Use a Redis URI when more than one process serves.
RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_HEADERS_ENABLED = True
LOGIN_RATE_LIMIT = "10 per minute;50 per hour"

PASSWORD_RESET_HOURS = 2
# How many hops of X-Forwarded-* to trust; 0 when not behind a reverse proxy.
PROXY_HOPS = 0

# Minutes before a meeting's start when its join link opens.
JOIN_WINDOW_MINUTES = 15

WTF_CSRF_TIME_LIMIT = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"

# A fixed "now" (ISO 8601, UTC) for tests and demonstrations only; honoured only when TESTING.
FROZEN_NOW = None
