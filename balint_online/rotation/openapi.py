"""OpenAPI description of the presenter rotation endpoints."""

from ..api.openapi import INSTANT, operation, path_id, ref

PERSON = {"type": "object", "properties": {"user_id": {"type": "integer"}, "name": {"type": "string"}}}
INFEASIBLE = (
    "409 `rotation_infeasible` when no rotation keeps every guarantee; nothing is saved. `message` names "
    "the members who could not be given a turn and why; `unplaceable` lists them as `{user_id, name, reason}`."
)

SCHEMAS = {
    "RotationMeeting": {
        "type": "object",
        "properties": {
            "meeting_id": {"type": "integer"}, "number": {"type": "integer"},
            "starts_at": INSTANT, "ends_at": INSTANT,
            "status": {"type": "string", "enum": ["scheduled", "cancelled"]},
            "presenter_count": {"type": "integer", "description": "How many present here: the series' number "
                                "unless the leaders set this meeting's own"},
            "held": {"type": "boolean", "description": "Already started: its presenters are those who presented"},
            "presenters": {"type": "array", "items": {**PERSON, "properties": {
                **PERSON["properties"],
                "case_title": {"type": "string", "nullable": True, "maxLength": 80,
                               "description": "Chosen by the presenter; never anything identifying a patient"}}}},
            "backup": {**PERSON, "nullable": True,
                       "description": "Presents if a presenter cannot come (meetings still to come only)"},
        },
    },
    "Rotation": {
        "type": "object",
        "properties": {
            "series_id": {"type": "integer"}, "presenters_per_meeting": {"type": "integer"},
            "meetings": {"type": "array", "items": ref("RotationMeeting")},
        },
    },
    "Guarantee": {
        "type": "object",
        "description": "Whether every enrolled member has a presenting turn, explained for the leaders",
        "properties": {"kept": {"type": "boolean"}, "members": {"type": "integer"},
                       "without_turn": {"type": "array", "items": PERSON}, "explanation": {"type": "string"},
                       "remedies": {"type": "array", "items": {"type": "string"},
                                    "description": "What the leaders can do when the promise is not kept"}},
    },
    "PlacementRequest": {
        "type": "object",
        "description": "The leaders ask a member to present at a meeting they marked unavailable; the turn is "
                       "placed only when the member accepts",
        "properties": {
            "id": {"type": "integer"}, "series_id": {"type": "integer"}, "meeting_id": {"type": "integer"},
            "member": PERSON, "requested_by": {**PERSON, "nullable": True},
            "status": {"type": "string", "enum": ["pending", "accepted", "declined", "withdrawn", "refused"]},
            "message": {"type": "string", "nullable": True}, "outcome": {"type": "string", "nullable": True},
            "created_at": INSTANT, "decided_at": {**INSTANT, "nullable": True},
        },
    },
    "Unplaceable": {
        "type": "object",
        "properties": {"user_id": {"type": "integer"}, "name": {"type": "string"}, "reason": {"type": "string"}},
    },
    "SwapRequest": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"}, "series_id": {"type": "integer"},
            "status": {"type": "string", "enum": ["pending", "accepted", "declined", "withdrawn", "refused"]},
            "requester": PERSON, "requester_meeting_id": {"type": "integer"},
            "partner": PERSON, "partner_meeting_id": {"type": "integer"},
            "message": {"type": "string", "nullable": True}, "outcome": {"type": "string", "nullable": True},
            "created_at": INSTANT, "decided_at": {**INSTANT, "nullable": True},
        },
    },
}

_IDS = {"type": "array", "items": {"type": "integer"}}


def _body(required, **properties):
    return {"type": "object", "required": list(required), "properties": properties}


PATHS = {
    "/series/{id}/rotation": {
        "get": operation("Who presents when, every meeting of the series (its leaders, enrolled members, admins)",
                         schema=ref("Rotation"), params=[path_id("id")]),
    },
    "/series/{id}/availability": {
        "get": operation("The caller's unavailability in this series (an enrolled member)", params=[path_id("id")],
                         schema=_body((), series_id={"type": "integer"}, user_id={"type": "integer"},
                                      unavailable_meeting_ids=_IDS)),
        "put": {
            **operation(
                "Set the meetings where a member cannot present; the rotation of meetings still to come is "
                "recomputed with as few moves as possible and those whose turns moved are emailed. "
                "Ids of meetings already held are ignored. Leaders and admins may pass `user_id` to set a "
                "member's availability for them.",
                schema={"allOf": [ref("Rotation"), _body((), user_id={"type": "integer"}, unavailable_meeting_ids=_IDS)]},
                body=_body(["unavailable_meeting_ids"], unavailable_meeting_ids=_IDS, user_id={"type": "integer"}),
                params=[path_id("id")], errors=(400, 401, 403, 404, 409, 422)),
            "description": INFEASIBLE + " The answer lists the meetings still to come only.",
        },
    },
    "/series/{id}/rotation/swap": {
        "post": {
            **operation("Leaders exchange two presenting turns still to come",
                        schema=ref("Rotation"), params=[path_id("id")],
                        body=_body(["meeting_id_a", "user_id_a", "meeting_id_b", "user_id_b"],
                                   meeting_id_a={"type": "integer"}, user_id_a={"type": "integer"},
                                   meeting_id_b={"type": "integer"}, user_id_b={"type": "integer"}),
                        errors=(400, 401, 403, 404, 409, 422)),
            "description": "409 `swap_refused`, with the reason, when a meeting is held or cancelled, a member "
                           "does not present there, or the swap would break a guarantee (a member presenting "
                           "where they are unavailable, a member left without a turn). 422 when a meeting is "
                           "not part of the series.",
        },
    },
    "/series/{id}/rotation/move": {
        "post": {
            **operation("Leaders move one turn still to come to another meeting, another member, or both",
                        schema=ref("Rotation"), params=[path_id("id")],
                        body=_body(["meeting_id", "user_id"], meeting_id={"type": "integer"},
                                   user_id={"type": "integer"}, to_meeting_id={"type": "integer"},
                                   to_user_id={"type": "integer"}),
                        errors=(400, 401, 403, 404, 409, 422)),
            "description": "Accepted only when the edited rotation breaks no guarantee the current one keeps "
                           "(409 `move_refused` with the reason); backups are then chosen again.",
        },
    },
    "/meetings/{id}/presenters": {
        "put": operation("How many members present at one upcoming meeting (the series' leaders, admins), e.g. two "
                         "so that everyone keeps a turn after a cancellation. " + INFEASIBLE,
                         params=[path_id("id")], body=_body(["count"], count={"type": "integer", "minimum": 1, "maximum": 10}),
                         schema={"allOf": [ref("Rotation"), _body((), guarantee=ref("Guarantee"))]},
                         errors=(400, 401, 403, 404, 409, 422)),
    },
    "/meetings/{id}/case-title": {
        "put": operation("The presenter names their case (at most 80 characters, nothing that could identify a "
                         "patient); an empty title removes it",
                         params=[path_id("id")], body=_body([], case_title={"type": "string", "maxLength": 80}),
                         schema=_body((), meeting_id={"type": "integer"}, user_id={"type": "integer"},
                                      case_title={"type": "string", "nullable": True}),
                         errors=(400, 401, 403, 404, 409, 422)),
    },
    "/series/{id}/swap-requests": {
        "get": operation("Swap requests the caller made or received (every request, for leaders)",
                         params=[path_id("id")],
                         schema=_body((), swap_requests={"type": "array", "items": ref("SwapRequest")})),
        "post": {
            **operation("An enrolled member asks another to exchange presenting turns",
                        ok=201, schema=ref("SwapRequest"), params=[path_id("id")],
                        body=_body(["meeting_id", "partner_id", "partner_meeting_id"],
                                   meeting_id={"type": "integer", "description": "The caller's turn"},
                                   partner_id={"type": "integer"},
                                   partner_meeting_id={"type": "integer", "description": "The partner's turn"},
                                   message={"type": "string", "maxLength": 500}),
                        errors=(400, 401, 403, 404, 409, 422)),
            "description": "Refused at once (409 `swap_refused`) when the swap could not be made now.",
        },
    },
    "/swap-requests/{id}": {
        "get": operation("One swap request (the two members, the leaders, admins)", schema=ref("SwapRequest"),
                         params=[path_id("id")]),
    },
    "/swap-requests/{id}/accept": {
        "post": {
            **operation("The member asked accepts: the swap is made if still valid", schema=ref("SwapRequest"),
                        params=[path_id("id")], errors=(401, 403, 404, 409)),
            "description": "When the swap is no longer valid the request is closed as `refused` and the answer "
                           "is 409 `swap_refused` with the reason.",
        },
    },
    "/swap-requests/{id}/decline": {
        "post": operation("The member asked declines", schema=ref("SwapRequest"), params=[path_id("id")],
                          errors=(401, 403, 404, 409)),
    },
    "/swap-requests/{id}/withdraw": {
        "post": operation("The member who asked withdraws the request", schema=ref("SwapRequest"),
                          params=[path_id("id")], errors=(401, 403, 404, 409)),
    },
    "/series/{id}/rotation/placements": {
        "get": operation("Placement requests: every one for the leaders, a member's own for them",
                         params=[path_id("id")], schema=_body((), placement_requests={
                             "type": "array", "items": ref("PlacementRequest")})),
        "post": operation("A leader asks a member to present at a meeting they marked unavailable (a warning: "
                          "nothing moves until the member accepts). 422 when the member is available then; 409 "
                          "`placement_refused` when the placement could not keep every member's turn",
                          ok=201, params=[path_id("id")],
                          body=_body(["meeting_id", "user_id"], meeting_id={"type": "integer"},
                                     user_id={"type": "integer"}, message={"type": "string", "maxLength": 500}),
                          schema={"allOf": [ref("PlacementRequest"), _body((), warning={"type": "string"})]},
                          errors=(400, 401, 403, 404, 409, 422)),
    },
    "/placements/{id}": {
        "get": operation("One placement request (the member asked, the leaders, admins)", params=[path_id("id")],
                         schema=ref("PlacementRequest")),
    },
    "/placements/{id}/accept": {
        "post": operation("The member agrees: their unavailability there is lifted and the turn placed; 409 "
                          "`placement_refused` (the request closes as refused) when it can no longer stand",
                          params=[path_id("id")], schema=ref("PlacementRequest"), errors=(401, 403, 404, 409)),
    },
    "/placements/{id}/decline": {
        "post": operation("The member declines; nothing changes", params=[path_id("id")],
                          schema=ref("PlacementRequest"), errors=(401, 403, 404, 409)),
    },
    "/placements/{id}/withdraw": {
        "post": operation("The leaders withdraw a pending request", params=[path_id("id")],
                          schema=ref("PlacementRequest"), errors=(401, 403, 404, 409)),
    },
}
