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
    """docs/SCHEMA.md documents every column and quarantine reason, and nothing else."""
    import re

    from geo.schema import ALL_COLUMNS, QUARANTINE_REASONS

    text = (ROOT / "docs" / "SCHEMA.md").read_text(encoding="utf-8")
    documented = re.findall(r"^\| `([a-z0-9_]+)` \|", text, flags=re.M)
    assert sorted(documented) == sorted([*ALL_COLUMNS, *QUARANTINE_REASONS])


def test_ruff_is_clean():
    """The lint rules in pyproject.toml (pyflakes, pydocstyle numpy, bugbear, no eval/pickle) hold everywhere."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
