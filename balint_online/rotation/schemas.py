"""The API's description of the presenter rotation and swap requests (see core/schemas.py and CONTRACT.md)."""


from pydantic import Field

from ..accounts.models import User
from ..core.schemas import Id, Input, Instant, Output, Text, column_length
from ..series.models import MeetingStatus, Series
from . import queries
from .models import PlacementRequest, PlacementStatus, PresenterTurn, SwapRequest, SwapStatus


class Person(Output):
    user_id: int
    name: str

    @classmethod
    def of(cls, user: User | None) -> "Person | None":
        return cls(user_id=user.id, name=user.name) if user is not None else None


class Presenter(Person):
    case_title: str | None = Field(max_length=column_length(PresenterTurn.case_title),
                                   description="Chosen by the presenter; never anything identifying a patient")


class RotationMeeting(Output):
    meeting_id: int
    number: int
    starts_at: Instant
    ends_at: Instant
    status: MeetingStatus
    presenter_count: int = Field(description="How many members present at this meeting")
    held: bool = Field(description="Already started: its presenters are those who presented")
    presenters: list[Presenter]
    backup: Person | None = Field(description="Presents if a presenter cannot come (meetings still to come only)")


class Rotation(Output):
    series_id: int
    presenters_per_meeting: int
    meetings: list[RotationMeeting]

    @classmethod
    def of(cls, series: Series, *, upcoming_only: bool = False, **more) -> "Rotation":
        rows = queries.rotation_rows(series)
        if upcoming_only:
            rows = [r for r in rows if not r.past and not r.meeting.is_cancelled]
        meetings = [
            RotationMeeting(
                meeting_id=row.meeting.id, number=row.meeting.number, starts_at=row.meeting.starts_at,
                ends_at=row.meeting.ends_at, status=row.meeting.status,
                presenter_count=row.meeting.presenters_here, held=row.past and not row.meeting.is_cancelled,
                presenters=[Presenter(user_id=t.user.id, name=t.user.name, case_title=t.case_title or None)
                            for t in row.presenters],
                backup=Person.of(row.backup.user) if row.backup else None)
            for row in rows
        ]
        return cls(series_id=series.id, presenters_per_meeting=series.presenters_per_meeting, meetings=meetings, **more)


class Availability(Output):
    series_id: int
    user_id: int
    unavailable_meeting_ids: list[int]


class AvailabilitySet(Input):
    unavailable_meeting_ids: list[Id] = Field(max_length=500, description="An empty list when free for every meeting")
    user_id: Id | None = Field(None, description="Leaders and admins: the member whose availability this is")


class RotationWithAvailability(Rotation):
    """The meetings still to come, with the member's availability."""

    user_id: int
    unavailable_meeting_ids: list[int]


class Swap(Input):
    meeting_id_a: Id
    user_id_a: Id
    meeting_id_b: Id
    user_id_b: Id


class Move(Input):
    meeting_id: Id
    user_id: Id
    to_meeting_id: Id | None = Field(None, description="Give to_meeting_id, to_user_id or both")
    to_user_id: Id | None = None


class CaseTitleSet(Input):
    case_title: Text(column_length(PresenterTurn.case_title)) = ""


class CaseTitle(Output):
    meeting_id: int
    user_id: int
    case_title: str | None


class SwapRequestCreate(Input):
    meeting_id: Id = Field(description="The caller's turn")
    partner_id: Id
    partner_meeting_id: Id = Field(description="The partner's turn")
    message: Text(column_length(SwapRequest.message)) = ""


class SwapRequestOut(Output):
    id: int
    series_id: int
    status: SwapStatus
    requester: Person
    requester_meeting_id: int
    partner: Person
    partner_meeting_id: int
    message: str | None
    outcome: str | None
    created_at: Instant
    decided_at: Instant | None

    @classmethod
    def of(cls, request: SwapRequest) -> "SwapRequestOut":
        return cls(id=request.id, series_id=request.series_id, status=request.status,
                   requester=Person.of(request.requester), requester_meeting_id=request.requester_meeting_id,
                   partner=Person.of(request.partner), partner_meeting_id=request.partner_meeting_id,
                   message=request.message or None, outcome=request.outcome or None, created_at=request.created_at,
                   decided_at=request.decided_at)


class SwapRequests(Output):
    swap_requests: list[SwapRequestOut]


class Unplaced(Output):
    user_id: int
    name: str


class Guarantee(Output):
    """Whether every enrolled member has a presenting turn (rotation.queries.guarantee)."""

    kept: bool
    members: int
    without_turn: list[Unplaced]
    explanation: str
    remedies: list[str] = Field(description="What the leaders can do when the guarantee is not kept")

    @classmethod
    def of(cls, series: Series) -> "Guarantee":
        return cls(**queries.guarantee(series).to_api())


class PresenterCountSet(Input):
    count: int = Field(ge=1, le=10)


class RotationWithGuarantee(Rotation):
    """The rotation after a change, with what it did to every member's presenting turn."""

    guarantee: Guarantee


class PlacementCreate(Input):
    meeting_id: Id
    user_id: Id
    message: Text(column_length(PlacementRequest.message)) = ""


class PlacementOut(Output):
    id: int
    series_id: int
    meeting_id: int
    member: Person
    requested_by: Person | None
    status: PlacementStatus
    message: str | None
    outcome: str | None
    created_at: Instant
    decided_at: Instant | None

    @classmethod
    def of(cls, request: PlacementRequest, **more) -> "PlacementOut":
        return cls(id=request.id, series_id=request.series_id, meeting_id=request.meeting_id,
                   member=Person.of(request.user), requested_by=Person.of(request.requested_by), status=request.status,
                   message=request.message or None, outcome=request.outcome or None, created_at=request.created_at,
                   decided_at=request.decided_at, **more)


class PlacementAsked(PlacementOut):
    warning: str = Field(description="What the leader is warned of: the member is asked before the turn is placed")


class Placements(Output):
    placement_requests: list[PlacementOut]
