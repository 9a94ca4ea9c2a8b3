"""Every page a visitor, member, leader and admin can reach by following links, in the demo society.

The tests that look at all pages (table labels, screenshots, axe-core) walk the site by URL, so a
page added anywhere is covered as soon as something links to it. A link is followed when it stays
on the site and answers a page (HTML); at most PER_ENDPOINT pages of one kind are kept per person
(three series pages prove what thirty would).
"""

from collections import deque
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from balint_online.demo import PASSWORD, load_demo
from balint_online.extensions import db
from tests import snapshots

ROLES = {"visitor": None, "member": "member.jo@demo.balint.test", "leader": "leader.ruth@demo.balint.test",
         "admin": "admin@demo.balint.test"}
START = ("/", "/home", "/lead", "/admin", "/account")
PER_ENDPOINT = 2
MAX_PAGES = 80
DOWNLOADS = (".pdf", ".csv", ".ics", ".json")


@snapshots.kept
def realistic_society(today: date) -> None:
    """The demo: three published series, a group of three enrolled and one pending, scholarships, credit."""
    load_demo(today=today)
    db.session.commit()  # the demo flushes; as `flask demo` does, the caller commits


def signed_in_client(app, role: str):
    client = app.test_client()
    if ROLES[role]:
        resp = client.submit("/sign-in", {"email": ROLES[role], "password": PASSWORD})
        assert resp.status_code == 302, f"{role} could not sign in"
    return client


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def reachable_pages(app, client, start=START, get=None) -> list[tuple[str, str]]:
    """(path, html) of every page `client` reaches from `start` by links, breadth first; `get(path)`
    answers each request in place of `client.get` (to count what it costs, say)."""
    get = get or client.get
    adapter = app.url_map.bind("localhost")
    queue, seen, kept, pages = deque(start), set(start), {}, []
    while queue and len(pages) < MAX_PAGES:
        path = queue.popleft()
        parts = urlsplit(path)
        if parts.path.endswith(DOWNLOADS):
            continue
        try:
            endpoint, _ = adapter.match(parts.path, method="GET")
        except RequestRedirect as moved:  # "/admin" -> "/admin/"
            _enqueue(urlsplit(moved.new_url).path, queue, seen)
            continue
        except (NotFound, MethodNotAllowed):  # not a page here, or a form's address
            continue
        if kept.get(endpoint, 0) >= PER_ENDPOINT or endpoint == "static":
            continue
        resp = get(path)
        if resp.status_code in (301, 302, 303, 307, 308):
            target = urlsplit(resp.headers["Location"])
            if not target.netloc or target.netloc == "localhost":
                _enqueue(target.path + (f"?{target.query}" if target.query else ""), queue, seen)
            continue
        if resp.status_code != 200 or resp.mimetype != "text/html":
            continue
        kept[endpoint] = kept.get(endpoint, 0) + 1
        html = resp.get_data(as_text=True)
        pages.append((path, html))
        links = _Links()
        links.feed(html)
        for href in links.hrefs:
            target = urlsplit(urldefrag(urljoin("http://localhost" + path, href)).url)
            if target.scheme in ("http", "https") and target.netloc == "localhost":
                _enqueue(target.path + (f"?{target.query}" if target.query else ""), queue, seen)
    return pages


def _enqueue(path: str, queue: deque, seen: set) -> None:
    if path not in seen:
        seen.add(path)
        queue.append(path)


class _Cells(HTMLParser):
    """Table cells that lack their column's label: every <td> and every row heading <th scope=row>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.unlabelled: list[str] = []
        self.cells = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "td" or (tag == "th" and attrs.get("scope") == "row"):
            self.cells += 1
            if not (attrs.get("data-label") or "").strip():
                self.unlabelled.append(self.get_starttag_text() or tag)


def unlabelled_cells(html: str) -> tuple[int, list[str]]:
    """(how many cells, the start tags of those without a non-empty data-label)."""
    parser = _Cells()
    parser.feed(html)
    return parser.cells, parser.unlabelled


def page_name(path: str) -> str:
    """A file name for a page: "/admin/series/3/ledger" -> "admin-series-3-ledger", "/" -> "index"."""
    parts = urlsplit(path)
    name = parts.path.strip("/").replace("/", "-") or "index"
    if parts.query:
        name += "-" + "".join(c if c.isalnum() else "-" for c in parts.query)
    return name
