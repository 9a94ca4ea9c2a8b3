"""Money and meetings stay right whatever the order of events: simultaneous requests to a served app.

Each race runs five times on PostgreSQL (once on SQLite, whose writers queue anyway) and checks
what people would notice: meetings' SEQUENCE and members' calendars against the database, no
two live meetings in one slot, no live application in a cancelled series, nothing paid and not
owed back after a cancellation, a true waiting-list position, a retried payment counted once.
"""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from itertools import pairwise
from threading import Barrier

import icalendar
import pytest
import recurring_ical_events
import requests
from sqlalchemy import func, select

from balint_online.accounts.models import ApiToken, User
from balint_online.calendar.models import CalendarSequence
from balint_online.enrollment.models import LIVE_STATUSES, Application
from balint_online.extensions import db
from balint_online.notifications.models import OutboxMessage
from balint_online.pricing.models import Payment
from balint_online.series.models import Meeting
from tests.factories import ATTESTATION, apply, enrolled, published_series
from tests.live import live_server

RUNS = 5


@pytest.fixture(params=range(RUNS), ids=lambda n: f"run{n}")
def run(request, backend):
    if backend == "sqlite" and request.param:
        pytest.skip("SQLite serialises every writer; one run shows the answers are right there too")
    return request.param


def token(user) -> str:
    _, raw = ApiToken.issue(user)
    db.session.commit()
    return raw


def fire(base: str, calls: list[tuple]) -> list[requests.Response]:
    """Send every (path, token, body[, headers]) POST at the same moment, each from its own thread."""
    barrier = Barrier(len(calls))

    def one(call):
        path, raw, body, *extra = call
        headers = {"Authorization": f"Bearer {raw}", **(extra[0] if extra else {})}
        barrier.wait()
        return requests.post(base + path, json=body, headers=headers, timeout=60)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(one, calls))


def money(value: str) -> Decimal:
    return Decimal(value)


# -- meetings ---------------------------------------------------------------------------------------

def calendar_shows(user_id: int) -> tuple[int, set]:
    """What the person's calendar shows of their one series object, as RFC 5546 clients apply the
    messages: the latest full object (highest SEQUENCE), less the single meetings cancelled by a
    later CANCEL. Returns (that SEQUENCE, the meeting starts shown)."""
    messages = []
    for message in db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user_id,
                                                                  OutboxMessage.calendar_ics.is_not(None))):
        cal = icalendar.Calendar.from_ical(message.calendar_ics)
        events = cal.walk("VEVENT")
        messages.append((max(int(e["SEQUENCE"]) for e in events), str(cal["METHOD"]), cal, events))
    full = max((m for m in messages if m[1] in ("REQUEST", "PUBLISH")), key=lambda m: m[0])
    starts = {occurrence.decoded("DTSTART"): occurrence for occurrence in
              recurring_ical_events.of(full[2]).between(datetime(2020, 1, 1, tzinfo=UTC),
                                                        datetime(2035, 1, 1, tzinfo=UTC))}
    sequence = full[0]
    for seq, method, _, events in messages:
        if method == "CANCEL" and seq > full[0]:
            sequence = max(sequence, seq)
            for event in events:
                slot = event.decoded("RECURRENCE-ID")
                for start, occurrence in list(starts.items()):
                    if (occurrence.decoded("RECURRENCE-ID") if "RECURRENCE-ID" in occurrence else start) == slot:
                        del starts[start]
    return sequence, set(starts)


def test_simultaneous_meeting_changes_keep_sequence_slots_and_calendars(app, api, make_user, run):
    leaders = [make_user("leader"), make_user("leader")]
    series = published_series(api(leaders[0]), meeting_count=8, leader_emails=[u.email for u in leaders])
    members = [make_user().id, make_user().id]
    for member_id in members:
        enrolled(api, leaders[0], series, db.session.get(User, member_id))
    m = {meeting["number"]: meeting["id"] for meeting in series["meetings"]}
    a, b = token(leaders[0]), token(leaders[1])
    # Meetings are on Mondays at 19:00 from 19 October; the Thursday after meeting 2 is free.
    free_slot = "2026-10-29T19:00"
    calls = [
        (f"/api/v1/meetings/{m[2]}/reschedule", a, {"starts_at_local": free_slot}),
        (f"/api/v1/meetings/{m[3]}/reschedule", b, {"starts_at_local": free_slot}),  # the same slot: one wins
        (f"/api/v1/meetings/{m[4]}/reschedule", a, {"starts_at_local": "2026-11-09T20:00"}),
        (f"/api/v1/meetings/{m[4]}/reschedule", b, {"starts_at_local": "2026-11-09T21:00"}),
        (f"/api/v1/meetings/{m[5]}/cancel", b, {"reason": "Holiday"}),
        (f"/api/v1/meetings/{m[5]}/reschedule", a, {"starts_at_local": "2026-11-16T18:00"}),
        (f"/api/v1/meetings/{m[6]}/reschedule", a, {"starts_at_local": "2026-11-23T18:00"}),
        (f"/api/v1/meetings/{m[6]}/reschedule", b, {"starts_at_local": "2026-11-23T17:00"}),
        (f"/api/v1/meetings/{m[6]}/cancel", a, {"reason": "Clash"}),
    ]
    with live_server(app) as base:
        answers = fire(base, calls)
    assert {r.status_code for r in answers} <= {200, 409}, [r.text for r in answers]
    succeeded = {}
    for (path, *_), answer in zip(calls, answers, strict=True):
        meeting_id = int(path.split("/")[4])
        succeeded[meeting_id] = succeeded.get(meeting_id, 0) + (answer.status_code == 200)
    assert succeeded[m[2]] + succeeded[m[3]] == 1  # two moves into one slot: one of them is refused

    db.session.expire_all()
    meetings = db.session.scalars(select(Meeting).where(Meeting.series_id == series["id"])).all()
    for meeting in meetings:
        assert meeting.sequence == succeeded.get(meeting.id, 0), meeting.number
    live = sorted((mt for mt in meetings if not mt.is_cancelled), key=lambda mt: mt.starts_at)
    assert all(earlier.ends_at <= later.starts_at for earlier, later in pairwise(live))  # no double booking
    for member_id in members:
        # Every successful change reached the member's calendar: it shows exactly the live meetings,
        # and its SEQUENCE is the one stored for them.
        sequence, shown = calendar_shows(member_id)
        assert shown == {mt.starts_at for mt in live}, member_id
        stored = db.session.get(CalendarSequence, (member_id, series["id"]))
        assert sequence == stored.sequence


def test_changes_to_series_that_share_people_never_wait_on_each_other(app, api, make_user, run):
    # Each change moves the feed version of everyone in its series; two series sharing a leader
    # and members, changed at once in both orders, must all succeed and both move every feed.
    leader, other = make_user("leader"), make_user("leader")
    shared = [make_user(), make_user()]
    one = published_series(api(leader), meeting_count=8, leader_emails=[leader.email, other.email])
    two = published_series(api(other), meeting_count=8, leader_emails=[other.email, leader.email],
                           first_meeting_local="2026-10-21T19:00")
    for series in (one, two):
        for member in shared:
            enrolled(api, leader, series, member)
    people = [leader.id, other.id, *(member.id for member in shared)]
    before = {u.id: u.feed_version for u in db.session.scalars(select(User))}
    a, b = token(leader), token(other)
    calls = [(f"/api/v1/meetings/{series['meetings'][n]['id']}/cancel", raw, {"reason": "Holiday"})
             for n in (2, 3, 4) for series, raw in ((one, a), (two, b))]
    with live_server(app) as base:
        answers = fire(base, calls)
    assert [r.status_code for r in answers] == [200] * len(calls), [r.text for r in answers]
    db.session.expire_all()
    for person in people:
        assert db.session.get(User, person).feed_version >= before[person] + len(calls)

# -- the society cancels while money and applications arrive -----------------------------------------

def test_cancellation_racing_payments_and_applications_loses_no_refund(app, api, make_user, run):
    leader, admin = make_user("leader"), make_user("admin")
    series = published_series(api(leader), capacity=8)
    payers = [make_user() for _ in range(5)]
    paying = [enrolled(api, leader, series, member) for member in payers]
    newcomers = [make_user() for _ in range(5)]
    admin_token, leader_token = token(admin), token(leader)
    calls = [(f"/api/v1/series/{series['id']}/cancel", leader_token, {"reason": "The leader is unwell."})]
    calls += [(f"/api/v1/applications/{a['id']}/payments", admin_token,
               {"amount": "400.00", "method": "transfer", "reference": f"T-{a['id']}"}) for a in paying]
    calls += [(f"/api/v1/series/{series['id']}/applications", token(person),
               {"trainee": False, "attestation": ATTESTATION})
              for person in newcomers]
    with live_server(app) as base:
        answers = fire(base, calls)
    assert answers[0].status_code == 200
    assert all(r.status_code in (200, 201) for r in answers[1:6])  # money is always taken in, then owed back
    assert all(r.status_code in (201, 409) for r in answers[6:])

    db.session.expire_all()
    live = db.session.scalar(select(func.count(Application.id)).where(
        Application.series_id == series["id"], Application.status.in_(LIVE_STATUSES)))
    assert live == 0
    lost = []
    for a in db.session.scalars(select(Application).where(Application.series_id == series["id"])):
        body = api(admin).get(f"/api/v1/applications/{a.id}").get_json()
        if money(body["refund_due"]["amount"]) + money(body["refunded"]["amount"]) != money(body["paid"]):
            lost.append(body)
    assert lost == []


def test_a_payment_racing_a_withdrawal_is_owed_back_less_the_fee(app, api, make_user, run):
    leader, admin = make_user("leader"), make_user("admin")
    series = published_series(api(leader))
    member = make_user()
    application = enrolled(api, leader, series, member)
    path = f"/api/v1/applications/{application['id']}"
    assert api(admin).post(f"{path}/payments", json={"amount": "50.00", "method": "card"}).status_code == 201
    with live_server(app) as base:
        withdrawal, payment = fire(base, [
            (f"{path}/withdraw", token(member), {"reason": "A new job."}),
            (f"{path}/payments", token(admin), {"amount": "850.00", "method": "transfer", "reference": "late"}),
        ])
    assert withdrawal.status_code == 200 and payment.status_code == 201
    body = api(member).get(path).get_json()
    # By the deadline the society keeps its 100.00 fee of the 900.00 paid, whichever came first.
    assert (body["status"], body["paid"], body["refund_due"]) == (
        "withdrawn", "900.00", {"amount": "800.00", "currency": "USD"})


# -- leaders' decisions -------------------------------------------------------------------------------

def test_simultaneous_accepts_tell_each_the_position_they_hold(app, api, make_user, run):
    leader = make_user("leader")
    series = published_series(api(leader), capacity=2)
    members = [make_user() for _ in range(10)]
    applications = [apply(api(member), series["id"]) for member in members]
    leader_token = token(leader)
    with live_server(app) as base:
        answers = fire(base, [(f"/api/v1/applications/{a['id']}/accept", leader_token, {}) for a in applications])
    bodies = [r.json() for r in answers]
    assert [r.status_code for r in answers] == [200] * 10
    told = sorted(b["waitlist_position"] for b in bodies if b["status"] == "waitlisted")
    assert told == list(range(1, 9))  # nobody told they are first but the first
    for body in bodies:
        if body["status"] == "waitlisted":
            now_held = api(leader).get(f"/api/v1/applications/{body['id']}").get_json()["waitlist_position"]
            assert now_held == body["waitlist_position"]


# -- payments retried ---------------------------------------------------------------------------------

@pytest.mark.parametrize("with_key", [True, False], ids=["idempotency-key", "same-reference"])
def test_a_retried_payment_is_recorded_once(app, api, make_user, run, with_key):
    leader, admin = make_user("leader"), make_user("admin")
    series = published_series(api(leader))
    application = enrolled(api, leader, series, make_user())
    admin_token = token(admin)
    headers = {"Idempotency-Key": "pay-once-7"} if with_key else {}
    call = (f"/api/v1/applications/{application['id']}/payments", admin_token,
            {"amount": "875.00", "method": "transfer", "reference": "BANK-0042"}, headers)
    with live_server(app) as base:
        answers = fire(base, [call] * 6)
    assert sorted(r.status_code for r in answers) == [200] * 5 + [201]
    assert len({r.json()["id"] for r in answers}) == 1
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Payment.id))) == 1
    assert api(admin).get(f"/api/v1/applications/{application['id']}").get_json()["paid"] == "875.00"


# -- in order, one after the other --------------------------------------------------------------------

@pytest.mark.parametrize(("end", "owed"), [("withdraw", "800.00"), ("decline", "900.00"), ("cancel", "900.00")])
def test_a_payment_after_the_application_ended_is_owed_back_at_once(app, api, login, make_user, end, owed):
    leader, admin = make_user("leader"), make_user("admin")
    series = published_series(api(leader))
    member = make_user()
    application = enrolled(api, leader, series, member)
    path = f"/api/v1/applications/{application['id']}"
    assert api(admin).post(f"{path}/payments", json={"amount": "50.00", "method": "card"}).status_code == 201
    if end == "withdraw":
        ended = api(member).post(f"{path}/withdraw", json={"reason": "A new job."})
        assert ended.get_json()["refund"]["amount"] == "0.00"  # the fee keeps all of the 50.00 paid so far
    elif end == "decline":
        ended = api(leader).post(f"{path}/decline", json={"reason": "Not this time."})
    else:
        ended = api(leader).post(f"/api/v1/series/{series['id']}/cancel", json={"reason": "The leader is unwell."})
    assert ended.status_code == 200
    late = api(admin).post(f"{path}/payments", json={"amount": "850.00", "method": "transfer", "reference": "late"})
    assert late.status_code == 201
    body = api(admin).get(path).get_json()
    assert (body["paid"], body["refund_due"], body["refunded"]) == (
        "900.00", {"amount": owed, "currency": "USD"}, {"amount": "0.00", "currency": "USD"})
    client = login(admin)
    refunds = client.get("/admin/").get_data(as_text=True)
    assert member.name in refunds
    ledger = client.get(f"/admin/series/{series['id']}/ledger").get_data(as_text=True)
    assert owed in ledger
    if end == "cancel":  # and anything arriving afterwards is refused
        again = api(make_user()).post(f"/api/v1/series/{series['id']}/applications",
                                      json={"trainee": False, "attestation": ATTESTATION})
        assert again.status_code == 409
