"""Showing untrusted text in Streamlit: Markdown/HTML escaping and safe links; language-aware calls."""

from __future__ import annotations

import inspect
import re
from functools import cache

_MD_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$:&=\"'")


def escape_md(text) -> str:
    """Escape Markdown and HTML so untrusted text shows literally."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text)).replace("\n", "  \n")


def safe_link(url) -> str | None:
    """Return a Markdown link for an http(s) URL (label = host), or None for anything else."""
    url = str(url).strip()
    if not re.match(r"^https?://[^\s]+$", url, re.IGNORECASE):
        return None
    host = re.sub(r"^https?://", "", url, flags=re.IGNORECASE).split("/")[0].split("?")[0][:60] or "URL"
    target = "".join(f"%{ord(ch):02X}" if ch in "()<>[]\\ \"'`" else ch for ch in url)
    return f"[{escape_md(host)}]({target})"


@cache
def _takes_lang(function) -> bool:
    try:
        return "lang" in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


def in_language(function, *args, lang: str, **kwargs):
    """Call a geo function that produces text with ``lang=`` when it takes one (else without)."""
    if _takes_lang(getattr(function, "__func__", function)):
        return function(*args, lang=lang, **kwargs)
    return function(*args, **kwargs)
