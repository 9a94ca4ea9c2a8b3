"""The language a page or an email is written in.

One registry of the languages the site speaks; a person's own choice (their account, or a visitor's
cookie) wins over what their browser asks for, and English is the fallback. Strings are marked with
Flask-Babel's `gettext`/`lazy_gettext` in code and `_()`/`ngettext()` in templates; the catalogues
live in balint_online/translations (scripts/translations extracts, updates and compiles them).
"""

from collections.abc import Iterable

from flask import Flask, g, has_app_context, has_request_context, request
from flask_babel import get_locale, get_translations
from flask_babel import gettext as _
from flask_login import current_user

from .api import current_api_user

# Code -> the language's name in itself, as a person looks for it in a menu.
LANGUAGES: dict[str, str] = {"en": "English", "de": "Deutsch"}
DEFAULT_LANGUAGE = "en"
LANGUAGE_COOKIE = "lang"


def known_language(code: str | None) -> str | None:
    """`code` when the site speaks it (any case), else None."""
    code = (code or "").strip().lower()
    return code if code in LANGUAGES else None


def pick_language(chosen: Iterable[str | None], browser_best: str | None) -> str:
    """The first language a person chose that the site speaks, else their browser's best, else English."""
    for code in chosen:
        if known := known_language(code):
            return known
    return known_language(browser_best) or DEFAULT_LANGUAGE


def select_language() -> str:
    """Flask-Babel's locale selector: outside a request (mail sent by a job), the default; a job that
    writes to a person wraps its rendering in `flask_babel.force_locale(person.language)`."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    own = current_user.language if current_user.is_authenticated else None
    return pick_language((own, request.cookies.get(LANGUAGE_COOKIE)),
                         request.accept_languages.best_match(list(LANGUAGES)))


def language_of(person) -> str:
    """The language to write to `person` in: their choice; else, when they are the one asking (signing
    up, resetting a password), the language of the page they asked from; else the default."""
    if chosen := known_language(getattr(person, "language", None)):
        return chosen
    if has_request_context():
        # Signed in to the pages, or presenting an API token; nobody: someone signing up or resetting.
        asking = current_user if current_user.is_authenticated else current_api_user()
        if asking is None or asking.id == getattr(person, "id", None):
            return select_language()
    return DEFAULT_LANGUAGE


def current_locale():
    """Flask-Babel's `get_locale()`, for the many calls of one page (every string, date and amount):
    once chosen, the locale is read where Flask-Babel keeps it in the app context (`force_locale`
    sets and restores it there too), which costs one context lookup instead of several."""
    if not has_app_context():
        return get_locale()
    locale = getattr(g.get("_flask_babel"), "babel_locale", None)
    return get_locale() if locale is None else locale


def _catalogue():
    """The translations in force, kept for the request under the locale they are for: Flask-Babel
    looks the locale and catalogue up again for every string, several context lookups each, which a
    page repeating its words on every row pays hundreds of times. A locale forced for an email
    rendered inside a request is another key, so that email still gets its own language."""
    if not has_app_context():
        return get_translations()
    locale = current_locale()
    kept = g.get("_catalogue")
    if kept is None or kept[0] is not locale:
        kept = g._catalogue = (locale, get_translations())
    return kept[1]


def install_template_gettext(app: Flask) -> None:
    """Templates' `_()`, `ngettext()` and `pgettext()` (newstyle, as Flask-Babel installs them) through
    `_catalogue`."""
    # The i18n extension (added by Flask-Babel) adds this method to the environment.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _catalogue().ugettext(s), ngettext=lambda s, p, n: _catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: _catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalogue().unpgettext(c, s, p, n), newstyle=True)
    # `_()` straight to that gettext: Jinja's alias looks it up in the template's context on every call.
    app.jinja_env.globals["_"] = app.jinja_env.globals["gettext"]


def and_list(items: Iterable) -> str:
    """`A`, `A and B`, `A, B and C`: names or titles as one phrase of the current language."""
    names = [str(item) for item in items]
    if len(names) < 2:
        return "".join(names)
    return _("%(names)s and %(last)s", names=", ".join(names[:-1]), last=names[-1])
