"""Delivering the outbox through a real SMTP server (aiosmtpd) that drops the connection mid-batch: it
reconnects and carries on."""

from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from balint_online.extensions import db
from balint_online.notifications.delivery import deliver_outbox
from balint_online.notifications.models import OutboxMessage
from tests.smtp import free_port

BATCH = 6


class DroppingInbox:
    """Accepts mail, except that at the `drop_at`-th message it hangs up instead of answering:
    before keeping the message (`keep=False`), or after (`keep=True`: its 250 reply is what is lost)."""

    def __init__(self, drop_at: int, keep: bool):
        self.drop_at, self.keep = drop_at, keep
        self.seen = 0
        self.kept = []

    async def handle_DATA(self, server, session, envelope):
        self.seen += 1
        if self.seen == self.drop_at:
            if self.keep:
                self.kept.append(envelope.content)
            server.transport.close()
            return "421 closing"  # never reaches the client: the connection is gone
        self.kept.append(envelope.content)
        return "250 Message accepted for delivery"

    def messages(self):
        return [message_from_bytes(content, policy=policy.default) for content in self.kept]


@pytest.fixture
def smtp(app, request):
    inbox = DroppingInbox(drop_at=3, keep=request.param)
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{controller.port}"
    yield inbox
    controller.stop()


def queue(n: int) -> None:
    for i in range(n):
        db.session.add(OutboxMessage(key=f"test:{i}", kind="group_message", recipient=f"member{i}@example.org",
                                     subject=f"Message {i}", body_text="Hello.", body_html="<p>Hello.</p>"))
    db.session.commit()


@pytest.mark.parametrize("smtp", [False], indirect=True, ids=["dropped-before-accepting"])
def test_a_dropped_connection_is_reopened_and_the_batch_goes_out_once(smtp):
    queue(BATCH)
    assert deliver_outbox() == BATCH  # one run: no back-off for the rest of the batch
    assert sorted(m["To"] for m in smtp.messages()) == sorted(f"member{i}@example.org" for i in range(BATCH))
    assert all(m.sent_at is not None for m in db.session.scalars(select(OutboxMessage)))
    assert deliver_outbox() == 0 and len(smtp.kept) == BATCH


@pytest.mark.parametrize("smtp", [True], indirect=True, ids=["dropped-after-accepting"])
def test_a_lost_reply_is_the_one_duplicate_and_it_carries_the_same_message_id(smtp):
    """SMTP gives no way to learn whether a message whose reply was lost arrived: it is sent again
    (at-least-once), under the same Message-ID, so the receiving side can tell it is the same."""
    queue(BATCH)
    assert deliver_outbox() == BATCH
    delivered = smtp.messages()
    assert len(delivered) == BATCH + 1
    ids = [m["Message-ID"] for m in delivered]
    assert len(set(ids)) == BATCH and ids[2] == ids[3]  # the third message, twice, under one Message-ID
    assert deliver_outbox() == 0
