"""Hostile input, through the API and through the pages: every case is a 4xx that says what is wrong,
in the contract's shape for the API and as a page for forms; never a 500, never silently accepted.

Each row is one request. The API rows name who sends it, the method, the path (with {series},
{meeting}, {enrolled}, {pending} filled from the `world` fixture), the JSON body (or raw bytes), and
the answer expected; the form rows post through the page's own form with its CSRF token.
"""

import io
import json
from datetime import datetime

import pytest

from balint_online.extensions import db
from tests.factories import ATTESTATION, apply, published_series, series_payload
from tests.video.fakes import zoom_signature

NUL, LONE = "a\x00b", "a\ud800b"
ID_31, ID_63 = 2**31, 2**63
ABOVE_32_BIT_CENTS = "21474836.48"
ABOVE_64_BIT_CENTS = "92233720368547758.08"
BIG = 2_500_000  # bytes: above the 2 MB MAX_CONTENT_LENGTH


@pytest.fixture
def world(app, api, make_user):
    people = {role: make_user(role) for role in ("leader", "admin")}
    people.update(member=make_user(), partner=make_user(), applicant=make_user(), newcomer=make_user())
    series = published_series(api(people["leader"]), capacity=3, meeting_count=4)
    enrolled = apply(api(people["member"]), series["id"])
    partner = apply(api(people["partner"]), series["id"])
    for application in (enrolled, partner):
        assert api(people["leader"]).post(f"/api/v1/applications/{application['id']}/accept").status_code == 200
    pending = apply(api(people["applicant"]), series["id"])
    clients = {role: api(person) for role, person in people.items()}
    ids = {"series": series["id"], "meeting": series["meetings"][2]["id"], "meeting2": series["meetings"][3]["id"],
           "enrolled": enrolled["id"], "pending": pending["id"], "member": people["member"].id,
           "partner": people["partner"].id}
    return clients, ids


def _ids(value, ids):
    """Body values written "@series" become that id (ints in JSON, not text)."""
    if isinstance(value, str) and value.startswith("@"):
        return ids[value[1:]]
    if isinstance(value, dict):
        return {k: _ids(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_ids(v, ids) for v in value]
    return value


# --- the API table ------------------------------------------------------------------------------

# (who, method, path, a valid body, its text fields): each text field gets a NUL and a lone surrogate.
TEXT_FIELDS = [
    ("leader", "post", "/api/v1/series", series_payload(), ["title", "description", "timezone", "currency"]),
    ("leader", "post", "/api/v1/series/{series}/cancel", {"reason": "Leader ill"}, ["reason"]),
    ("leader", "post", "/api/v1/meetings/{meeting}/cancel", {"reason": "Holiday"}, ["reason"]),
    ("newcomer", "post", "/api/v1/series/{series}/applications", {"attestation": ATTESTATION}, ["note"]),
    ("leader", "post", "/api/v1/applications/{pending}/decline", {"reason": "Full"}, ["reason"]),
    ("member", "post", "/api/v1/applications/{enrolled}/withdraw", {"reason": "Moving"}, ["reason"]),
    ("admin", "post", "/api/v1/applications/{enrolled}/payments", {"amount": "10.00", "method": "card"},
     ["reference", "idempotency_key"]),
    ("admin", "post", "/api/v1/applications/{enrolled}/scholarship", {"reason": "Hardship"}, ["reason"]),
    ("member", "put", "/api/v1/meetings/{meeting}/case-title", {"case_title": "A hard week"}, ["case_title"]),
    ("member", "post", "/api/v1/series/{series}/swap-requests",
     {"meeting_id": "@meeting", "partner_id": "@partner", "partner_meeting_id": "@meeting2"}, ["message"]),
    # Endpoints other branches added, ported to the schemas.
    ("leader", "patch", "/api/v1/series/{series}", {"title": "Renamed"}, ["title", "description"]),
    ("leader", "post", "/api/v1/series/{series}/rotation/placements",
     {"meeting_id": "@meeting", "user_id": "@member"}, ["message"]),
    ("admin", "put", "/api/v1/commitments", {"intro": "Please confirm.", "items": [{"key": "k", "text": "I come."}]},
     ["intro"]),
    ("admin", "post", "/api/v1/aid-programmes", {"kind": "reimbursement", "name": "Fund"}, ["name", "description"]),
    ("member", "post", "/api/v1/applications/{enrolled}/aid", {"programme_id": 1, "statement": "I need help " * 3},
     ["statement", "specialty"]),
    ("leader", "post", "/api/v1/series/{series}/credit/lines", {"body": "aafp"},
     ["amount", "credit_type", "statement"]),
]

API_CASES = []
for who, method, path, body, names in TEXT_FIELDS:
    for name in names:
        API_CASES.append(pytest.param(who, method, path, {**body, name: NUL}, 422, name,
                                      id=f"NUL in {name} of {method.upper()} {path}"))
        API_CASES.append(pytest.param(who, method, path, {**body, name: LONE}, (400, 422), None,
                                      id=f"lone surrogate in {name} of {method.upper()} {path}"))
API_CASES += [
    pytest.param("leader", "post", "/api/v1/series", series_payload(leader_emails=[NUL]), 422, "leader_emails",
                 id="NUL in a leader email"),
    pytest.param("leader", "post", "/api/v1/series", series_payload(skip_dates=[NUL]), 422, "skip_dates",
                 id="NUL in a skip date"),
]

for bad in (ID_31, ID_63, -1, 2**64, "1e3", "01", "\u0663"):
    for who, method, path in (("member", "get", "/api/v1/series/{bad}"), ("admin", "get", "/api/v1/applications/{bad}"),
                              ("member", "get", "/api/v1/meetings/{bad}/join"),
                              ("leader", "post", "/api/v1/series/{bad}/publish"),
                              ("member", "get", "/api/v1/series/{bad}/quote"),
                              ("member", "get", "/api/v1/swap-requests/{bad}"),
                              ("leader", "put", "/api/v1/meetings/{bad}/case-title"),
                              ("leader", "patch", "/api/v1/series/{bad}"),
                              ("leader", "post", "/api/v1/meetings/{bad}/restore"),
                              ("leader", "put", "/api/v1/meetings/{bad}/presenters"),
                              ("member", "get", "/api/v1/placements/{bad}"),
                              ("admin", "get", "/api/v1/aid-applications/{bad}"),
                              ("member", "get", "/api/v1/series/{bad}/credit")):
        API_CASES.append(pytest.param(who, method, path.replace("{bad}", str(bad)), None, 404, None,
                                      id=f"id {bad} in {method.upper()} {path}"))

for bad in (ID_31, ID_63, -1, 0, 1.0, "7", True):
    API_CASES += [
        pytest.param("leader", "post", "/api/v1/series/{series}/rotation/swap",
                     {"meeting_id_a": bad, "user_id_a": "@member", "meeting_id_b": "@meeting2",
                      "user_id_b": "@partner"},
                     422, "meeting_id_a", id=f"id {bad!r} as meeting_id_a"),
        pytest.param("member", "put", "/api/v1/series/{series}/availability", {"unavailable_meeting_ids": [bad]},
                     422, "unavailable_meeting_ids", id=f"id {bad!r} in unavailable_meeting_ids"),
        pytest.param("member", "post", "/api/v1/series/{series}/swap-requests",
                     {"meeting_id": "@meeting", "partner_id": bad, "partner_meeting_id": "@meeting2"},
                     422, "partner_id", id=f"id {bad!r} as partner_id"),
    ]
API_CASES += [
    pytest.param("leader", "post", "/api/v1/series/{series}/rotation/placements",
                 {"meeting_id": ID_31, "user_id": "@member"}, 422, "meeting_id",
                 id="id 2^31 as a placement's meeting_id"),
    pytest.param("member", "post", "/api/v1/applications/{enrolled}/aid",
                 {"programme_id": ID_63, "statement": "x" * 30},
                 422, "programme_id", id="id 2^63 as programme_id"),
    pytest.param("leader", "put", "/api/v1/meetings/{meeting}/presenters", {"count": 2**40}, 422, "count",
                 id="a presenter count of 2^40"),
    pytest.param("leader", "patch", "/api/v1/series/{series}", {"cancellation_fee": "1e400"}, 422, "cancellation_fee",
                 id="an edit's fee of 1e400"),
    pytest.param("leader", "patch", "/api/v1/series/{series}", {"registration_deadline": "9999-12-31"}, 422,
                 "registration_deadline", id="an edit's deadline in 9999"),
    pytest.param("leader", "post", "/api/v1/series/{series}/meetings", {"starts_at_local": "9999-12-31T19:00"}, 422,
                 "starts_at_local", id="a meeting added in 9999"),
    pytest.param("leader", "put", "/api/v1/series/{series}/availability",
                 {"unavailable_meeting_ids": [], "user_id": ID_31}, 422, "user_id", id="id 2^31 as user_id"),
    pytest.param("leader", "post", "/api/v1/series/{series}/rotation/move",
                 {"meeting_id": "@meeting", "user_id": "@member", "to_user_id": ID_63}, 422, "to_user_id",
                 id="id 2^63 as to_user_id"),
]

# Money: within 64-bit cents is fine (below), above it or not in cents is refused.
for amount in (ABOVE_64_BIT_CENTS, "1.005", "1e400", "-5.00", "NaN", "Infinity", "1_000.00", "\u0661.00", ""):
    API_CASES += [
        pytest.param("leader", "post", "/api/v1/series", series_payload(cancellation_fee=amount), 422,
                     "cancellation_fee", id=f"cancellation fee {amount!r}"),
        pytest.param("leader", "post", "/api/v1/series",
                     series_payload(prices={"standard": {"regular": amount}}), 422, "prices.standard.regular",
                     id=f"price {amount!r}"),
        pytest.param("admin", "post", "/api/v1/applications/{enrolled}/payments", {"amount": amount, "method": "card"},
                     422, "amount", id=f"payment of {amount!r}"),
    ]
API_CASES += [
    pytest.param("leader", "post", "/api/v1/series", b'{"title": "x", "cancellation_fee": 1e400}', 422,
                 "cancellation_fee", id="cancellation fee 1e400 as a JSON number"),
    pytest.param("admin", "post", "/api/v1/applications/{enrolled}/payments", {"amount": 12.5, "method": "card"},
                 422, "amount", id="payment as a float"),
    pytest.param("admin", "post", "/api/v1/applications/{enrolled}/payments", {"amount": "0.00", "method": "card"},
                 422, "amount", id="payment of nothing"),
]

# Dates a series cannot have; instants a database or datetime cannot hold.
for when in ("9999-12-31T19:00", "0001-01-01T19:00", "1999-12-31T19:00", "2101-01-01T19:00", "2026-13-01T19:00"):
    API_CASES += [
        pytest.param("leader", "post", "/api/v1/series", series_payload(first_meeting_local=when), 422,
                     "first_meeting_local", id=f"first meeting {when}"),
        pytest.param("leader", "post", "/api/v1/meetings/{meeting}/reschedule", {"starts_at_local": when}, 422,
                     "starts_at_local", id=f"reschedule to {when}"),
    ]
for day in ("9999-12-31", "0001-01-01", "2026-02-30", "20261001"):
    API_CASES += [
        pytest.param("leader", "post", "/api/v1/series", series_payload(early_bird_deadline=day), 422,
                     "early_bird_deadline", id=f"early-bird deadline {day}"),
        pytest.param("leader", "post", "/api/v1/series", series_payload(skip_dates=[day]), 422, "skip_dates",
                     id=f"skip date {day}"),
        pytest.param("member", "get", f"/api/v1/series/{{series}}/quote?on={day}", None, 422, "on",
                     id=f"quote on {day}"),
    ]

# Bodies that are not what they claim, too deep, or too large.
API_CASES += [
    pytest.param("leader", "post", "/api/v1/series", b"[" * 100_000, 400, None, id="100,000 nested arrays"),
    pytest.param("leader", "post", "/api/v1/series", b'{"a":' * 50_000 + b"1" + b"}" * 50_000, 400, None,
                 id="50,000 nested objects"),
    pytest.param("leader", "post", "/api/v1/series",
                 ('{"title": ' + "[" * 5000 + "]" * 5000 + "}").encode(), 400, None, id="a deep array in a field"),
    pytest.param("leader", "post", "/api/v1/series", b"{broken", 400, None, id="not JSON"),
    pytest.param("leader", "post", "/api/v1/series", b"[1, 2]", 400, None, id="a JSON array"),
    pytest.param("leader", "post", "/api/v1/series", b'{"title": "\\ud800x"}', 400, None,
                 id="a lone surrogate escape"),
    pytest.param("leader", "post", "/api/v1/series", b"\xff\xfe", 400, None, id="not UTF-8"),
    pytest.param("leader", "post", "/api/v1/series", json.dumps(series_payload(description="x" * BIG)).encode(),
                 413, None, id="a 2.5 MB body"),
    pytest.param("leader", "post", "/api/v1/series", series_payload(capacity="8"), 422, "capacity",
                 id="a number as text"),
    pytest.param("leader", "post", "/api/v1/series", series_payload(capacity=True), 422, "capacity",
                 id="a boolean as a number"),
    pytest.param("leader", "post", "/api/v1/series", series_payload(capacity=10**30), 422, "capacity",
                 id="a 31-digit number"),
    pytest.param("leader", "post", "/api/v1/series", series_payload(title="   "), 422, "title",
                 id="a blank title"),
    pytest.param("leader", "post", "/api/v1/series", series_payload(title="x" * 201), 422, "title",
                 id="a title longer than its column"),
    pytest.param("leader", "post", "/api/v1/series", series_payload(timezone="x" * 65), 422, "timezone",
                 id="a zone longer than its column"),
    pytest.param("leader", "post", "/api/v1/series", series_payload(skip_dates=["2026-10-26"] * 61), 422,
                 "skip_dates", id="61 skip dates"),
    pytest.param("leader", "post", "/api/v1/series", series_payload(leader_emails=["a@x.org"] * 3), 422,
                 "leader_emails", id="three leaders"),
    pytest.param("member", "put", "/api/v1/meetings/{meeting}/case-title", {"case_title": "x" * 81}, 422,
                 "case_title", id="a case title longer than its column"),
    pytest.param("newcomer", "post", "/api/v1/series/{series}/applications",
                 {"attestation": ATTESTATION, "note": "x" * 1001}, 422, "note", id="a note longer than its column"),
    pytest.param("member", "get", "/api/v1/series/{series}/quote?trainee=maybe", None, 422, "trainee",
                 id="trainee=maybe"),
    pytest.param("member", "get", "/api/v1/series/{series}/quote?on=2026-10-01%00", None, 400, None,
                 id="NUL in a query string"),
]

# Rows that would cancel, withdraw or decline if wrongly accepted run last, so that such a failure
# does not change what the other rows see.
API_CASES.sort(key=lambda case: any(verb in case.values[2] for verb in ("/cancel", "/withdraw", "/decline")))


def _refusal_problem(resp, status, field) -> str | None:
    """What is wrong with the answer to a hostile request, or None when it is the clear 4xx expected."""
    if resp.status_code not in (status if isinstance(status, tuple) else (status,)):
        return f"answered {resp.status_code}, not {status}: {resp.get_data(as_text=True)[:300]}"
    answer = resp.get_json(silent=True) or {}
    if not ({"error", "message", "fields"} <= set(answer) and answer["message"]):
        return f"not in the contract's error shape: {answer}"
    if field is not None and not any(name == field or name.startswith(field + ".") for name in answer["fields"]):
        return f"does not name {field}: {answer}"
    return None


def test_hostile_api_requests_are_clear_4xxs(world):
    """The whole API table against one world: every row is refused, so none changes what the next one sees."""
    clients, ids = world
    wrong = []
    for case in API_CASES:
        who, method, path, body, status, field = case.values
        kwargs = {}
        if isinstance(body, bytes):
            kwargs.update(data=body, content_type="application/json")
        elif body is not None:
            kwargs["json"] = _ids(body, ids)
        resp = getattr(clients[who], method)(path.format(**ids), **kwargs)
        # Requests share the test's session: each row stands alone, whatever the one before left behind.
        db.session.rollback()
        if problem := _refusal_problem(resp, status, field):
            wrong.append(f"{case.id}: {problem}")
    assert not wrong, f"{len(wrong)} of {len(API_CASES)} rows:\n" + "\n".join(wrong)


def test_wrong_content_type_is_415(world):
    clients, _ = world
    resp = clients["leader"].post("/api/v1/series", data="title=x", content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 415 and resp.get_json()["error"] == "unsupported_media_type"


@pytest.mark.parametrize("amount", [ABOVE_32_BIT_CENTS, "90000000000000000.00"])
def test_fees_above_32_bit_cents_are_stored_and_charged(world, api, make_user, amount):
    clients, ids = world
    series = published_series(clients["leader"], prices={"standard": {"regular": amount}}, cancellation_fee=amount)
    assert series["prices"]["standard"]["regular"] == amount and series["cancellation_fee"] == amount
    application = apply(api(make_user()), series["id"])
    assert application["price"]["amount"] == amount and application["amount_due"] == amount
    paid = clients["admin"].post(f"/api/v1/applications/{application['id']}/payments",
                                 json={"amount": amount, "method": "transfer"})
    assert paid.status_code == 201 and paid.get_json()["amount"] == amount


@pytest.mark.parametrize("sent", [{"headers": {"Idempotency-Key": ""}}, {"headers": {"Idempotency-Key": "  "}},
                                  {"headers": {"Idempotency-Key": "k" * 201}}, {"json_key": ""}],
                         ids=["empty header", "blank header", "201-character header", "empty idempotency_key"])
def test_an_unusable_idempotency_key_sent_twice_is_refused_twice(world, sent):
    clients, ids = world
    body = {"amount": "10.00", "method": "card",
            **({"idempotency_key": sent["json_key"]} if "json_key" in sent else {})}
    for _ in range(2):
        resp = clients["admin"].post(f"/api/v1/applications/{ids['enrolled']}/payments", json=body,
                                     headers=sent.get("headers", {}))
        assert resp.status_code == 422, resp.get_json()
        assert set(resp.get_json()["fields"]) & {"Idempotency-Key", "idempotency_key"}
    detail = clients["admin"].get(f"/api/v1/applications/{ids['enrolled']}").get_json()
    assert detail["paid"] == "0.00"


# --- Zoom's webhook -------------------------------------------------------------------------------

ZOOM_SECRET = "zoom-webhook-secret"


def _zoom(client, app, payload: bytes, *, stamp: str | None = None):
    app.config["ZOOM_WEBHOOK_SECRET"] = ZOOM_SECRET
    stamp = stamp or str(int(datetime.fromisoformat(app.config["FROZEN_NOW"]).timestamp()))
    headers = {"x-zm-request-timestamp": stamp, "x-zm-signature": zoom_signature(ZOOM_SECRET, stamp, payload)}
    return client.post("/webhooks/zoom", data=payload, content_type="application/json", headers=headers)


def _joined(event_ts) -> bytes:
    return ('{"event": "meeting.participant_joined", "event_ts": ' + str(event_ts)
            + ', "payload": {"object": {"id": "812", '
            '"participant": {"email": "jo@example.org", "user_name": "Jo"}}}}').encode()


@pytest.mark.parametrize("stamp", ["9" * 400, "1" + "0" * 4400, "-1", "1e9", "\u0661\u0662"])
def test_zoom_webhook_with_a_huge_or_odd_timestamp_is_refused(app, client, stamp):
    resp = _zoom(client, app, b"{}", stamp=stamp)
    assert resp.status_code == 401 and "timestamp" in resp.get_json()["message"]


@pytest.mark.parametrize("event_ts", ["1e20", "-1e20", "1" + "0" * 400, "NaN", "Infinity", "true", '"soon"'])
def test_zoom_participant_event_with_a_huge_or_odd_event_ts_is_refused(app, client, event_ts):
    resp = _zoom(client, app, _joined(event_ts))
    assert resp.status_code == 400 and {"error", "message", "fields"} <= set(resp.get_json())


def test_zoom_webhook_with_a_deeply_nested_body_is_refused(app, client):
    resp = _zoom(client, app, b"[" * 100_000 + b"]" * 100_000)
    assert resp.status_code == 400


# --- pages --------------------------------------------------------------------------------------

SERIES_FORM = {
    "title": "Monday evening group", "description": "For GPs.", "timezone": "America/New_York",
    "first_date": "2026-10-19", "start_time": "19:00", "meeting_count": "8", "interval_weeks": "1",
    "duration_minutes": "90", "capacity": "8", "presenters_per_meeting": "1", "video_provider": "jitsi",
    "currency": "usd", "trainee_discount": "20", "cancellation_fee": "100.00", "offer_hours": "48",
    "price_standard_early": "800.00", "price_standard_regular": "875.00",
}
SIGN_IN = {"email": "nobody@example.org", "password": "correct horse battery"}
# Sign-up takes no password: it is chosen after the emailed link (ResetForm).
SIGN_UP = {"name": "New Person", "email": "new@example.org", "discipline": "physician", "timezone": "UTC"}

FORM_CASES = [pytest.param(None, "/sign-in", {**SIGN_IN, name: NUL}, 422, "NUL", id=f"NUL in sign-in {name}")
              for name in SIGN_IN]
FORM_CASES += [pytest.param(None, "/password/forgot", {"email": f"jo{NUL}@example.org"}, 422, "NUL",
                            id="NUL in forgot-password email")]
FORM_CASES += [pytest.param(None, "/sign-up", {**SIGN_UP, name: NUL}, 422, "NUL", id=f"NUL in sign-up {name}")
               for name in ("name", "email")]
FORM_CASES += [pytest.param("leader", "/lead/series/new", {**SERIES_FORM, name: NUL}, 422, "NUL",
                            id=f"NUL in series form {name}")
               for name in ("title", "description", "currency", "co_leader", "skip_dates", "cancellation_fee",
                            "price_member_regular", "first_date", "timezone")]
FORM_CASES += [pytest.param("leader", "/lead/series/new", {**SERIES_FORM, name: value}, 422, "875.00",
                            id=f"series form {name} {value}")
               for name in ("cancellation_fee", "price_standard_regular")
               for value in ("1.005", "1e400", ABOVE_64_BIT_CENTS, "-1.00", "NaN")]
FORM_CASES += [
    pytest.param("leader", "/lead/series/new", {**SERIES_FORM, "first_date": "9999-12-31"}, 422, "2100",
                 id="series form first meeting in 9999"),
    pytest.param("leader", "/lead/series/new", {**SERIES_FORM, "skip_dates": "9999-12-31"}, 422, "2100",
                 id="series form skip date in 9999"),
    pytest.param("leader", "/lead/series/new", {**SERIES_FORM, "early_bird_deadline": "0001-01-01"}, 422, "2100",
                 id="series form deadline in year 1"),
    pytest.param(None, "/sign-in", {**SIGN_IN, "upload": (b"x" * BIG, "big.bin")}, 413, "too large",
                 id="a 2.5 MB form post"),
    pytest.param("admin", "/admin/memberships/import",
                 {"csv_file": (b"jo@example.org,2027-12-31\n" * 60_000, "m.csv")}, 422, "larger than 1 MB",
                 id="a 1.5 MB membership file"),
    pytest.param("admin", "/admin/memberships/import",
                 {"csv_file": (b"jo@example.org,2027-12-31\n" * 100_000, "m.csv")}, 413, "too large",
                 id="a 2.6 MB membership file"),
]


@pytest.mark.parametrize("who, url, data, status, shown", FORM_CASES)
def test_hostile_form_post_is_a_clear_4xx(client, login, make_user, who, url, data, status, shown):
    if who:
        login(make_user(who))
    # Uploads as (content, filename): a fresh file for each run, since the client closes what it sends.
    data = {name: (io.BytesIO(value[0]), value[1]) if isinstance(value, tuple) else value for name,
            value in data.items()}
    resp = client.submit(url, data)
    assert resp.status_code == status, resp.get_data(as_text=True)[:2000]
    assert shown in resp.get_data(as_text=True)


def test_the_import_page_states_its_limit(client, login, make_user):
    login(make_user("admin"))
    assert "At most 1 MB and 5000 rows" in client.get("/admin/memberships/import").get_data(as_text=True)


@pytest.mark.parametrize("path", [f"/series/{ID_31}", f"/series/{ID_63}", f"/series/{2**64}", "/series/-1",
                                  f"/series/{ID_31}/calendar.ics", f"/meetings/{ID_31}/join",
                                  f"/admin/people/{ID_63}", f"/admin/applications/{ID_31}"])
def test_page_ids_beyond_their_column_are_404(client, login, make_user, path):
    login(make_user("admin"))
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", ["/password/reset/abc%00def", "/calendar/abc%00.ics", "/admin/people?q=a%00b",
                                  "/?next=%00"])
def test_nul_in_an_address_is_400(client, login, make_user, path):
    login(make_user("admin"))
    resp = client.get(path)
    assert resp.status_code == 400 and "NUL" in resp.get_data(as_text=True)


def test_the_error_page_survives_a_failed_statement_for_a_signed_in_user(app, client, login, make_user, monkeypatch):
    from balint_online.accounts.models import User
    from balint_online.catalogue import views
    from balint_online.extensions import db

    other = make_user()
    login(make_user())

    def broken():
        db.session.add(User(email=other.email, name="Twin", password_hash="x", role="member"))
        db.session.flush()  # a unique violation: the session now needs a rollback before any query

    monkeypatch.setattr(views, "open_series_cards", broken)
    resp = client.get("/")
    assert resp.status_code == 500
    page = resp.get_data(as_text=True)
    assert "Something went wrong" in page and "Sign out" in page  # the site's page, for the signed-in person


def test_every_page_form_takes_the_shared_rules(app):
    """Every form class derives from core.forms.Form, so none misses the one text rule or the date range."""
    import wtforms
    from flask_wtf import FlaskForm

    from balint_online.core.forms import Form, SubForm

    assert FlaskForm.__subclasses__() == [Form]
    # Groups nested in a page's form (FieldList(FormField(...))) take the same rules through SubForm.
    assert [f for f in wtforms.Form.__subclasses__() if f.__module__.startswith("balint_online")] == [SubForm]


def test_a_nested_group_refuses_nul_like_a_page_form(app):
    from werkzeug.datastructures import MultiDict

    from balint_online.enrollment.forms import CommitmentsForm

    with app.test_request_context(method="POST"):
        form = CommitmentsForm(formdata=MultiDict({"intro": "Please confirm.", "items-0-key": "k\x00",
                                                    "items-0-text": "I will come.", "items-0-kind": "required"}),
                               meta={"csrf": False})
        assert not form.validate()
        assert form.items[0].key.errors == ["Must not contain NUL characters."]


def test_the_body_limit_is_configurable(database_urls, monkeypatch):
    from tests.conftest import make_app

    monkeypatch.setenv("BALINT_MAX_CONTENT_LENGTH", "1000")
    app = make_app(database_urls["sqlite"])
    assert app.config["MAX_CONTENT_LENGTH"] == 1000
    resp = app.test_client().post("/sign-in", data={"email": "x" * 2000, "password": "y"})
    assert resp.status_code == 413 and "at most 0.001 MB" in resp.get_data(as_text=True)
