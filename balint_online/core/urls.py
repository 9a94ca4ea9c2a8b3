"""Addresses: absolute links from configuration only, and redirect targets kept on this site.

Every absolute URL the platform hands out (emails, feeds, API answers, pages) is built here from
``BASE_URL``. Never from the request: its ``Host`` header is the sender's to choose, and a reset
link built from it mails the victim a link to the attacker's host.
"""

from urllib.parse import urlsplit

from flask import current_app


def base_url() -> str:
    """The configured public address, without a trailing slash."""
    return current_app.config["BASE_URL"].rstrip("/")


def absolute_url(endpoint: str, **values) -> str:
    """`url_for(endpoint, **values)` as a full URL under BASE_URL, with or without a request."""
    parts = urlsplit(base_url())
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


def safe_path(target: str | None, default: str) -> str:
    """`target` when it is a path on this site, else `default`: one rule for `next` and every redirect.

    Browsers drop tabs and newlines from URLs and read a backslash as a slash, so "/\\t/evil" and
    "/\\\\evil" would both leave the site: any such character, like any scheme or host, is refused.
    """
    target = target or ""
    if any(ord(ch) < 0x20 or ch in "\\\x7f" for ch in target):
        return default
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or parts.scheme or parts.netloc:
        return default
    return target
