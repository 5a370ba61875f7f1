"""Reader donations: the donation page, Stripe Checkout and the customer portal.

Only Stripe's signed webhook records money in the ledger; these pages start a payment on
Stripe's hosted page and say what is known about it afterwards.
"""
