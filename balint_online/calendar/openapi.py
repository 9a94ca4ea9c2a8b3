"""OpenAPI description of the calendar endpoints."""

from ..api.openapi import operation, ref

SCHEMAS = {
    "CalendarLinks": {
        "type": "object",
        "required": ["feed_url", "webcal_url"],
        "properties": {
            "feed_url": {"type": "string", "format": "uri",
                         "description": "The personal iCalendar feed; the address itself is the secret."},
            "webcal_url": {"type": "string", "description": "The same feed for one-click subscription (webcal://)."},
            "google_url": {"type": "string", "format": "uri", "description": "Adds the feed to Google Calendar."},
            "delivery": {"type": "string", "enum": ["invitations", "subscription", "both"],
                         "description": "How meetings reach the person's calendar (GET only; set on the calendar page)."},
        },
    },
}

PATHS = {
    "/me/calendar": {
        "get": operation("Your personal calendar feed's address", schema=ref("CalendarLinks"), errors=(401,)),
    },
    "/me/calendar/reset": {
        "post": operation("Issue a new secret feed address; the old one answers 404 from now on",
                          schema=ref("CalendarLinks"), errors=(401,)),
    },
}
