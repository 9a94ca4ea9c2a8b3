"""Production settings: secure cookies; the factory refuses the default SECRET_KEY."""

PRODUCTION = True
SESSION_COOKIE_SECURE = True
REMEMBER_COOKIE_SECURE = True
PREFERRED_URL_SCHEME = "https"

# Never: it shows every reset link.
DEV_OUTBOX = False
