"""The page list, read from the router (app.py) so that tests follow it instead of a copy."""

from __future__ import annotations

import ast
from pathlib import Path

APP_FILE = Path(__file__).resolve().parent.parent / "app.py"


def _page_calls() -> list[ast.Call]:
    tree = ast.parse(APP_FILE.read_text(encoding="utf-8"))
    calls = [node for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Page"
             and node.args and isinstance(node.args[0], ast.Constant)]
    return sorted(calls, key=lambda call: (call.lineno, call.col_offset))


def router_pages() -> list[str]:
    """Return the script path of every ``st.Page(...)`` that app.py registers, in order."""
    return [call.args[0].value for call in _page_calls()]


def router_url_paths() -> list[str]:
    """Return the URL path of every registered page, in order: ``""`` for the default page, else its
    ``url_path`` or, as Streamlit names it, the script's file name without ``.py``."""
    paths = []
    for call in _page_calls():
        keywords = {k.arg: k.value.value for k in call.keywords if isinstance(k.value, ast.Constant)}
        if keywords.get("default") is True:
            paths.append("")
        else:
            paths.append(keywords.get("url_path") or Path(call.args[0].value).stem)
    return paths
