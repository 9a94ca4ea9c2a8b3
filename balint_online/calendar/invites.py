"""Email invitations carrying an iTIP (RFC 5546) calendar object.

The MIME shape is the one Outlook, Gmail and Apple Mail all recognise:

    multipart/mixed
      multipart/alternative
        text/plain
        text/html
        text/calendar; method=REQUEST; charset=UTF-8   (read inline by clients)
      application/ics; name=invite.ics                 (attachment, same bytes)
"""

from __future__ import annotations

import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

__all__ = ["build_invite_message"]

_METHOD_LINE = re.compile(rb"^METHOD:([A-Za-z-]+)\r?$", re.MULTILINE)


def build_invite_message(
    *,
    sender: str,
    to: str,
    subject: str,
    text: str,
    html: str,
    ics: bytes,
    method: str,
    filename: str = "invite.ics",
) -> EmailMessage:
    """Return an email for one recipient with ``ics`` inline and attached.

    sender, to: RFC 5322 addresses (``"Name <a@b.example>"`` or bare).
    ics: the output of ``build_calendar(..., method=method)``; its METHOD
        must equal ``method`` (REQUEST or CANCEL), or clients ignore it.

    The calendar parts are base64, so the CRLF line ends and 75-octet
    folding of the .ics arrive byte for byte. Date and Message-ID are set
    here; the message is otherwise deterministic.
    """
    method = method.upper()
    found = _METHOD_LINE.search(ics)
    if found is None or found.group(1).decode("ascii").upper() != method:
        raise ValueError(f"the calendar's METHOD does not match {method!r}")

    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(usegmt=True)
    # Without a domain make_msgid asks DNS for this host's name.
    msg["Message-ID"] = make_msgid(domain=_domain(msg["From"].addresses[0]))

    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    msg.add_alternative(
        ics,
        maintype="text",
        subtype="calendar",
        params={"method": method, "charset": "UTF-8"},
    )
    msg.add_attachment(
        ics,
        maintype="application",
        subtype="ics",
        filename=filename,
        params={"name": filename},
    )
    return msg


def _domain(address: Address) -> str:
    return address.domain or "localhost"
