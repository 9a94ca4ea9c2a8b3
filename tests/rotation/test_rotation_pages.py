"""The rotation pages: members see who presents when in their own zone, leaders swap and move with forms."""

import pytest

from tests.factories import mails
from tests.rotation.conftest import meeting_ids, turns


@pytest.fixture
def eight(group, enroll):
    return enroll(group, 8)


def test_a_member_sees_the_rotation_in_their_own_zone_with_their_turns_highlighted(
        client, login, group, enroll, make_user):
    members = enroll(group, 7)
    priya = enroll(group, 1, name="Priya Raman, NP", timezone="Europe/London")[0]
    login(priya)
    resp = client.get(f"/series/{group['id']}/rotation")
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert "Who presents when" in page and "Times are shown in Europe/London" in page
    assert "Tue 20 Oct 2026, 00:00 BST" in page  # meeting 1, 19:00 in New York
    assert page.count('class="highlight"') == 1 and "You (Priya Raman, NP)" in page
    assert members[0].name in page
    assert "Say when you cannot present" in page and "Swap two turns" not in page
    assert "no names, dates or details that could identify a patient" in page.lower()


def test_a_leader_sees_and_swaps_with_select_forms(client, login, group, eight, leader):
    ids = meeting_ids(group)
    login(leader)
    page = client.get(f"/series/{group['id']}/rotation").get_data(as_text=True)
    # Plain forms: no script of the page's own (the site's one script in <head> only folds the phone menu).
    assert "Swap two turns" in page and "Move a turn" in page and "<script" not in page.split("</head>")[1]
    assert f'value="{ids[1]}:{eight[0].id}"' in page
    rotation = f"/series/{group['id']}/rotation"
    resp = client.submit(f"{rotation}/swap", {"turn_a": f"{ids[1]}:{eight[0].id}", "turn_b": f"{ids[4]}:{eight[3].id}"},
                         page=rotation)
    assert resp.status_code == 303
    assert turns(group["id"])[1] == [eight[3].id] and turns(group["id"])[4] == [eight[0].id]
    page = client.get(f"/series/{group['id']}/rotation").get_data(as_text=True)
    assert "The two turns were swapped" in page and "Recent changes" in page
    # A refused swap shows the reason on the page and changes nothing.
    resp = client.submit(f"{rotation}/swap", {"turn_a": f"{ids[1]}:{eight[3].id}", "turn_b": f"{ids[1]}:{eight[3].id}"},
                         page=rotation)
    assert resp.status_code == 409 and "nothing to swap" in resp.get_data(as_text=True)
    resp = client.submit(f"{rotation}/move", {"turn": f"{ids[2]}:{eight[1].id}", "to_meeting": "",
                                              "to_user": str(eight[2].id)}, page=rotation)
    assert resp.status_code == 409 and "Ben Brook, NP has no presenting turn" in resp.get_data(as_text=True)
    assert turns(group["id"])[2] == [eight[1].id]


def test_only_members_and_leaders_see_the_page(client, login, group, eight, make_user):
    resp = client.get(f"/series/{group['id']}/rotation")
    assert resp.status_code == 302 and "/sign-in" in resp.headers["Location"]
    login(make_user())
    assert client.get(f"/series/{group['id']}/rotation").status_code == 403
    # Hand-built: the page that holds the form is closed to them.
    forged = client.post(f"/series/{group['id']}/rotation/swap", data={"csrf_token": client.csrf_token("/home")})
    assert forged.status_code == 403


def test_members_cannot_use_the_leaders_forms(client, login, group, eight):
    ids = meeting_ids(group)
    login(eight[0])
    # Hand-built: a member's rotation page has no swap form, so the post carries only their session's token.
    rotation = f"/series/{group['id']}/rotation"
    resp = client.post(f"{rotation}/swap", data={"turn_a": f"{ids[1]}:{eight[0].id}",
                                                 "turn_b": f"{ids[4]}:{eight[3].id}",
                                                 "csrf_token": client.csrf_token(rotation)})
    assert resp.status_code == 403


def test_the_availability_form(client, login, group, eight):
    ids = meeting_ids(group)
    login(eight[0])
    page = client.get(f"/series/{group['id']}/rotation/availability").get_data(as_text=True)
    assert 'type="checkbox"' in page and "(your turn now)" in page
    resp = client.submit(f"/series/{group['id']}/rotation/availability", {"unavailable": [str(ids[1])]})
    assert resp.status_code == 303
    assert eight[0].id not in turns(group["id"])[1]
    page = client.get(f"/series/{group['id']}/rotation/availability").get_data(as_text=True)
    assert f'value="{ids[1]}" checked' in page
    # An impossible choice is explained, and nothing is saved.
    all_but_8 = [str(ids[n]) for n in range(1, 8)]
    client.submit(f"/series/{group['id']}/rotation/availability", {"unavailable": all_but_8})
    login(eight[1])
    resp = client.submit(f"/series/{group['id']}/rotation/availability", {"unavailable": all_but_8})
    assert resp.status_code == 409
    page = resp.get_data(as_text=True)
    assert "Dr Ann Avery" in page and "Ben Brook, NP" in page and "Nothing was saved" in page


def test_swap_requests_through_the_pages(client, login, group, eight):
    ids = meeting_ids(group)
    login(eight[0])
    page = client.get(f"/series/{group['id']}/rotation/requests").get_data(as_text=True)
    assert "Ask to swap" in page
    resp = client.submit(f"/series/{group['id']}/rotation/requests",
                         {"my_turn": str(ids[1]), "their_turn": f"{ids[6]}:{eight[5].id}", "message": "Travelling"})
    assert resp.status_code == 303
    assert mails("rotation_swap_request")[0].user_id == eight[5].id
    login(eight[5])
    page = client.get(f"/series/{group['id']}/rotation").get_data(as_text=True)
    assert "1 waiting for your answer" in page
    page = client.get(f"/series/{group['id']}/rotation/requests").get_data(as_text=True)
    assert "Accept and swap" in page and "Travelling" in page
    request_id = mails("rotation_swap_request")[0].key.rsplit("-", 1)[1]
    resp = client.submit(f"/rotation/requests/{request_id}/accept", page=f"/series/{group['id']}/rotation/requests")
    assert resp.status_code == 303
    assert turns(group["id"])[1] == [eight[5].id] and turns(group["id"])[6] == [eight[0].id]


def test_a_presenter_titles_their_case_from_the_page(client, login, group, eight):
    ids = meeting_ids(group)
    login(eight[2])
    page = client.get(f"/series/{group['id']}/rotation").get_data(as_text=True)
    assert f'name="m{ids[3]}-case_title"' in page
    rotation = f"/series/{group['id']}/rotation"
    resp = client.submit(f"{rotation}/meetings/{ids[3]}/title",
                         {f"m{ids[3]}-case_title": "A silence that filled the room"}, page=rotation)
    assert resp.status_code == 303
    assert "A silence that filled the room" in client.get(f"/series/{group['id']}/rotation").get_data(as_text=True)
    resp = client.submit(f"{rotation}/meetings/{ids[3]}/title", {f"m{ids[3]}-case_title": "x" * 81}, page=rotation)
    assert resp.status_code == 422


def test_home_shows_your_presenting_turns(client, login, group, eight, leader):
    login(eight[2])
    page = client.get("/home").get_data(as_text=True)
    assert "Your presenting turns" in page and "Presenting</strong>" in page and "meeting 3 of" in page
    login(leader)
    page = client.get("/home").get_data(as_text=True)
    assert "Rotations of the groups you lead" in page
