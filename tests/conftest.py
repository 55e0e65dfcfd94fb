"""Shared test set-up.

Every test run gets its own data folder and keyring. The database is SQLite in that folder, or the
PostgreSQL database named by CLAIMLINE_DATABASE_URL (CI creates a fresh one per run). Tables are
emptied after each test.
"""

from __future__ import annotations

import os
import re
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

_DATA_DIR = Path(tempfile.mkdtemp(prefix="claimline-test-"))
os.environ["CLAIMLINE_ENVIRONMENT"] = "test"
os.environ["CLAIMLINE_DATA_DIR"] = str(_DATA_DIR)
os.environ.pop("CLAIMLINE_KEYRING_PATH", None)
os.environ.setdefault("CLAIMLINE_LOG_LEVEL", "WARNING")

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import delete  # noqa: E402

from claimline.config import get_settings  # noqa: E402
from claimline.db import Base, get_engine, session_scope  # noqa: E402
from claimline.migrate import upgrade  # noqa: E402

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session", autouse=True)
def database() -> Iterator[str]:
    url = get_settings().effective_database_url
    upgrade(url)
    yield url


def empty_all_tables() -> None:
    import claimline.models  # noqa: F401

    with get_engine().begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(delete(table))


@pytest.fixture(autouse=True)
def clean_tables(database: str) -> Iterator[None]:
    yield
    empty_all_tables()


@pytest.fixture
def app():  # type: ignore[no-untyped-def]
    from claimline.web.app import create_app

    return create_app()


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def make_user(username: str, role: str, password: str = PASSWORD) -> int:
    from claimline.audit.service import SYSTEM_ACTOR
    from claimline.users.service import create_user

    with session_scope() as session:
        return create_user(session, SYSTEM_ACTOR, username=username, display_name=f"测试{username}", role=role,
                           password=password).id


def api_login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log in through the JSON API; returns the CSRF token and sets it as a default header."""
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    token = response.json()["csrf_token"]
    client.headers["X-CSRF-Token"] = token
    return token


def page_csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


@pytest.fixture
def login_as(client: TestClient):  # type: ignore[no-untyped-def]
    """login_as("agent") creates a user of that role and logs the client in."""

    def _login(role: str, username: str | None = None) -> int:
        name = username or f"{role}1"
        user_id = make_user(name, role)
        api_login(client, name)
        return user_id

    return _login


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(database: str) -> Iterator[str]:
    """The real app served by uvicorn in a thread, for browser tests."""
    import uvicorn

    from claimline.web.app import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: run `apt-get install chromium` (make test does it)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()
