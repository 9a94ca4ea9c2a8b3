"""A test client that submits forms the way a browser does.

`client.submit(url, data)` fetches the page holding the form (``page=``, by default `url`
itself), finds the form that posts to `url`, and posts the caller's fields together with the
form's hidden inputs, the CSRF token among them. A page without that form fails the test, so
every submission also proves the form is on the page people use. `client.form(url)` gives the
same form's hidden fields without posting, for a form sent twice or from a tab left open.
"""

from html import unescape
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from flask import current_app, g, has_app_context
from flask.testing import FlaskClient


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._current: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = {"action": attrs.get("action") or "", "method": (attrs.get("method") or "get").lower(),
                             "hidden": {}}
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None and attrs.get("type") == "hidden" and attrs.get("name"):
            self._current["hidden"].setdefault(attrs["name"], attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def page_text(resp) -> str:
    """A page's HTML with its entities decoded, to find text as a reader sees it."""
    return unescape(resp.get_data(as_text=True))


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def forms_on(html: str, base: str) -> list[dict]:
    """The page's POST forms, each with its action resolved against `base` and its hidden inputs."""
    parser = _Forms()
    parser.feed(html)
    found = []
    for form in parser.forms:
        if form["method"] == "post":
            found.append({**form, "action": _path(urljoin(base, form["action"] or base))})
    return found


class BrowserClient(FlaskClient):
    def open(self, *args, **kwargs):
        # Tests hold the app's context open and Flask reuses a pushed context, so requests would
        # share its `g`: the signed-in user and the CSRF token cached there would pass from one
        # browser to the next. A server gives every request its own.
        if has_app_context() and current_app._get_current_object() is self.application:
            g.__dict__.clear()
        return super().open(*args, **kwargs)

    def submit(self, url: str, data: dict | None = None, *, page: str | None = None, **kwargs):
        return self.post(url, data={**self.form(url, page=page), **(data or {})}, **kwargs)

    def form(self, url: str, *, page: str | None = None) -> dict:
        """The hidden fields of the form on `page` that posts to `url`, as an open tab holds them.

        For posts sent later than the page was shown (a second click, a tab left open), where
        `submit` would fetch the page afresh.
        """
        page = page or url
        shown = self.get(page)
        assert shown.status_code == 200, f"GET {page} answered {shown.status_code}; pass page= where the form is"
        forms = forms_on(shown.get_data(as_text=True), page)
        target = _path(url)
        matching = ([f for f in forms if f["action"] == target]
                    or [f for f in forms if f["action"].split("?")[0] == target])
        assert matching, f"no form on {page} posts to {target}; its forms post to {[f['action'] for f in forms]}"
        return dict(matching[0]["hidden"])

    def csrf_token(self, page: str = "/sign-in") -> str:
        """The session's CSRF token as a page's form carries it (for tests of hand-built posts)."""
        for form in forms_on(self.get(page).get_data(as_text=True), page):
            if "csrf_token" in form["hidden"]:
                return form["hidden"]["csrf_token"]
        raise AssertionError(f"no form with a CSRF token on {page}")
