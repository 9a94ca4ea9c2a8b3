"""Why an email came: the one line at the end of every message, worded here for every kind, not in each template.

Series are read through the context the sender gives (`series`, or the `topics` of a daily summary),
so this layer needs no feature's models. The lines are rendered in the reader's language
(services.queue_email calls `why_line` inside `force_locale`), so the wording is lazy.
"""

from collections.abc import Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.i18n import and_list

# Messages about the account itself, whoever the series.
ERASURE = _l("You get this because you asked %(society)s to erase your data.")
ACCOUNT = {
    "sign_up_confirm": _l("You get this because someone signed up at %(society)s with this address; "
                          "if it was not you, ignore it."),
    "sign_up_existing": _l("You get this because someone tried to sign up at %(society)s with this address, "
                           "which has an account already."),
    "password_reset": _l("You get this because someone asked to reset the password of your account at %(society)s."),
    "erasure_received": ERASURE,
    "erasure_refused": ERASURE,
    "erasure_done": ERASURE,
    "membership_offer": _l("You get this because you have an account with %(society)s."),
}

# Messages to someone who applied, whether or not they have a place (yet).
APPLIED = frozenset({
    "application_received", "application_waitlisted", "application_declined", "application_withdrawn",
    "waitlist_offer", "offer_expired", "aid_decided", "payment_received", "refund_paid", "invoice_scholarship",
    "series_cancelled",
})


def why_line(kind: str, user, context: Mapping) -> str:
    society = context.get("society", "")
    if kind in ACCOUNT:
        return str(ACCOUNT[kind]) % {"society": society}
    if context.get("topics"):  # a daily summary (digests.py): only leaders choose one
        return _("You get this because you lead %(titles)s and chose one summary a day on your account page.",
                 titles=and_list(context["topics"]))
    series = context.get("series")
    if series is None:
        return _("You get this because you have an account with %(society)s.", society=society)
    if series.is_led_by(user):
        return _("You get this because you lead %(title)s.", title=series.title)
    if kind in APPLIED:
        return _("You get this because you applied to %(title)s.", title=series.title)
    return _("You get this because you have a place in %(title)s.", title=series.title)
