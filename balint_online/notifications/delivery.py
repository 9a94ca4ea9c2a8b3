"""Mail delivery from the outbox, the scheduler's mail job.

Its commits are deliberate, the job's own units of work: each message is claimed (committed)
before anything goes to the server, so two workers never send it both, and marked sent
(committed) the moment the server accepts it, so a crash afterwards does not send it again.
"""

import logging
import smtplib
import socket
import time
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from flask import current_app
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import DBAPIError

from ..core.clock import now
from ..core.statements import rows_changed
from ..core.text import one_line
from ..extensions import db
from .invites import build_invite_message
from .models import OutboxMessage

log = logging.getLogger(__name__)
CLAIM_SECONDS = 300


def build_mime(message: OutboxMessage, sender: str) -> EmailMessage:
    # Again here, for messages written before subjects were cleaned when queued.
    sender, to, subject = one_line(sender), one_line(message.recipient), one_line(message.subject)
    if message.calendar_ics:
        assert message.calendar_method is not None  # queued together (services.queue_email)
        mime = build_invite_message(
            sender=sender, to=to, subject=subject, text=message.body_text,
            html=message.body_html, ics=message.calendar_ics, method=message.calendar_method,
        )
    else:
        mime = EmailMessage()
        mime["From"], mime["To"], mime["Subject"] = sender, to, subject
        mime.set_content(message.body_text)
        mime.add_alternative(message.body_html, subtype="html")
    del mime["Message-ID"]  # the invitation builder sets its own; one per message is allowed
    # The same for every attempt at one outbox message, so a message sent again after a crash can be
    # recognised as the same one by the receiving side.
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "balint-online"
    mime["Message-ID"] = f"<outbox-{message.id}@{host}>"
    return mime


class SmtpTransport:
    """Delivers through `smtp://[user:password@]host:port` (or `smtps://`), reconnecting when asked."""

    def __init__(self, url: str, *, username=None, password=None, starttls=False, timeout=20):
        parts = urlsplit(url)
        self.ssl = parts.scheme == "smtps"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.ssl else 25)
        self.username = unquote(parts.username) if parts.username else username
        self.password = unquote(parts.password) if parts.password else password
        self.starttls = starttls
        self.timeout = timeout
        self.conn: smtplib.SMTP | None = None

    def open(self) -> None:
        cls = smtplib.SMTP_SSL if self.ssl else smtplib.SMTP
        self.conn = cls(self.host, self.port, timeout=self.timeout)
        if self.starttls:
            self.conn.starttls()
        if self.username:
            self.conn.login(self.username, self.password or "")

    def send(self, mime: EmailMessage) -> None:
        assert self.conn is not None, "open() the transport first"
        self.conn.send_message(mime)

    def close(self) -> None:
        if self.conn is None:
            return
        try:
            self.conn.quit()
        except (smtplib.SMTPException, OSError):
            self.conn.close()
        self.conn = None


def connection_lost(exc: Exception) -> bool:
    """The connection is gone (dropped, timed out, refused, or the server said 421 closing), not this
    message refused. (SMTPException is an OSError too, but a refusal is an answer about the message.)"""
    if isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code == 421:
        return True
    if isinstance(exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)):
        return True
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def _claim(message_id: int, worker: str) -> bool:
    """Mark one message as being sent by this worker, committed before anything goes to the server; a
    conditional update, so two workers never both win it."""
    moment = now()
    changed = rows_changed(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None),
               or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < moment))
        .values(claimed_by=worker, claimed_until=moment + timedelta(seconds=CLAIM_SECONDS),
                attempts=OutboxMessage.attempts + 1)
    )
    db.session.commit()
    return changed == 1


def _transient(exc: Exception) -> bool:
    """A 4xx answer ("try again later"); anything else about one message will not get better by retrying."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    return False


def _error_text(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


# Kinds that go to an address the platform may no longer keep (the "your data is erased" email):
# deleted, not marked sent, once the server has accepted them.
FORGOTTEN_ONCE_SENT = frozenset({"erasure_done"})

# Pauses before trying again to record a message as sent when the database is briefly unreachable.
MARK_SENT_RETRIES = (0.2, 1.0, 3.0)


def _mark_sent(message_id: int, kind: str) -> None:
    """The server has accepted the message: record it at once, and keep trying through a short database
    outage, since until this commits a crash of this worker would send the message again."""
    sent = OutboxMessage.id == message_id
    statement = (delete(OutboxMessage).where(sent) if kind in FORGOTTEN_ONCE_SENT else
                 update(OutboxMessage).where(sent).values(sent_at=now(), last_error="", claimed_until=None))
    for pause in (*MARK_SENT_RETRIES, None):
        try:
            db.session.execute(statement)
            db.session.commit()
            return
        except DBAPIError:
            db.session.rollback()
            if pause is None:
                raise
            log.warning("Outbox message %s was sent but could not be recorded yet; trying again", message_id)
            time.sleep(pause)


def _failed(message_id: int, exc: Exception) -> None:
    """Record why a message was not sent. The server gone: it waits for the next run without losing
    an attempt. Refused for now (4xx): tried again with back-off, MAIL_MAX_ATTEMPTS times. Anything
    else is the message's own fault: marked failed at once, for an administrator to see."""
    message = db.session.get_one(OutboxMessage, message_id)
    message.last_error = _error_text(exc)
    if connection_lost(exc):
        message.attempts -= 1
        message.claimed_until = None
        log.warning("Mail server lost during outbox message %s: %s", message_id, exc)
    elif _transient(exc) and message.attempts < current_app.config["MAIL_MAX_ATTEMPTS"]:
        message.claimed_until = now() + timedelta(seconds=min(60 * 2 ** message.attempts, 3600))
        log.warning("Outbox message %s refused for now: %s", message_id, exc)
    else:
        message.failed_at = now()
        message.claimed_until = None
        log.error("Outbox message %s failed and will not be retried: %s", message_id, exc)
    db.session.commit()


def _send(transport: SmtpTransport, mime: EmailMessage) -> None:
    """Send on the open connection; if it was lost, once more on a new one."""
    try:
        transport.send(mime)
    except (smtplib.SMTPException, OSError) as exc:
        if not connection_lost(exc):
            raise
        log.info("Mail server connection lost (%s); reconnecting", exc)
        transport.close()
        transport.open()
        transport.send(mime)


def deliver_outbox(worker: str | None = None, limit: int = 200) -> int:
    """Send what is waiting in the outbox; returns how many went out.

    Each message is claimed (committed) before it is sent and marked sent (committed) as soon as
    the server accepts it; a dropped connection is reopened and the batch carries on. What is
    left is at-least-once: a crash between the server's acceptance and that commit sends the
    message again after its claim lapses (CLAIM_SECONDS), with the same Message-ID.

    A message that fails by its own fault is marked failed at once, one refused for now ("4xx")
    after MAIL_MAX_ATTEMPTS tries; either way the others go on. With `MAIL_URL = "outbox"`
    nothing leaves the machine (in development the messages are readable at /dev/outbox).
    """
    config = current_app.config
    if config["MAIL_URL"] == "outbox":
        return 0
    worker = worker or f"{socket.gethostname()}:{id(object())}"
    moment = now()
    waiting = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None),
               or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < moment))
        .order_by(OutboxMessage.id).limit(limit)
    ).all()
    if not waiting:
        return 0
    sent = 0
    transport = SmtpTransport(config["MAIL_URL"], username=config["MAIL_USERNAME"],
                              password=config["MAIL_PASSWORD"], starttls=config["MAIL_STARTTLS"])
    try:
        transport.open()
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("Mail server %s unreachable: %s", config["MAIL_URL"], exc)
        return 0
    try:
        for message_id in waiting:
            if not _claim(message_id, worker):
                continue
            message = db.session.get_one(OutboxMessage, message_id)
            try:
                _send(transport, build_mime(message, config["MAIL_SENDER"]))
            except Exception as exc:  # noqa: BLE001  (whatever it is, it must not hold up the queue)
                _failed(message_id, exc)
                if connection_lost(exc):  # lost again straight after reconnecting: the server is down
                    log.warning("Mail server %s went away: %s", config["MAIL_URL"], exc)
                    break
                continue
            _mark_sent(message_id, message.kind)
            sent += 1
    finally:
        transport.close()
    return sent
