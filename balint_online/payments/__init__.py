"""The money's JSON endpoints (blueprint "pricing_api"): a quote, recording a payment, granting a scholarship,
and the payment providers' notifications. The scholarship's answer is the application's (applications'
schemas, which show what pricing holds), so they sit above applications; what they change is pricing's."""
