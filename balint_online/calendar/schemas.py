"""The API's description of the personal calendar feed's address (see core/schemas.py)."""

from typing import Literal

from pydantic import Field

from ..core.schemas import Output
from .delivery import DELIVERY


class CalendarLinks(Output):
    feed_url: str = Field(description="The personal iCalendar feed; the address itself is the secret.")
    webcal_url: str = Field(description="The same feed for one-click subscription (webcal://).")
    google_url: str = Field(description="Adds the feed to Google Calendar.")


class CalendarSettings(CalendarLinks):
    delivery: Literal[tuple(DELIVERY)] = Field(
        description="How meetings reach the person's calendar (set on the calendar page).")
