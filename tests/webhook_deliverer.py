"""One webhook endpoint in a process of its own, for test_donation_webhook_processes.py.

Run as `python -m tests.webhook_deliverer` with DATABASE_URL and STRIPE_WEBHOOK_SECRET
set. It uses the project's own settings (not the test settings), prints "ready", then for
each line on stdin (a JSON object: the event's body and its Stripe-Signature header) posts
that event to /donate/webhook/stripe/ through Django's whole request handling, as soon as
the line arrives, and prints the answer as one JSON line. Two of these, given the same
line at once, are two workers receiving one event twice at the same moment.
"""

import json
import os
import sys

os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"


def main():
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    connection.ensure_connection()
    client, url = Client(), reverse("articles:donate-webhook-stripe")
    print("ready", flush=True)
    for line in sys.stdin:
        delivery = json.loads(line)
        response = client.post(
            url,
            delivery["payload"],
            content_type="application/json",
            headers={"Stripe-Signature": delivery["signature"]},
            secure=True,  # SECURE_SSL_REDIRECT is on outside DEBUG
        )
        answer = {"status": response.status_code, "body": response.content.decode()}
        print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
