"""How meetings reach a person's calendar: the choices, in one place."""

from flask_babel import lazy_gettext as _l

# key -> (label, sends emailed invitations, meant to be read through the personal feed)
DELIVERY = {
    "invitations": (_l("Email invitations: accept them once, updates follow by email"), True, False),
    "subscription": (_l("Calendar subscription only: my calendar app follows my personal feed"), False, True),
    "both": (_l("Both: invitations and the subscription describe the same events, so nothing doubles"),
             True, True),
}
# Invitations work in every calendar app without setting anything up.
DEFAULT_DELIVERY = "invitations"


def sends_invitations(choice: str) -> bool:
    return DELIVERY.get(choice, DELIVERY[DEFAULT_DELIVERY])[1]
