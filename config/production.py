"""Production settings: secure cookies; the factory refuses the default SECRET_KEY."""

PRODUCTION = True
SESSION_COOKIE_SECURE = True
REMEMBER_COOKIE_SECURE = True
PREFERRED_URL_SCHEME = "https"
# One year; add "; includeSubDomains" once every subdomain of the society's domain is HTTPS.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"

# Never: it shows every reset link.
DEV_OUTBOX = False
