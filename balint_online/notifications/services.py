"""One notification layer: render an email from templates, write it to the outbox once, deliver it."""

import logging
import re
import smtplib
import socket
import time
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template, render_template_string
from markupsafe import Markup, escape
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from ..core.clock import now
from ..core.text import one_line
from ..core.urls import base_url
from ..extensions import db
from .models import OutboxMessage
from .why import why_line

log = logging.getLogger(__name__)
CLAIM_SECONDS = 300


def queue_email(*, key: str, kind: str, user, context: dict | None = None, calendar: tuple[str, bytes] | None = None,
                recipient: str | None = None, carry: str | None = None) -> OutboxMessage | None:
    """Render `templates/email/<kind>.txt` and add it to the outbox under `key`.

    The template's first line is `Subject: ...`; the rest is the plain-text body, which ends with the
    line saying why the message came (`why.py`), and from which the HTML alternative is made. Returns None when a message with that key exists already, so callers
    may retry freely. The caller commits; the message goes out with the next delivery run.

    One event, one email: `carry` names the key of a message queued for the same event in this unit of
    work (the calendar invitation that comes with a place); this message takes its calendar attachment
    (the template sees `itip`) and that message is not sent.
    """
    if getattr(user, "is_erased", False):
        return None  # nobody is there any more (privacy/erasure.py): a job's message to them is dropped
    carried = _unsent(carry, user) if carry and calendar is None else None
    if carried is not None and carried.calendar_method and carried.calendar_ics:
        calendar = (carried.calendar_method, carried.calendar_ics)
        context = {**(context or {}), "itip": True}
    ctx = _context(user, context)
    subject, text = _render_email(kind, ctx)
    text += "\n" + why_line(kind, user, ctx) + "\n"
    message = OutboxMessage(
        key=key,
        kind=kind,
        user_id=getattr(user, "id", None),
        recipient=one_line(recipient or user.email),
        subject=subject,
        body_text=text,
        body_html=render_template("email/_layout.html", **{**ctx, "subject": subject, "paragraphs": text_to_paragraphs(text)}),
        calendar_method=calendar[0] if calendar else None,
        calendar_ics=calendar[1] if calendar else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        return None
    if carried is not None:
        db.session.delete(carried)
        db.session.flush()
    return message


def _unsent(key: str, user) -> OutboxMessage | None:
    """A message with a calendar attachment, not yet sent nor being sent, to this person."""
    return db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.key == key, OutboxMessage.user_id == getattr(user, "id", None),
        OutboxMessage.calendar_ics.is_not(None), OutboxMessage.sent_at.is_(None),
        OutboxMessage.claimed_until.is_(None)))


def _context(user, context: dict | None) -> dict:
    return {"user": user, "base_url": base_url(), "society": current_app.config["SOCIETY_NAME"], **(context or {})}


def render_subject(kind: str, user, context: dict | None = None) -> str:
    """The subject `templates/email/<kind>.txt` would have: the line a daily summary lists for the event."""
    return _render_email(kind, _context(user, context))[0]


def _render_email(kind: str, ctx: dict) -> tuple[str, str]:
    """The subject (one header line) and the plain-text body of `templates/email/<kind>.txt`.

    The subject line is rendered on its own: rendered together, a line break inside a value (a
    title, a name) would end the subject early and push the rest of it into the body.
    """
    env = current_app.jinja_env
    source, _, _ = env.loader.get_source(env, f"email/{kind}.txt")
    subject_line, _, body = source.lstrip().partition("\n")
    subject = one_line(render_template_string(_plain(subject_line.removeprefix("Subject:")), **ctx))
    return subject, render_template_string(_plain(body), **ctx).strip() + "\n"


def _plain(source: str) -> str:
    # Plain text, not HTML: "O'Brien" stays as written (the HTML alternative escapes the finished text).
    return "{% autoescape false %}" + source + "{% endautoescape %}"


_URL = re.compile(r"https?://[^\s<>\"]+")


def text_to_paragraphs(text: str) -> list[Markup]:
    """The plain-text body as HTML paragraphs, with its links made clickable."""
    paragraphs = []
    for block in text.strip().split("\n\n"):
        escaped = str(escape(block))
        linked = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        paragraphs.append(Markup(linked.replace("\n", "<br>\n")))
    return paragraphs


def build_mime(message: OutboxMessage, sender: str) -> EmailMessage:
    # Again here, for messages written before subjects were cleaned when queued.
    sender, to, subject = one_line(sender), one_line(message.recipient), one_line(message.subject)
    if message.calendar_ics:
        from ..calendar.invites import build_invite_message

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
        self.conn = None

    def open(self) -> None:
        cls = smtplib.SMTP_SSL if self.ssl else smtplib.SMTP
        self.conn = cls(self.host, self.port, timeout=self.timeout)
        if self.starttls:
            self.conn.starttls()
        if self.username:
            self.conn.login(self.username, self.password or "")

    def send(self, mime: EmailMessage) -> None:
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
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None),
               or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < moment))
        .values(claimed_by=worker, claimed_until=moment + timedelta(seconds=CLAIM_SECONDS),
                attempts=OutboxMessage.attempts + 1)
    )
    db.session.commit()
    return result.rowcount == 1


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
    message = db.session.get(OutboxMessage, message_id)
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
            message = db.session.get(OutboxMessage, message_id)
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


def failed_messages(limit: int = 200) -> list[OutboxMessage]:
    """What the platform gave up sending, newest first (for administrators)."""
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.failed_at.is_not(None))
                              .order_by(OutboxMessage.failed_at.desc()).limit(limit)).all()


def retry_message(message: OutboxMessage) -> None:
    """Put a failed message back in the queue (after fixing what made it fail)."""
    message.failed_at = None
    message.attempts = 0
    message.claimed_until = None
    db.session.flush()
