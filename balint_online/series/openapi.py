"""OpenAPI description of the series and meeting endpoints."""

from ..api.openapi import DATE, INSTANT, LOCAL, MONEY, operation, path_id, ref

RATE = {"type": "object", "properties": {"early": MONEY, "regular": MONEY}, "required": ["regular"]}
PRICES = {"type": "object", "properties": {c: RATE for c in ("standard", "member", "trainee", "member_trainee")}}

SCHEMAS = {
    "Meeting": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"}, "number": {"type": "integer"}, "starts_at": INSTANT, "ends_at": INSTANT,
            "starts_at_local": LOCAL, "status": {"type": "string", "enum": ["scheduled", "cancelled"]},
            "sequence": {"type": "integer"},
            "presenters": {"type": "integer", "description": "How many members present at this meeting"},
        },
    },
    "MeetingChanged": {
        "allOf": [ref("Meeting"), {"type": "object", "properties": {"rotation": ref("Guarantee")}}],
        "description": "The meeting after the change, with what it did to every member's presenting turn",
    },
    "Series": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"}, "title": {"type": "string"}, "description": {"type": "string"},
            "timezone": {"type": "string"},
            "status": {"type": "string", "enum": ["draft", "open", "full", "running", "completed", "cancelled"]},
            "capacity": {"type": "integer"}, "seats_left": {"type": "integer"},
            "leaders": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}},
            "prices": PRICES, "currency": {"type": "string"},
            "meetings": {"type": "array", "items": ref("Meeting")},
            "calendar_url": {"type": "string", "format": "uri"},
            "registration_deadline": {**DATE, "nullable": True},
        },
    },
    "SeriesCreate": {
        "type": "object",
        "required": ["title", "timezone", "first_meeting_local"],
        "properties": {
            "title": {"type": "string", "maxLength": 200}, "description": {"type": "string", "maxLength": 5000},
            "timezone": {"type": "string", "example": "America/New_York"}, "first_meeting_local": LOCAL,
            "meeting_count": {"type": "integer", "default": 8, "minimum": 1, "maximum": 52},
            "interval_weeks": {"type": "integer", "default": 1, "minimum": 1, "maximum": 8},
            "duration_minutes": {"type": "integer", "default": 90, "minimum": 15, "maximum": 480},
            "capacity": {"type": "integer", "default": 8, "minimum": 1},
            "presenters_per_meeting": {"type": "integer", "default": 1, "minimum": 1},
            "leader_emails": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
            "video_provider": {"type": "string", "enum": ["jitsi", "zoom", "bigbluebutton"]},
            "currency": {"type": "string", "default": "USD"}, "prices": PRICES,
            "early_bird_deadline": DATE, "cancellation_deadline": DATE,
            "registration_deadline": {**DATE, "description": "Last day applications are taken (inclusive, in the series' zone)"},
            "cancellation_fee": {**MONEY, "default": "100.00"},
            "skip_dates": {"type": "array", "items": DATE},
            "offer_hours": {"type": "integer", "default": 48, "description": "How long a waiting-list offer stays open"},
        },
    },
}

PATHS = {
    "/series": {
        "get": operation("Open series (no sign-in needed)", public=True, errors=(),
                         schema={"type": "object", "properties": {"series": {"type": "array", "items": ref("Series")}}}),
        "post": operation("Create a draft series (leaders, admins)", ok=201, schema=ref("Series"),
                          body=ref("SeriesCreate"), errors=(400, 401, 403, 422)),
    },
    "/series/{id}": {
        "get": operation("A series with its meetings", public=True, schema=ref("Series"), params=[path_id("id")], errors=(404,)),
        "patch": operation("Edit a series (its leaders, admins) with any fields of the create body; those left out keep "
                           "their value. A draft changes freely (its meetings are re-planned); a published series takes "
                           "only changes that keep what applicants were promised (title, description, leaders, more "
                           "places, later deadlines): otherwise 409 `published_terms` with each field in `fields`",
                           schema=ref("Series"), params=[path_id("id")],
                           body={"type": "object", "properties": SCHEMAS["SeriesCreate"]["properties"]},
                           errors=(400, 401, 403, 404, 409, 422)),
    },
    "/series/{id}/publish": {
        "post": operation("Open a series for applications", schema=ref("Series"), params=[path_id("id")], errors=(401, 403, 404, 409)),
    },
    "/series/{id}/cancel": {
        "post": operation("The society cancels a series: meetings cancelled, everyone refunded in full",
                          schema=ref("Series"), params=[path_id("id")],
                          body={"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}},
                          errors=(401, 403, 404, 409, 422)),
    },
    "/meetings/{id}/reschedule": {
        "post": operation("Move a meeting to a new local time", schema=ref("MeetingChanged"), params=[path_id("id")],
                          body={"type": "object", "required": ["starts_at_local"], "properties": {"starts_at_local": LOCAL}},
                          errors=(400, 401, 403, 404, 409, 422)),
    },
    "/series/{id}/meetings": {
        "post": operation("Add a meeting, such as a make-up for a cancelled one, at a local wall-clock time in the "
                          "series' zone (the series' leaders, admins). It takes the next number; the rotation follows",
                          ok=201, schema=ref("MeetingChanged"), params=[path_id("id")],
                          body={"type": "object", "required": ["starts_at_local"], "properties": {"starts_at_local": LOCAL}},
                          errors=(400, 401, 403, 404, 409, 422)),
    },
    "/meetings/{id}/restore": {
        "post": operation("Restore a cancelled meeting that has not started (the series' leaders, admins)",
                          schema=ref("MeetingChanged"), params=[path_id("id")], errors=(401, 403, 404, 409)),
    },
    "/meetings/{id}/cancel": {
        "post": operation("Cancel a meeting", schema=ref("MeetingChanged"), params=[path_id("id")],
                          body={"type": "object", "properties": {"reason": {"type": "string"}}}, errors=(401, 403, 404, 409)),
    },
}
