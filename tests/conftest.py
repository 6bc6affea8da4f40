"""Fixtures shared by the app tests."""

from __future__ import annotations

import pytest
from streamlit.runtime.pages_manager import PagesManager


@pytest.fixture(autouse=True)
def navigation_only(monkeypatch):
    """Run app.py on every AppTest rerun, as the server does once st.navigation has been called.

    AppTest resets Streamlit's legacy ``pages/`` detection before each run, so every rerun would
    start as a fresh server's first visit (a page script without the frame; the app recovers by
    switching to app.py, see ``ui.view.ensure_frame``, which the browser test of a fresh server
    covers). Tests of later reruns need the state the server is in after that first visit.
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture
def drawn_text(monkeypatch) -> list[str]:
    """Record every text Pillow draws during the test (animation frames and cards), in order."""
    from PIL import ImageDraw

    drawn: list[str] = []
    original = ImageDraw.ImageDraw.text

    def record(self, xy, text, *args, **kwargs):
        drawn.append(str(text))
        return original(self, xy, text, *args, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", record)
    return drawn
