"""The API's description of series and meetings (see core/schemas.py and CONTRACT.md)."""

from typing import Annotated, Any, Literal, Self

from pydantic import Field, WithJsonSchema, create_model

from ..accounts.models import User
from ..calendar.services import public_feed_url
from ..core.prices import CATEGORIES
from ..core.schemas import Day, Input, Instant, LocalDateTime, Output, Text, column_length
from ..core.timefmt import local_wall
from ..core.videoproviders import PROVIDER_NAMES
from ..pricing.schemas import Money, MoneyIn, Rate
from ..rotation.schemas import Guarantee
from ..series.models import Meeting, MeetingStatus, Series
from ..series.scheduling import SeriesStatus

_RATE_IN = {"type": "object", "required": ["regular"], "additionalProperties": False,
            "properties": {"early": {"type": "string", "example": "750.00"},
                           "regular": {"type": "string", "example": "875.00"}}}
# Checked cell by cell by core.prices.parse_price_table, whose field names ("prices.member.early") are the contract's.
PricesIn = Annotated[dict[str, Any], WithJsonSchema({
    "type": "object", "additionalProperties": False, "properties": {c: _RATE_IN for c in CATEGORIES},
    "description": "Each category's rates; `standard` is required, `early` may be left out",
})]


class SeriesCreate(Input):
    title: Text(column_length(Series.title), min_length=1)
    # A Text column: the bound is the page form's, so that a description fits where it is shown.
    description: Text(5000) = ""
    timezone: Text(column_length(Series.timezone), min_length=1) = Field(examples=["America/New_York"])
    first_meeting_local: LocalDateTime
    meeting_count: int = Field(8, ge=1, le=52)
    interval_weeks: int = Field(1, ge=1, le=8)
    duration_minutes: int = Field(90, ge=15, le=480)
    capacity: int = Field(8, ge=1, le=500)
    presenters_per_meeting: int = Field(1, ge=1, le=10)
    offer_hours: int = Field(48, ge=1, le=24 * 14, description="How long a waiting-list offer stays open")
    leader_emails: list[Text(column_length(User.email), min_length=1)] | None = Field(
        None, max_length=2, description="Default: the caller")
    video_provider: Literal[PROVIDER_NAMES] | None = None
    currency: Annotated[str, Field(pattern="^[A-Za-z]{3}$")] | None = Field(
        None, description="ISO 4217 code. Default: the society's (DEFAULT_CURRENCY)")
    prices: PricesIn = Field(default_factory=dict)
    early_bird_deadline: Day | None = Field(None, description="Inclusive, in the series' zone")
    registration_deadline: Day | None = Field(
        None, description="Last day applications are taken (inclusive, in the series' zone)")
    cancellation_deadline: Day | None = Field(None, description="Inclusive, in the series' zone")
    cancellation_fee: MoneyIn = Field("100.00", validate_default=True)
    skip_dates: list[Day] = Field(default_factory=list, max_length=60)


def _optional(field) -> Any:  # Any: create_model's **fields would otherwise have to fit its other keywords
    # The field's own type and bounds, or null; left out, it is not in `model_fields_set`.
    kind = Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
    return kind | None, Field(None, description=field.description)


SeriesEdit = create_model(
    "SeriesEdit", __base__=Input, __doc__="Any fields of the create body; those left out keep their value.",
    **{name: _optional(field) for name, field in SeriesCreate.model_fields.items()})


class MeetingAdd(Input):
    starts_at_local: LocalDateTime


class SeriesCancel(Input):
    reason: Text(column_length(Meeting.cancel_reason), min_length=1)


class Reschedule(Input):
    starts_at_local: LocalDateTime


class MeetingCancel(Input):
    reason: Text(column_length(Meeting.cancel_reason)) = ""


class MeetingOut(Output):
    id: int
    number: int
    starts_at: Instant
    ends_at: Instant
    starts_at_local: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$")
    status: MeetingStatus
    sequence: int
    presenters: int = Field(description="How many members present at this meeting")
    video_ready: bool

    @classmethod
    def of(cls, meeting: Meeting, **more) -> Self:
        return cls(id=meeting.id, number=meeting.number, starts_at=meeting.starts_at, ends_at=meeting.ends_at,
                   starts_at_local=local_wall(meeting.starts_at, meeting.series.timezone), status=meeting.status,
                   sequence=meeting.sequence, presenters=meeting.presenters_here,
                   video_ready=meeting.video_room is not None, **more)


class MeetingChanged(MeetingOut):
    """The meeting after the change, with what it did to every member's presenting turn."""

    rotation: Guarantee

    @classmethod
    def of(cls, meeting: Meeting, **more) -> Self:
        return super().of(meeting, rotation=Guarantee.of(meeting.series), **more)


class Leader(Output):
    id: int
    name: str


class SeriesSummary(Output):
    """A series as listed: everything but its meetings."""

    id: int
    title: str
    description: str
    timezone: str
    status: SeriesStatus
    capacity: int
    seats_left: int
    leaders: list[Leader]
    prices: dict[Literal[CATEGORIES], Rate]
    currency: str
    first_meeting_local: LocalDateTime
    meeting_count: int
    interval_weeks: int
    duration_minutes: int
    presenters_per_meeting: int
    video_provider: str
    early_bird_deadline: Day | None
    registration_deadline: Day | None
    cancellation_deadline: Day | None
    cancellation_fee: Money
    skip_dates: list[Day]
    offer_hours: int
    calendar_url: str = Field(description="The public feed of its meetings (no video links)")

    @classmethod
    def of(cls, series: Series) -> "SeriesSummary":
        fields = {name: getattr(series, name) for name in SeriesSummary.model_fields if name != "calendar_url"}
        return cls(**fields, calendar_url=public_feed_url(series), **cls._more(series))

    @classmethod
    def _more(cls, series: Series) -> dict:
        return {}


class SeriesOut(SeriesSummary):
    """A series with its meetings."""

    meetings: list[MeetingOut]

    @classmethod
    def _more(cls, series: Series) -> dict:
        return {"meetings": [MeetingOut.of(m) for m in series.meetings]}


class SeriesList(Output):
    series: list[SeriesSummary]

