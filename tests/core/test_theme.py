"""The society's look as settings: name, logo and accent colour on every page and email, within the CSP."""

import pytest

from balint_online.core.theme import AA, WHITE, accent_palette, contrast, parse_hex
from tests.conftest import make_app


@pytest.mark.parametrize("accent", ["#135e63", "#ffd400", "#7fb3d5", "#000", "#e03c31"])
def test_every_accent_gives_readable_text_on_it_and_readable_links_on_white(accent):
    shades = {name: parse_hex(value) for name, value in accent_palette(accent).items()}
    assert contrast(shades["accent"], shades["accent-ink"]) >= AA
    assert contrast(shades["accent-text"], WHITE) >= AA


@pytest.mark.parametrize("setting, value", [("SOCIETY_ACCENT_COLOR", "teal"), ("SOCIETY_ACCENT_COLOR", "#12345"),
                                            ("SOCIETY_LOGO_URL", "img/missing-logo.svg"),
                                            ("SOCIETY_LOGO_URL", "../config/default.py"),
                                            ("SOCIETY_LOGO_URL", "javascript:alert(1)")])
def test_a_bad_colour_or_logo_stops_the_app_at_start_up(database_urls, setting, value):
    with pytest.raises(RuntimeError, match=setting):
        make_app(database_urls["sqlite"], **{setting: value})


def test_pages_carry_the_name_logo_and_accent_and_the_csp_admits_only_the_logos_host(database_urls):
    from balint_online.extensions import db

    app = make_app(database_urls["sqlite"], SOCIETY_NAME="Nordic Balint Society",
                   SOCIETY_ACCENT_COLOR="#7A1F5C", SOCIETY_LOGO_URL="https://cdn.example.org/logo.svg")
    with app.app_context():
        client = app.test_client()
        page = client.get("/sign-in")
        html = page.get_data(as_text=True)
        assert "Nordic Balint Society" in html and '<img src="https://cdn.example.org/logo.svg" alt="">' in html
        assert "style=" not in html  # nothing inline: the CSP allows stylesheets from here only
        csp = page.headers["Content-Security-Policy"]
        assert "img-src 'self' data: https://cdn.example.org;" in csp and "style-src 'self';" in csp
        theme_href = html.split('rel="stylesheet" href="')[2].split('"')[0]
        theme = client.get(theme_href)
        assert theme.mimetype == "text/css" and "--accent: #7a1f5c" in theme.get_data(as_text=True)
        db.session.remove()


def test_a_logo_under_static_is_served_from_the_site(database_urls):
    app = make_app(database_urls["sqlite"], SOCIETY_LOGO_URL="css/site.css")  # any file under static will do
    with app.app_context():
        page = app.test_client().get("/")
        assert '<img src="/static/css/site.css" alt="">' in page.get_data(as_text=True)
        assert "img-src 'self' data:;" in page.headers["Content-Security-Policy"]


def test_emails_keep_their_text_part_and_their_html_wears_the_societys_look(app, make_user):
    from balint_online.notifications.delivery import build_mime
    from balint_online.notifications.services import queue_email

    app.config.update(SOCIETY_NAME="Nordic Balint Society", SOCIETY_ACCENT_COLOR="#7a1f5c")
    member = make_user(name="Dr Jo")
    message = queue_email(
        key="t-1", kind="password_reset", user=member, context={"link": "https://balint.test/r/x", "hours": 2}
    )
    mime = build_mime(message, "Balint <no-reply@balint.test>")
    text = mime.get_body(("plain",)).get_content()
    html = mime.get_body(("html",)).get_content()
    assert "https://balint.test/r/x" in text and "<" not in text
    assert "Nordic Balint Society" in html and "#7a1f5c" in html and "sans-serif" in html and "Georgia" not in html
    assert '<a href="https://balint.test/r/x">' in html
