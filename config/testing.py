"""Settings for the test suite."""

TESTING = True
SECRET_KEY = "testing-secret"
WTF_CSRF_ENABLED = False
BASE_URL = "http://balint.test"
RATELIMIT_ENABLED = False
# Password hashing stays real, but cheaper, so that the suite stays fast.
PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
