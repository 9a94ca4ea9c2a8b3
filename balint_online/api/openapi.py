"""The OpenAPI 3 document served at /api/v1/openapi.json, built from each feature's paths."""

from flask import current_app

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "message", "fields"],
    "properties": {
        "error": {"type": "string", "description": "machine code"},
        "message": {"type": "string", "description": "for people"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}
MONEY = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "example": "875.00"}
INSTANT = {"type": "string", "format": "date-time", "example": "2026-11-03T00:00:00Z"}
LOCAL = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$", "example": "2026-11-02T19:00"}
DATE = {"type": "string", "format": "date"}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def operation(summary: str, *, ok: int = 200, schema: dict | None = None, body: dict | None = None,
              errors: tuple[int, ...] = (401, 403, 404), public: bool = False, params: list | None = None) -> dict:
    """One operation with its success answer and the error answers it can give."""
    op = {
        "summary": summary,
        "responses": {str(ok): {"description": "Success", "content": {"application/json": {"schema": schema or {"type": "object"}}}}},
    }
    for status in errors:
        op["responses"][str(status)] = {"$ref": f"#/components/responses/E{status}"}
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if public:
        op["security"] = [{}, {"bearer": []}]
    if params:
        op["parameters"] = params
    return op


def path_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


def query(name: str, schema: dict, description: str = "") -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _feature_paths() -> tuple[dict, dict]:
    from ..features import feature_modules

    paths, schemas = {}, {}
    for module in feature_modules("openapi"):
        paths.update(module.PATHS)
        schemas.update(module.SCHEMAS)
    return paths, schemas


def openapi_document() -> dict:
    paths, schemas = _feature_paths()
    descriptions = {400: "Malformed request", 401: "No or bad token", 403: "Not allowed", 404: "Not found",
                    409: "Conflicts with the current state", 422: "Validation failed"}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Balint Online API",
            "version": "1",
            "description": "Online Balint groups: series, applications, pricing, presenter rotation, calendars and video.",
        },
        "servers": [{"url": current_app.config["BASE_URL"].rstrip("/") + "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR_SCHEMA, "Money": MONEY, **schemas},
            "responses": {
                f"E{code}": {"description": text, "content": {"application/json": {"schema": ref("Error")}}}
                for code, text in descriptions.items()
            },
        },
    }
