"""The home page shows what is current and pages the person's history (issue 19: bounded pages).

A member's groups and applications, and their invoices, come ten at a time, newest first; money
still owed stays asked for however old the group; a leader whose groups are all over is sent to
the Leading page, which lists every one.
"""

import re

from tests.factories import enrolled, published_series


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start:html.index("</section>", start)]


def test_a_members_history_comes_ten_at_a_time_and_old_debts_stay_on_the_home_page(
        app, api, login, leader, make_user, clock):
    member = make_user(name="Long Standing")
    for n in range(12):
        enrolled(api, leader, published_series(api(leader), title=f"Group {n:02d}"), member)
    clock.set("2027-02-01T12:00:00Z")  # every group is over, none of them paid

    client = login(member)
    page = client.get("/home").text
    groups = section(page, "applications-heading")
    titles = re.findall(r">(Group \d\d)</a>", groups)
    assert titles == [f"Group {n:02d}" for n in range(11, 1, -1)]
    assert "Page 1 of 2 · 12 in all" in groups
    older = section(client.get("/home?groups=2").text, "applications-heading")
    assert re.findall(r">(Group \d\d)</a>", older) == ["Group 01", "Group 00"]

    # Nothing to join any more, but every unpaid place is still asked for, the oldest too.
    assert "next-meeting" not in page
    assert "to pay for Group 00" in page and "to pay for Group 11" in page
    invoices = section(page, "invoices-heading")
    assert "Page 1 of 2 · 12 in all" in invoices
    assert invoices.count("<tr>") == 1 + 10  # the header and this page's invoices


def test_a_leader_whose_groups_are_over_is_sent_to_all_of_them(app, api, login, leader, clock):
    published_series(api(leader), title="Autumn group")
    client = login(leader)
    assert "Autumn group" in section(client.get("/home").text, "leading-heading")

    clock.set("2027-02-01T12:00:00Z")
    client = login(leader)  # signed in again: the first session has long gone idle
    leading = section(client.get("/home").text, "leading-heading")
    assert "None of your groups is running or to come" in leading and "Autumn group" not in leading
    assert 'href="/lead"' in leading
    assert "Autumn group" in client.get("/lead").text
