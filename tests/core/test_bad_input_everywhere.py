"""Every write endpoint of the API answers bad input with a 4xx in the contract's shape, never a 500."""

import re

from tests.factories import apply, published_series

GARBAGE = [
    None, [], "text", 12, {"x": {"y": [1, 2]}},
    {"amount": 12.5, "method": ["cheque"], "reason": {"a": 1}, "trainee": "yes", "attestation": "all true",
     "starts_at_local": 5, "unavailable_meeting_ids": "1,2", "meeting_id_a": "one", "user_id_a": None,
     "title": "x" * 10000, "timezone": 3, "prices": [1], "note": ["n"], "case_title": 7, "skip_dates": [None]},
]


def test_no_write_endpoint_fails_on_garbage(app, api, make_user):
    leader = make_user("leader")
    admin = make_user("admin")
    member = make_user()
    series = published_series(api(leader), capacity=2, meeting_count=4)
    application = apply(api(member), series["id"])
    api(leader).post(f"/api/v1/applications/{application['id']}/accept")
    ids = {"series_id": series["id"], "meeting_id": series["meetings"][1]["id"], "application_id": application["id"],
           "request_id": 1, "id": series["id"], "provider": "invoice"}
    writes = [(rule.rule, sorted(rule.methods - {"HEAD", "OPTIONS", "GET"})) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/") and rule.methods & {"POST", "PUT", "PATCH", "DELETE"}]
    assert len(writes) >= 15
    for rule, methods in writes:
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids.get(m.group(1), 1)), rule)
        for who in (leader, admin, member):
            client = api(who)
            for method in methods:
                for body in GARBAGE:
                    kwargs = {"data": "{broken", "content_type": "application/json"} if body is None else {"json": body}
                    resp = getattr(client, method.lower())(path, **kwargs)
                    assert resp.status_code < 500, (method, path, body, resp.get_data(as_text=True)[:300])
                    if resp.status_code >= 400:
                        assert {"error", "message", "fields"} <= set(resp.get_json()), (method, path)
