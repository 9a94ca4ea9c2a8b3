"""Words whose shape depends on the language they are read in."""

from flask_babel import get_locale


def in_sentence(label: str) -> str:
    """A label (a status, a kind) inside a sentence: English writes it in lower case ("is already
    withdrawn"); German keeps the capitals its nouns need, and so does any other language."""
    locale = get_locale()
    return str(label).lower() if locale is None or locale.language == "en" else str(label)
