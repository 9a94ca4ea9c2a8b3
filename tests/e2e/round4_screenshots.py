"""Screenshots of the pages a clinician decides on, at 1280 and 390 px, over the demo data.

    .venv/bin/python -m tests.e2e.round4_screenshots test-artifacts/round4/after

Serves a fresh SQLite database loaded with `load_demo` at a fixed date, so that two checkouts give
comparable pictures (issue 16 asks for before/after shots of these pages).
"""

import shutil
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from tests.e2e.conftest import CHROMIUM_ARGS

TODAY = date(2026, 12, 6)
PASSWORD = "demo-password-1"


def shoot(out: Path) -> None:
    import os

    os.environ["BALINT_CONFIG"] = "testing"
    from flask_migrate import upgrade
    from playwright.sync_api import sync_playwright
    from sqlalchemy import select

    from balint_online import create_app
    from balint_online.demo import load_demo
    from balint_online.extensions import db
    from balint_online.series.models import Series
    from tests.live import live_server

    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'shots.db'}",
                      "FROZEN_NOW": f"{TODAY.isoformat()}T15:00:00+00:00"})
    with app.app_context():
        upgrade(revision="heads")
        load_demo(today=TODAY)
        db.session.commit()
        evening, southern = (db.session.scalar(select(Series.id).where(Series.title.startswith(t)))
                             for t in ("Evening", "Southern"))
        first = db.session.get(Series, evening).meetings[0].starts_at
        with live_server(app) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)

            def page_for(width, email=None):
                context = browser.new_context(viewport={"width": width, "height": 900 if width > 500 else 844},
                                              is_mobile=width < 500)
                page = context.new_page()
                if email:
                    page.goto(base + "/sign-in")
                    page.get_by_label("Email").fill(email)
                    page.get_by_label("Password").fill(PASSWORD)
                    page.get_by_role("button", name="Sign in").click()
                    page.wait_for_url("**/home")
                return page

            shots = [
                ("catalogue", None, "/"),
                ("series-page-visitor", None, f"/series/{evening}"),
                ("series-page-enrolled", "member.jo@demo.balint.test", f"/series/{evening}"),
                ("apply-form", "member.jo@demo.balint.test", f"/series/{southern}/apply"),
                ("member-home", "member.jo@demo.balint.test", "/home"),
                ("member-home-pending", "member.priya@demo.balint.test", "/home"),
                ("leader-home", "leader.ruth@demo.balint.test", "/home"),
                ("leader-lead", "leader.ruth@demo.balint.test", "/lead"),
                ("leader-workspace", "leader.ruth@demo.balint.test", f"/lead/series/{evening}"),
            ]
            for width in (1280, 390):
                pages = {}
                for name, who, path in shots:
                    if who not in pages:
                        pages[who] = page_for(width, who)
                    page = pages[who]
                    page.goto(base + path)
                    page.screenshot(path=str(out / f"{name}-{width}.png"), full_page=True)
                for page in pages.values():
                    page.context.close()
            # The member's home when the first meeting's way in is open.
            app.config["FROZEN_NOW"] = (first - timedelta(minutes=10)).isoformat()
            assert app.test_cli_runner().invoke(args=["jobs", "run-due"]).exit_code == 0
            db.session.remove()
            for width in (1280, 390):
                page = page_for(width, "member.jo@demo.balint.test")
                page.screenshot(path=str(out / f"member-home-join-open-{width}.png"), full_page=True)
                page.context.close()
            browser.close()
    shutil.rmtree(tmp)


if __name__ == "__main__":
    shoot(Path(sys.argv[1]))
