"""Mail that never sticks: header values on one line, a message at fault marked failed and shown to admins."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from balint_online.core.clock import now
from balint_online.extensions import db
from balint_online.notifications.delivery import deliver_outbox
from balint_online.notifications.models import OutboxMessage
from balint_online.series.models import Series
from tests.factories import apply, published_series
from tests.smtp import SmtpInbox, free_port


class PickyInbox(SmtpInbox):
    """Refuses some recipients: for good (550) or for now (451)."""

    refused = {"gone@example.org": "550 No such mailbox", "busy@example.org": "451 Try again later"}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return self.refused[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def inbox(app):
    from aiosmtpd.controller import Controller

    inbox = PickyInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{controller.port}"
    yield inbox
    controller.stop()


def _message(n, **fields):
    values = {"key": f"test:{n}", "kind": "test", "recipient": f"person{n}@example.org", "subject": f"Message {n}",
              "body_text": "Hello.\n", "body_html": "<p>Hello.</p>", **fields}
    message = OutboxMessage(**values)
    db.session.add(message)
    db.session.commit()
    return message


def test_a_line_break_in_a_series_title_reaches_the_inbox_folded(app, api, make_user, inbox, clock):
    clock.set("2026-09-01T12:00:00Z")
    leader, member = make_user("leader"), make_user(name="Jo\r\nMember")
    series = published_series(api(leader), title="Evening group")
    db.session.get(Series, series["id"]).title = "Evening\r\nBcc: someone@evil.example"
    db.session.commit()
    apply(api(member), series["id"])
    assert deliver_outbox() >= 1
    subjects = [m["Subject"] for m in inbox.messages()]
    assert "We received your application: Evening Bcc: someone@evil.example" in subjects
    assert all("\r" not in s and "\n" not in s for s in subjects)
    assert not any(m["Bcc"] for m in inbox.messages())
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))) is None


def test_a_message_at_fault_is_marked_failed_and_never_holds_up_the_rest(app, inbox):
    broken = _message(1, calendar_method="CANCEL",
                      calendar_ics=b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n")
    gone = _message(2, recipient="gone@example.org")
    fine = _message(3)
    assert deliver_outbox() == 1
    assert [m["To"] for m in inbox.messages()] == [fine.recipient]
    db.session.expire_all()
    assert broken.failed_at is not None and "METHOD" in broken.last_error
    assert gone.failed_at is not None and "550" in broken.last_error + gone.last_error
    assert deliver_outbox() == 0  # not retried by itself
    db.session.expire_all()
    assert (broken.attempts, gone.attempts) == (1, 1)


def test_a_refusal_for_now_is_retried_with_back_off_then_given_up(app, inbox, clock):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    busy = _message(1, recipient="busy@example.org")
    moment = clock.set(now())
    for attempt in range(1, 4):
        deliver_outbox()
        db.session.expire_all()
        assert busy.attempts == attempt and "451" in busy.last_error
        moment = clock.set(moment + timedelta(hours=2))
    assert busy.failed_at is not None
    deliver_outbox()
    db.session.expire_all()
    assert busy.attempts == 3


def test_an_unreachable_server_fails_nothing(app):
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{free_port()}"
    message = _message(1)
    assert deliver_outbox() == 0
    db.session.expire_all()
    assert message.failed_at is None and message.attempts == 0


def test_admins_see_failed_messages_and_can_send_one_again(app, client, make_user, login, inbox):
    gone = _message(1, recipient="gone@example.org", subject="Your invoice")
    deliver_outbox()
    member = make_user()
    login(member)
    assert client.get("/admin/mail").status_code in (403, 404)
    client.submit("/sign-out", page="/home")
    login(make_user("admin"))
    page = client.get("/admin/mail")
    assert page.status_code == 200 and b"gone@example.org" in page.data and b"550" in page.data
    assert client.submit(f"/admin/mail/{gone.id}/retry", page="/admin/mail").status_code == 302
    db.session.expire_all()
    assert gone.failed_at is None and gone.attempts == 0
    assert b"Every message was delivered" in client.get("/admin/mail").data
