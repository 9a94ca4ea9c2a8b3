"""One CSRF rule for the whole application, declared here and nowhere else.

Every state-changing request must carry the form token of the session that sent it, except
requests under /api/v1: those authenticate with a bearer token, which a browser never attaches
by itself, so a forged cross-site request cannot carry one (and the API never accepts the
session cookie). Provider webhooks that authenticate by signature are exempted per view with
``@csrf.exempt``.

Flask-WTF's own check is switched off in favour of this one because its blueprint exemption
matches only the innermost blueprint's name, so exempting the parent ``api`` blueprint left every
nested feature blueprint protected: every API write failed for real clients.
"""

from flask import Flask

from ..extensions import csrf
from .api import is_api_request


def protect_forms(app: Flask) -> None:
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False

    @app.before_request
    def forms_carry_their_token():
        if not is_api_request():
            csrf.protect(apply_exemptions=True)
