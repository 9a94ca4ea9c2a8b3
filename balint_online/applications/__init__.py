"""The applications' pages and API: applying, the leaders' decisions, withdrawing, offers taken up and the
commitments. They start the flows (flows/applications.py) and show what pricing holds (the price, what
is paid and owed back), so they sit above both."""
