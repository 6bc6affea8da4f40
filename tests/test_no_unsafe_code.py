"""The code base never deserialises, evaluates or template-renders user-provided data.

Static checks over geo/, ui/, pages/ and app.py (parsed with ``ast``, so comments and
strings do not trigger them): no pickle/marshal/shelve, no eval/exec/compile, no template
compiled from a non-literal string, no ``unsafe_allow_html=True``, no raw-HTML Streamlit
sink fed with anything but app-built pages, no shell commands, and Streamlit's usage
statistics off in the committed config.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted([*ROOT.glob("geo/**/*.py"), *ROOT.glob("ui/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"])
UNSAFE_MODULES = {"pickle", "cPickle", "dill", "cloudpickle", "marshal", "shelve", "joblib"}
UNSAFE_CALLS = {"eval", "exec", "compile", "__import__", "execfile"}
TEMPLATE_CALLS = {"Template", "from_string", "Element", "Html", "Environment"}
RAW_HTML_SINKS = {"html", "components.html", "components.v1.html"}
#: Raw HTML sinks that are allowed, with the reason: app-built pages whose data is escaped.
ALLOWED_RAW_HTML = {
    ("pages/far_from_front.py", "iframe"): "offline map page from geo.exports.build_map_page",
    ("ui/a11y.py", "html"): "constant CSS and the page language, one of geo.i18n.LANGUAGES (JSON-encoded)",
}


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _name(node.value)
        return f"{base}.{node.attr}" if base else node.attr
    return ""


def _findings(path: Path) -> list[str]:
    rel = str(path.relative_to(ROOT))
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"{rel}:{node.lineno} imports {a.name}" for a in node.names if a.name.split(".")[0] in UNSAFE_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in UNSAFE_MODULES:
            found.append(f"{rel}:{node.lineno} imports from {node.module}")
        elif isinstance(node, ast.Call):
            name = _name(node.func)
            last = name.rsplit(".", 1)[-1]
            if name in UNSAFE_CALLS:
                found.append(f"{rel}:{node.lineno} calls {name}()")
            if last in {"read_pickle", "to_pickle"} or (last == "load" and name.startswith(("np.", "numpy."))
                                                        and any(k.arg == "allow_pickle" for k in node.keywords)):
                found.append(f"{rel}:{node.lineno} calls {name}() (pickle)")
            if last in TEMPLATE_CALLS and node.args and not isinstance(node.args[0], ast.Constant):
                found.append(f"{rel}:{node.lineno} builds a template from a non-literal: {name}()")
            for keyword in node.keywords:
                if keyword.arg == "unsafe_allow_html" and not (
                    isinstance(keyword.value, ast.Constant) and keyword.value.value is False
                ):
                    found.append(f"{rel}:{node.lineno} passes unsafe_allow_html")
                if keyword.arg == "shell" and not (isinstance(keyword.value, ast.Constant) and not keyword.value.value):
                    found.append(f"{rel}:{node.lineno} runs a shell command")
            if name in {"os.system", "os.popen"}:
                found.append(f"{rel}:{node.lineno} runs a shell command")
            if name in {"yaml.load"} and not any(k.arg == "Loader" for k in node.keywords):
                found.append(f"{rel}:{node.lineno} yaml.load without a safe loader")
            if (name.startswith("st.") or name.startswith("components")) and last in {"html", "iframe"}:
                if (rel, last) not in ALLOWED_RAW_HTML and node.args and not isinstance(node.args[0], ast.Constant):
                    found.append(f"{rel}:{node.lineno} sends non-literal HTML to {name}()")
    return found


def test_scanned_files_exist():
    assert len(FILES) > 20 and (ROOT / "app.py") in FILES


def test_no_pickle_eval_templates_or_raw_html_from_data():
    offenders = [finding for path in FILES for finding in _findings(path)]
    assert offenders == []


@pytest.mark.parametrize(
    "source, expected",
    [
        ("import pickle\n", "imports pickle"),
        ("from marshal import loads\n", "imports from marshal"),
        ("x = eval(text)\n", "calls eval()"),
        ("exec(code)\n", "calls exec()"),
        ("import jinja2\njinja2.Template(user)\n", "non-literal"),
        ("from branca.element import Element\nElement(f'<div>{x}</div>')\n", "non-literal"),
        ("import streamlit as st\nst.markdown(x, unsafe_allow_html=True)\n", "unsafe_allow_html"),
        ("import streamlit as st\nst.html(text)\n", "non-literal HTML"),
        ("import pandas as pd\npd.read_pickle(p)\n", "pickle"),
        ("import subprocess\nsubprocess.run(c, shell=True)\n", "shell"),
    ],
)
def test_the_scanner_catches_each_pattern(tmp_path, source, expected, monkeypatch):
    """Each rule fires on a tiny offending file, so the scan above can fail."""
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    path = tmp_path / "bad.py"
    path.write_text(source, encoding="utf-8")
    assert any(expected in f for f in _findings(path)), _findings(path)


def test_committed_config_has_no_telemetry_and_bounded_uploads():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False
    assert 0 < config["server"]["maxUploadSize"] <= 1024
    assert config["server"].get("enableXsrfProtection", True) is True
    assert config["server"].get("enableCORS", True) is True
