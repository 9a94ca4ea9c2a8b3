"""Statuses as StrEnums that carry the words people read for them.

A member compares and stores as its code (``ApplicationStatus.OFFERED == "offered"``, the same
string in the database and the API); ``.label`` is what a page or an email shows, in the reader's
language: written ``_l("...")`` where the enum is defined (so that scripts/translations finds it),
and made lazy here in any case, so it is translated when shown, never when the module is imported.
Templates use the one ``label`` filter (``{{ application.status|label }}``), so no page prints a raw code.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from flask_babel import LazyString, lazy_gettext


class LabelledStrEnum(StrEnum):
    """Members are written ``CODE = "code", "Label for people"``."""

    label: LazyString

    # `label` has a default only so that a type checker reads `Status("code")` (a lookup) as a call it allows.
    def __new__(cls, value: str, label: str | LazyString = ""):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label if isinstance(label, LazyString) else lazy_gettext(label)
        return member

    @classmethod
    def labels(cls) -> dict[str, LazyString]:
        return {member.value: member.label for member in cls}

    @classmethod
    def texts(cls) -> dict[str, str]:
        """The labels translated now, for a page that shows them on many rows: a lazy label looks its
        translation up again each time it is shown."""
        return {member.value: str(member.label) for member in cls}


def label(value: Any) -> str:
    """The words for a status, as text in the reader's language: its label when it has one, else the
    value as text (a None is empty)."""
    if value is None:
        return ""
    return str(getattr(value, "label", value))



def N_(text: str) -> str:  # the name pybabel extracts by default
    """Marks English words for the catalogue and leaves them English, for registries that must not import
    Flask-Babel (the pure rules) or whose words are also stored or printed (quote lines, PDFs): a page
    shows them through gettext."""
    return text
