"""One notification layer: render an email from templates and write it to the outbox once.

Delivery, the mail job, is notifications/delivery.py. Queueing flushes; the caller commits.
"""

import re

from flask import current_app, render_template
from flask_babel import force_locale
from jinja2 import BaseLoader, Environment, Template
from markupsafe import Markup, escape
from sqlalchemy import select

from ..core.i18n import language_of
from ..core.statements import insert_once
from ..core.text import one_line
from ..core.urls import base_url
from ..extensions import db
from .models import OutboxMessage
from .why import why_line


def queue_email(*, key: str, kind: str, user, context: dict | None = None, calendar: tuple[str, bytes] | None = None,
                recipient: str | None = None, carry: str | None = None) -> OutboxMessage | None:
    """Render `templates/email/<kind>.txt` and add it to the outbox under `key`.

    The template's first line is `Subject: ...`; the rest is the plain-text body, which ends with the
    line saying why the message came (`why.py`), and from which the HTML alternative is made. Returns None
    when a message with that key exists already, so callers may retry freely. The caller commits; the
    message goes out with the next delivery run.

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
    # In the reader's language, whoever's request (a leader's, say) or job caused the message.
    with force_locale(language_of(user)):
        subject, text = _render_email(kind, ctx)
        text += "\n" + why_line(kind, user, ctx) + "\n"
        html = render_template("email/_layout.html",
                               **{**ctx, "subject": subject, "paragraphs": text_to_paragraphs(text)})
    message = insert_once(
        OutboxMessage,
        key=key,
        kind=kind,
        user_id=getattr(user, "id", None),
        recipient=one_line(recipient or user.email),
        subject=subject,
        body_text=text,
        body_html=html,
        calendar_method=calendar[0] if calendar else None,
        calendar_ics=calendar[1] if calendar else None,
    )
    if message is None:
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
    with force_locale(language_of(user)):
        return _render_email(kind, _context(user, context))[0]


def _render_email(kind: str, ctx: dict) -> tuple[str, str]:
    """The subject (one header line) and the plain-text body of `templates/email/<kind>.txt`.

    The subject line is rendered on its own: rendered together, a line break inside a value (a
    title, a name) would end the subject early and push the rest of it into the body.
    """
    subject = one_line(render_template(_email_part(kind, "subject"), **ctx))
    return subject, render_template(_email_part(kind, "body"), **ctx).strip() + "\n"


class _EmailParts(BaseLoader):
    """`email/<kind>.txt:subject` and `email/<kind>.txt:body`, the two halves of an email's template.

    Plain text, not HTML: "O'Brien" stays as written (the HTML alternative escapes the finished text).
    """

    def get_source(self, environment: Environment, template: str):
        name, _, part = template.rpartition(":")
        assert environment.loader is not None  # Flask's environment always has its loader
        source, filename, uptodate = environment.loader.get_source(environment, name)
        subject_line, _, body = source.lstrip().partition("\n")
        text = subject_line.removeprefix("Subject:") if part == "subject" else body
        return "{% autoescape false %}" + text + "{% endautoescape %}", filename, uptodate


_PARTS = _EmailParts()


def _email_part(kind: str, part: str) -> Template:
    """Compiled once per app (every email compiled its template afresh before), again when its file changes."""
    env = current_app.jinja_env
    loaded = current_app.extensions.setdefault("email_templates", {})
    name = f"email/{kind}.txt:{part}"
    template = loaded.get(name)
    if template is None or (env.auto_reload and not template.is_up_to_date):
        template = loaded[name] = _PARTS.load(env, name, env.globals)
    return template


_URL = re.compile(r"https?://[^\s<>\"]+")


def text_to_paragraphs(text: str) -> list[Markup]:
    """The plain-text body as HTML paragraphs, with its links made clickable."""
    paragraphs = []
    for block in text.strip().split("\n\n"):
        escaped = str(escape(block))
        linked = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        paragraphs.append(Markup(linked.replace("\n", "<br>\n")))
    return paragraphs


def failed_messages(limit: int = 200) -> list[OutboxMessage]:
    """What the platform gave up sending, newest first (for administrators)."""
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.failed_at.is_not(None))
                              .order_by(OutboxMessage.failed_at.desc()).limit(limit)))


def retry_message(message: OutboxMessage) -> None:
    """Put a failed message back in the queue (after fixing what made it fail)."""
    message.failed_at = None
    message.attempts = 0
    message.claimed_until = None
    db.session.flush()
