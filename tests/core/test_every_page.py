"""Every page reachable by links, as a visitor, a member, a leader and an admin of the demo society:
it renders, and every table cell is labelled with its column for phones (the convention in site.css)."""

import re
from datetime import date

import pytest

from tests.browser import page_text
from tests.site_walk import ROLES, reachable_pages, realistic_society, signed_in_client, unlabelled_cells


@pytest.fixture
def society(app, clock):
    clock.set("2026-10-01T12:00:00Z")
    realistic_society(date(2026, 10, 1))


@pytest.mark.parametrize("role", ROLES)
def test_every_table_cell_on_every_page_carries_its_column_label(app, society, role):
    pages = reachable_pages(app, signed_in_client(app, role))
    paths = [path for path, _ in pages]
    expected = {
        "visitor": [r"/", r"/sign-in", r"/sign-up", r"/series/\d+"],
        "member": [r"/home", r"/account", r"/calendar", r"/applications/\d+", r"/series/\d+/rotation"],
        "leader": [r"/lead", r"/lead/series/\d+", r"/lead/series/\d+/applications", r"/lead/series/\d+/attendance"],
        "admin": [r"/admin/", r"/admin/series", r"/admin/series/\d+/ledger", r"/admin/log", r"/design"],
    }[role]
    unreached = [pattern for pattern in expected if not any(re.fullmatch(pattern, path) for path in paths)]
    assert unreached == [], f"{role} reached no page like {unreached}"
    cells, missing = 0, {}
    for path, html in pages:
        count, unlabelled = unlabelled_cells(html)
        cells += count
        if unlabelled:
            missing[path] = unlabelled[:3]
    assert cells > 0
    assert missing == {}, f"cells without data-label as {role}: {missing}"


def test_the_design_page_shows_the_components_and_a_failed_form_its_error_summary(client):
    page = page_text(client.get("/design"))
    for piece in ('class="button"', 'class="button secondary"', 'class="button danger"', 'class="link-button"',
                  'class="badge badge-ok"', 'class="table money-table"', 'class="facts"', 'class="pager"',
                  'class="empty"', 'class="flash flash-error"', 'class="cards"'):
        assert piece in page, piece
    assert "error-summary" not in page

    sent = page_text(client.submit("/design", {"name": "", "email": "not an address"}))
    summary = sent.split('class="error-summary"')[1].split("</div>")[0]
    assert "Enter your full name." in summary and "Enter an address like name@example.org." in summary
    assert 'href="#name"' in summary
    assert 'aria-invalid="true"' in sent

    done = client.submit(
        "/design",
        {"name": "Dr Jo", "email": "jo@example.org", "discipline": "physician", "agree": "y"},
        follow_redirects=True,
    )
    assert "Nothing was stored" in page_text(done)
