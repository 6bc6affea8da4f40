"""Fixtures shared by the app tests."""

from __future__ import annotations

import pytest


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
