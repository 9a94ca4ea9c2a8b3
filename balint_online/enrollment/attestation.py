"""The commitments applicants make, in the society's own words: plain functions, no Flask or database.

Each item has a stable key (the API's `attestation` object is keyed by it) and is either a
requirement, which every applicant must confirm, or advice, shown with whom to contact and never
a box to tick. Admins reword items, move them between requirement and advice, and add items; each
save is a new version, and every application keeps the exact version it agreed to.

The built-in default quotes the society's page on online groups (shared/seeds/002) and keeps the
keys the public contract names. An advice item such as `emotional_readiness` is accepted when an
API client sends it, and recorded, but is never required.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

# The built-in wording's version; a stored text written by an admin always wins over it.
VERSION = 2


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    required: bool = True
    contact: str = ""  # advice only: whom to ask when unsure

    def to_stored(self) -> dict:
        return {"key": self.key, "text": self.text, "required": self.required, "contact": self.contact}


INTRO = ("Application does not guarantee acceptance: the leaders choose the group. Please confirm each "
         "requirement below; the advice is for you to weigh.")
ITEMS: tuple[Item, ...] = (
    # "Registrants must be clinically active and willing to present cases." (seed 002), one item per
    # requirement so that each keeps its contract key.
    Item("clinically_active", "Registrants must be clinically active."),
    Item("willing_to_present", "Registrants must be willing to present cases."),
    Item("attend_all_sessions", "Because the success of the group depends in part on group cohesion, steady "
                                "attendance matters. Registrants must intend to attend all sessions of the group."),
    Item("emotional_readiness", "Balint work can stir strong emotions. If the registrant is at an unusually "
                                "stressful period in their life, we may recommend they sign up at another time.",
         required=False, contact="Contact the faculty of the group you are interested in if you are unsure."),
    # Not on the society's page: the platform's own rule for groups where clinicians discuss patients.
    Item("confidentiality", "I will keep what is said in the group confidential."),
)
KEYS = tuple(item.key for item in ITEMS)
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
TEXT_MAX = 1000


def items_of(stored: list) -> list[Item]:
    """Stored items as Items; texts saved before items had kinds ([key, text] pairs) were all requirements."""
    return [Item(*entry) if isinstance(entry, list) else Item(**entry) for entry in stored]


def required_keys(items: list[Item]) -> list[str]:
    return [item.key for item in items if item.required]


def missing_items(items: list[Item], answers: object) -> dict[str, str]:
    """Each requirement not confirmed with a plain `true`, with the reason, for a 422."""
    given = answers if isinstance(answers, dict) else {}
    return {f"attestation.{key}": "Must be confirmed (true)." for key in required_keys(items)
            if given.get(key) is not True}


def recorded_answers(items: list[Item], answers: object) -> dict[str, bool]:
    """What is kept with the application: every item, true where confirmed (or advice acknowledged)."""
    given = answers if isinstance(answers, dict) else {}
    return {item.key: given.get(item.key) is True for item in items}


def _english(text: str, **values) -> str:
    return text % values if values else text


def check_text(intro: str, items: list[Item], _: Callable[..., str] = _english) -> dict[str, str]:
    """Problems with an admin's edit, by field (`intro`, `items.<n>.text`, ...); {} if it may be saved.
    `_` words them (the caller passes gettext for the reader's language; the catalogue extracts them)."""
    errors = {}
    if not intro.strip() or len(intro) > TEXT_MAX:
        errors["intro"] = _("An introduction of at most %(max)s characters.", max=TEXT_MAX)
    if not any(item.required for item in items):
        errors["items"] = _("Keep at least one requirement.")
    seen = set()
    for n, item in enumerate(items):
        if not KEY_PATTERN.match(item.key):
            errors[f"items.{n}.key"] = _("Lower-case letters, digits and underscores, starting with a letter.")
        elif item.key in seen:
            errors[f"items.{n}.key"] = _("The key %(key)s is used twice.", key=item.key)
        seen.add(item.key)
        if not item.text.strip() or len(item.text) > TEXT_MAX:
            errors[f"items.{n}.text"] = _("Wording of at most %(max)s characters.", max=TEXT_MAX)
        if not item.required and not item.contact.strip():
            errors[f"items.{n}.contact"] = _("Advice says whom to contact when unsure.")
        elif len(item.contact) > 300:
            errors[f"items.{n}.contact"] = _("At most %(max)s characters.", max=300)
    return errors
