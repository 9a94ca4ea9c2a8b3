"""One notification layer: render an email from templates, write it to the outbox once, deliver it."""

import logging
import re
import smtplib
import socket
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template, render_template_string
from markupsafe import Markup, escape
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from ..core.clock import now
from ..core.text import one_line
from ..core.urls import base_url
from ..extensions import db
from .models import OutboxMessage

log = logging.getLogger(__name__)
CLAIM_SECONDS = 300
def queue_email(*, key: str, kind: str, user, context: dict | None = None, calendar: tuple[str, bytes] | None = None,
                recipient: str | None = None) -> OutboxMessage | None:
    """Render `templates/email/<kind>.txt` and add it to the outbox under `key`.

    The template's first line is `Subject: ...`; the rest is the plain-text body, from which the
    HTML alternative is made. Returns None when a message with that key exists already, so callers
    may retry freely. The caller commits; the message goes out with the next delivery run.
    """
    ctx = {"user": user, "base_url": base_url(),
           "society": current_app.config["SOCIETY_NAME"], **(context or {})}
    subject, text = _render_email(kind, ctx)
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
    return message


def _render_email(kind: str, ctx: dict) -> tuple[str, str]:
    """The subject (one header line) and the plain-text body of `templates/email/<kind>.txt`.

    The subject line is rendered on its own: rendered together, a line break inside a value (a
    title, a name) would end the subject early and push the rest of it into the body.
    """
    env = current_app.jinja_env
    source, _, _ = env.loader.get_source(env, f"email/{kind}.txt")
    subject_line, _, body = source.lstrip().partition("\n")
    subject = one_line(render_template_string(subject_line.removeprefix("Subject:"), **ctx))
    return subject, render_template_string(body, **ctx).strip() + "\n"


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
    mime["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}", domain="balint-online")
    return mime


class SmtpTransport:
    """Delivers through `smtp://[user:password@]host:port` (or `smtps://`)."""

    def __init__(self, url: str, *, username=None, password=None, starttls=False, timeout=20):
        parts = urlsplit(url)
        self.ssl = parts.scheme == "smtps"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.ssl else 25)
        self.username = unquote(parts.username) if parts.username else username
        self.password = unquote(parts.password) if parts.password else password
        self.starttls = starttls
        self.timeout = timeout

    def __enter__(self):
        cls = smtplib.SMTP_SSL if self.ssl else smtplib.SMTP
        self.conn = cls(self.host, self.port, timeout=self.timeout)
        if self.starttls:
            self.conn.starttls()
        if self.username:
            self.conn.login(self.username, self.password or "")
        return self

    def send(self, mime: EmailMessage) -> None:
        self.conn.send_message(mime)

    def __exit__(self, *exc):
        try:
            self.conn.quit()
        except (smtplib.SMTPException, OSError):
            pass


def _claim(message_id: int, worker: str) -> bool:
    """Take one message for delivery; a conditional update, so two workers never both win it."""
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


def _connection_lost(exc: Exception) -> bool:
    """The mail server is gone: the message is not at fault, and the rest of this run would fail the
    same way, so it waits for the next run without losing an attempt. (SMTPException is an OSError
    too, but a refusal is an answer about the message.)"""
    if isinstance(exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)):
        return True
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def _transient(exc: Exception) -> bool:
    """A 4xx answer ("try again later"); anything else about one message will not get better by retrying."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    return False


def _error_text(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def deliver_outbox(worker: str | None = None, limit: int = 200) -> int:
    """Send what is waiting in the outbox; returns how many went out.

    With `MAIL_URL = "outbox"` nothing leaves the machine (in development the messages are readable
    at /dev/outbox). A message that fails by its own fault is marked failed at once, one refused
    for now ("4xx") after MAIL_MAX_ATTEMPTS tries; either way the others go on.
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
        with transport:
            for message_id in waiting:
                if not _claim(message_id, worker):
                    continue
                message = db.session.get(OutboxMessage, message_id)
                try:
                    transport.send(build_mime(message, config["MAIL_SENDER"]))
                except Exception as exc:  # noqa: BLE001  (whatever it is, it must not hold up the queue)
                    message.last_error = _error_text(exc)
                    if _connection_lost(exc):
                        message.attempts -= 1
                        message.claimed_until = None
                        db.session.commit()
                        log.warning("Mail server %s lost during outbox message %s: %s", config["MAIL_URL"], message_id, exc)
                        break
                    if _transient(exc) and message.attempts < config["MAIL_MAX_ATTEMPTS"]:
                        message.claimed_until = now() + timedelta(seconds=min(60 * 2 ** message.attempts, 3600))
                        log.warning("Outbox message %s refused for now: %s", message_id, exc)
                    else:
                        message.failed_at = now()
                        message.claimed_until = None
                        log.error("Outbox message %s failed and will not be retried: %s", message_id, exc)
                    db.session.commit()
                    continue
                message.sent_at = now()
                message.last_error = ""
                db.session.commit()
                sent += 1
    except OSError as exc:  # connecting, signing in, or saying goodbye (SMTPException included)
        log.warning("Mail server %s unreachable: %s", config["MAIL_URL"], exc)
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
