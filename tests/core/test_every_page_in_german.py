"""Every page reachable by links, as a visitor, a member, a leader and an admin of the demo society, read
in German: no English sentence the catalogue knows is left on it untranslated.

A sentence counts when the English catalogue (messages.pot) holds it: each stretch of a message
between its placeholders (`%(name)s`), markup removed, of at least three words, must not appear in
the page's text or in the words it gives assistive technology (aria-label, title, placeholder, alt,
data-label). The society's own texts (seeded descriptions, commitments) are data, not catalogue
entries, so they do not count unless they happen to repeat a catalogue sentence word for word.
"""

import re
from datetime import date
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from balint_online.core.i18n import LANGUAGE_COOKIE
from tests.site_walk import ROLES, reachable_pages, realistic_society, signed_in_client

CATALOGUE = Path(__file__).resolve().parents[2] / "balint_online" / "translations" / "messages.pot"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%%")
SPOKEN_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "data-label")


def _plain(text: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", text)).split())


def english_sentences() -> set[str]:
    """Every stretch of at least three words of every English message (both forms of a plural)."""
    with CATALOGUE.open("rb") as f:
        messages = [m.id for m in read_po(f) if m.id]
    stretches = set()
    for message in messages:
        for form in message if isinstance(message, tuple) else (message,):
            for stretch in PLACEHOLDER.split(form):
                stretch = _plain(stretch).strip(" ,;:·(")
                if len(re.findall(r"[A-Za-z]{2,}", stretch)) >= 3:
                    stretches.add(stretch)
    return stretches


class _Reader(HTMLParser):
    """A page's text as people read or hear it: the text between tags (scripts and styles aside) and
    the attributes read aloud."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skipping += 1
        self.parts.extend(value for name, value in attrs if name in SPOKEN_ATTRIBUTES and value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def words_on(html: str) -> str:
    reader = _Reader()
    reader.feed(html)
    return " ".join(" ".join(reader.parts).split())


@pytest.fixture
def society(app, clock):
    clock.set("2026-10-01T12:00:00Z")
    realistic_society(date(2026, 10, 1))


def left_in_english(text: str, sentences: set[str]) -> list[str]:
    """The sentences that stand in `text` as whole words ("Waiting for you" is not in "Waiting for your")."""
    longest_first = sorted(sentences, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, longest_first)) + r")(?!\w)")
    return sorted(set(pattern.findall(text)))


def test_the_sentences_checked_are_the_catalogues():
    sentences = english_sentences()
    assert "Groups are confidential: please share no identifying patient details here." in sentences
    assert "Times are shown in" in sentences  # the words before a placeholder
    assert "Sign in" not in sentences  # two words: too short to tell English from a name
    assert left_in_english("Waiting for your decision", {"Waiting for you"}) == []


@pytest.mark.parametrize("role", ROLES)
def test_every_page_reads_in_german(app, society, role):
    client = signed_in_client(app, role)
    client.set_cookie(LANGUAGE_COOKIE, "de")
    pages = reachable_pages(app, client)
    assert len(pages) > 3
    sentences = english_sentences()
    untranslated = {}
    for path, html in pages:
        assert '<html lang="de">' in html, f"{path} is not in German"
        if path == "/account/data":
            continue  # it shows the emails as they were sent: in English, to the demo's people, who chose none
        text = words_on(html)
        if left := left_in_english(text, sentences):
            untranslated[path] = left[:5]
    assert untranslated == {}, f"English left on German pages as {role}: {untranslated}"
