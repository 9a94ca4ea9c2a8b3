"""The zones people choose from: canonical names grouped by region with the current offset, aliases understood."""

import re
from datetime import UTC, datetime

from balint_online.core.zonelist import canonical_zones, chosen_zone, grouped_choices, same_clock
from balint_online.extensions import db
from tests.browser import page_text


def options(html: str) -> dict[str, str]:
    """The zone list's options (the first select with a search box), value -> label."""
    zone_select = re.search(r"<select [^>]*data-zone-search.*?</select>", html, re.DOTALL).group(0)
    return dict(re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', zone_select))


def test_the_list_is_the_canonical_zones_and_utc():
    zones = canonical_zones()
    assert 300 < len(zones) < 350  # not the 597 names zoneinfo knows
    assert {"UTC", "Asia/Kolkata", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Europe/Kyiv"} <= zones
    for alias in ("US/Eastern", "GB", "Asia/Calcutta", "Europe/Oslo", "Etc/UTC", "Etc/GMT+5", "EST5EDT", "Europe/Kiev"):
        assert alias not in zones, alias


def test_aliases_are_understood_as_their_canonical_zone():
    assert chosen_zone("Asia/Calcutta") == "Asia/Kolkata"
    assert chosen_zone("US/Eastern") == "America/New_York"
    assert chosen_zone("Europe/Kiev") == "Europe/Kyiv"
    assert chosen_zone("Etc/UTC") == chosen_zone("GMT") == chosen_zone("UTC") == "UTC"
    assert chosen_zone("Etc/GMT+5") is None and chosen_zone("Not/AZone") is None and chosen_zone("") is None


def test_grouped_by_region_with_the_offset_of_the_moment():
    winter = dict(grouped_choices(datetime(2026, 12, 6, 12, tzinfo=UTC)))
    summer = dict(grouped_choices(datetime(2027, 7, 1, 12, tzinfo=UTC)))
    assert [z.label for z in winter[""]] == ["UTC (UTC+00:00)"]
    berlin = next(z for z in winter["Europe"] if z.name == "Europe/Berlin")
    assert berlin.label == "Europe \u2014 Berlin (UTC+01:00)"
    assert next(z for z in summer["Europe"] if z.name == "Europe/Berlin").offset == "UTC+02:00"
    assert "Oslo" in berlin.search and "Norway" in berlin.search  # found by its aliases' places and countries
    kolkata = next(z for z in winter["Asia"] if z.name == "Asia/Kolkata")
    assert kolkata.label == "Asia \u2014 Kolkata (UTC+05:30)" and "India" in kolkata.search
    buenos_aires = next(z for z in winter["Americas"] if z.name == "America/Argentina/Buenos_Aires")
    assert buenos_aires.label == "Americas \u2014 Argentina / Buenos Aires (UTC-03:00)"
    places = [z.place for z in winter["Europe"]]
    assert places == sorted(places)


def test_same_clock():
    december = datetime(2026, 12, 7, 0, tzinfo=UTC)
    assert same_clock(december, "America/Toronto", "America/New_York")
    assert same_clock(december, "Europe/London", "UTC")
    assert not same_clock(datetime(2026, 7, 7, tzinfo=UTC), "Europe/London", "UTC")
    assert not same_clock(december, "Asia/Kolkata", "America/New_York")


def test_every_zone_select_is_the_grouped_list(client, login, make_user, clock):
    clock.set("2027-07-01T12:00:00Z")
    for html in (page_text(client.get("/sign-up")), page_text(client.get("/"))):
        shown = options(html)
        assert shown["Europe/Berlin"] == "Europe \u2014 Berlin (UTC+02:00)"  # summer time, as of now
        assert "US/Eastern" not in shown and "GB" not in shown and len(shown) == len(canonical_zones())
        assert '<optgroup label="Asia">' in html and "data-zone-search" in html
    login(make_user("leader"))
    for path in ("/account", "/lead/series/new"):
        html = page_text(client.get(path))
        assert options(html)["Asia/Kolkata"] == "Asia \u2014 Kolkata (UTC+05:30)", path
        assert "data-zone-search" in html


def test_a_stored_alias_shows_as_its_zone_and_a_posted_one_is_stored_canonical(client, login, make_user):
    person = make_user(timezone="US/Eastern")
    login(person)
    assert re.search(r'<option value="America/New_York"[^>]* selected', client.get("/account").get_data(as_text=True))
    saved = client.submit("/account", {"name": person.name, "discipline": "physician", "timezone": "Asia/Calcutta",
                                       "language": ""})
    assert saved.status_code == 302
    db.session.refresh(person)
    assert person.timezone == "Asia/Kolkata"
    refused = client.submit("/account", {"name": person.name, "discipline": "physician", "timezone": "Etc/GMT+5",
                                         "language": ""})
    assert refused.status_code == 422 and "Choose a time zone from the list." in page_text(refused)


def test_the_browsers_zone_is_taken_through_the_picker(client, api, make_user, clock):
    from tests.factories import published_series

    clock.set("2026-10-01T12:00:00Z")
    published_series(api(make_user("leader")))
    first = page_text(client.get("/"))
    assert 'data-detect-zone="UTC" data-reload' in first  # not chosen yet: zones.js asks the browser
    form = client.form("/viewer-timezone", page="/")
    answer = client.post("/viewer-timezone", data={**form, "timezone": "UTC", "detected": "Asia/Calcutta"})
    assert answer.get_json() == {"timezone": "Asia/Kolkata"}
    page = page_text(client.get("/"))
    assert "Tue 20 Oct 2026, 04:30 IST" in page and "data-detect-zone" not in page  # asked once


def test_an_unknown_browser_zone_is_asked_once_and_shows_utc(client):
    form = client.form("/viewer-timezone", page="/")
    assert client.post("/viewer-timezone", data={**form, "detected": "Mars/Olympus"}).get_json() == {"timezone": "UTC"}
    assert "data-detect-zone" not in page_text(client.get("/"))


def test_a_visitor_who_chose_keeps_their_choice(client):
    client.submit("/viewer-timezone", {"timezone": "Europe/Paris"}, page="/")
    page = page_text(client.get("/"))
    assert "data-detect-zone" not in page and re.search(r'<option value="Europe/Paris"[^>]* selected', page)


def test_the_detection_script_is_served_and_allowed_by_the_policy(client):
    script = client.get("/static/js/zones.js")
    assert script.status_code == 200 and "resolvedOptions().timeZone" in script.get_data(as_text=True)
    page = client.get("/")
    assert page.get_data(as_text=True).count('<script src="/static/js/zones.js" ') == 1
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "<script>" not in page.get_data(as_text=True)  # nothing inline
