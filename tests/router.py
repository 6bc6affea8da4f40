"""The page list, read from the router (app.py) so that tests follow it instead of a copy."""

from __future__ import annotations

import ast
from pathlib import Path

APP_FILE = Path(__file__).resolve().parent.parent / "app.py"


def _script(call: ast.Call) -> str | None:
    """The page's script named from the repository root: app.py writes ``PAGES_DIR / "map.py"``
    (``ui.view.PAGES_DIR``, the ``pages/`` folder) or a plain ``"pages/map.py"``."""
    arg = call.args[0] if call.args else None
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if (isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Div) and isinstance(arg.left, ast.Name)
            and arg.left.id == "PAGES_DIR" and isinstance(arg.right, ast.Constant)):
        return f"pages/{arg.right.value}"
    return None


def _page_calls() -> list[tuple[ast.Call, str]]:
    tree = ast.parse(APP_FILE.read_text(encoding="utf-8"))
    calls = [(node, _script(node)) for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Page"]
    return sorted(((call, script) for call, script in calls if script),
                  key=lambda pair: (pair[0].lineno, pair[0].col_offset))


def router_pages() -> list[str]:
    """Return the script path (from the repository root) of every ``st.Page(...)`` that app.py
    registers, in order."""
    return [script for _, script in _page_calls()]


def router_url_paths() -> list[str]:
    """Return the URL path of every registered page, in order: ``""`` for the default page, else its
    ``url_path`` or, as Streamlit names it, the script's file name without ``.py``."""
    paths = []
    for call, script in _page_calls():
        keywords = {k.arg: k.value.value for k in call.keywords if isinstance(k.value, ast.Constant)}
        if keywords.get("default") is True:
            paths.append("")
        else:
            paths.append(keywords.get("url_path") or Path(script).stem)
    return paths
