"""Browser-test fixtures: a real `streamlit run app.py` on 127.0.0.1 and Debian's Chromium.

The server reads a synthetic data directory (tests.synthetic_data) and is stopped after the
session; every test gets a fresh browser context whose requests are recorded so a test can
fail on any request to a host other than the app's own.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.browser.server import streamlit_server
from tests.synthetic_data import write_data_dir

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CONFLICTMAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@contextlib.contextmanager
def _streamlit_server(tmp_path_factory, **env_extra):
    """Run `streamlit run app.py` on a free local port with a synthetic data directory."""
    if not (ROOT / "static" / "vendor" / "leaflet" / "leaflet.js").exists():
        pytest.fail("static/vendor/leaflet is missing: run `bash scripts/setup.sh` first")
    data = write_data_dir(tmp_path_factory.mktemp("browserdata") / "data")
    log_path = tmp_path_factory.mktemp("serverlog") / "streamlit.log"
    with streamlit_server(data, log_path, extra_env=env_extra, timeout=60) as (url, _proc):
        yield url


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """The app with default settings (48 incidents: one marker each)."""
    with _streamlit_server(tmp_path_factory) as url:
        yield url


@pytest.fixture(scope="session")
def binned_app_url(tmp_path_factory):
    """The app with a marker threshold of 10, so the same 48 incidents are drawn as grid cells."""
    with _streamlit_server(tmp_path_factory, CONFLICTMAP_MARKER_THRESHOLD="10") as url:
        yield url


@pytest.fixture
def fresh_app_url(tmp_path_factory):
    """A server that has not served anyone yet (its first run decides the multipage mode)."""
    with _streamlit_server(tmp_path_factory) as url:
        yield url


@pytest.fixture(scope="session")
def chromium():
    """One headless Debian Chromium for the session (plain Playwright sync API)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (scripts/setup.sh does it as root)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


class Traffic:
    """Requests seen by one browser context."""

    def __init__(self):
        self.foreign: list[str] = []
        self.failed: list[str] = []
        self.dialogs: list[str] = []

    def check(self) -> None:
        assert self.foreign == [], f"requests to non-local hosts: {self.foreign}"
        assert self.failed == [], f"failed requests: {self.failed}"
        assert self.dialogs == [], f"dialogs opened: {self.dialogs}"


@pytest.fixture
def new_context(chromium):
    """Factory of fresh browser contexts that record foreign and failed requests."""
    contexts = []

    def make():
        context = chromium.new_context(viewport={"width": 1500, "height": 1000})
        traffic = Traffic()

        def on_request(request):
            host = urlparse(request.url).hostname
            if request.url.startswith(("data:", "blob:", "about:")):
                return
            if host not in LOCAL_HOSTS:
                traffic.foreign.append(request.url)

        def on_failed(request):
            if "/_stcore/stream" in request.url:
                return
            traffic.failed.append(f"{request.url} ({request.failure})")

        context.on("request", on_request)
        context.on("requestfailed", on_failed)
        context.on("page", lambda page: page.on("dialog", lambda d: (traffic.dialogs.append(d.message), d.dismiss())))
        contexts.append(context)
        return context, traffic

    yield make
    for context in contexts:
        context.close()
