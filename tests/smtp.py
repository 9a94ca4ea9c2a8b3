"""A real SMTP server on loopback (aiosmtpd) that records what the app delivers to it."""

import socket
from contextlib import contextmanager
from email import message_from_bytes, policy


class SmtpInbox:
    """What a real SMTP server on loopback received: ``messages()`` parsed, in order."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self):
        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]


def free_port() -> int:
    # aiosmtpd's readiness check connects to the port it was given, so it cannot be given 0.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def smtp_inbox():
    """An SmtpInbox served on loopback; its ``url`` is what MAIL_URL takes."""
    from aiosmtpd.controller import Controller

    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.url = f"smtp://127.0.0.1:{controller.port}"
    try:
        yield inbox
    finally:
        controller.stop()
