"""OpenAPI description of the way into a meeting's video room."""

from ..api.openapi import INSTANT, operation, path_id, ref

SCHEMAS = {
    "JoinLink": {
        "type": "object",
        "required": ["url", "role"],
        "properties": {
            "url": {"type": "string", "format": "uri",
                    "description": "Personal link into the video room; for the caller only, do not share or store"},
            "role": {"type": "string", "enum": ["host", "participant"]},
        },
    },
    "JoinRefusal": {
        "allOf": [ref("Error"), {"type": "object", "properties": {
            "error": {"type": "string", "enum": ["not_enrolled", "too_early", "ended", "cancelled"]},
            "opens_at": {**INSTANT, "description": "With too_early: when the room opens"},
        }}],
    },
}

_join = operation("A personal link into the meeting's video room (the series' leaders as hosts, its enrolled members), "
                  "from the join window's opening until the meeting ends; records that the caller entered",
                  schema=ref("JoinLink"), params=[path_id("id")], errors=(401, 404))
_join["responses"]["403"] = {"description": "Kept out: not in the group, too early, ended or cancelled",
                             "content": {"application/json": {"schema": ref("JoinRefusal")}}}
_join["responses"]["503"] = {"description": "room_not_ready (the leaders have been told) or provider_unavailable; "
                                            "try again shortly",
                             "content": {"application/json": {"schema": ref("Error")}}}

PATHS = {"/meetings/{id}/join": {"get": _join}}
