"""OpenAPI description of a series' credit lines and a member's certificate standing."""

from ..api.openapi import operation, path_id, ref

LINE = {"type": "object", "properties": {
    "id": {"type": "integer"}, "body": {"type": "string", "enum": ["aafp", "apa", "nasw", "aavsb"]},
    "body_name": {"type": "string"}, "credit_type": {"type": "string"},
    "amount": {"type": "string", "nullable": True, "example": "19.25", "description": "null: the body states no figure"},
    "disciplines": {"type": "array", "items": {"type": "string"}}, "statement": {"type": "string"}}}

SCHEMAS = {
    "CreditLine": LINE,
    "SeriesCredit": {"type": "object", "properties": {
        "minutes_per_meeting": {"type": "integer"}, "min_meetings": {"type": "integer"},
        "grace_minutes": {"type": "integer", "description": "how late, or how early to leave, still counts as the whole meeting"},
        "statements": {"type": "array", "items": {"type": "string"}},
        "lines": {"type": "array", "items": ref("CreditLine")}}},
    "CertificateStanding": {"type": "object", "properties": {
        "eligible": {"type": "boolean"}, "full_meetings": {"type": "integer"},
        "lines": {"type": "array", "items": ref("CreditLine"), "description": "the lines for the caller's discipline"},
        "reasons": {"type": "array", "items": {"type": "object", "properties": {
            "code": {"type": "string", "enum": ["late", "left_early", "absent", "excused", "too_few_meetings", "no_credit_line"]},
            "meeting_number": {"type": "integer", "nullable": True}}}},
        "certificate_number": {"type": "string", "nullable": True}}},
}

PATHS = {
    "/series/{id}/credit": {
        "get": operation("A series' credit settings and its credit lines by accrediting body", schema=ref("SeriesCredit"),
                         params=[path_id("id")]),
    },
    "/series/{id}/credit/lines": {
        "post": operation("Add a credit line (the series' leaders, admin); empty fields take the body's own credit type, "
                          "disciplines and statement", ok=201, schema=ref("CreditLine"), params=[path_id("id")],
                          errors=(400, 401, 403, 404, 409, 422),
                          body={"type": "object", "required": ["body"], "properties": {
                              "body": {"type": "string", "enum": ["aafp", "apa", "nasw", "aavsb"]},
                              "amount": {"type": "string", "example": "19.25"}, "credit_type": {"type": "string"},
                              "disciplines": {"type": "array", "items": {"type": "string"}}, "statement": {"type": "string"}}}),
    },
    "/series/{id}/credit/me": {
        "get": operation("The caller's certificate standing: meetings attended in full (joined by the start within the "
                         "grace period, and to the end where the provider reports departures; the leaders' word "
                         "overrides), their credit lines, and why there is no certificate", schema=ref("CertificateStanding"),
                         params=[path_id("id")]),
    },
}
