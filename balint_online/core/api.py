"""What every JSON endpoint shares: errors in the contract's shape, bearer tokens, and the decorators
that read a request into a schema (`use_body`, `use_query`) and write a response through one (`returns`).

Each decorator also notes on the view what the OpenAPI document says about it (`doc_of`), so the
document is generated from the same routes and schemas that serve the requests.
"""

from collections.abc import Callable
from functools import wraps

from flask import current_app, g, jsonify, request
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails, from_json
from werkzeug.exceptions import HTTPException

from ..extensions import db
from .schemas import text_problem

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
    if methods := getattr(exc, "valid_methods", None):  # a 405 says which methods the resource takes
        response.headers["Allow"] = ", ".join(methods)
    return response


def is_api_request() -> bool:
    """Requests under /api/v1: bearer-token authenticated, answered in JSON."""
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def current_api_user():
    return g.get("api_user")


# How a bearer token becomes its person: set by the API's registration to the accounts' lookup, since
# tokens are an account's (accounts sits above core and core may not import it).
_token_user: Callable[[str], object | None] | None = None


def bearer_token_users(find_user: Callable[[str], object | None]) -> None:
    """Register the lookup from a presented token to its live owner (None when unknown, expired or revoked)."""
    global _token_user
    _token_user = find_user


def api_auth(view: Callable | None = None, *, optional: bool = False):
    """Require `Authorization: Bearer TOKEN` (or accept its absence when `optional`)."""
    def decorate(fn):
        doc = doc_of(fn)
        doc["security"] = "optional" if optional else "bearer"
        doc["errors"].add(401)

        @wraps(fn)
        def wrapper(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            scheme, _, raw = header.partition(" ")
            user = None
            if header:
                if scheme.lower() != "bearer" or not raw.strip():
                    raise ApiError(401, "Send your API token as 'Authorization: Bearer TOKEN'.")
                if _token_user is None:
                    raise RuntimeError("No token lookup registered: register_api sets it.")
                user = _token_user(raw.strip())
                if user is None:
                    raise ApiError(401, "That API token is not valid: it may have expired or been revoked.")
            elif not optional:
                raise ApiError(401, "Sign in with an API token: 'Authorization: Bearer TOKEN'.")
            g.api_user = user
            return fn(*args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate


def doc_of(view: Callable) -> dict:
    """What the OpenAPI document says about a view; shared by its decorators (functools.wraps copies it)."""
    return view.__dict__.setdefault("api_doc", {"errors": set(), "security": None})


def get_or_404(model, ident: int, what: str):
    """The object with that id; `<int:...>` routes bound ids to their column (core/routing.py)."""
    obj = db.session.get(model, ident)
    if obj is None:
        raise ApiError(404, f"No {what} with id {ident}.")
    return obj


def _field_name(loc: tuple) -> str:
    # A list's position is left out when it ends the name ("skip_dates", not "skip_dates.3"), as the contract
    # names fields; an object in a list keeps it ("items.0.text"), as that object's fields are named.
    parts = list(loc)
    while parts and isinstance(parts[-1], int):
        parts.pop()
    return ".".join(str(part) for part in parts) or "body"


def _problem(error: ErrorDetails) -> str:
    if error["type"] == "missing":
        return "This field is required."
    message = error["msg"].removeprefix("Value error, ")
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def validation_error(exc: ValidationError) -> ApiError:
    """A pydantic refusal as the contract's 422, naming every field at fault."""
    fields: dict[str, str] = {}
    for error in exc.errors(include_url=False, include_input=False):
        fields.setdefault(_field_name(error["loc"]), _problem(error))
    return ApiError(422, f"Some fields need attention: {', '.join(sorted(fields))}.", fields=fields)


def _read_json() -> object:
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    if not request.is_json:
        raise ApiError(415, "Send the body as JSON with 'Content-Type: application/json'.")
    try:
        # pydantic's parser bounds nesting depth and refuses lone surrogates, which json.loads does not.
        data = from_json(raw)
    except ValueError:
        raise ApiError(400, "The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "The body must be a JSON object.")
    return data


def parse_body(schema: type[BaseModel]) -> BaseModel:
    data = _read_json()
    try:
        # Strict validation (Input's config): 5 is not "5", true is not "yes".
        return schema.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc) from None


def use_body(schema: type[BaseModel], *, arg: str = "body"):
    """Pass the JSON body, parsed and bounded by `schema`, as `arg`; refusals are 400, 413, 415 or 422."""

    def decorate(fn):
        doc = doc_of(fn)
        doc["body"] = schema
        doc["errors"] |= {400, 413, 415, 422}

        @wraps(fn)
        def wrapper(*args, **kwargs):
            return fn(*args, **{**kwargs, arg: parse_body(schema)})

        return wrapper

    return decorate


def use_query(schema: type[BaseModel], *, arg: str = "query"):
    """Pass the query string, parsed and bounded by `schema`, as `arg`; refusals are 422."""

    def decorate(fn):
        doc = doc_of(fn)
        doc["query"] = schema
        doc["errors"].add(422)

        @wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                # Text a database cannot store never gets this far (core/routing.py).
                parsed = schema.model_validate(request.args.to_dict())
            except ValidationError as exc:
                raise validation_error(exc) from None
            return fn(*args, **{**kwargs, arg: parsed})

        return wrapper

    return decorate


def idempotency_key(max_length: int) -> str | None:
    """The Idempotency-Key header: absent is None; present, it must be a usable key (1 to `max_length` characters)."""
    if "Idempotency-Key" not in request.headers:
        return None
    value = request.headers["Idempotency-Key"].strip()
    problem = text_problem(value) or ("Must not be empty." if not value else None) or (
        f"At most {max_length} characters." if len(value) > max_length else None)
    if problem:
        raise ApiError(422, "The Idempotency-Key header is not usable.", fields={"Idempotency-Key": problem})
    return value


def returns(schema: type[BaseModel], *, status: int | tuple[int, ...] = 200, errors: tuple[int, ...] = (),
            headers: dict[str, dict] | None = None, responses: dict[int, tuple[type[BaseModel], str]] | None = None):
    """Serialise what the view returns (an instance of `schema`, optionally with a status and headers) as JSON.

    `status` is the success status, or all of them with the usual one first.

    For the document: `errors` are the refusals the view itself gives in the usual error shape (403, 409...),
    `responses` those with a body of their own (status -> (schema, description)), `headers` the request
    headers the view reads (name -> JSON schema). The view's docstring is the operation's summary (first
    line) and description.
    """

    def decorate(fn):
        doc = doc_of(fn)
        doc.update(response=schema, status=status, doc=fn.__doc__ or fn.__name__, headers=headers or {},
                   responses=responses or {})
        doc["errors"] |= set(errors)

        @wraps(fn)
        def wrapper(*args, **kwargs):
            result = fn(*args, **kwargs)
            extra: dict = {}
            code = status[0] if isinstance(status, tuple) else status
            if isinstance(result, tuple):
                result, *rest = result
                for item in rest:
                    extra, code = (item, code) if isinstance(item, dict) else (extra, item)
            if not isinstance(result, schema):
                raise TypeError(f"{fn.__name__} returned {type(result).__name__}, not {schema.__name__}")
            response = current_app.response_class(result.model_dump_json(), status=code, mimetype="application/json")
            response.headers.update(extra)
            return response

        return wrapper

    return decorate
