"""OpenAPI description of the application endpoints."""

from ..api.openapi import INSTANT, MONEY, operation, path_id, ref

from .attestation import ITEMS
STATUSES = ["pending", "waitlisted", "offered", "enrolled", "declined", "withdrawn", "offer_expired", "cancelled"]
REASON = {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string", "maxLength": 1000}}}

SCHEMAS = {
    "Quote": {
        "type": "object",
        "properties": {
            "category": {"type": "string", "enum": ["standard", "member", "trainee", "member_trainee"]},
            "rate_category": {"type": "string"}, "period": {"type": "string", "enum": ["early", "regular"]},
            "amount": MONEY, "currency": {"type": "string"},
            "lines": {"type": "array", "items": {"type": "object", "properties": {"label": {"type": "string"}, "amount": MONEY}}},
        },
    },
    "Application": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"}, "series_id": {"type": "integer"}, "user_id": {"type": "integer"},
            "status": {"type": "string", "enum": STATUSES}, "trainee": {"type": "boolean"},
            "price": ref("Quote"), "amount_due": MONEY, "paid": MONEY, "currency": {"type": "string"},
            "refund_due": {"type": "object", "description": "Owed back and not yet paid out: follows every payment, "
                           "whenever it arrived", "properties": {"amount": MONEY, "currency": {"type": "string"}}},
            "refunded": {"type": "object", "description": "Paid out",
                         "properties": {"amount": MONEY, "currency": {"type": "string"}}},
            "scholarship": {"type": "boolean"},
            "payment_status": {"type": "string", "enum": ["unpaid", "part-paid", "paid", "waived", "refund-due", "refunded"]},
            "applied_at": INSTANT, "waitlist_position": {"type": "integer", "nullable": True},
            "offer_expires_at": {**INSTANT, "nullable": True}, "note": {"type": "string"},
            "attestation": {"type": "object", "properties": {
                "version": {"type": "integer"}, "agreed_at": INSTANT,
                "items": {"type": "array", "items": {"type": "object", "properties": {
                    "key": {"type": "string"}, "text": {"type": "string"}, "confirmed": {"type": "boolean"},
                    "required": {"type": "boolean", "description": "false for advice, which is shown, never required"},
                    "contact": {"type": "string", "nullable": True, "description": "Advice: whom to contact"}}}}}},
            "member": {"type": "object", "description": "Leaders and admins only"},
            "history": {"type": "array", "description": "Leaders and admins only: the audit log", "items": {"type": "object"}},
        },
    },
    "ApplicationCreate": {
        "type": "object",
        "required": ["attestation"],
        "properties": {
            "trainee": {"type": "boolean", "default": False},
            "note": {"type": "string", "maxLength": 1000, "description": "For the leaders; no patient details"},
            "attestation": {
                "type": "object",
                "description": "One boolean per item of the commitments in force, by key. Requirements must be true "
                               "(a missing or false one is a 422 naming it); advice items (by default "
                               "emotional_readiness) are recorded when sent, never required. Admins may edit the items; "
                               "the keys below are the built-in wording's.",
                "required": [i.key for i in ITEMS if i.required],
                "properties": {i.key: {"type": "boolean", **({"enum": [True]} if i.required else {})} for i in ITEMS}},
        },
    },
}

_ITEM = {"type": "object", "required": ["key", "text"], "properties": {
    "key": {"type": "string", "pattern": "^[a-z][a-z0-9_]{1,39}$", "description": "Stable: the applications API uses it"},
    "text": {"type": "string", "maxLength": 1000}, "required": {"type": "boolean", "default": True},
    "contact": {"type": "string", "maxLength": 300, "description": "Advice (required false): whom to contact"}}}
SCHEMAS["Commitments"] = {"type": "object", "properties": {
    "version": {"type": "integer"}, "intro": {"type": "string"}, "items": {"type": "array", "items": _ITEM}}}

_app = [path_id("id")]
PATHS = {
    "/commitments": {
        "get": operation("The commitments applicants agree to now, in the society's words: which keys an "
                         "application's attestation must confirm (required) and the advice shown", public=True,
                         schema=ref("Commitments"), errors=()),
        "put": operation("Admins save new wording as the next version; applications made before keep theirs. "
                         "409 `unchanged` when nothing differs", ok=201, schema=ref("Commitments"),
                         body={"type": "object", "required": ["intro", "items"], "properties": {
                             "intro": {"type": "string"}, "items": {"type": "array", "items": _ITEM}}},
                         errors=(400, 401, 403, 409, 422)),
    },
    "/series/{id}/applications": {
        "post": operation("Apply, confirming each commitment; the price is locked now", ok=201, schema=ref("Application"),
                          body=ref("ApplicationCreate"), params=_app, errors=(400, 401, 404, 409, 422)),
    },
    "/applications/{id}": {
        "get": operation("An application (the applicant, the series' leaders, admins)", schema=ref("Application"), params=_app),
    },
    "/applications/{id}/accept": {
        "post": operation("Accept: enrolled, or waitlisted with a position when the series is full or anyone waits",
                          schema=ref("Application"), params=_app, errors=(401, 403, 404, 409)),
    },
    "/applications/{id}/decline": {
        "post": operation("Decline with a reason the applicant is told", schema=ref("Application"), body=REASON,
                          params=_app, errors=(401, 403, 404, 409, 422)),
    },
    "/applications/{id}/withdraw": {
        "post": operation("Withdraw in writing; the refund follows the cancellation policy",
                          schema={"allOf": [ref("Application"), {"type": "object", "properties": {"refund": {
                              "type": "object", "properties": {"amount": MONEY, "currency": {"type": "string"},
                                                               "reason": {"type": "string"}, "lines": {"type": "array"}}}}}]},
                          body=REASON, params=_app, errors=(401, 403, 404, 409, 422)),
    },
    "/applications/{id}/accept-offer": {
        "post": operation("Take up a waiting-list offer before it lapses", schema=ref("Application"), params=_app,
                          errors=(401, 403, 404, 409)),
    },
    "/series/{id}/roster": {
        "get": operation("Every application with status, payment status and discipline (leaders, admins)",
                         schema={"type": "object", "properties": {"applications": {"type": "array", "items": ref("Application")}}},
                         params=_app),
    },
}
