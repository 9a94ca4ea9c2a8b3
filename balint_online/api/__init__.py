"""The JSON API at /api/v1: one parent blueprint holding each feature's endpoints."""

from flask import Blueprint, Flask, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..accounts.models import ApiToken
from ..core.api import API_PREFIX, ApiError, bearer_token_users, http_error_response, is_api_request
from ..core.errorpage import error_page
from ..core.errors import DomainError
from ..extensions import db
from ..features import feature_modules
from .openapi import openapi_document


def register_api(app: Flask) -> None:
    bearer_token_users(ApiToken.find_user)
    api = Blueprint("api", __name__, url_prefix=API_PREFIX)
    for module in feature_modules("api"):
        api.register_blueprint(module.bp)

    @api.get("/openapi.json")
    def openapi():
        # The same for the app's life (its routes and BASE_URL): built once, not on every request of anyone
        # who asks (35 ms each).
        if (body := app.extensions.get("balint_openapi")) is None:
            body = app.extensions["balint_openapi"] = jsonify(openapi_document()).get_data()
        return app.response_class(body, mimetype="application/json")

    app.register_blueprint(api)

    @app.errorhandler(ApiError)
    def api_error(exc: ApiError):
        return exc.response()

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        if is_api_request():
            return ApiError(exc.status, exc.message, code=exc.code, fields=exc.fields, **exc.extra).response()
        return error_page(exc.status, exc.message)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(exc: RequestEntityTooLarge):
        limit = app.config["MAX_CONTENT_LENGTH"] or app.config["MAX_FORM_MEMORY_SIZE"]
        message = (f"What you sent is larger than this site accepts (at most {limit / 1_000_000:g} MB in one go, "
                   f"{app.config['MAX_FORM_MEMORY_SIZE'] // 1000} kB of typed text). Nothing was saved.")
        if is_api_request():
            return ApiError(413, message).response()
        return error_page(413, message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if is_api_request():
            return http_error_response(exc)
        return error_page(exc.code or 500, exc.description, headers=exc.get_headers())

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        # A failed statement leaves the session unusable until rolled back, and the answer may load more.
        db.session.rollback()
        if is_api_request():
            return ApiError(500, "Something went wrong on our side; it has been logged.").response()
        return error_page(500, "Something went wrong on our side; it has been logged.")
