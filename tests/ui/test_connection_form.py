"""The ``swift`` connection as a user sees it: Airflow's UI in a real browser.

A real API server (``tests.airflow_stack``, UI included, on a temp AIRFLOW_HOME) and a
real local Swift whose user key is random; Debian's chromium, driven by Playwright,
signs in through the login page and uses the Add / Edit Connection dialogs and the
list's Test button. Secrets (the user key, an application-credential secret, a token
and a temp URL key, all random) are then searched for on every surface: the form,
the Extra JSON editor, every reply the browser received, the CLI, the server's log.

Screenshots for docs/connections.md are written by these tests: into docs/_static
with ``UPDATE_SCREENSHOTS=1``, else into a temp folder.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import metadata
from pathlib import Path

import pytest

pytest.importorskip("playwright")

from playwright.sync_api import Browser, Locator, Page

from airflow_provider_swift.hooks.form import AUTH_TYPE_LABELS
from airflow_provider_swift.testing.server import LocalSwift, TempAuthUser
from tests.airflow_stack import AirflowStack, airflow_stack
from tests.ui.browser import (
    PATIENCE_MS,
    ResponseRecorder,
    chromium,
    chromium_path,
    extra_json,
    open_section,
    screenshot,
    sign_in,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium_path() is None, reason="no chromium (scripts/test-packages.sh)"),
    pytest.mark.skipif(
        metadata("apache-airflow")["Version"].startswith("3.0."),
        reason="Airflow 3.0's connection dialog shows no provider fields (only the standard "
        "ones and the Extra JSON; docs/connections.md), and its providers page does not "
        "link to a provider's Documentation URL",
    ),
]

CONN_ID = "swift_ui"
SECTIONS = [
    "Swift: authentication",
    "Swift: Keystone v3 scope and endpoint",
    "Swift: temporary URLs",
    "Swift: TLS",
    "Swift: timeouts and retries",
    "Swift: swift:// paths (ObjectStoragePath)",
]
SECRET_INPUTS = {
    "Swift: authentication": ["application_credential_secret", "token"],
    "Swift: temporary URLs": ["temp_url_secret"],
}


@dataclass(frozen=True)
class Secrets:
    """Random secrets: each must show up nowhere but where it is typed in."""

    key: str = "key-" + secrets.token_hex(12)
    application_credential: str = "acs-" + secrets.token_hex(12)
    token: str = "tok-" + secrets.token_hex(12)
    temp_url: str = "tuk-" + secrets.token_hex(12)
    wrong_key: str = "wrong-" + secrets.token_hex(12)

    def all(self) -> tuple[str, ...]:
        return (self.key, self.application_credential, self.token, self.temp_url, self.wrong_key)


@dataclass(frozen=True)
class UI:
    stack: AirflowStack
    swift: LocalSwift
    admin_password: str
    secrets: Secrets
    scratch: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.stack.port}"


@pytest.fixture(scope="module")
def ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UI]:
    """Swift with a random key, and an API server that signs users in with a password
    (the simple auth manager, not its all-admins mode) and may test connections."""
    found = Secrets()
    folder = tmp_path_factory.mktemp("ui")
    (folder / "dags").mkdir()
    admin_password = "admin-" + secrets.token_hex(8)
    passwords = folder / "passwords.json"
    passwords.write_text(json.dumps({"admin": admin_password}))
    env = {
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
        "AIRFLOW__CORE__TEST_CONNECTION": "Enabled",
    }
    with (
        LocalSwift(users=(TempAuthUser("test", "tester", found.key),)) as swift,
        airflow_stack(folder / "dags", env, apps="all", components=("api-server",)) as stack,
        stack.report_failures(),
    ):
        yield UI(stack, swift, admin_password, found, folder / "screenshots")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


@dataclass
class Session:
    page: Page
    replies: ResponseRecorder


@pytest.fixture
def session(ui: UI, browser: Browser) -> Iterator[Session]:
    """A signed-in page on the connections list, recording every API reply."""
    context = browser.new_context(viewport={"width": 1280, "height": 1200})
    context.set_default_timeout(PATIENCE_MS)
    page = context.new_page()
    replies = ResponseRecorder()
    replies.attach(page)
    sign_in(page, ui.base_url, "admin", ui.admin_password)
    yield Session(page, replies)
    context.close()


def open_add_dialog(page: Page) -> Locator:
    page.get_by_role("button", name="Add Connection").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("combobox", name="Connection Type").fill("OpenStack Swift")
    page.get_by_role("option", name="OpenStack Swift", exact=True).click()
    dialog.get_by_role("button", name=SECTIONS[0], exact=True).wait_for()
    return dialog


def choose(dialog: Locator, field_id: str, label: str) -> None:
    dialog.locator(f"#element_{field_id}").click()
    dialog.page.get_by_role("option", name=label, exact=True).click()


def add_connection(page: Page, ui: UI, conn_id: str, password: str) -> None:
    """Fill the Add dialog as a tempauth user would (port: the auth URL's, so the
    list's Test button works), with every secret field set, and save."""
    dialog = open_add_dialog(page)
    dialog.get_by_label("Connection ID").fill(conn_id)
    dialog.get_by_label("Auth URL", exact=True).fill(ui.swift.auth_url)
    dialog.get_by_label("User", exact=True).fill(ui.swift.user.login)
    dialog.get_by_label("Password / key", exact=True).fill(password)
    dialog.get_by_label("Port", exact=True).fill(str(ui.swift.ports["proxy"]))
    open_section(dialog, "Swift: authentication")
    choose(dialog, "auth_type", AUTH_TYPE_LABELS["tempauth"])
    dialog.locator("#element_application_credential_secret").fill(ui.secrets.application_credential)
    dialog.locator("#element_token").fill(ui.secrets.token)
    open_section(dialog, "Swift: temporary URLs")
    dialog.locator("#element_temp_url_secret").fill(ui.secrets.temp_url)
    dialog.get_by_role("button", name="Save").click()
    dialog.wait_for(state="hidden")
    row(page, conn_id).wait_for()


def row(page: Page, conn_id: str) -> Locator:
    return page.get_by_role("row").filter(has=page.get_by_role("cell", name=conn_id, exact=True))


def test_connection(page: Page, conn_id: str) -> Locator:
    """Press the row's Test button; the toast that answers."""
    row(page, conn_id).get_by_role("button", name="Test Connection").click()
    toast = page.locator("[data-scope=toast][data-part=root]").filter(has_text="Test Connection")
    toast.first.wait_for()
    return toast.first


test_connection.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


@pytest.fixture(scope="module")
def saved(ui: UI, browser: Browser) -> str:
    """``swift_ui``, added through the dialog with the right key."""
    context = browser.new_context(viewport={"width": 1280, "height": 1200})
    context.set_default_timeout(PATIENCE_MS)
    page = context.new_page()
    sign_in(page, ui.base_url, "admin", ui.admin_password)
    add_connection(page, ui, CONN_ID, ui.secrets.key)
    context.close()
    return CONN_ID


def stored_extra(ui: UI, conn_id: str) -> dict[str, object]:
    out = ui.stack.airflow("connections", "get", conn_id, "-o", "json")
    (conn,) = json.loads(out[out.index("[") :])
    extra: dict[str, object] = conn["extra_dejson"]
    return extra


# -- the form -------------------------------------------------------------------------


def test_add_dialog_shows_swift_fields_with_labels_and_sections(session: Session, ui: UI) -> None:
    dialog = open_add_dialog(session.page)
    for label in ("Auth URL", "User", "Password / key", "Port"):
        assert dialog.get_by_label(label, exact=True).is_visible(), label
    assert dialog.get_by_label("Schema", exact=True).count() == 0
    assert dialog.get_by_label("Password / key", exact=True).get_attribute("type") == "password"
    triggers = dialog.locator("[data-scope=accordion][data-part=item-trigger]")
    titles = [t.strip() for t in triggers.all_inner_texts()]
    assert titles == ["Standard Fields", *SECTIONS, "Extra Fields JSON"]
    screenshot(dialog, "connection-add", ui.scratch)


def test_auth_type_is_a_labelled_dropdown_without_null(session: Session, ui: UI) -> None:
    dialog = open_add_dialog(session.page)
    open_section(dialog, "Swift: authentication")
    dialog.locator("#element_auth_type").click()
    options = session.page.get_by_role("option").all_inner_texts()
    assert options == list(AUTH_TYPE_LABELS.values())
    assert not any("null" in option for option in options)
    session.page.get_by_role("option", name=AUTH_TYPE_LABELS["tempauth"], exact=True).click()
    assert dialog.get_by_text(AUTH_TYPE_LABELS["tempauth"], exact=True).is_visible()
    assert dialog.get_by_text("How to authenticate. Empty: inferred").is_visible()
    screenshot(dialog, "connection-auth", ui.scratch)


def test_every_secret_field_is_a_password_input(session: Session) -> None:
    dialog = open_add_dialog(session.page)
    for section, field_ids in SECRET_INPUTS.items():
        open_section(dialog, section)
        for field_id in field_ids:
            assert dialog.locator(f"#element_{field_id}").get_attribute("type") == "password"


def test_untouched_fields_are_stored_unset(ui: UI, saved: str) -> None:
    extra = stored_extra(ui, saved)
    typed = {
        "auth_type": "tempauth",
        "application_credential_secret": ui.secrets.application_credential,
        "token": ui.secrets.token,
        "temp_url_secret": ui.secrets.temp_url,
    }
    assert {k: v for k, v in extra.items() if v is not None} == typed


# -- testing from the UI --------------------------------------------------------------


def test_the_lists_test_button_connects(session: Session, saved: str) -> None:
    toast = test_connection(session.page, saved)
    assert "Test Connection Successful" in toast.inner_text()
    assert "Connected to Swift" in toast.inner_text()


def test_a_wrong_key_fails_without_showing_a_secret(session: Session, ui: UI) -> None:
    add_connection(session.page, ui, "swift_ui_wrong", ui.secrets.wrong_key)
    toast = test_connection(session.page, "swift_ui_wrong")
    message = toast.inner_text()
    assert "Test Connection Failed" in message
    assert "401" in message or "auth" in message.lower()
    assert not [s for s in ui.secrets.all() if s in message]


# -- masking --------------------------------------------------------------------------


def test_reopened_connection_keeps_every_secret_masked(
    session: Session, ui: UI, saved: str
) -> None:
    page = session.page
    row(page, saved).get_by_role("button", name="Edit Connection").click()
    dialog = page.get_by_role("dialog")
    password = dialog.get_by_label("Password / key", exact=True)
    assert password.get_attribute("type") == "password"
    assert password.input_value() == "***"
    screenshot(dialog, "connection-edit", ui.scratch)
    for section, field_ids in SECRET_INPUTS.items():
        open_section(dialog, section)
        for field_id in field_ids:
            secret = dialog.locator(f"#element_{field_id}")
            assert secret.get_attribute("type") == "password"
            assert secret.input_value() == "***"
    extra = json.loads(extra_json(dialog))
    assert {k: extra[k] for k in ("application_credential_secret", "token", "temp_url_secret")} == {
        "application_credential_secret": "***",
        "token": "***",
        "temp_url_secret": "***",
    }
    html = page.content()
    assert not [s for s in ui.secrets.all() if s in html]
    assert session.replies.bodies, "no API reply was recorded"
    assert session.replies.containing(*ui.secrets.all()) == []


def test_cli_listings_mask_every_secret(ui: UI, saved: str) -> None:
    listed = ui.stack.airflow("connections", "list", "-o", "json")
    assert saved in listed
    assert not [s for s in ui.secrets.all() if s in listed]
    shown = ui.stack.airflow(
        "connections", "list", "--show-values", "--hide-sensitive", "-o", "json"
    )
    (conn,) = [c for c in json.loads(shown[shown.index("[") :]) if c["conn_id"] == saved]
    assert conn["password"] == "***"
    assert conn["extra_dejson"] == "***"
    # ``airflow connections add`` echoes the connection with extras redacted by name
    added = ui.stack.airflow(
        "connections",
        "add",
        "swift_cli",
        "--conn-json",
        json.dumps(
            {
                "conn_type": "swift",
                "host": ui.swift.auth_url,
                "login": ui.swift.user.login,
                "password": ui.secrets.key,
                "extra": {
                    "application_credential_secret": ui.secrets.application_credential,
                    "token": ui.secrets.token,
                    "temp_url_secret": ui.secrets.temp_url,
                },
            }
        ),
    )
    assert not [s for s in ui.secrets.all() if s in added]


def test_the_api_servers_log_shows_no_secret(ui: UI, saved: str) -> None:
    log = ui.stack.log_text("api-server")
    assert not [s for s in ui.secrets.all() if s in log]


# -- the providers page ---------------------------------------------------------------


def test_providers_page_links_to_the_projects_documentation(session: Session, ui: UI) -> None:
    urls = dict(
        entry.split(", ", 1) for entry in metadata("airflow-provider-swift").get_all("Project-URL")
    )
    page = session.page
    page.goto(f"{ui.base_url}/providers")
    link = page.get_by_role("link", name="airflow-provider-swift")
    link.wait_for()
    assert link.get_attribute("href") == urls["Documentation"]
