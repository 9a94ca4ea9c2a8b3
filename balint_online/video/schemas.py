"""The API's description of the way into a meeting's video room (see core/schemas.py)."""

from typing import Literal

from pydantic import Field

from ..core.schemas import Error, Instant, Output
from .access import CANCELLED, ENDED, HOST, NOT_ENROLLED, PARTICIPANT, TOO_EARLY


class JoinLink(Output):
    url: str = Field(description="Personal link into the video room; for the caller only, do not share or store")
    role: Literal[HOST, PARTICIPANT]


class JoinRefusal(Error):
    error: Literal[NOT_ENROLLED, TOO_EARLY, ENDED, CANCELLED]
    opens_at: Instant | None = Field(None, description="With too_early: when the room opens")

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema, handler):
        # Documented as the Error shape plus what a refusal adds (the document always defines Error).
        flat = handler.resolve_ref_schema(handler(core_schema))
        added = {name: flat["properties"][name] for name in ("error", "opens_at")}
        error = {"$ref": handler.generate_json_schema.ref_template.format(model=Error.__name__)}
        return {"allOf": [error, {"type": "object", "properties": added}],
                "title": flat["title"], "description": "Kept out of the meeting's room; `error` says why"}
