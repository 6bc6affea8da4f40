"""Fixtures shared by the app tests."""

from __future__ import annotations

import pytest
from streamlit.runtime.pages_manager import PagesManager


@pytest.fixture
def navigation_only(monkeypatch):
    """Run app.py on every AppTest rerun, as the server does once st.navigation has been called.

    AppTest resets Streamlit's legacy ``pages/`` detection before each run, so without this the
    page scripts of a second run get other element ids than the first's and a click is lost.
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)
