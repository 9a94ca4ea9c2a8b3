"""A loopback fake of the parts of Stripe's API the platform uses, and Stripe's way of signing webhooks.

Implements, as documented at https://docs.stripe.com/api: bearer-key authentication, form-encoded
request bodies with bracketed nesting (``line_items[0][price_data][currency]=usd``), JSON answers
and error bodies (``{"error": {"type", "code", "message", "param"}}``), idempotency keys (the same
key and parameters replay the first answer; other parameters are an ``idempotency_error``), and

- POST /v1/checkout/sessions, GET /v1/checkout/sessions/{id}, POST /v1/checkout/sessions/{id}/expire
- POST /v1/refunds (never more than is left unrefunded on the PaymentIntent), GET /v1/refunds/{id}

Tests play the customer and Stripe's back office with `complete` and `set_refund_status`, then
deliver what Stripe would send with `event` and `signature` (``t=...,v1=HMAC-SHA256(secret, "t.payload")``).
Failures and slow answers are scripted with FakeServer.script.
"""

import hashlib
import hmac
import json
import re
import secrets
import time
from urllib.parse import parse_qsl

from tests.video.fakes import FakeServer, Reply, Request

API_VERSION_HEADER = "stripe-version"


def _nest(pairs: list[tuple[str, str]]) -> dict:
    """Stripe's form encoding back into objects: a[b][0][c]=v -> {"a": {"b": [{"c": "v"}]}}."""
    root: dict = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _lists(root)


def _lists(node):
    if isinstance(node, dict):
        node = {k: _lists(v) for k, v in node.items()}
        if node and all(k.isdigit() for k in node):
            return [node[k] for k in sorted(node, key=int)]
    return node


def _error(status: int, message: str, *, type_: str = "invalid_request_error", code: str | None = None,
           param: str | None = None) -> Reply:
    body = {"type": type_, "message": message}
    if code:
        body["code"] = code
    if param:
        body["param"] = param
    return Reply(status, {"error": body}, headers={"Request-Id": "req_" + secrets.token_hex(7)})


def _id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


class FakeStripe(FakeServer):
    def __init__(self, secret_key: str, webhook_secret: str, *, refund_status: str = "pending") -> None:
        super().__init__()
        self.secret_key = secret_key
        self.webhook_secret = webhook_secret
        self.refund_status = refund_status  # what a new card refund starts as
        self.sessions: dict[str, dict] = {}
        self.payment_intents: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self._idempotent: dict[str, tuple[str, Reply]] = {}

    # -- the API ---------------------------------------------------------------------------------

    def route(self, request: Request) -> Reply:
        if request.headers.get("authorization") != f"Bearer {self.secret_key}":
            return _error(401, "Invalid API Key provided.")
        key = request.headers.get("idempotency-key")
        fingerprint = f"{request.method} {request.path} {request.body!r}"
        if request.method == "POST" and key in self._idempotent:
            first, reply = self._idempotent[key]
            if first != fingerprint:
                return _error(400, "Keys for idempotent requests can only be used with the same parameters they "
                                   "were first used with.", type_="idempotency_error")
            return Reply(reply.status, reply.body, headers={**reply.headers, "Idempotent-Replayed": "true"})
        if request.method == "POST" and request.headers.get("content-type", "").split(";")[0] != \
                "application/x-www-form-urlencoded":
            return _error(400, "Stripe takes form-encoded request bodies.")
        params = _nest(parse_qsl(request.body.decode(), keep_blank_values=True))
        routes = [("POST", r"/v1/checkout/sessions", self._create_session),
                  ("GET", r"/v1/checkout/sessions/([^/]+)", self._get_session),
                  ("POST", r"/v1/checkout/sessions/([^/]+)/expire", self._expire_session),
                  ("POST", r"/v1/refunds", self._create_refund),
                  ("GET", r"/v1/refunds/([^/]+)", self._get_refund)]
        for method, pattern, handler in routes:
            match = re.fullmatch(pattern, request.path)
            if match and request.method == method:
                reply = handler(params, *match.groups())
                if request.method == "POST" and key and reply.status < 500:
                    self._idempotent[key] = (fingerprint, reply)
                return reply
        return _error(404, f"Unrecognized request URL ({request.method}: {request.path}).")

    def _create_session(self, params: dict) -> Reply:
        if params.get("mode") != "payment":
            return _error(400, "Missing required param: mode.", param="mode")
        for name in ("success_url", "cancel_url"):
            if not params.get(name, "").startswith(("http://", "https://")):
                return _error(400, f"Not a valid URL: {name}", param=name)
        items = params.get("line_items")
        if not isinstance(items, list) or not items:
            return _error(400, "Missing required param: line_items.", param="line_items")
        total, currency = 0, None
        for i, item in enumerate(items):
            price = item.get("price_data", {})
            if not str(price.get("unit_amount", "")).isdigit():
                return _error(400, "Invalid integer: unit_amount", param=f"line_items[{i}][price_data][unit_amount]")
            named = price.get("product_data", {}).get("name")
            if not re.fullmatch(r"[a-z]{3}", price.get("currency", "")) or not named:
                return _error(400, "Missing currency or product name.", param=f"line_items[{i}][price_data]")
            total += int(price["unit_amount"]) * int(item.get("quantity", "1"))
            currency = price["currency"]
        session_id = _id("cs")
        session = {"id": session_id, "object": "checkout.session", "mode": "payment", "status": "open",
                   "payment_status": "unpaid", "amount_total": total, "amount_subtotal": total, "currency": currency,
                   "client_reference_id": params.get("client_reference_id"), "metadata": params.get("metadata", {}),
                   "payment_intent": None, "success_url": params["success_url"], "cancel_url": params["cancel_url"],
                   "url": f"{self.url}/c/pay/{session_id}", "created": int(time.time()),
                   "expires_at": int(time.time()) + 86400, "livemode": False,
                   "payment_intent_data": params.get("payment_intent_data", {})}
        self.sessions[session_id] = session
        return Reply(200, self._public(session))

    @staticmethod
    def _public(session: dict) -> dict:
        return {k: v for k, v in session.items() if k != "payment_intent_data"}

    def _get_session(self, params: dict, session_id: str) -> Reply:
        session = self.sessions.get(session_id)
        if session is None:
            return _error(404, f"No such checkout.session: '{session_id}'", code="resource_missing", param="session")
        return Reply(200, self._public(session))

    def _expire_session(self, params: dict, session_id: str) -> Reply:
        session = self.sessions.get(session_id)
        if session is None:
            return _error(404, f"No such checkout.session: '{session_id}'", code="resource_missing", param="session")
        if session["status"] != "open":
            return _error(400, "Only Checkout Sessions with a status in [\"open\"] can be expired.")
        session.update(status="expired", url=None)
        return Reply(200, self._public(session))

    def _create_refund(self, params: dict) -> Reply:
        intent = self.payment_intents.get(params.get("payment_intent", ""))
        if intent is None:
            return _error(404, f"No such payment_intent: '{params.get('payment_intent')}'", code="resource_missing",
                          param="payment_intent")
        left = intent["amount"] - intent["amount_refunded"]
        amount = int(params["amount"]) if "amount" in params else left
        if amount <= 0:
            return _error(400, "Invalid positive integer", param="amount")
        if amount > left:
            return _error(400, f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
                          code="amount_too_large", param="amount")
        intent["amount_refunded"] += amount
        refund = {"id": _id("re"), "object": "refund", "amount": amount, "currency": intent["currency"],
                  "payment_intent": intent["id"], "charge": intent["latest_charge"], "status": self.refund_status,
                  "reason": params.get("reason"), "metadata": params.get("metadata", {}), "created": int(time.time())}
        self.refunds[refund["id"]] = refund
        return Reply(200, refund)

    def _get_refund(self, params: dict, refund_id: str) -> Reply:
        refund = self.refunds.get(refund_id)
        if refund is None:
            return _error(404, f"No such refund: '{refund_id}'", code="resource_missing", param="id")
        return Reply(200, refund)

    # -- the customer and the back office ---------------------------------------------------------

    def complete(self, session_id: str, *, paid: bool = True) -> dict:
        """The customer pays on the Checkout page (paid=False: a delayed method, still to clear)."""
        with self.lock:
            session = self.sessions[session_id]
            intent = {"id": _id("pi"), "object": "payment_intent", "amount": session["amount_total"],
                      "currency": session["currency"], "amount_refunded": 0, "latest_charge": _id("ch"),
                      "metadata": session["payment_intent_data"].get("metadata", {})}
            self.payment_intents[intent["id"]] = intent
            session.update(status="complete", payment_status="paid" if paid else "unpaid", payment_intent=intent["id"])
            return dict(self._public(session))

    def clear(self, session_id: str) -> dict:
        """A delayed payment clears."""
        with self.lock:
            self.sessions[session_id]["payment_status"] = "paid"
            return dict(self._public(self.sessions[session_id]))

    def set_refund_status(self, refund_id: str, status: str) -> dict:
        with self.lock:
            self.refunds[refund_id]["status"] = status
            return dict(self.refunds[refund_id])

    def calls(self, method: str, path_start: str) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.method == method and r.path.startswith(path_start)]

    # -- webhooks -----------------------------------------------------------------------------------

    @staticmethod
    def event(type_: str, obj: dict) -> bytes:
        """An event as Stripe posts it: a snapshot of the object at the time."""
        return json.dumps({"id": _id("evt"), "object": "event", "api_version": "2026-10-28.endive",
                           "created": int(time.time()), "type": type_, "livemode": False, "pending_webhooks": 1,
                           "request": {"id": None, "idempotency_key": None}, "data": {"object": obj}}).encode()

    def signature(self, payload: bytes, *, at: int | None = None, secret: str | None = None) -> str:
        timestamp = int(time.time()) if at is None else at
        signed = f"{timestamp}.".encode() + payload
        digest = hmac.new((secret or self.webhook_secret).encode(), signed, hashlib.sha256).hexdigest()
        return f"t={timestamp},v1={digest}"
