"""A Stripe stand-in on a local port: the calls the donation pages make (Checkout
Sessions, their lookup, customer portal sessions) and the webhook's invoice-payments
look-up, answered as Stripe's API answers them,
each request recorded. The official library talks to it over real HTTP
(STRIPE_API_BASE), so the tests cover what it sends, encoding included.

Not localstripe: whether it answers Checkout Sessions with price_data and the customer
portal as Stripe does was not checked; this stand-in answers exactly those calls.
"""

import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl


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

        def do_GET(self):
            stripe.requests.append(("GET", self.path, {}))
            if self.path.startswith("/pay/") or self.path.startswith("/portal/"):
                page = "<!doctype html><html lang=en><title>Fake Checkout</title><h1>Pay</h1>"
                return self._answer(200, page, "text/html")
            if stripe.failing:
                return self._error(500, "Stripe is down", "api_error")
            path, _, query = self.path.partition("?")
            if path == "/v1/invoice_payments":
                return self._answer(200, stripe.list_invoice_payments(dict(parse_qsl(query))))
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
