"""Architecture rules that must not rot: geo/ is free of Streamlit, pages/ holds only pages."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_geo_never_imports_streamlit():
    offenders = [
        str(p.relative_to(ROOT))
        for p in sorted((ROOT / "geo").rglob("*.py"))
        if {"streamlit", "streamlit_folium"} & _imported_modules(p)
    ]
    assert offenders == []


def test_geo_never_imports_ui_or_pages():
    offenders = [
        str(p.relative_to(ROOT)) for p in sorted((ROOT / "geo").rglob("*.py")) if {"ui", "pages", "app"} & _imported_modules(p)
    ]
    assert offenders == []


def test_layering_test_detects_a_violation(tmp_path):
    """The parser must see both import forms, or the tests above could never fail."""
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom streamlit import session_state\n", encoding="utf-8")
    assert "streamlit" in _imported_modules(bad)
    bad.write_text("import streamlit.components.v1 as c\n", encoding="utf-8")
    assert "streamlit" in _imported_modules(bad)


def test_pages_has_no_package_marker():
    assert not (ROOT / "pages" / "__init__.py").exists()


def test_schema_doc_matches_code():
    """docs/SCHEMA.md documents every column and quarantine reason, and nothing else.

    Each column stands in the section of the step that writes it (imported or derived), with the
    dtype and the meaning that ``geo.schema.COLUMNS`` declares.
    """
    import re

    from geo.schema import COLUMNS, QUARANTINE_REASONS

    text = (ROOT / "docs" / "SCHEMA.md").read_text(encoding="utf-8")
    documented = re.findall(r"^\| `([a-z0-9_]+)` \|", text, flags=re.M)
    assert sorted(documented) == sorted([*COLUMNS, *QUARANTINE_REASONS])
    imported = text.split("## Imported columns", 1)[1].split("\n## ", 1)[0]
    derived = text.split("## Derived columns", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for section, steps in ((imported, {"import"}), (derived, {"enrich", "fuse"})):
        for name, dtype, meaning in re.findall(r"^\| `([a-z0-9_]+)` \| ([\w\[\]]+) \| (.*) \|$", section, flags=re.M):
            rows[name] = (dtype, meaning)
            assert COLUMNS[name][1] in steps, f"{name} is documented under the wrong step"
    assert rows == {name: (dtype, meaning) for name, (dtype, _step, meaning) in COLUMNS.items()}


def test_ruff_is_clean():
    """The lint rules in pyproject.toml (pyflakes, pydocstyle numpy, bugbear, no eval/pickle) hold everywhere."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


def _ui_imports(path: Path) -> set[str]:
    """Full names of the ui.* modules a file imports (top-level or inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "ui":
                found.update(f"ui.{alias.name}" for alias in node.names)
            elif node.module.startswith("ui."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("ui."))
    return found


def test_ui_modules_import_each_other_one_way():
    """No import cycle inside ui/ (a page-facing module above the sidebar above the data cache)."""
    graph = {f"ui.{p.stem}": _ui_imports(p) for p in (ROOT / "ui").glob("*.py")}

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == target or (nxt not in seen and reaches(nxt, target, seen | {nxt})):
                return True
        return False

    cycles = sorted(module for module in graph if reaches(module, module, {module}))
    assert cycles == []
    assert "ui.view" in graph["ui.view"] or "ui.sidebar" in graph["ui.view"]
    assert all("ui.view" not in imports for name, imports in graph.items() if name != "ui.view")


def test_contracts_doc_names_only_what_exists():
    """Every module file and every dotted ``geo.``/``ui.`` name in docs/CONTRACTS.md exists (no drifted contract)."""
    import importlib
    import re

    text = (ROOT / "docs" / "CONTRACTS.md").read_text(encoding="utf-8")
    files = set(re.findall(r"`((?:geo|ui|pages|tests|bench)/[\w/]+\.py)`", text))
    assert len(files) > 30 and [f for f in sorted(files) if not (ROOT / f).is_file()] == []
    missing = []
    for dotted in sorted(set(re.findall(r"`((?:geo|ui)(?:\.\w+)+)", text))):
        parts = dotted.split(".")
        for split in range(len(parts), 0, -1):  # the longest importable module, then attributes
            try:
                target = importlib.import_module(".".join(parts[:split]))
            except ModuleNotFoundError:
                continue
            for name in parts[split:]:
                target = getattr(target, name, None)
            if target is None:
                missing.append(dotted)
            break
        else:
            missing.append(dotted)
    assert missing == []
