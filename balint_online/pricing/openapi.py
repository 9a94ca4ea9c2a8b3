"""OpenAPI description of the pricing endpoints: quotes, payments, scholarships, provider notifications."""

from ..api.openapi import DATE, INSTANT, MONEY, operation, path_id, query

LINE = {"type": "object", "properties": {"label": {"type": "string"}, "amount": MONEY}}

SCHEMAS = {
    "Quote": {
        "type": "object",
        "properties": {
            "category": {"type": "string", "enum": ["standard", "member", "trainee", "member_trainee"]},
            "rate_category": {"type": "string"}, "period": {"type": "string", "enum": ["early", "regular"]},
            "amount": MONEY, "currency": {"type": "string"}, "lines": {"type": "array", "items": LINE},
        },
    },
    "Payment": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"}, "application_id": {"type": "integer"}, "amount": MONEY,
            "currency": {"type": "string"}, "method": {"type": "string"}, "reference": {"type": "string"},
            "received_at": INSTANT, "payment_status": {"type": "string"},
        },
    },
}

PATHS = {
    "/series/{id}/quote": {
        "get": operation("What the caller would pay (membership from their own record)", schema={"$ref": "#/components/schemas/Quote"},
                         params=[path_id("id"), query("trainee", {"type": "boolean"}), query("on", DATE)],
                         errors=(400, 401, 404)),
    },
    "/applications/{id}/payments": {
        "post": operation(
            "Record a payment (admin). An Idempotency-Key header (or idempotency_key field) makes a retry "
            "record nothing new: 201 the first time, 200 with the same payment after. Without a key, a request "
            "repeating the reference and amount of a payment recorded on the same application in the last 10 "
            "minutes is taken for a retry and answered the same way. A payment on an application that has "
            "ended is owed back at once (less what the cancellation policy keeps).",
            ok=201, schema={"$ref": "#/components/schemas/Payment"}, params=[
                path_id("id"),
                {"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string"}},
            ],
            body={"type": "object", "required": ["amount", "method"], "properties": {
                "amount": MONEY, "method": {"type": "string", "enum": ["cheque", "transfer", "card", "cash", "invoice", "other"]},
                "reference": {"type": "string"}, "idempotency_key": {"type": "string"}}},
            errors=(400, 401, 403, 404, 409, 422)),
    },
    "/applications/{id}/scholarship": {
        "post": operation("Grant a scholarship (admin): the amount due becomes 0.00; recorded in the history",
                          schema={"type": "object", "description": "The application, as GET /applications/{id}"},
                          params=[path_id("id")],
                          body={"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}},
                          errors=(401, 403, 404, 409, 422)),
    },
    "/payments/notifications/{provider}": {
        "post": operation("A payment provider reports money received (authenticated by the provider's signature)",
                          public=True, params=[{"name": "provider", "in": "path", "required": True, "schema": {"type": "string"}}],
                          schema={"type": "object", "properties": {"recorded": {"type": "array", "items": {"$ref": "#/components/schemas/Payment"}}}},
                          errors=(400,)),
    },
}
