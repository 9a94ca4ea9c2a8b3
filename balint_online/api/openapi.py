"""The OpenAPI 3.1 document served at /api/v1/openapi.json, generated from the API's routes and the schemas
their decorators name (core/api.py), so that what is documented is what is served."""

import inspect
import re

from flask import current_app
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from ..core.api import API_PREFIX
from ..core.routing import IdConverter
from ..core.schemas import ID_MAX, Error

REF = "#/components/schemas/{model}"
ERRORS = {400: "Malformed request (not JSON, not an object)", 401: "No or bad token", 403: "Not allowed",
          404: "Not found", 409: "Conflicts with the current state", 413: "Body too large",
          415: "Body not sent as application/json", 422: "Validation failed: `fields` names each field at fault"}
_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _public_names(rule) -> dict[str, str]:
    # The contract writes a path's one id as {id} (/series/{id}/publish), whatever the view calls it.
    ids = [name for name, converter in rule._converters.items() if isinstance(converter, IdConverter)]
    return {ids[0]: "id"} if len(ids) == 1 else {}


def _public_path(rule) -> str:
    names = _public_names(rule)
    return _ARGUMENT.sub(lambda m: "{" + names.get(m[1], m[1]) + "}", rule.rule.removeprefix(API_PREFIX))


def _api_rules():
    for rule in current_app.url_map.iter_rules():
        if rule.rule.startswith(API_PREFIX + "/"):
            yield rule, current_app.view_functions[rule.endpoint]


def _parameter(name: str, converter) -> dict:
    if isinstance(converter, IdConverter):
        schema = {"type": "integer", "minimum": 1, "maximum": ID_MAX}
    else:
        schema = {"type": "string", "pattern": "^[a-z0-9_-]+$"}
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _query_parameters(schema) -> list[dict]:
    described = schema.model_json_schema()
    return [{"name": name, "in": "query", "required": name in described.get("required", ()), "schema": prop}
            for name, prop in described["properties"].items()]


def _summary(text: str) -> dict:
    first, _, rest = inspect.cleandoc(text).partition("\n\n")
    return {"summary": " ".join(first.split()), **({"description": " ".join(rest.split())} if rest else {})}


def _json(schema_ref: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema_ref}}}


def _operation(rule, view, refs: dict) -> dict:
    doc = view.api_doc
    op = {"operationId": rule.endpoint.removeprefix("api."), "tags": [rule.endpoint.split(".")[1].removesuffix("_api")],
          **_summary(doc["doc"])}
    names = _public_names(rule)
    params = [_parameter(names.get(name, name), rule._converters[name]) for name in rule.arguments]
    if "query" in doc:
        params += _query_parameters(doc["query"])
    params += [{"name": name, "in": "header", "required": False, "schema": schema} for name,
               schema in doc["headers"].items()]
    if params:
        op["parameters"] = params
    if "body" in doc:
        body = doc["body"]
        op["requestBody"] = {"required": bool(body.model_json_schema().get("required")),
                             "content": {"application/json": {"schema": refs[body, "validation"]}}}
    statuses = doc["status"] if isinstance(doc["status"], tuple) else (doc["status"],)
    op["responses"] = {str(status): _json(refs[doc["response"], "serialization"], "Success") for status in statuses}
    errors = set(doc["errors"]) | ({404} if any(isinstance(c, IdConverter) for c in rule._converters.values())
                                   else set())
    for status in sorted(errors):
        op["responses"][str(status)] = {"$ref": f"#/components/responses/E{status}"}
    for status, (schema, description) in doc["responses"].items():
        op["responses"][str(status)] = _json(refs[schema, "serialization"], description)
    if doc["security"] == "optional":
        op["security"] = [{}, {"bearer": []}]
    elif doc["security"] is None:
        op["security"] = []
    return op


def _schemas(views) -> tuple[dict, dict]:
    wanted: set[tuple[type[BaseModel], JsonSchemaMode]] = {(Error, "serialization")}
    for view in views:
        doc = view.api_doc
        if "body" in doc:
            wanted.add((doc["body"], "validation"))
        wanted.add((doc["response"], "serialization"))
        wanted |= {(schema, "serialization") for schema, _ in doc["responses"].values()}
    refs, definitions = models_json_schema(sorted(wanted, key=lambda pair: (pair[0].__name__, pair[1])),
                                           ref_template=REF)
    return refs, definitions.get("$defs", {})


def openapi_document() -> dict:
    rules = [(rule, view) for rule, view in _api_rules() if hasattr(view, "api_doc")]
    refs, schemas = _schemas(view for _, view in rules)
    paths: dict[str, dict] = {}
    for rule, view in rules:
        path = _public_path(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, view, refs)
    paths["/openapi.json"] = {"get": {"operationId": "openapi", "tags": ["api"], "summary": "This document",
                                      "security": [], "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1")}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Balint Online API",
            "version": "1",
            "description": "Online Balint groups: series, applications, pricing, presenter rotation, calendars "
                           "and video. Every refusal is JSON in the Error shape.",
        },
        "servers": [{"url": current_app.config["BASE_URL"].rstrip("/") + API_PREFIX}],
        "security": [{"bearer": []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
            "responses": {f"E{code}": _json({"$ref": REF.format(model="Error")}, text) for code,
                          text in ERRORS.items()},
        },
    }
