"""What every JSON endpoint shares: errors in the contract's shape, bearer tokens, input checks."""

from collections.abc import Callable
from datetime import date, datetime
from functools import wraps

from flask import g, jsonify, request
from werkzeug.exceptions import HTTPException

from ..extensions import db

API_PREFIX = "/api/v1"

HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
              422: "validation_failed", 429: "too_many_requests", 500: "server_error", 503: "unavailable"}


class ApiError(Exception):
    """An answer other than success: `{"error", "message", "fields"}` with an HTTP status."""

    def __init__(self, status: int, message: str, *, code: str | None = None, fields: dict | None = None, **extra):
        super().__init__(message)
        self.status = status
        self.code = code or HTTP_CODES.get(status, "error")
        self.message = message
        self.fields = fields or {}
        self.extra = extra

    def response(self):
        body = {"error": self.code, "message": self.message, "fields": self.fields, **self.extra}
        resp = jsonify(body)
        resp.status_code = self.status
        if self.status == 401:
            resp.headers["WWW-Authenticate"] = 'Bearer realm="api"'
        return resp


def http_error_response(exc: HTTPException):
    response = ApiError(exc.code or 500, exc.description or exc.name).response()
    if getattr(exc, "valid_methods", None):  # a 405 says which methods the resource takes
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def is_api_request() -> bool:
    """Requests under /api/v1: bearer-token authenticated, answered in JSON."""
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def current_api_user():
    return g.get("api_user")


def api_auth(view: Callable | None = None, *, optional: bool = False):
    """Require `Authorization: Bearer TOKEN` (or accept its absence when `optional`)."""
    from ..accounts.models import ApiToken

    def decorate(fn):
        @wraps(fn)
        def wrapper(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            scheme, _, raw = header.partition(" ")
            user = None
            if header:
                if scheme.lower() != "bearer" or not raw.strip():
                    raise ApiError(401, "Send your API token as 'Authorization: Bearer TOKEN'.")
                user = ApiToken.find_user(raw.strip())
                if user is None:
                    raise ApiError(401, "That API token is not valid: it may have expired or been revoked.")
            elif not optional:
                raise ApiError(401, "Sign in with an API token: 'Authorization: Bearer TOKEN'.")
            g.api_user = user
            return fn(*args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate


def json_body() -> dict:
    data = request.get_json(silent=True)
    if data is None:
        if request.get_data(cache=True) and not request.is_json:
            raise ApiError(415, "Send the body as JSON with 'Content-Type: application/json'.")
        if request.get_data(cache=True):
            raise ApiError(400, "The body is not valid JSON.")
        return {}
    if not isinstance(data, dict):
        raise ApiError(400, "The body must be a JSON object.")
    return data


def get_or_404(model, ident, what: str):
    try:
        key = int(ident)
    except (TypeError, ValueError):
        key = None
    obj = db.session.get(model, key) if key is not None and 0 < key < 2**63 else None
    if obj is None:
        raise ApiError(404, f"No {what} with id {ident}.")
    return obj


class Fields:
    """Reads a JSON object field by field, collecting every problem before answering 422."""

    def __init__(self, data: dict):
        self.data = data
        self.errors: dict[str, str] = {}

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def check(self) -> None:
        if self.errors:
            names = ", ".join(sorted(self.errors))
            raise ApiError(422, f"Some fields need attention: {names}.", fields=self.errors)

    def _raw(self, name, required):
        if name not in self.data or self.data[name] is None:
            if required:
                self.fail(name, "This field is required.")
            return None
        return self.data[name]

    def string(self, name, *, required=False, default=None, max_length=200, choices=None):
        value = self._raw(name, required)
        if value is None:
            return default
        if not isinstance(value, str):
            self.fail(name, "Must be text.")
            return default
        value = value.strip()
        if required and not value:
            self.fail(name, "Must not be empty.")
        elif len(value) > max_length:
            self.fail(name, f"At most {max_length} characters.")
        elif choices is not None and value not in choices:
            self.fail(name, f"Must be one of: {', '.join(choices)}.")
        return value

    def integer(self, name, *, required=False, default=None, minimum=None, maximum=None):
        value = self._raw(name, required)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(name, "Must be a whole number.")
            return default
        if minimum is not None and value < minimum:
            self.fail(name, f"Must be at least {minimum}.")
        elif maximum is not None and value > maximum:
            self.fail(name, f"Must be at most {maximum}.")
        return value

    def boolean(self, name, *, required=False, default=None):
        value = self._raw(name, required)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(name, "Must be true or false.")
            return default
        return value

    def date(self, name, *, required=False, default=None):
        value = self._raw(name, required)
        if value is None:
            return default
        return self._parse_date(name, value)

    def _parse_date(self, name, value):
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError
            return date.fromisoformat(value)
        except ValueError:
            self.fail(name, "Must be a date written YYYY-MM-DD.")
            return None

    def local_datetime(self, name, *, required=False):
        value = self._raw(name, required)
        if value is None:
            return None
        try:
            if not isinstance(value, str) or len(value) != 16 or value[10] != "T":
                raise ValueError
            return datetime.strptime(value, "%Y-%m-%dT%H:%M")
        except ValueError:
            self.fail(name, "Must be a local wall-clock time written YYYY-MM-DDTHH:MM.")
            return None

    def date_list(self, name, *, max_items=60):
        value = self._raw(name, False)
        if value is None:
            return []
        if not isinstance(value, list) or len(value) > max_items:
            self.fail(name, f"Must be a list of at most {max_items} dates (YYYY-MM-DD).")
            return []
        parsed = [self._parse_date(name, item) for item in value]
        return sorted({d for d in parsed if d is not None})

    def string_list(self, name, *, max_items=10, max_length=254):
        value = self._raw(name, False)
        if value is None:
            return None
        if not isinstance(value, list) or len(value) > max_items or not all(
            isinstance(v, str) and 0 < len(v) <= max_length for v in value
        ):
            self.fail(name, f"Must be a list of at most {max_items} texts.")
            return None
        return value

    def id_list(self, name, *, max_items=500):
        value = self._raw(name, False)
        if value is None:
            return []
        if not isinstance(value, list) or len(value) > max_items or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            self.fail(name, "Must be a list of ids (whole numbers).")
            return []
        return value
