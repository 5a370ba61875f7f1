"""A Stripe stand-in on a local port: the calls the donation pages make (Checkout
Sessions, their lookup, customer portal sessions) and the webhook's invoice-payments
look-up, answered as Stripe's API answers them, each request recorded. The official
library talks to it over real HTTP (STRIPE_API_BASE), so the tests cover what it sends,
encoding included.

Each call's parameters are checked against the library's own description of what Stripe
takes (REQUEST_SHAPES). Not localstripe: it has no Checkout Sessions, customer portal or
invoice payments (README, "Libraries, and why").
"""

import json
import secrets
import threading
import typing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import typing_extensions
from stripe.params import InvoicePaymentListParams
from stripe.params.billing_portal import SessionCreateParams as PortalSessionCreateParams
from stripe.params.checkout import SessionCreateParams

# What Stripe takes at each call, as the library's own parameter types describe it (they
# are generated from Stripe's OpenAPI description). A parameter Stripe does not know is
# refused as Stripe refuses it, so a misspelt or moved parameter fails here, not live.
REQUEST_SHAPES = {
    ("POST", "/v1/checkout/sessions"): SessionCreateParams,
    ("POST", "/v1/billing_portal/sessions"): PortalSessionCreateParams,
    ("GET", "/v1/invoice_payments"): InvoicePaymentListParams,
}
_OPTIONAL = (typing.NotRequired, typing.Required, typing_extensions.NotRequired)


def unknown_parameter(shape, key):
    """Whether `shape` lacks a form key ("line_items[0][price_data][currency]")."""
    shapes = [shape]
    for segment in key.replace("]", "").split("["):
        shapes = [inner for outer in shapes for inner in _inside(outer, segment)]
        if not shapes:
            return True
    return False


def _inside(shape, segment):
    origin = typing.get_origin(shape)
    if typing_extensions.is_typeddict(shape):
        raw = shape.__annotations__.get(segment)
        if raw is None:
            return []
        # One field at a time: the parameters' base class names types only imported
        # for type checkers, so the whole class cannot be resolved at once.
        field = type("Field", (), {"__annotations__": {segment: raw}})
        field.__module__ = shape.__module__
        return _alternatives(typing.get_type_hints(field)[segment])
    if origin is list and segment.isdigit():
        return _alternatives(typing.get_args(shape)[0])
    if origin is dict:  # metadata: any key
        return _alternatives(typing.get_args(shape)[1])
    return []


def _alternatives(shape):
    origin = typing.get_origin(shape)
    if origin in _OPTIONAL:
        return _alternatives(typing.get_args(shape)[0])
    if origin is typing.Union:
        return [inner for arg in typing.get_args(shape) for inner in _alternatives(arg)]
    return [shape]


class FakeStripe:
    def __init__(self):
        self.requests = []
        self.sessions = {}
        self.invoice_payments = []
        self.failing = False
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def created(self, path):
        """The parameters of each POST to `path`, as flat form keys."""
        return [params for method, at, params in self.requests if (method, at) == ("POST", path)]

    def complete(self, session_id, **fields):
        """What Stripe's page does once the reader has paid."""
        session = self.sessions[session_id]
        session.update(status="complete", payment_status="paid", customer="cus_test_1", **fields)
        return session

    def pay_invoice(self, invoice, payment_intent):
        """What Stripe keeps when a payment intent pays an invoice (an InvoicePayment)."""
        self.invoice_payments.append(
            {
                "id": f"inpay_{secrets.token_hex(8)}",
                "object": "invoice_payment",
                "invoice": invoice,
                "status": "paid",
                "payment": {"type": "payment_intent", "payment_intent": payment_intent},
            }
        )

    def list_invoice_payments(self, query):
        """GET /v1/invoice_payments, filtered as Stripe filters it."""
        found = [
            payment
            for payment in self.invoice_payments
            if query.get("invoice", payment["invoice"]) == payment["invoice"]
            and query.get("status", payment["status"]) == payment["status"]
            and query.get("payment[payment_intent]", payment["payment"]["payment_intent"])
            == payment["payment"]["payment_intent"]
        ]
        found = found[: int(query.get("limit", 10))]
        return {"object": "list", "url": "/v1/invoice_payments", "has_more": False, "data": found}

    def create_session(self, params):
        session_id = f"cs_test_{secrets.token_hex(12)}"
        session = {
            "id": session_id,
            "object": "checkout.session",
            "url": f"{self.url}/pay/{session_id}",
            "status": "open",
            "payment_status": "unpaid",
            "mode": params.get("mode"),
            "currency": params.get("currency"),
            "amount_total": int(params.get("line_items[0][price_data][unit_amount]", 0)),
            "customer": None,
            "customer_email": params.get("customer_email"),
            "payment_intent": None,
            "invoice": None,
            "metadata": {
                key[len("metadata[") : -1]: value
                for key, value in params.items()
                if key.startswith("metadata[")
            },
        }
        self.sessions[session_id] = session
        return session


def _handler(stripe):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _answer(self, status, body, content_type="application/json"):
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status, message, code):
            error = {"type": "invalid_request_error", "message": message, "code": code}
            self._answer(status, {"error": error})

        def _refused(self, path, params):
            shape = REQUEST_SHAPES.get((self.command, path))
            unknown = [key for key in params if shape and unknown_parameter(shape, key)]
            if unknown:
                message = f"Received unknown parameter: {unknown[0]}"
                self._error(400, message, "parameter_unknown")
            return bool(unknown)

        def do_GET(self):
            stripe.requests.append(("GET", self.path, {}))
            if self.path.startswith("/pay/") or self.path.startswith("/portal/"):
                page = "<!doctype html><html lang=en><title>Fake Checkout</title><h1>Pay</h1>"
                return self._answer(200, page, "text/html")
            if stripe.failing:
                return self._error(500, "Stripe is down", "api_error")
            path, _, query = self.path.partition("?")
            if path == "/v1/invoice_payments":
                params = dict(parse_qsl(query))
                if self._refused(path, params):
                    return None
                return self._answer(200, stripe.list_invoice_payments(params))
            prefix = "/v1/checkout/sessions/"
            session = stripe.sessions.get(self.path.removeprefix(prefix).split("?")[0])
            if not self.path.startswith(prefix) or session is None:
                return self._error(404, "No such checkout.session", "resource_missing")
            self._answer(200, session)

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            params = dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
            stripe.requests.append(("POST", self.path, params))
            if not self.headers.get("Authorization", "").startswith("Bearer sk_test_"):
                return self._error(401, "Invalid API Key provided", "api_key_invalid")
            if stripe.failing:
                return self._error(500, "Stripe is down", "api_error")
            if self._refused(self.path, params):
                return None
            if self.path == "/v1/checkout/sessions":
                return self._answer(200, stripe.create_session(params))
            if self.path == "/v1/billing_portal/sessions":
                portal = {
                    "id": f"bps_{secrets.token_hex(8)}",
                    "object": "billing_portal.session",
                    "url": f"{stripe.url}/portal/{params['customer']}",
                    "customer": params["customer"],
                    "return_url": params.get("return_url"),
                }
                return self._answer(200, portal)
            self._error(404, f"Unrecognized request URL (POST: {self.path})", "not_found")

    return Handler
