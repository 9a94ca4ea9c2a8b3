"""The contract walked over real HTTP against the app served the way production serves it.

gunicorn with two workers, `BALINT_CONFIG=production`, a fresh SECRET_KEY, a database of its
own (PostgreSQL when TEST_DATABASE_URL names a server), mail to an aiosmtpd server on loopback,
set up with the real CLI. It serves TLS itself (tests/served.py) rather than trusting
X-Forwarded-Proto from a pretend proxy: then the client's cookie jar, like a browser's, sends the
production-only Secure session cookie back over https alone, so signing in through the form
proves the cookie settings work end to end, not just that a header was set.

Production ignores FROZEN_NOW, so every date is built from the real clock: the first meeting a
few minutes ahead (its join window already open), the deadlines on its date.
"""

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.factories import ATTESTATION
from tests.served import Served, fresh_database, serve_production
from tests.smtp import SmtpInbox, smtp_inbox

ZONE = "Asia/Kolkata"  # far from UTC, with a half-hour offset: local and UTC instants never coincide
TITLE = "Served evening group"
PASSWORD = "correct horse battery staple"
PEOPLE = {
    "admin": ("ada@example.org", "Ada Admin", ["--role", "admin"]),
    "leader": ("ruth@example.org", "Dr Ruth Leader", ["--role", "leader", "--timezone", ZONE]),
    # A society member (the member rates) and a non-member (the standard rates).
    "jo": ("jo@example.org", "Dr Jo Member", ["--member-until", f"{datetime.now(UTC).year + 1}-12-31",
                                             "--discipline", "physician"]),
    "sam": ("sam@example.org", "Sam Nonmember", ["--timezone", "Europe/London", "--discipline", "nurse"]),
}
PRICES = {
    "standard": {"early": "800.00", "regular": "875.00"},
    "member": {"early": "650.00", "regular": "725.00"},
    "trainee": {"early": "400.00", "regular": "450.00"},
    "member_trainee": {"early": "300.00", "regular": "350.00"},
}


@dataclass
class Site:
    served: Served
    inbox: SmtpInbox
    tokens: dict[str, str]  # PEOPLE's keys -> API token


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The served app with four accounts made by `flask users create`, and each one's API token."""
    tmp = tmp_path_factory.mktemp("served")
    tokens = {}

    def account(served, who):
        email, name, options = PEOPLE[who]
        served.cli("users", "create", email, "--name", name, "--password", PASSWORD, *options)
        tokens[who] = served.cli("users", "token", email).strip().splitlines()[-1]

    def setup(served):
        # One operator's commands after another, but the four people side by side: it halves the wait.
        with ThreadPoolExecutor(len(PEOPLE)) as pool:
            list(pool.map(lambda who: account(served, who), PEOPLE))

    with smtp_inbox() as inbox, fresh_database(tmp) as database_url, \
            serve_production(tmp, database_url=database_url, mail_url=inbox.url, setup=setup) as served:
        yield Site(served, inbox, tokens)


def _ok(resp, status=200):
    assert resp.status_code == status, (resp.status_code, resp.text[:2000])
    return resp.json()


def test_the_contract_walks_over_https_with_bearer_tokens(site):
    served = site.served
    api = {who: served.http(token) for who, token in site.tokens.items()}
    anonymous = served.http()
    zone = ZoneInfo(ZONE)
    # A series must start after today, so it is planned from tomorrow; bringing the first meeting
    # forward to a few minutes from now (below) opens its join window. The deadlines fall on the
    # planned first day, so today is inside both even if the walk crosses midnight.
    soon = (datetime.now(zone) + timedelta(minutes=6)).replace(second=0, microsecond=0)
    first_local = soon + timedelta(days=1)
    deadline = first_local.date().isoformat()

    # The leader creates a draft with a price for every category, and publishes it.
    created = _ok(api["leader"].post("/api/v1/series", json={
        "title": TITLE, "description": "For clinicians in primary care.", "timezone": ZONE,
        "first_meeting_local": first_local.strftime("%Y-%m-%dT%H:%M"), "meeting_count": 4, "capacity": 4,
        "prices": PRICES, "early_bird_deadline": deadline, "cancellation_deadline": deadline,
        "cancellation_fee": "100.00"}), 201)
    assert created["status"] == "draft" and created["prices"] == PRICES
    series_id = created["id"]
    meetings = created["meetings"]
    assert [m["number"] for m in meetings] == [1, 2, 3, 4]
    assert meetings[0]["starts_at"] == first_local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert anonymous.get(f"/api/v1/series/{series_id}").status_code == 404  # a draft is nobody else's business
    assert _ok(api["leader"].post(f"/api/v1/series/{series_id}/publish"))["status"] == "open"
    openapi = _ok(anonymous.get("/api/v1/openapi.json"))
    assert openapi["servers"] == [{"url": f"{served.url}/api/v1"}] and "/series" in openapi["paths"]

    listed = _ok(anonymous.get("/api/v1/series"))["series"]
    assert [s["id"] for s in listed] == [series_id]
    shown = _ok(anonymous.get(f"/api/v1/series/{series_id}"))
    assert (shown["title"], shown["timezone"], shown["seats_left"]) == (TITLE, ZONE, 4)
    assert [leader["name"] for leader in shown["leaders"]] == ["Dr Ruth Leader"]
    assert [m["id"] for m in shown["meetings"]] == [m["id"] for m in meetings]

    # Quotes: membership comes from each caller's own record, the period from today's date.
    quotes = {(who, trainee): _ok(api[who].get(f"/api/v1/series/{series_id}/quote",
                                               params={"trainee": str(trainee).lower()}))
              for who in ("jo", "sam") for trainee in (False, True)}
    assert {key: (q["category"], q["period"], q["amount"], q["currency"]) for key, q in quotes.items()} == {
        ("jo", False): ("member", "early", "650.00", "USD"), ("jo", True): ("member_trainee", "early", "300.00", "USD"),
        ("sam", False): ("standard", "early", "800.00", "USD"), ("sam", True): ("trainee", "early", "400.00", "USD")}

    # Two members apply with the attestation; a missing item is named; the leader accepts both.
    refused = api["sam"].post(f"/api/v1/series/{series_id}/applications",
                              json={"trainee": False, "attestation": {**ATTESTATION, "confidentiality": False}})
    assert refused.status_code == 422 and "confidentiality" in str(refused.json()["fields"])
    applications = {}
    for who in ("jo", "sam"):
        applied = _ok(api[who].post(f"/api/v1/series/{series_id}/applications",
                                    json={"trainee": False, "attestation": ATTESTATION}), 201)
        assert applied["status"] == "pending" and applied["price"]["amount"] == quotes[(who, False)]["amount"]
        applications[who] = applied["id"]
        assert _ok(api["leader"].post(f"/api/v1/applications/{applied['id']}/accept"))["status"] == "enrolled"

    # The admin records Sam's payment; the retried request records nothing new.
    payment = {"amount": "800.00", "method": "transfer", "reference": "BANK-4711"}
    key = {"Idempotency-Key": f"served-{series_id}-sam"}
    first = _ok(api["admin"].post(f"/api/v1/applications/{applications['sam']}/payments", json=payment, headers=key),
                201)
    again = _ok(api["admin"].post(f"/api/v1/applications/{applications['sam']}/payments", json=payment, headers=key))
    assert again["id"] == first["id"] and first["payment_status"] == "paid"
    assert _ok(api["sam"].get(f"/api/v1/applications/{applications['sam']}"))["paid"] == "800.00"
    roster = _ok(api["leader"].get(f"/api/v1/series/{series_id}/roster"))["applications"]
    assert sorted((a["member"]["email"], a["status"], a["payment_status"], a["discipline"]) for a in roster) == [
        ("jo@example.org", "enrolled", "unpaid", "physician"), ("sam@example.org", "enrolled", "paid", "nurse")]

    # Jo cannot present at the second meeting.
    availability = _ok(api["jo"].put(f"/api/v1/series/{series_id}/availability",
                                     json={"unavailable_meeting_ids": [meetings[1]["id"]]}))
    assert availability["unavailable_meeting_ids"] == [meetings[1]["id"]]
    second = next(m for m in availability["meetings"] if m["meeting_id"] == meetings[1]["id"])
    assert "Dr Jo Member" not in [p["name"] for p in second["presenters"]]

    # Jo's personal feed: served as text/calendar, revalidated by ETag, and replaced on reset.
    links = _ok(api["jo"].get("/api/v1/me/calendar"))
    assert links["feed_url"].startswith(f"{served.url}/calendar/") and links["webcal_url"].startswith("webcal://127.0.0.1:")
    feed = anonymous.get(links["feed_url"])
    assert feed.status_code == 200 and feed.headers["Content-Type"].startswith("text/calendar")
    assert TITLE in feed.text and feed.headers["ETag"]
    assert anonymous.get(links["feed_url"], headers={"If-None-Match": feed.headers["ETag"]}).status_code == 304
    renewed = _ok(api["jo"].post("/api/v1/me/calendar/reset"))
    assert renewed["feed_url"] != links["feed_url"]
    assert anonymous.get(links["feed_url"]).status_code == 404
    assert anonymous.get(renewed["feed_url"]).status_code == 200

    # The leader brings the first meeting forward to a few minutes from now and cancels the fourth.
    moved = _ok(api["leader"].post(f"/api/v1/meetings/{meetings[0]['id']}/reschedule",
                                   json={"starts_at_local": soon.strftime("%Y-%m-%dT%H:%M")}))
    assert moved["starts_at"] == soon.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert moved["sequence"] == meetings[0]["sequence"] + 1
    fourth = meetings[3]
    cancelled = _ok(api["leader"].post(f"/api/v1/meetings/{fourth['id']}/cancel", json={"reason": "Public holiday."}))
    assert cancelled["status"] == "cancelled"

    # Sam withdraws before the cancellation deadline: everything paid back but the cancellation fee.
    withdrawn = _ok(api["sam"].post(f"/api/v1/applications/{applications['sam']}/withdraw",
                                    json={"reason": "A clash with clinic hours."}))
    assert withdrawn["status"] == "withdrawn"
    assert (withdrawn["refund"]["amount"], withdrawn["refund"]["currency"]) == ("700.00", "USD")

    # The due jobs provision the video rooms (Jitsi: links made locally) and deliver the mail.
    ran = dict(line.split(": ", 1) for line in served.cli("jobs", "run-due").splitlines() if ": " in line)
    assert int(ran["video-rooms"]) == 3, ran  # meetings 1-3; the cancelled fourth gets none
    assert int(ran["deliver-mail"]) > 0, ran

    # Jo enters the first meeting, whose join window is open; the leader hosts; Sam left and is refused.
    entry = _ok(api["jo"].get(f"/api/v1/meetings/{meetings[0]['id']}/join"))
    assert entry["role"] == "participant" and entry["url"].startswith("https://meet.jit.si/")
    assert _ok(api["leader"].get(f"/api/v1/meetings/{meetings[0]['id']}/join"))["role"] == "host"
    kept_out = api["sam"].get(f"/api/v1/meetings/{meetings[0]['id']}/join")
    assert (kept_out.status_code, kept_out.json()["error"]) == (403, "not_enrolled")
    too_early = api["jo"].get(f"/api/v1/meetings/{meetings[1]['id']}/join")
    assert (too_early.status_code, too_early.json()["error"]) == (403, "too_early") and too_early.json()["opens_at"]

    # The series' public feed lists the meetings but never a way into the rooms.
    public = anonymous.get(shown["calendar_url"])
    assert public.status_code == 200 and public.headers["Content-Type"].startswith("text/calendar")
    assert TITLE in public.text and "meet.jit.si" not in public.text and entry["url"] not in public.text

    # What reached the mail server: one message per envelope, to the right person, with links
    # built from BALINT_BASE_URL.
    mail = [(envelope.rcpt_tos, message) for envelope,
            message in zip(site.inbox.envelopes, site.inbox.messages(), strict=True)]
    assert all(rcpt == [message["To"]] for rcpt, message in mail)
    subjects = {}
    for _, message in mail:
        subjects.setdefault(message["To"], []).append(message["Subject"])
    jo, sam, leader = (PEOPLE[who][0] for who in ("jo", "sam", "leader"))
    for person in (jo, sam):
        assert f"We received your application: {TITLE}" in subjects[person]
        assert f"You have a place in {TITLE}" in subjects[person]
    assert f"Payment received: {TITLE}" in subjects[sam] and f"Your withdrawal from {TITLE}" in subjects[sam]
    for person in (jo, leader):
        assert f"Meeting moved: {TITLE}, meeting 1" in subjects[person]
        assert f"Meeting cancelled: {TITLE}, meeting 4" in subjects[person]
    assert any(s.startswith(f"Reminder: {TITLE}, meeting 1") for s in subjects[jo])

    bodies = {(message["To"], message["Subject"]): message.get_body(("plain",)).get_content() for _, message in mail}
    accepted = bodies[(jo, f"You have a place in {TITLE}")]
    assert f"{served.url}/applications/{applications['jo']}/invoice" in accepted and f"{served.url}/home" in accepted
    reminder = next(body for (to, subject), body in bodies.items() if to == jo and subject.startswith("Reminder"))
    assert f"{served.url}/meetings/{meetings[0]['id']}/join" in reminder
    own_links = {link for body in bodies.values() for link in re.findall(r"https?://[^\s<>\"]+", body)
                 if "127.0.0.1" in link or "localhost" in link}
    assert own_links and all(link.startswith(served.url + "/") for link in own_links), own_links


def test_web_forms_need_their_token_and_signing_in_through_the_form_works(site):
    served = site.served
    email = PEOPLE["sam"][0]
    browser = served.http()
    # What a browser sends with a form it posts from this site's own page.
    same_site = {"Referer": f"{served.url}/sign-in"}

    # Without the form's token the post is refused, however right the password.
    assert browser.get("/sign-in").status_code == 200  # the session cookie a browser would hold
    forged = browser.post("/sign-in", data={"email": email, "password": PASSWORD}, headers=same_site)
    assert forged.status_code == 400 and "The CSRF token is missing." in forged.text
    assert browser.get("/home").status_code == 302

    # Through the real form: the Secure, HttpOnly session cookie comes back over https.
    signed_in = browser.submit("/sign-in", {"email": email, "password": PASSWORD})
    assert signed_in.status_code == 302 and signed_in.headers["Location"].endswith("/home")
    session_cookie = next(c for c in browser.cookies if c.name == "session")
    assert session_cookie.secure and session_cookie.has_nonstandard_attr("HttpOnly")
    home = browser.get("/home")
    assert home.status_code == 200 and "Sam Nonmember" in home.text

    # Signed in, a form posted without its token still changes nothing...
    assert browser.post("/sign-out", headers=same_site).status_code == 400
    assert browser.get("/home").status_code == 200
    # ...and the session cookie is no way into the API, which takes bearer tokens only.
    assert browser.post("/api/v1/series", json={"title": "Not by cookie"}).status_code == 401
