"""Email invitations carrying an iTIP (RFC 5546) calendar object: how mail carries a calendar (iMIP, RFC 6047).

The calendar feature builds the object (calendar/ics.py); the mail layer only wraps its bytes.

The MIME shape is the one Outlook, Gmail and Apple Mail all recognise:

    multipart/mixed
      multipart/alternative
        text/plain
        text/html
        text/calendar; method=REQUEST; charset=UTF-8   (read inline by clients)
      application/ics; name=invite.ics                 (attachment, same bytes)

Who it is from: the calendar object's ORGANIZER is a leader, while the message leaves from the
platform's own address (a leader's domain would fail DMARC for mail we send). So From is the
platform's address under the organizer's name ("Dr Ruth Leader via Balint Society"), Reply-To is
the organizer, and the ORGANIZER carries SENT-BY with the platform's address (RFC 5545 3.2.18):
the delegate arrangement RFC 6047 2.3 describes, which Outlook shows as "on behalf of" and Gmail
and Apple Mail accept as an invitation from the organizer. Replies (iMIP REPLY) go to the
ORGANIZER, a person who reads them.
"""

from __future__ import annotations

import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from icalendar import Calendar

from ..core.text import one_line as _one_line

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
    organizer = _organizer(ics)
    if organizer is not None and organizer[1].lower() != msg["From"].addresses[0].addr_spec.lower():
        platform = msg["From"].addresses[0]
        del msg["From"]
        via = f"{organizer[0]} via {platform.display_name}" if platform.display_name else organizer[0]
        msg["From"] = Address(display_name=_one_line(via), addr_spec=platform.addr_spec)
        msg["Reply-To"] = Address(display_name=_one_line(organizer[0]), addr_spec=organizer[1])
    msg["To"] = to
    msg["Subject"] = _one_line(subject)
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


def _organizer(ics: bytes) -> tuple[str, str] | None:
    """(name, address) of the ORGANIZER of the object in ``ics``, if it names one."""
    for event in Calendar.from_ical(ics).walk("VEVENT"):
        organizer = event.get("organizer")
        if organizer is not None:
            address = parseaddr(str(organizer).removeprefix("mailto:").removeprefix("MAILTO:"))[1]
            return (str(organizer.params.get("CN", address)), address)
    return None


def _domain(address: Address) -> str:
    return address.domain or "localhost"
