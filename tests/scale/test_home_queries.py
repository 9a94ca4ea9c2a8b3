"""The home page costs the same number of queries however many groups a person has (issue 19).

Each of the page's sections reads the person's applications, turns and led series through the
page's shared data (homepage.Home), so a member of one group and a member of four, each paid in
part, beside a pending application, cost the same; so do a leader of one series and of four.
"""

import pytest

from tests.factories import apply, published_series
from tests.statements import statements_of


def queries(client, path: str) -> int:
    responses = []
    statements = statements_of(lambda: responses.append(client.get(path)))
    assert responses[0].status_code == 200
    return len(statements)


def member_of(api, leader, admin, member, groups: int) -> None:
    """Enrolled in `groups` series, each paid in part (with its turns and invoice), plus a pending application."""
    for n in range(groups):
        series = published_series(api(leader), title=f"Group {n}")
        a = apply(api(member), series["id"])
        api(leader).post(f"/api/v1/applications/{a['id']}/accept")
        api(admin).post(f"/api/v1/applications/{a['id']}/payments", json={"amount": "100.00", "method": "transfer"})
    apply(api(member), published_series(api(leader), title="Pending")["id"])


@pytest.mark.parametrize("who", ["member", "leader"])
def test_home_costs_the_same_queries_for_one_group_and_for_four(app, api, login, make_user, who):
    counts = []
    for groups in (1, 4):
        leader = make_user("leader", name=f"Leader {groups}")
        admin = make_user("admin")
        member = make_user(name=f"Member {groups}")
        member_of(api, leader, admin, member, groups)
        person = member if who == "member" else leader
        client = app.test_client()
        assert (
            client.submit("/sign-in", {"email": person.email, "password": "correct horse battery"}).status_code == 302
        )
        counts.append(queries(client, "/home"))
    assert counts[0] == counts[1], f"/home as a {who}: {counts[0]} queries with one group, {counts[1]} with four"


@pytest.mark.parametrize("path", ["/account/data", "/account/data.json"])
def test_a_members_data_costs_the_same_queries_for_one_group_and_for_four(app, api, make_user, path):
    """Everything held about a person, for a member of one group and of four, each with its turns,
    invoice and payment: the export reads each kind of record once, not once per group."""
    counts = []
    for groups in (1, 4):
        leader, admin, member = make_user("leader", name=f"Leader {groups}"), make_user("admin"), make_user()
        member_of(api, leader, admin, member, groups)
        client = app.test_client()
        signed_in = client.submit("/sign-in", {"email": member.email, "password": "correct horse battery"})
        assert signed_in.status_code == 302
        counts.append(queries(client, path))
    assert counts[0] == counts[1], f"{path}: {counts[0]} queries with one group, {counts[1]} with four"
