"""What every map layer shares: text made safe for the browser and for folium's templates."""

from __future__ import annotations

import html
import json
import re


def js_literal(value) -> str:
    """Return ``value`` as JSON safe to embed in a script and immune to template rewriting.

    ``<``, ``>``, ``&`` and quotes cannot close a script element or start markup, U+2028/9
    cannot end a JS line, ``_`` is escaped so that streamlit-folium's renaming of folium
    variable suffixes never touches data, and a ``{`` inside a string is escaped because
    branca compiles every rendered script again as a Jinja template (``{{ 7*7 }}`` in a
    description would otherwise be evaluated). Structural ``{`` is always followed by ``"``
    or ``}``; inside a JSON string a ``"`` is always escaped, so the two never mix.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = re.sub(r'\{(?!["}])', r"\\u007b", text)
    for char, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("'", "\\u0027"),
        ("_", "\\u005f"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return text


def html_text(text) -> str:
    """Escape text for HTML and against Jinja re-rendering (see :func:`js_literal`)."""
    return html.escape(str(text)).replace("{", "&#123;").replace("}", "&#125;")
