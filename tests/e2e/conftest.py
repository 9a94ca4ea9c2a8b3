"""Browser tests: Debian's Chromium driven by Playwright against the app served on loopback."""

import json
import re
import shutil
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(params=["sqlite"])
def backend(request):
    """The browser walks the pages once, on the embedded database; the data layer is proven elsewhere on both."""
    return request.param


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("Debian's chromium is not installed (make test installs it: scripts/ensure-package)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser):
    """new_page() -> a page in a fresh browser context (its own cookies), phone-sized if asked."""
    contexts = []

    def make(*, phone: bool = False):
        options = {"viewport": {"width": 390, "height": 844},
                   "is_mobile": True} if phone else {"viewport": {"width": 1280, "height": 900}}
        # bypass_csp lets the test inject axe-core; the app itself allows no inline scripts.
        context = browser.new_context(bypass_csp=True, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    yield make
    for context in contexts:
        context.close()


def sign_in(page, base: str, email: str, password: str) -> None:
    """Through the real sign-in form, as a person does; lands on their home page."""
    page.goto(base + "/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/home$"))


def screenshot(page, name: str) -> Path:
    path = ARTIFACTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


@cache
def axe_source() -> str:
    return AXE.read_text()


def serious_accessibility_violations(page) -> list[dict]:
    """Run axe-core in the page; return the serious and critical violations, briefly."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        # Sent to the browser once a context, not once a page: every later page load of the context
        # starts with it (half a walk's time was spent sending the half-megabyte script again).
        page.context.add_init_script(script=axe_source())
        page.add_script_tag(content=axe_source())
    result = page.evaluate("async () => JSON.stringify(await axe.run(document, {resultTypes: ['violations']}))")
    violations = json.loads(result)["violations"]
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in violations if v["impact"] in ("serious", "critical")
    ]
