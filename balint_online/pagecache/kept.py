"""Pages kept as built, for the same reader, while nothing they show has changed.

A page is a function of what the society has saved, who reads it (their sign-in, their language and
zone), its address and the time. `@kept` keeps a page's bytes under all of those: the data version
(pagecache.versions; read along with the sign-in, so a signed-in page checks it in the statement it
runs anyway), the sign-in and the session's form token (the page carries forms signed for this
session), the address with its query, the page's language, the reader's other cookies (a visitor's
zone and language) and the current span of `PAGE_CACHE_SECONDS`. Any change saved is a new version,
so a kept page is never behind a change; a page that shows the time (a join link opening, a deadline
passing, "in 3 days") may be up to `PAGE_CACHE_SECONDS` behind the clock. `PAGE_CACHE_SECONDS = 0`
builds every page.

Only a plain read is kept: a GET answered 200 that saved nothing, set no cookie and left the session
unchanged; and nothing is served from the cache while the session holds a message to show. The
cache lives in each process, bounded in bytes (`PAGE_CACHE_BYTES`): a page is kept for one browser,
so sharing it between processes would gain little. Pages hold people's names and money, so they
never leave the server's memory, and answers to signed-in people still say `no-store` (web.py).
"""

import hashlib
import threading
from collections.abc import Callable, Iterable, Iterator
from functools import cache, wraps
from typing import Any

from cachetools import LRUCache
from flask import current_app, request, session
from flask_login import current_user
from flask_login.config import COOKIE_NAME as REMEMBER_COOKIE
from sqlalchemy import select

from ..accounts.signins import read_along
from ..core.clock import now
from ..core.i18n import current_locale
from ..extensions import db
from .models import DataVersion
from .versions import writes_seen

# Kept with each page: its body, and the headers its view set (type, a download's file name).
KeptPage = tuple[bytes, list[tuple[str, str]]]
_OWN_HEADERS = ("Set-Cookie", "Content-Length")
_OVERHEAD = 512  # bytes counted for a page's key and headers beside its body, roughly


@cache
def _version():
    return select(DataVersion.value).where(DataVersion.id == 1)


# Every signed-in page reads the version along with the sign-in, in the statement it runs anyway.
read_along("data_version", lambda: _version().scalar_subquery())


class PageCache:
    """Pages by key, in this process: least recently used first out, bounded by their bytes."""

    def __init__(self, max_bytes: int):
        self._pages: LRUCache = LRUCache(maxsize=max_bytes, getsizeof=lambda kept: len(kept[0]) + _OVERHEAD)
        self._lock = threading.Lock()  # LRUCache is not thread-safe; a threaded server shares it

    def get(self, key: bytes) -> KeptPage | None:
        with self._lock:
            return self._pages.get(key)

    def put(self, key: bytes, kept: KeptPage) -> None:
        if len(kept[0]) + _OVERHEAD > self._pages.maxsize:
            return  # larger than the whole cache: LRUCache would refuse it with an error
        with self._lock:
            self._pages[key] = kept

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


def page_cache() -> PageCache:
    """This app's cache, made on first use from PAGE_CACHE_BYTES."""
    found = current_app.extensions.get("balint_page_cache")
    if found is None:
        found = current_app.extensions["balint_page_cache"] = PageCache(int(current_app.config["PAGE_CACHE_BYTES"]))
    return found


def _key(seconds: int) -> bytes | None:
    """What the page is a function of, hashed; None when the data version cannot be read."""
    if current_user.is_authenticated:
        version, reader = current_user.along.get("data_version"), current_user.get_id()
    else:
        version, reader = db.session.scalar(_version()), None
    if version is None:
        return None
    config = current_app.config
    own = (config["SESSION_COOKIE_NAME"], config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE))
    others = sorted((name, value) for name, value in request.cookies.items() if name not in own)
    facts = (version, int(now().timestamp()) // seconds, request.full_path, reader, session.get("csrf_token"),
             str(current_locale()), others)
    return hashlib.sha256(repr(facts).encode()).digest()


def _kept_when_sent(written: Iterable, keep: Callable[[bytes], None]) -> Iterator[bytes]:
    """The chunks of a streamed answer as they are sent; all of them kept once the last has gone."""
    try:
        sent = []
        for chunk in written:
            encoded = chunk.encode() if isinstance(chunk, str) else chunk  # as Werkzeug sends text: UTF-8
            sent.append(encoded)
            yield encoded
        keep(b"".join(sent))
    finally:
        if hasattr(written, "close"):  # the server closes this iterator, not the one it wraps
            written.close()


def kept(view: Callable[..., Any]) -> Callable[..., Any]:
    """The view's page from the cache when this reader has had it since anything changed; built and kept
    otherwise. Apply it under the decorators that decide who may see the page, so they still decide.

    A page found skips the view, the checks it makes (a leader's own series) included: what they
    decided is a function of the same key, the reader and everything saved, so it has not changed.
    """

    @wraps(view)
    def keeping(*args, **kwargs):
        seconds = int(current_app.config["PAGE_CACHE_SECONDS"])
        if not seconds or request.method != "GET" or "_flashes" in session:
            return view(*args, **kwargs)
        key = _key(seconds)
        if key is None:
            return view(*args, **kwargs)
        store = page_cache()
        found = store.get(key)
        if found is not None:
            return current_app.response_class(found[0], status=200, headers=found[1])
        writes = writes_seen(db.session())
        response = current_app.make_response(view(*args, **kwargs))
        if (response.status_code == 200 and not session.modified and writes_seen(db.session()) == writes
                and "Set-Cookie" not in response.headers):
            headers = [(k, v) for k, v in response.headers.items() if k not in _OWN_HEADERS]
            if response.is_streamed:  # a download written as its rows come: kept once it has all been sent
                response.response = _kept_when_sent(response.response, lambda body: store.put(key, (body, headers)))
            else:
                store.put(key, (response.get_data(), headers))
        return response

    return keeping
