"""Every request of these tests starts with a fresh `g`, as each request does in production.

The `app` fixture keeps an application context open for database access, and a request made
inside it shares that context's `g`: Flask-Login's cached user and Flask-WTF's cached CSRF token
would then leak from one request (and one browser) to the next, hiding an ended session.
"""

import pytest
from flask import g


@pytest.fixture(autouse=True)
def fresh_g_per_request(app):
    @app.teardown_request
    def forget(_exc):
        for name in list(g):
            g.pop(name, None)

    yield
