"""A member's data through the pages: the export, the erasure request, an administrator's decision, what is left."""

import json

import pytest
from sqlalchemy import JSON, LargeBinary, String, select
from sqlalchemy.types import TypeDecorator

from balint_online.accounts.models import User
from balint_online.audit.models import AuditEntry
from balint_online.extensions import db
from balint_online.notifications.delivery import deliver_outbox
from balint_online.notifications.models import OutboxMessage
from balint_online.notifications.services import queue_email
from balint_online.privacy.models import ErasureRequest
from balint_online.rotation.models import PresenterTurn
from tests.factories import apply, published_series, run_jobs
from tests.smtp import smtp_inbox

NAME, EMAIL = "Jolanda Erasable", "jolanda.erasable@example.org"
CASE_TITLE = "The patient who always brings a list"
FINANCIAL_TABLES = {"payments", "refunds"}


@pytest.fixture
def people(make_user):
    return {"admin": make_user("admin", name="Ada Admin"), "leader": make_user("leader", name="Dr Ruth"),
            "member": make_user(name=NAME, email=EMAIL), "other": make_user(name="Otto Other"),
            "namesake": make_user(name=NAME, email="another.jolanda@example.org")}


@pytest.fixture
def attended(app, api, client, login, people, clock):
    """The member applied, paid (the cheque names them), presented, attended both meetings and got a certificate."""
    leader, member, admin = people["leader"], people["member"], people["admin"]
    series = published_series(api(leader), capacity=2, meeting_count=2)
    application = apply(api(member), series["id"], note="I work in a rural practice")
    assert api(leader).post(f"/api/v1/applications/{application['id']}/accept").status_code == 200
    paid = api(admin).post(f"/api/v1/applications/{application['id']}/payments",
                           json={"amount": application["amount_due"], "method": "cheque",
                                 "reference": f"Cheque from {NAME}"})
    assert paid.status_code == 201, paid.get_json()
    turn = db.session.scalar(select(PresenterTurn).where(PresenterTurn.user_id == member.id))
    assert api(member).put(f"/api/v1/meetings/{turn.meeting_id}/case-title",
                           json={"case_title": CASE_TITLE}).status_code == 200
    login(leader)
    form = {"minutes_per_meeting": "90", "min_meetings": "2", "statements": "Approved for 3 hours of CE credit."}
    assert client.submit(f"/lead/series/{series['id']}/credit", form).status_code == 302
    client.submit("/sign-out", page="/home")
    for meeting in series["meetings"]:
        clock.set(meeting["starts_at"])
        run_jobs(app)
        assert api(member).get(f"/api/v1/meetings/{meeting['id']}/join").status_code == 200
    clock.set("2026-10-27T12:00:00Z")
    run_jobs(app)
    run_jobs(app)
    return {"series": series, "application": application}


def test_a_member_downloads_everything_held_about_them(attended, client, login, people):
    login(people["member"])
    account = client.get("/account").get_data(as_text=True)
    assert "/account/data" in account and "/account/data.json" in account

    download = client.get("/account/data.json")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "no-store"
    data = download.get_json()
    assert data["profile"]["name"] == NAME and data["profile"]["email"] == EMAIL
    [application] = data["applications"]
    assert application["series"] == "Evening group" and application["status"] == "Enrolled"
    assert application["note"] == "I work in a rural practice"
    assert application["attestation"] and all(item["answer"] for item in application["attestation"])
    [invoice] = data["invoices"]
    assert invoice["number"].startswith("BO-") and invoice["application_id"] == application["id"]
    assert invoice["payer_name"] == NAME and invoice["total"] == attended["application"]["amount_due"]
    [payment] = data["payments"]
    assert payment["amount"] == attended["application"]["amount_due"] and payment["method"] == "cheque"
    assert len(data["attendance"]) == 2 and all(a["entered_at"] for a in data["attendance"])
    [certificate] = data["certificates"]
    assert certificate["printed"]["member_name"] == NAME and certificate["printed"]["meetings_attended"] == 2
    assert any(t["case_title"] == CASE_TITLE for t in data["presenting"])
    assert any(e["subject"] for e in data["emails"]) and all("body" in e for e in data["emails"])
    assert data["sign_ins"] and "digest" not in json.dumps(data["api_tokens"])
    assert any(e["action"] == "application_accepted" or e["object"].startswith("application")
               for e in data["audit_log"])

    page = client.get("/account/data").get_data(as_text=True)
    assert "Everything we hold about you" in page and CASE_TITLE in page and certificate["number"] in page
    exports = select(AuditEntry).where(AuditEntry.action == "data_exported").order_by(AuditEntry.id)
    logged = db.session.scalars(exports).all()
    assert [e.data["format"] for e in logged] == ["json", "page"]
    assert all(e.user_id == people["member"].id and e.actor_id == people["member"].id for e in logged)


def test_nobody_else_gets_a_members_data(attended, client, login, people):
    assert client.get("/account/data.json").status_code == 302  # to the sign-in page
    login(people["other"])
    theirs = client.get("/account/data.json").get_json()
    assert theirs["profile"]["email"] == people["other"].email and theirs["applications"] == []
    assert NAME not in json.dumps(theirs) and NAME not in client.get("/account/data").get_data(as_text=True)


def _text(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _textual(column) -> bool:
    kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
    return isinstance(kind, (String, JSON, LargeBinary))


def where_mentioned(*needles) -> set[tuple[str, str]]:
    """(table, column) of every text, JSON or binary value in the whole database that mentions a needle."""
    found = set()
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if _textual(c)]
        for row in db.session.execute(select(*columns)).all() if columns else ():
            for column, value in zip(columns, row, strict=True):
                if value is not None and any(n.lower() in _text(value).lower() for n in needles):
                    found.add((table.name, column.name))
    return found


def test_after_an_administrator_confirms_the_erasure_the_name_and_address_remain_only_in_the_financial_records(
        app, attended, client, login, people):
    member, admin = people["member"], people["admin"]
    assert {t for t, _ in where_mentioned(NAME, EMAIL)} - FINANCIAL_TABLES  # there is something to erase

    login(member)
    asked = client.submit("/account/erasure", {"confirm": "Erase my data"}, page="/account")
    assert asked.status_code == 302
    assert "an administrator is dealing with it" in client.get("/account").get_data(as_text=True)
    received = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "erasure_received"))
    assert received.recipient == EMAIL
    request_id = db.session.scalar(select(ErasureRequest.id))
    client.submit("/sign-out", page="/home")

    login(people["leader"])
    assert client.get("/admin/erasure-requests").status_code == 403
    token = client.csrf_token("/account")
    assert client.post(f"/admin/erasure-requests/{request_id}/confirm", data={"csrf_token": token}).status_code == 403
    client.submit("/sign-out", page="/home")

    login(admin)
    other = people["other"]
    note = {"kind": "other_society", "expires_on": "2027-12-31", "note": f"Sponsored by {NAME}"}
    assert client.submit(f"/admin/people/{other.id}/memberships", note,
                         page=f"/admin/people/{other.id}").status_code == 302
    queue = client.get("/admin/erasure-requests").get_data(as_text=True)
    assert NAME in queue and EMAIL in queue
    done = client.submit(f"/admin/erasure-requests/{request_id}/confirm", page="/admin/erasure-requests")
    assert done.status_code == 302
    erasure = db.session.get(ErasureRequest, request_id)
    assert erasure.status == "done" and erasure.pseudonym.startswith("member-")
    log = client.get("/admin/log").get_data(as_text=True)
    assert erasure.pseudonym in log and NAME not in log

    with smtp_inbox() as inbox:
        app.config["MAIL_URL"] = inbox.url
        deliver_outbox()
    [goodbye] = [m for m in inbox.messages() if m["Subject"] == "Your data is erased"]
    assert goodbye["To"] == EMAIL and erasure.pseudonym in goodbye.get_body().get_content()

    # Only the financial records keep them: the invoice as issued to them, and the cheque's reference
    # (which names them, but not by address); and another person who happens to share the name.
    assert where_mentioned(EMAIL) == {("invoices", "payer_email")}
    assert where_mentioned(NAME) == {("invoices", "payer_name"), ("payments", "reference"), ("users", "name")}
    assert db.session.scalars(select(User.id).where(User.name == NAME)).all() == [people["namesake"].id]
    assert not where_mentioned(CASE_TITLE, "I work in a rural practice")
    # Another person's record that named them now names the pseudonym.
    assert db.session.get(User, other.id).memberships[0].note == f"Sponsored by {erasure.pseudonym}"

    erased = db.session.get(User, member.id)
    assert erased.name == "Erased member" and erased.is_erased
    assert queue_email(key="a-job-later", kind="certificate_issued", user=erased) is None
    actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert {"erasure_requested", "erased"} <= set(actions)
    client.submit("/sign-out", page="/home")
    assert client.submit("/sign-in", {"email": EMAIL, "password": "correct horse battery"}).status_code != 302
    assert client.submit("/sign-in", {"email": erased.email, "password": "correct horse battery"}).status_code != 302


def test_no_erasure_while_the_member_holds_a_place_in_a_series_still_running(api, client, login, people):
    series = published_series(api(people["leader"]))
    application = apply(api(people["member"]), series["id"])
    login(people["member"])
    refused = client.submit("/account/erasure", {"confirm": "erase my data"}, page="/account")
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "cannot be erased yet" in page and "Evening group" in page and "withdraw from it first" in page
    assert db.session.scalar(select(ErasureRequest)) is None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "erasure_refused"))
    assert entry.data["refusals"] == [{"kind": "live_place", "series_id": series["id"]}]
    assert application["status"] == "pending"


def test_the_confirmation_must_be_typed(client, login, people):
    login(people["member"])
    wrong = client.submit("/account/erasure", {"confirm": "yes"}, page="/account")
    assert wrong.status_code == 422 and "to confirm" in wrong.get_data(as_text=True)
    assert db.session.scalar(select(ErasureRequest)) is None


def test_an_administrator_refuses_with_a_reason_the_member_is_told(client, login, people):
    login(people["member"])
    tab = {**client.form("/account/erasure", page="/account"), "confirm": "erase my data"}
    assert client.post("/account/erasure", data=tab).status_code == 302
    assert client.post("/account/erasure", data=tab).status_code == 302  # the same form sent again
    [request_id] = db.session.scalars(select(ErasureRequest.id)).all()  # sent twice, recorded once
    client.submit("/sign-out", page="/home")
    login(people["admin"])
    reason = "We are asked by the accrediting body to keep your record until the audit on 1 December."
    refused = client.submit(f"/admin/erasure-requests/{request_id}/refuse", {f"r{request_id}-reason": reason},
                            page="/admin/erasure-requests")
    assert refused.status_code == 302
    assert db.session.get(ErasureRequest, request_id).status == "refused"
    told = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "erasure_refused"))
    assert told.recipient == EMAIL and reason in told.body_text
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "erasure request",
                                                       AuditEntry.action == "erasure_refused"))
    assert entry.reason == reason and entry.actor_id == people["admin"].id
    decided_again = client.post(f"/admin/erasure-requests/{request_id}/confirm",
                                data={"csrf_token": client.csrf_token("/admin/erasure-requests")})
    assert decided_again.status_code == 409
    client.submit("/sign-out", page="/home")
    login(people["member"])
    assert reason in client.get("/account").get_data(as_text=True)


def test_what_arose_since_the_request_holds_the_erasure_and_nobody_decides_their_own(api, client, login, people):
    login(people["member"])
    assert client.submit("/account/erasure", {"confirm": "erase my data"}, page="/account").status_code == 302
    request_id = db.session.scalar(select(ErasureRequest.id))
    series = published_series(api(people["leader"]), title="Morning group")
    apply(api(people["member"]), series["id"])  # still their account until an administrator decides
    client.submit("/sign-out", page="/home")

    login(people["admin"])
    held = client.submit(f"/admin/erasure-requests/{request_id}/confirm", page="/admin/erasure-requests")
    assert held.status_code == 409 and "Morning group" in held.get_data(as_text=True)
    assert db.session.get(ErasureRequest, request_id).status == "pending"
    assert db.session.get(User, people["member"].id).name == NAME

    tab = {**client.form("/account/erasure", page="/account"), "confirm": "erase my data"}
    assert client.post("/account/erasure", data=tab).status_code == 302
    own = db.session.scalar(select(ErasureRequest.id).where(ErasureRequest.user_id == people["admin"].id))
    assert "another administrator decides it" in client.get("/admin/erasure-requests").get_data(as_text=True)
    token = client.csrf_token("/admin/erasure-requests")
    assert client.post(f"/admin/erasure-requests/{own}/confirm", data={"csrf_token": token}).status_code == 403
