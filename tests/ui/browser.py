"""Debian's chromium driven by Playwright, and the Airflow UI as a signed-in user sees it.

Playwright's own browsers are never downloaded: the test drives the ``chromium``
that ``scripts/test-packages.sh`` installs from Debian. Every wait is on an element or a
response, with generous limits for a loaded 2-core machine; nothing is decided by
how long something took.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, Route, sync_playwright

#: Milliseconds; the UI's first load compiles nothing but is 7 MB of JavaScript.
PATIENCE_MS = 60_000
#: Where the docs' screenshots live (written only with UPDATE_SCREENSHOTS=1).
DOCS_IMAGES = Path(__file__).parents[2] / "docs" / "_static"


def chromium_path() -> str | None:
    """Debian's chromium, if installed."""
    return shutil.which("chromium")


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Debian chromium (no sandbox: CI runs as root)."""
    executable = chromium_path()
    assert executable is not None, "chromium is not installed (scripts/test-packages.sh)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=["--no-sandbox"]
        )
        try:
            yield browser
        finally:
            browser.close()


class ResponseRecorder:
    """Every body the API server sends to the browser, to search for secrets.

    Routes the page's API calls (``/api/v2/``, ``/ui/``) through Playwright, which
    fetches them from the server and hands the very same reply to the page.
    """

    def __init__(self) -> None:
        self.bodies: list[tuple[str, str]] = []

    def attach(self, page: Page) -> None:
        page.route("**/api/v2/**", self._record)
        page.route("**/ui/**", self._record)

    def _record(self, route: Route) -> None:
        if route.request.resource_type not in ("fetch", "xhr"):
            route.continue_()  # a navigation: the browser follows its redirects itself
            return
        response = route.fetch(max_redirects=0)
        self.bodies.append((route.request.url, response.text()))
        route.fulfill(response=response)

    def containing(self, *needles: str) -> list[str]:
        """URLs of the replies that contain any of ``needles``."""
        return [url for url, body in self.bodies if any(n in body for n in needles)]


def sign_in(page: Page, base_url: str, user: str, password: str) -> None:
    """Through the simple auth manager's login page, as a user would."""
    page.goto(f"{base_url}/connections")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Add Connection").wait_for()


def open_section(dialog: Locator, title: str) -> None:
    """Expand one panel of the connection dialog (the dialog shows one at a time)."""
    trigger = dialog.get_by_role("button", name=title, exact=True)
    if trigger.get_attribute("aria-expanded") != "true":
        trigger.click()
    dialog.page.wait_for_function(
        "([el]) => el.getAttribute('aria-expanded') === 'true'",
        arg=[trigger.element_handle()],
        timeout=PATIENCE_MS,
    )


def field(dialog: Locator, label: str) -> Locator:
    """The input of a dialog field by its visible label."""
    return (
        dialog.get_by_role("group")
        .filter(has=dialog.page.get_by_text(label, exact=True))
        .locator("input, textarea")
        .first
    )


def extra_json(dialog: Locator) -> str:
    """The whole text of the Extra Fields JSON editor.

    The editor (Monaco) draws only the lines that fit its 200 px; it re-lays itself
    out when its box grows, so the box is made tall enough for every line first.
    """
    open_section(dialog, "Extra Fields JSON")
    lines = dialog.locator(".monaco-editor .view-lines").first
    lines.wait_for()
    dialog.page.evaluate(
        "() => { document.querySelector('[role=dialog] .monaco-editor')"
        ".parentElement.style.height = '4000px'; }"
    )
    dialog.page.wait_for_function(
        "() => { const t = document.querySelector('[role=dialog] .monaco-editor .view-lines')"
        ".innerText.replace(/\\u00a0/g, ' ');"
        " try { JSON.parse(t); return true; } catch (e) { return false; } }",
        timeout=PATIENCE_MS,
    )
    return str(lines.inner_text()).replace("\u00a0", " ")


def screenshot(target: Locator | Page, name: str, scratch: Path) -> Path:
    """Save a PNG: into the docs with UPDATE_SCREENSHOTS=1, else into ``scratch``."""
    folder = DOCS_IMAGES if os.environ.get("UPDATE_SCREENSHOTS") == "1" else scratch
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    target.screenshot(path=str(path))
    return path
