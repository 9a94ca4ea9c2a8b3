"""Small builders and readers shared by the tests."""

from sqlalchemy import select

from balint_online.extensions import db
from balint_online.notifications.models import OutboxMessage

PRICES = {
    "standard": {"early": "800.00", "regular": "875.00"},
    "member": {"early": "650.00", "regular": "725.00"},
    "trainee": {"regular": "450.00"},
}


def series_payload(**overrides) -> dict:
    body = {
        "title": "Evening group",
        "description": "For primary care clinicians.",
        "timezone": "America/New_York",
        "first_meeting_local": "2026-10-19T19:00",
        "meeting_count": 8,
        "capacity": 8,
        "prices": PRICES,
        "early_bird_deadline": "2026-10-05",
        "cancellation_deadline": "2026-10-12",
    }
    body.update(overrides)
    return body


def create_series(api_client, **overrides) -> dict:
    resp = api_client.post("/api/v1/series", json=series_payload(**overrides))
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def published_series(api_client, **overrides) -> dict:
    series = create_series(api_client, **overrides)
    resp = api_client.post(f"/api/v1/series/{series['id']}/publish")
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


ATTESTATION = {"clinically_active": True, "willing_to_present": True, "attend_all_sessions": True,
               "emotional_readiness": True, "confidentiality": True}


def apply(api_client, series_id: int, **overrides) -> dict:
    body = {"trainee": False, "attestation": ATTESTATION, **overrides}
    resp = api_client.post(f"/api/v1/series/{series_id}/applications", json=body)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def enrolled(api, leader, series: dict, member, **overrides) -> dict:
    """`member` applies to `series` (its fields overridden) and `leader` accepts: the application, enrolled."""
    application = apply(api(member), series["id"], **overrides)
    resp = api(leader).post(f"/api/v1/applications/{application['id']}/accept")
    assert resp.status_code == 200 and resp.get_json()["status"] == "enrolled", resp.get_json()
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
