"""The page list, read from the router (app.py) so that tests follow it instead of a copy."""

from __future__ import annotations

import ast
from pathlib import Path

APP_FILE = Path(__file__).resolve().parent.parent / "app.py"


def router_pages() -> list[str]:
    """Return the script path of every ``st.Page(...)`` that app.py registers, in order."""
    tree = ast.parse(APP_FILE.read_text(encoding="utf-8"))
    calls = [node for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Page"
             and node.args and isinstance(node.args[0], ast.Constant)]
    return [call.args[0].value for call in sorted(calls, key=lambda call: (call.lineno, call.col_offset))]
