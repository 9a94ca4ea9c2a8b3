"""The home page: the order of its sections, a product decision kept here, and the data they share.

A person's home opens on what comes next (a leader: the applications waiting for their decision;
everyone: the next meeting and its way in), then what needs their action, then the rest. Each
entry names a function in a feature's `home.py` taking the page's `Home` and giving a
(template, context) pair, or None when it has nothing to show. Sections load what they need through
`Home.once`, so what several of them read (the person's applications, their turns, the series they
lead) is loaded once per page, and the page costs the same number of queries however many groups
the person has.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from markupsafe import Markup

# What comes next: a leader's decisions, then the next meeting of each group.
FIRST = ("enrollment.decisions", "video.next_meetings")
# What needs the person's action: a place offered, a swap or placement asked of them, money owed, aid.
ACTION = ("enrollment.offers", "rotation.requests", "invoicing.payments_due", "aid.section")
# The rest: their groups, turns, the groups they lead, calendar, certificates, invoices and receipts.
REST = ("enrollment.groups", "rotation.turns", "enrollment.leading", "calendar.section", "certificates.section",
        "invoicing.documents")


@dataclass
class Home:
    user: Any
    moment: datetime
    _loaded: dict[str, Any] = field(default_factory=dict)

    @property
    def params(self) -> dict[str, Any]:
        """The values a section's statement built once binds: the person and the moment."""
        return {"user_id": self.user.id, "moment": self.moment}

    def once(self, key: str, load: Callable[[], Any]) -> Any:
        """`load()` the first time a section asks for `key`; the same value after."""
        if key not in self._loaded:
            self._loaded[key] = load()
        return self._loaded[key]


def _section(name: str) -> Callable[[Home], tuple[str, dict] | None]:
    feature, function = name.split(".")
    return getattr(importlib.import_module(f"balint_online.{feature}.home"), function)


def render_home(user, moment: datetime, render: Callable[..., str]) -> dict[str, list[Markup]]:
    """The page's sections, rendered in order: {"first": [...], "action": [...], "rest": [...]}."""
    home = Home(user, moment)
    parts = {}
    for part, names in (("first", FIRST), ("action", ACTION), ("rest", REST)):
        contributions = (_section(name)(home) for name in names)
        parts[part] = [Markup(render(template, **context)) for template, context in filter(None, contributions)]
    return parts
