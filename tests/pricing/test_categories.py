"""The price-category registry: every place a price category or a claim appears reads it."""

import pytest

from balint_online.core import pricecategories as categories
from balint_online.core.pricecategories import CLAIM_KEYS, KEYS, LABELS, REGISTRY, Facts, category_of, check_claims
from balint_online.core.prices import NON_MEMBER_CATEGORIES, Rate, fill_trainee_cells, quote
from tests.browser import page_text
from tests.factories import published_series


def _schema(doc, ref_or_schema):
    ref = ref_or_schema.get("$ref")
    return doc["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else ref_or_schema


@pytest.mark.parametrize("is_member", [False, True])
@pytest.mark.parametrize("claims", [set(), {"trainee"}])
def test_an_applicant_gets_the_most_particular_category_whose_rule_holds(is_member, claims):
    facts = Facts(is_member=is_member, claims=frozenset(claims))
    holding = [c.key for c in REGISTRY if c.rule(facts)]
    assert holding[0] == "standard"
    assert category_of(facts) == holding[-1]
    assert category_of(facts) == {(False, False): "standard", (True, False): "member", (False, True): "trainee",
                                  (True, True): "member_trainee"}[is_member, bool(claims)]


def test_a_claim_no_rule_mentions_changes_nothing():
    assert category_of(Facts(is_member=False)) == category_of(Facts(is_member=False, claims=frozenset())) == "standard"


def test_the_registry_drives_fallbacks_discounts_and_the_membership_offer():
    # Every fallback and discount base is an earlier category, so resolving a quote terminates.
    for position, category in enumerate(REGISTRY):
        assert set(category.fallbacks) <= set(KEYS[:position])
    assert tuple(c.key for c in REGISTRY if not c.member_rate) == NON_MEMBER_CATEGORIES
    assert {"standard", "trainee"} <= set(NON_MEMBER_CATEGORIES) and "member" not in NON_MEMBER_CATEGORIES
    filled = fill_trainee_cells({"standard": Rate(regular="100.00"), "member": Rate(regular="80.00")}, 50)
    assert {k: str(v.regular) for k, v in filled.items()} == {
        "standard": "100.00", "member": "80.00", "trainee": "50.00", "member_trainee": "40.00"}


def test_unknown_claims_are_refused_with_the_known_ones_named():
    with pytest.raises(ValueError, match="unknown claim 'astronaut'; expected one of trainee"):
        check_claims({"astronaut"})
    with pytest.raises(TypeError):
        check_claims("trainee")
    with pytest.raises(ValueError):
        quote({"standard": Rate(regular="1.00")}, currency="EUR", on=__import__("datetime").date(2026, 1, 1),
              early_bird_deadline=None, is_member=False, claims={"student"})


def test_the_openapi_document_lists_every_category_and_every_claim(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    series_body = _schema(doc, doc["paths"]["/series"]["post"]["requestBody"]["content"]["application/json"]["schema"])
    assert set(series_body["properties"]["prices"]["properties"]) == set(KEYS)
    quote_params = {p["name"] for p in doc["paths"]["/series/{id}/quote"]["get"]["parameters"]}
    assert set(CLAIM_KEYS) <= quote_params
    apply_body = _schema(doc, doc["paths"]["/series/{id}/applications"]["post"]["requestBody"]["content"][
        "application/json"]["schema"])
    for claim in categories.CLAIMS:
        assert apply_body["properties"][claim.key]["type"] == "boolean"
        assert apply_body["properties"][claim.key]["description"] == claim.description
    assert set(CLAIM_KEYS) <= set(doc["components"]["schemas"]["ApplicationOut"]["required"])


def test_the_pages_read_the_registry(app, api, leader, login, make_user, clock):
    clock.set("2026-10-01T12:00:00Z")
    series = published_series(api(leader))
    detail = page_text(login(make_user()).get(f"/series/{series['id']}"))
    for key in series["prices"]:
        assert LABELS[key] in detail
    assert "Member trainee" not in detail  # no row in this table, so no line on the page
    apply_page = login(make_user()).get(f"/series/{series['id']}/apply").get_data(as_text=True)
    for claim in categories.CLAIMS:
        assert f'name="{claim.key}"' in apply_page and claim.label in apply_page
    new_page = page_text(login(leader).get("/lead/series/new"))
    for label in LABELS.values():
        assert label in new_page


def test_an_application_keeps_its_claims_and_answers_them_as_the_contract_says(app, api, leader, make_user, clock):
    from balint_online.enrollment.models import Application
    from balint_online.extensions import db
    from tests.factories import apply

    clock.set("2026-10-01T12:00:00Z")
    series = published_series(api(leader))
    resident = make_user()
    body = apply(api(resident), series["id"], trainee=True)
    assert body["trainee"] is True and body["price"]["category"] == "trainee"
    assert db.session.get(Application, body["id"]).claims == ["trainee"]
    quoted = api(resident).get(f"/api/v1/series/{series['id']}/quote?trainee=false").get_json()
    assert quoted["category"] == "standard"
