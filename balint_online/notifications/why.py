"""Why an email came: the one line at the end of every message, worded here for every kind, not in each template.

Series are read through the context the sender gives (`series`, or the `topics` of a daily summary),
so this layer needs no feature's models.
"""

from collections.abc import Mapping, Sequence

# Messages about the account itself, whoever the series.
ACCOUNT = {
    "sign_up_confirm": "You get this because someone signed up at {society} with this address; "
                       "if it was not you, ignore it.",
    "sign_up_existing": "You get this because someone tried to sign up at {society} with this address, "
                        "which has an account already.",
    "password_reset": "You get this because someone asked to reset the password of your account at {society}.",
    "erasure_received": "You get this because you asked {society} to erase your data.",
    "erasure_refused": "You get this because you asked {society} to erase your data.",
    "erasure_done": "You get this because you asked {society} to erase your data.",
    "membership_offer": "You get this because you have an account with {society}.",
}

# Messages to someone who applied, whether or not they have a place (yet).
APPLIED = frozenset({
    "application_received", "application_waitlisted", "application_declined", "application_withdrawn",
    "waitlist_offer", "offer_expired", "aid_decided", "payment_received", "refund_paid", "invoice_scholarship",
    "series_cancelled",
})


def _titles(titles: Sequence[str]) -> str:
    return titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " and " + titles[-1]


def why_line(kind: str, user, context: Mapping) -> str:
    society = context.get("society", "")
    if kind in ACCOUNT:
        return ACCOUNT[kind].format(society=society)
    if context.get("topics"):  # a daily summary (digests.py): only leaders choose one
        return (f"You get this because you lead {_titles(context['topics'])} and chose one summary a day "
                "on your account page.")
    series = context.get("series")
    if series is None:
        return f"You get this because you have an account with {society}."
    if series.is_led_by(user):
        return f"You get this because you lead {series.title}."
    if kind in APPLIED:
        return f"You get this because you applied to {series.title}."
    return f"You get this because you have a place in {series.title}."
