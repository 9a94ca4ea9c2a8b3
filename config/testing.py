"""Settings for the test suite.

Every protection users get stays on here (CSRF, throttling, cookie flags): page tests post the
form's real token and each test gets fresh throttling counters. A test that needs something
off says so on itself, with the reason.
"""

TESTING = True
SECRET_KEY = "testing-secret"
BASE_URL = "http://balint.test"
# Password hashing stays real, but cheaper, so that the suite stays fast.
PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"

# Off as in production; a test of the development aid turns it on for itself.
DEV_OUTBOX = False
