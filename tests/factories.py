"""Small builders and readers shared by the tests.

The builders set up state through the services the API's views call, as the views call them, and
answer what the API would (its JSON): a test that sets up a group is not a test of the HTTP layer,
which has tests of its own (tests/api, tests/core). `api_client` is the `api(user)` fixture's
client: its user acts.
"""

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from pydantic import BaseModel
from sqlalchemy import select

from balint_online.applications.schemas import ApplicationCreate, ApplicationOut
from balint_online.catalogue.api import series_input
from balint_online.catalogue.schemas import SeriesCreate, SeriesOut
from balint_online.core import clock
from balint_online.enrollment import services as enrollment
from balint_online.enrollment.models import Application
from balint_online.extensions import db
from balint_online.flows import applications as application_flows
from balint_online.flows.series import publish_series
from balint_online.notifications.models import OutboxMessage
from balint_online.pricing.schemas import claims_of
from balint_online.series.models import Series
from balint_online.series.services import create_series as create_draft
from tests import snapshots

PRICES = {
    "standard": {"early": "800.00", "regular": "875.00"},
    "member": {"early": "650.00", "regular": "725.00"},
    "trainee": {"regular": "450.00"},
}


# The suite's clock for every test's app unless the test sets another (tests/conftest.py), and the
# one the payloads below are planned from when no app is running (a test's parameters).
SUITE_NOW = datetime(2026, 10, 1, 12, tzinfo=UTC)


def series_payload(**overrides) -> dict:
    """A new series as a leader would send it, planned from the app's clock: evenings from the Monday
    at least two weeks away (19 October from the suite's clock), the early-bird rate ending two weeks
    before it, cancellations with a refund one week before it."""
    zone = "America/New_York"  # the day is New York's whatever zone a test names (even one that is not a zone)
    today = (clock.now() if has_app_context() else SUITE_NOW).astimezone(ZoneInfo(zone)).date()
    first = today + timedelta(days=14 + (7 - today.weekday()) % 7)
    body = {
        "title": "Evening group",
        "description": "For primary care clinicians.",
        "timezone": zone,
        "first_meeting_local": f"{first.isoformat()}T19:00",
        "meeting_count": 8,
        "capacity": 8,
        "prices": PRICES,
        "early_bird_deadline": (first - timedelta(days=14)).isoformat(),
        "cancellation_deadline": (first - timedelta(days=7)).isoformat(),
    }
    body.update(overrides)
    return body


def _body(schema, body: dict):
    """The request body as the API reads it: sent as JSON, validated strictly."""
    return schema.model_validate(json.loads(current_app.json.dumps(body)))


def _answer(answer: Callable[[], BaseModel]) -> dict:
    """Commit the unit of work, as the request would, then the API's answer as its client gets the JSON."""
    db.session.commit()
    return json.loads(answer().model_dump_json())


def _acting(user):
    """`user` in the current session, as the token lookup would load them (a test may end a session)."""
    db.session.add(user)
    return user


@snapshots.step
def create_series(api_client, **overrides) -> dict:
    body = _body(SeriesCreate, series_payload(**overrides))
    series = create_draft(series_input(body), _acting(api_client.user), current_app.config["VIDEO_PROVIDER"])
    return _answer(lambda: SeriesOut.of(series))


@snapshots.kept
def published_series(api_client, **overrides) -> dict:
    series = create_series(api_client, **overrides)
    published = publish_series(db.session.get(Series, series["id"]), _acting(api_client.user))
    return _answer(lambda: SeriesOut.of(published))


ATTESTATION = {"clinically_active": True, "willing_to_present": True, "attend_all_sessions": True,
               "emotional_readiness": True, "confidentiality": True}


@snapshots.step
def apply(api_client, series_id: int, **overrides) -> dict:
    body = _body(ApplicationCreate, {"trainee": False, "attestation": ATTESTATION, **overrides})
    user = _acting(api_client.user)
    application = enrollment.apply(db.session.get(Series, series_id), user, claims=claims_of(body),
                                   answers=body.attestation, note=body.note)
    manager = user if application.series.can_manage(user) else None
    return _answer(lambda: ApplicationOut.of(application, manager=manager))


@snapshots.step
def accept(leader, application_id: int) -> dict:
    """`leader` accepts: the application as the API answers, enrolled or on the waiting list."""
    accepted = application_flows.accept(db.session.get(Application, application_id), _acting(leader))
    return _answer(lambda: ApplicationOut.of(accepted, manager=leader))


@snapshots.step
def withdraw(member, application_id: int, reason: str = "Plans changed.") -> None:
    """`member` withdraws in writing; the refund follows the cancellation policy."""
    application_flows.withdraw(db.session.get(Application, application_id), _acting(member), reason)
    db.session.commit()


@snapshots.kept
def enrolled(api, leader, series: dict, member, **overrides) -> dict:
    """`member` applies to `series` (its fields overridden) and `leader` accepts: the application, enrolled."""
    application = apply(api(member), series["id"], **overrides)
    answer = accept(leader, application["id"])
    assert answer["status"] == "enrolled", answer
    return application


def mails(kind: str | None = None, user=None) -> list[OutboxMessage]:
    """The outbox, oldest first: of one kind, to one person, when asked."""
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    if user is not None:
        query = query.where(OutboxMessage.user_id == user.id)
    return list(db.session.scalars(query))


def run_jobs(app) -> None:
    """Every job that is due runs once, as `flask jobs run-due` does."""
    result = app.test_cli_runner().invoke(args=["jobs", "run-due"])
    assert result.exit_code == 0, result.output
