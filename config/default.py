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
# Video providers (balint_online/video/providers). Secrets stay None here and come only from
# BALINT_* environment variables, e.g. BALINT_ZOOM_CLIENT_SECRET; they never reach the database.
# Seconds per provider call, or a [connect, read] pair.
VIDEO_HTTP_TIMEOUT = 10
JITSI_BASE_URL = "https://meet.jit.si"
JITSI_ROOM_PREFIX = "balint"
# Both or neither: with them, join links carry a signed JWT (moderator for leaders).
JITSI_APP_ID = None
JITSI_APP_SECRET = None
JITSI_JWT_SUB = None
JITSI_JWT_AUD = "jitsi"
JITSI_JWT_GRACE_MINUTES = 180
ZOOM_ACCOUNT_ID = None
ZOOM_CLIENT_ID = None
ZOOM_CLIENT_SECRET = None
ZOOM_OAUTH_URL = "https://zoom.us/oauth/token"
ZOOM_API_BASE = "https://api.zoom.us/v2"
ZOOM_HOST_USER = "me"
# The Zoom app's webhook secret token; without it POST /webhooks/zoom refuses everything.
ZOOM_WEBHOOK_SECRET = None
BBB_URL = None
BBB_SECRET = None
BBB_CHECKSUM = "sha256"
BBB_MEETING_PREFIX = "balint"

SOCIETY_NAME = "Balint Society"
DEFAULT_CURRENCY = "USD"
# Printed on invoices and receipts. Bank details belong here (or in BALINT_INVOICE_PAYMENT_INSTRUCTIONS).
SOCIETY_ADDRESS = "Balint Society\nAddress not configured: set BALINT_SOCIETY_ADDRESS"
INVOICE_PAYMENT_INSTRUCTIONS = ("Pay by bank transfer, quoting the invoice number as the reference. "
                                "Bank details are not configured: set BALINT_INVOICE_PAYMENT_INSTRUCTIONS.")
# How members pay: a name in balint_online.pricing.providers.PROVIDERS.
PAYMENT_PROVIDER = "invoice"

# Sign-in throttling. Use a Redis URI when more than one process serves.
RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_HEADERS_ENABLED = True
LOGIN_RATE_LIMIT = "10 per minute;50 per hour"

PASSWORD_RESET_HOURS = 2
# How many hops of X-Forwarded-* to trust; 0 when not behind a reverse proxy.
PROXY_HOPS = 0

# Minutes before a meeting's start when its join link opens.
JOIN_WINDOW_MINUTES = 15

# The largest request body accepted, in bytes (413 above it): room for the membership CSV import
# (admin/imports.py, at most 1 MB) and any form, while one request cannot exhaust a worker's memory.
MAX_CONTENT_LENGTH = 2_000_000

WTF_CSRF_TIME_LIMIT = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"

# A fixed "now" (ISO 8601, UTC) for tests and demonstrations only; honoured only when TESTING.
FROZEN_NOW = None
