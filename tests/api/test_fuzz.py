"""The API fuzzed with schemathesis from its own OpenAPI document, as a leader, a member and an admin.

Every operation gets a bounded, derandomised run of generated requests, valid and invalid, against
the app; a server error or an answer the document does not describe (status, content type, body)
fails the test, listing every such case.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import BACKENDS
from tests.factories import apply, published_series

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 25
# Ids the seeded data has (tables restart their sequences per test): generated ids are steered here
# most of the time, so that requests reach real series, meetings and applications, not only 404s.
KNOWN_IDS = 8


@pytest.fixture(params=BACKENDS[-1:])
def backend(request):
    """The fuzz runs on one database, production's when the run has it: it proves the HTTP contract, and
    generating its requests is most of its cost. The data layer is proven on both databases elsewhere."""
    return request.param


def test_the_document_is_valid_and_documents_every_route_and_refusal(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    validate(doc)
    operations = {(path, method): op for path, item in doc["paths"].items() for method, op in item.items()}
    routes = {(rule.rule, method) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert len(operations) == len(routes)
    for (path, method), op in operations.items():
        codes = set(op["responses"])
        if op.get("security", doc["security"]) != []:
            assert "401" in codes, (method, path)
        if "requestBody" in op:
            assert {"400", "413", "415", "422"} <= codes, (method, path)
        if "{id}" in path:
            assert "404" in codes, (method, path)
    # One definition per schema: pydantic names a model used both ways "X-Input" and "X-Output".
    assert not [name for name in doc["components"]["schemas"] if name.endswith(("-Input", "-Output"))]


def _seed(api, make_user):
    leader, member, other, admin = make_user("leader"), make_user(), make_user(), make_user("admin")
    series = published_series(api(leader), capacity=3, meeting_count=4)
    for person in (member, other):
        application = apply(api(person), series["id"])
        api(leader).post(f"/api/v1/applications/{application['id']}/accept")
    api(admin).post(f"/api/v1/applications/{application['id']}/payments", json={"amount": "100.00", "method": "card"})
    published_series(api(leader), title="Second group")
    return {"leader": leader, "member": member, "admin": admin}


@pytest.mark.parametrize("role", ["leader", "member", "admin"])
def test_no_server_error_and_every_answer_as_documented(app, api, make_user, role):
    people = _seed(api, make_user)
    token = api(people[role]).headers
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures, requests = [], 0

    for result in schema.get_all_operations():
        operation = result.ok()

        # Valid requests and requests the document says are invalid (which must be refused with a 4xx).
        cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                          operation.as_strategy(GenerationMode.NEGATIVE))

        @given(case=cases, steer=st.integers(0, 9))
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case, steer):
            nonlocal requests
            if steer < 8:
                for name, value in (case.path_parameters or {}).items():
                    if isinstance(value, int):
                        case.path_parameters[name] = 1 + value % KNOWN_IDS
            response = case.call(headers={**token, **(case.headers or {})})
            requests += 1
            try:
                case.validate_response(response, checks=CHECKS)
            except (AssertionError, FailureGroup) as exc:  # every failing case is listed, not only the first
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {exc}"[:600])

        run()

    print(f"schemathesis as {role}: {requests} requests, {len(failures)} failures")
    assert not failures, "\n".join(failures)
