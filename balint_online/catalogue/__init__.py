"""The series' pages, API and jobs: the catalogue, a series' page, the leader's pages and endpoints that
create, edit and publish a series and change its meetings. They start the flows (flows/series.py) and
show what higher features hold (a member's place, the credit, the feeds), so they sit above both."""
