"""Pages in the reader's language: their own choice (account, or a visitor's footer switch) before
what their browser asks for, English when neither is one the site speaks; catalogues in step with
the code, German complete and compiled."""

import os
import re
import subprocess
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from balint_online.core.i18n import pick_language
from balint_online.extensions import db
from tests.browser import page_text

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "balint_online" / "translations"
GERMAN_BROWSER = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}


def page_language(resp) -> str:
    return re.search(r'<html lang="([^"]+)"', resp.get_data(as_text=True)).group(1)


def test_a_persons_choice_comes_before_their_browser_and_english_is_the_fallback():
    assert pick_language(["de", None], "en") == "de"
    assert pick_language([None, "DE"], "en") == "de"  # a visitor's cookie
    assert pick_language([None, None], "de") == "de"
    assert pick_language(["fr", "xx"], None) == "en"  # nothing the site speaks


def test_the_english_catalogue_holds_every_string_the_code_marks(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run([ROOT / "scripts" / "translations", "extract"], env={**os.environ, "POT": str(fresh)},
                   check=True, capture_output=True)
    with fresh.open("rb") as now, (CATALOGUES / "messages.pot").open("rb") as committed:
        missing = {m.id for m in read_po(now) if m.id} - {m.id for m in read_po(committed) if m.id}
    assert not missing, f"run scripts/translations: {len(missing)} strings are not in the catalogue"


def test_german_translates_every_string_and_its_compiled_file_is_current():
    with (CATALOGUES / "messages.pot").open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    with (CATALOGUES / "de/LC_MESSAGES/messages.po").open("rb") as f:
        german = read_po(f)
    untranslated = [m.id for m in german if m.id and (not m.string or m.fuzzy
                                                      or (isinstance(m.string, tuple) and not all(m.string)))]
    assert not untranslated, f"{len(untranslated)} German strings missing or fuzzy, e.g. {untranslated[:5]}"
    assert wanted <= {m.id for m in german if m.id}
    with (CATALOGUES / "de/LC_MESSAGES/messages.mo").open("rb") as f:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(f) if m.id}
    assert compiled == {_key(m.id): _key(m.string) for m in german if m.id}, "run scripts/translations to compile"


def _key(value):
    """A plural's forms as a tuple (the compiled file gives lists, the catalogue tuples)."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


def test_a_visitor_reads_the_language_their_browser_asks_for(client):
    assert page_language(client.get("/", headers=GERMAN_BROWSER)) == "de"
    assert page_language(client.get("/", headers={"Accept-Language": "fr-FR"})) == "en"


def test_a_visitor_switches_language_in_the_footer_and_it_outlasts_the_browser(client):
    client.submit("/language", {"language": "en", "next": "/sign-in"}, page="/", headers=GERMAN_BROWSER)
    assert page_language(client.get("/", headers=GERMAN_BROWSER)) == "en"
    back = client.submit("/language", {"language": "de", "next": "/sign-in"}, page="/")
    assert back.status_code == 302 and back.headers["Location"] == "/sign-in"
    assert page_language(client.get("/")) == "de"


def test_a_member_chooses_german_on_their_account_and_their_pages_follow(client, make_user, login):
    member = make_user()
    login(member)
    assert page_language(client.get("/account", headers=GERMAN_BROWSER)) == "de"  # the browser, until they choose
    saved = client.submit("/account", {"name": member.name, "discipline": member.discipline,
                                       "timezone": member.timezone, "language": "de"})
    assert saved.status_code == 302
    db.session.refresh(member)
    assert member.language == "de"
    page = client.get("/account", headers={"Accept-Language": "en"})
    assert page_language(page) == "de"
    assert "Sprache" in page_text(page)
    # "As my browser asks" is stored as no choice at all.
    client.submit("/account", {"name": member.name, "discipline": member.discipline,
                               "timezone": member.timezone, "language": ""})
    db.session.refresh(member)
    assert member.language is None
