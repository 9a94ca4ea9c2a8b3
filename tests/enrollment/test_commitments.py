"""The society's commitments in its own words: admins edit them, each application keeps its version."""

import pytest

from balint_online.enrollment import attestation
from tests.factories import ATTESTATION, apply, published_series


@pytest.fixture
def series(api, make_user):
    return published_series(api(make_user("leader", name="Dr Ruth")))


def rows(items) -> dict:
    data = {}
    for n, item in enumerate(items):
        data.update({f"items-{n}-key": item.key, f"items-{n}-text": item.text,
                     f"items-{n}-kind": "required" if item.required else "advice", f"items-{n}-contact": item.contact})
    return data


def test_admins_reword_the_commitments_and_earlier_applications_keep_their_version(
        api, client, login, make_user, series):
    before = apply(api(make_user()), series["id"])
    assert before["attestation"]["version"] == 2
    admin = make_user("admin")
    login(admin)
    page = client.get("/admin/commitments").get_data(as_text=True)
    assert "Version 2 is in use" in page and attestation.ITEMS[3].contact in page

    items = list(attestation.ITEMS)
    items[0] = attestation.Item("clinically_active", "Participants should be clinically active.")
    items[4] = attestation.Item("confidentiality", "What is said in the group stays in the group.", required=False,
                                contact="Ask the leaders if you are unsure what you may share.")
    data = {"intro": "Please read before applying.", **rows(items),
            f"items-{len(items)}-key": "supervision", f"items-{len(items)}-text": "I have clinical supervision.",
            f"items-{len(items)}-kind": "required"}
    resp = client.submit("/admin/commitments", data)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert "Version 3 of the commitments" in client.get("/admin/commitments").get_data(as_text=True)

    # The earlier application still shows exactly what its applicant agreed to.
    kept = api(admin).get(f"/api/v1/applications/{before['id']}").get_json()["attestation"]
    assert kept["version"] == 2 and kept["items"][0]["text"] == "Registrants must be clinically active."
    # New applications agree to version 3: the new item is required, confidentiality is now advice.
    resp = api(make_user()).post(f"/api/v1/series/{series['id']}/applications",
                                 json={"trainee": False, "attestation": ATTESTATION})
    assert resp.status_code == 422 and list(resp.get_json()["fields"]) == ["attestation.supervision"]
    body = apply(api(make_user()), series["id"], attestation={
        **{k: v for k, v in ATTESTATION.items() if k != "confidentiality"}, "supervision": True})
    assert body["attestation"]["version"] == 3
    assert body["attestation"]["items"][0]["text"] == "Participants should be clinically active."
    # The apply page shows the new wording, with the advice and whom to contact.
    login(make_user())
    form = client.get(f"/series/{series['id']}/apply").get_data(as_text=True)
    assert "I have clinical supervision." in form and 'name="attest_confidentiality"' not in form
    assert "Ask the leaders if you are unsure what you may share." in form and "Dr Ruth" in form


def test_an_edit_that_breaks_the_rules_is_refused_and_nothing_is_saved(api, client, login, make_user):
    admin = make_user("admin")
    login(admin)
    items = list(attestation.ITEMS)
    items[1] = attestation.Item("willing_to_present", items[1].text, required=False)  # advice without a contact
    resp = client.submit("/admin/commitments", {"intro": "Read this.", **rows(items)})
    assert resp.status_code == 422 and "Advice says whom to contact" in resp.get_data(as_text=True)
    same = client.submit("/admin/commitments", {"intro": attestation.INTRO, **rows(attestation.ITEMS)})
    assert same.status_code == 422 and "Nothing changed" in same.get_data(as_text=True)
    assert "Version 2 is in use" in client.get("/admin/commitments").get_data(as_text=True)
    login(make_user("leader"))
    assert client.get("/admin/commitments").status_code == 403


def test_the_built_in_wording_quotes_the_societys_page():
    items = {item.key: item for item in attestation.ITEMS}
    # Seed 002 (Online Balint Groups), quoted: requirements are boxes, the advisory is advice with a contact.
    assert items["attend_all_sessions"].text == (
        "Because the success of the group depends in part on group cohesion, steady attendance matters. "
        "Registrants must intend to attend all sessions of the group.")
    advice = items["emotional_readiness"]
    assert not advice.required and advice.text == (
        "Balint work can stir strong emotions. If the registrant is at an unusually stressful period in their life, "
        "we may recommend they sign up at another time.")
    assert advice.contact == "Contact the faculty of the group you are interested in if you are unsure."
    assert [k for k, i in items.items() if i.required] == [
        "clinically_active", "willing_to_present", "attend_all_sessions", "confidentiality"]


def test_the_commitments_through_the_api(api, make_user, series):
    shown = api(None).get("/api/v1/commitments").get_json()
    assert shown["version"] == 2 and [i["key"] for i in shown["items"]] == list(ATTESTATION)
    assert shown["items"][3]["required"] is False and shown["items"][3]["contact"].startswith("Contact the faculty")
    items = [{**i, "contact": i["contact"] or ""} for i in shown["items"]]
    items[2] = {**items[2], "text": "Registrants are required to commit to attending all sessions."}
    assert api(make_user("leader")).put("/api/v1/commitments", json={"intro": "x", "items": items}).status_code == 403
    bad = api(make_user("admin")).put("/api/v1/commitments", json={"intro": "Read this.", "items": [{"key": "X y"}]})
    assert bad.status_code == 422 and set(bad.get_json()["fields"]) == {"items.0.text"}
    wrong_key = api(make_user("admin")).put("/api/v1/commitments", json={
        "intro": "Read this.", "items": [{"key": "X y", "text": "Something."}]})
    assert wrong_key.status_code == 422 and "items.0.key" in wrong_key.get_json()["fields"]
    resp = api(make_user("admin")).put("/api/v1/commitments", json={"intro": shown["intro"], "items": items})
    assert resp.status_code == 201 and resp.get_json()["version"] == 3
    body = apply(api(make_user()), series["id"])
    assert body["attestation"]["version"] == 3
    assert body["attestation"]["items"][2]["text"] == "Registrants are required to commit to attending all sessions."
