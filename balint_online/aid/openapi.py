"""OpenAPI description of the financial-aid endpoints."""

from ..api.openapi import DATE, INSTANT, MONEY, operation, path_id, ref

CRITERION = {"type": "object", "description": "Fits when every non-empty list holds the person's value", "properties": {
    "disciplines": {"type": "array", "items": {"type": "string"}},
    "training": {"type": "array", "items": {"type": "string", "enum": ["none", "resident", "fellow", "student"]}},
    "specialties": {"type": "array", "items": {"type": "string"}}}}

SCHEMAS = {
    "AidProgramme": {"type": "object", "properties": {
        "id": {"type": "integer"}, "series_id": {"type": "integer", "nullable": True, "description": "null: every series"},
        "kind": {"type": "string", "enum": ["full_tuition", "reimbursement"]}, "name": {"type": "string"},
        "description": {"type": "string"}, "max_awards": {"type": "integer", "nullable": True, "description": "per series"},
        "eligible": {"type": "array", "items": CRITERION, "description": "any one suffices; empty: anyone registered"},
        "deadline": {**DATE, "nullable": True}}},
    "AidApplication": {"type": "object", "properties": {
        "id": {"type": "integer"}, "programme_id": {"type": "integer"}, "application_id": {"type": "integer"},
        "status": {"type": "string", "enum": ["submitted", "awarded", "declined"]},
        "training_status": {"type": "string"}, "specialty": {"type": "string"}, "statement": {"type": "string"},
        "amount": {**MONEY, "nullable": True}, "currency": {"type": "string"}, "decision_note": {"type": "string", "nullable": True},
        "submitted_at": INSTANT, "decided_at": {**INSTANT, "nullable": True}}},
}

_AID = ref("AidApplication")
_REASON = {"type": "object", "properties": {"reason": {"type": "string", "maxLength": 1000}}}

PATHS = {
    "/series/{id}/aid-programmes": {
        "get": operation("The aid programmes offered for a series (its own and the society's)", params=[path_id("id")],
                         schema={"type": "object", "properties": {"programmes": {"type": "array", "items": ref("AidProgramme")}}}),
    },
    "/aid-programmes": {
        "post": operation("Set up an aid programme (admin); without series_id it is the society's, for every series",
                          ok=201, schema=ref("AidProgramme"), errors=(400, 401, 403, 422),
                          body={"type": "object", "required": ["kind", "name"], "properties": {
                              "series_id": {"type": "integer"}, "kind": {"type": "string", "enum": ["full_tuition", "reimbursement"]},
                              "name": {"type": "string"}, "description": {"type": "string"}, "max_awards": {"type": "integer"},
                              "eligible": {"type": "array", "items": CRITERION}, "deadline": DATE}}),
    },
    "/applications/{id}/aid": {
        "post": operation("Apply for aid on one's own registration (register first). 409 with error not_registered, "
                          "deadline_passed, not_eligible or already_applied", ok=201, schema=_AID, params=[path_id("id")],
                          errors=(400, 401, 403, 404, 409, 422),
                          body={"type": "object", "required": ["programme_id", "statement"], "properties": {
                              "programme_id": {"type": "integer"},
                              "training_status": {"type": "string", "enum": ["none", "resident", "fellow", "student"]},
                              "specialty": {"type": "string"}, "statement": {"type": "string", "minLength": 20, "maxLength": 1200,
                                                                            "description": "no patient details"}}}),
    },
    "/aid-applications/{id}": {
        "get": operation("An aid application (the applicant, admin)", schema=_AID, params=[path_id("id")]),
    },
    "/aid-applications/{id}/award": {
        "post": operation("Award the aid (admin): the fee is waived and anything already paid becomes a refund owed. "
                          "409 limit_reached when the programme's awards for the series are used up; also not_submitted, "
                          "not_accepted, already_aided, registration_ended", schema=_AID, params=[path_id("id")], body=_REASON,
                          errors=(400, 401, 403, 404, 409, 422)),
    },
    "/aid-applications/{id}/decline": {
        "post": operation("Decline the aid (admin), saying why", schema=_AID, params=[path_id("id")], body=_REASON,
                          errors=(400, 401, 403, 404, 409, 422)),
    },
}
