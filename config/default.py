"""Defaults for every environment. Environment variables override these (see README)."""

# Development only: production refuses to start with this value.
SECRET_KEY = "dev-insecure-change-me"

# None means: a SQLite file in the instance folder (set by the application factory).
SQLALCHEMY_DATABASE_URI = None
SQLALCHEMY_ENGINE_OPTIONS = {}
# A pooled connection idle this long is pinged before use (balint_online/core/pool.py).
DB_PING_AFTER_IDLE_SECONDS = 10
# PostgreSQL settings for every connection this app opens (name -> value). A society's data stays
# in memory, so an index probe costs about what a sequential read does: with the default of 4,
# the planner hashed all 10,000 people to join a roster of 300 (attendance CSV 8 -> 2 ms in the database).
POSTGRES_SETTINGS = {"random_page_cost": "1.1"}
# psycopg prepares a statement once a connection has run it this many times, so that PostgreSQL plans it
# once per connection (balint_online/core/pool.py). None turns it off: needed behind PgBouncer in
# transaction mode before its version 1.21, where the next transaction may run on another server connection.
POSTGRES_PREPARE_AFTER = 5

# Public URL used in emails and calendar links.
BASE_URL = "http://localhost:5000"
# The domain in every calendar UID. Keep it when the site moves (BASE_URL may change; a new
# UID domain would give every member a second copy of every meeting). Any domain the society
# controls will do; it is never looked up.
CALENDAR_UID_DOMAIN = "calendar.balint-online.invalid"
# "outbox" keeps messages in the database outbox only; "smtp://host:port" delivers them.
MAIL_URL = "outbox"
MAIL_SENDER = "Balint Online <no-reply@balint.invalid>"
MAIL_USERNAME = None
MAIL_PASSWORD = None
MAIL_STARTTLS = False
# Tries for a message the server refuses for now (4xx) before it is marked failed (see /admin/mail).
MAIL_MAX_ATTEMPTS = 8

VIDEO_PROVIDER = "jitsi"
# Video providers (balint_online/video/providers). Secrets stay None here and come only from
# BALINT_* environment variables, e.g. BALINT_ZOOM_CLIENT_SECRET; they never reach the database.
# Seconds per provider call, or a [connect, read] pair.
VIDEO_HTTP_TIMEOUT = 10
# Seconds a join may wait on a provider (BigBlueButton's create-again at the door, Zoom's registration);
# after repeated failures the way in stops asking for a minute (balint_online/video/circuit.py).
VIDEO_JOIN_TIMEOUT = 3
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
# The society's look on every page and email: a logo (an http(s) URL, or a path under
# balint_online/static such as "img/logo.svg"; empty for the name alone) and an accent colour
# (hex, checked at start-up; shades that keep text readable are derived from it).
SOCIETY_LOGO_URL = ""
SOCIETY_ACCENT_COLOR = "#135e63"
# Whom a clinician writes to with questions before applying (an address), named on every series page;
# empty: the series' leaders are named instead.
SOCIETY_CONTACT_EMAIL = ""
DEFAULT_CURRENCY = "USD"
# Printed on invoices and receipts. Bank details belong here (or in BALINT_INVOICE_PAYMENT_INSTRUCTIONS).
SOCIETY_ADDRESS = "Balint Society\nAddress not configured: set BALINT_SOCIETY_ADDRESS"
INVOICE_PAYMENT_INSTRUCTIONS = ("Pay by bank transfer, quoting the invoice number as the reference. "
                                "Bank details are not configured: set BALINT_INVOICE_PAYMENT_INSTRUCTIONS.")
# Invoices and credit notes (balint_online/invoicing): numbered without gaps per calendar year of
# this zone, as PREFIX-YEAR-NNNNNN. The society's tax details are printed on every document when
# set, and left off when empty (e.g. SOCIETY_TAX_ID="GB123456789", SOCIETY_REGISTRATION="Charity
# no. 1234567", SOCIETY_TAX_NOTE="VAT exempt under ...").
SOCIETY_TIMEZONE = "UTC"
INVOICE_NUMBER_PREFIX = "BO"
CREDIT_NOTE_NUMBER_PREFIX = "CN"
SOCIETY_TAX_ID = ""
SOCIETY_REGISTRATION = ""
SOCIETY_TAX_NOTE = ""
# How members pay: a name in balint_online.pricing.providers.PROVIDERS ("invoice" or "stripe").
PAYMENT_PROVIDER = "invoice"
# Card payments through Stripe (README, "Card payments (Stripe)"). The keys stay None here and come
# only from BALINT_STRIPE_SECRET_KEY and BALINT_STRIPE_WEBHOOK_SECRET; they never reach the database.
STRIPE_SECRET_KEY = None
STRIPE_WEBHOOK_SECRET = None
STRIPE_API_BASE = "https://api.stripe.com"
# Seconds per call to Stripe, or a [connect, read] pair.
STRIPE_HTTP_TIMEOUT = [5, 20]

# Sign-in throttling. Use a Redis URI when more than one process serves.
RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_HEADERS_ENABLED = True
LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
# Per account (the email posted), whatever the address: sign-in, sign-up and reset requests.
ACCOUNT_RATE_LIMIT = "5 per minute;20 per hour"

PASSWORD_RESET_HOURS = 2
# How long a new API token works unless its creator says otherwise (`users token --days`).
API_TOKEN_DAYS = 90
# How long the link that confirms a new account's address works.
SIGN_UP_CONFIRM_HOURS = 24
# Sessions (accounts/signins.py): a sign-in ends after this long without a request...
SESSION_IDLE_MINUTES = 120
# ...and, however active, this long after signing in; "keep me signed in" lasts
# REMEMBER_COOKIE_DURATION instead (seconds) and has no idle timeout.
SESSION_MAX_HOURS = 12
REMEMBER_COOKIE_DURATION = 30 * 24 * 3600
# How many hops of X-Forwarded-* to trust; 0 when not behind a reverse proxy.
PROXY_HOPS = 0
# Host names this site answers to (Flask refuses any other Host with 400), e.g.
# BALINT_TRUSTED_HOSTS="balint.example.org,www.balint.example.org". None accepts any: links never
# depend on it, since every absolute URL comes from BASE_URL.
TRUSTED_HOSTS = None

# Built calendar feeds, kept by validator: a redis:// URL shares them between processes;
# without one each process keeps up to FEED_CACHE_ENTRIES in memory.
FEED_CACHE_URL = None
FEED_CACHE_ENTRIES = 2000
FEED_CACHE_SECONDS = 86400

# Pages kept as built for the same reader until anything is saved (pagecache/kept.py): a page showing
# the time may be this many seconds behind the clock (0 builds every page). Each process keeps up to
# PAGE_CACHE_BYTES of them.
PAGE_CACHE_SECONDS = 15
PAGE_CACHE_BYTES = 16 * 1024 * 1024

# Minutes before a meeting's start when its join link opens.
JOIN_WINDOW_MINUTES = 15

# Sent on every answer when set (the production profile sets it): browsers then refuse plain HTTP.
STRICT_TRANSPORT_SECURITY = None

# The largest request body accepted, in bytes (413 above it): room for the membership CSV import
# (admin/imports.py, at most 1 MB) and any form, while one request cannot exhaust a worker's memory.
MAX_CONTENT_LENGTH = 2_000_000

WTF_CSRF_TIME_LIMIT = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"

# /dev/outbox, the development aid that shows every message written (reset links too): None
# follows debug (`make run`); the production and testing profiles set it off.
DEV_OUTBOX = None

# A fixed "now" (ISO 8601, UTC) for tests and demonstrations only; honoured only when TESTING.
FROZEN_NOW = None
