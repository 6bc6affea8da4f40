"""The server's warm-up: app.py is also the server, whose lifespan loads what the first visitor needs.

``streamlit run app.py`` imports app.py as a module, finds ``app`` (``st.App``) and enters its
lifespan once at start (:mod:`ui.warmup`); every visitor's run executes app.py as ``__main__``.
The browser tests run the app this way; here: the server is found, the warm-up fills the very
cache the first run reads, a failure is only logged, and no map component is declared early.
"""

from __future__ import annotations

import ast
import asyncio
import functools
import importlib.util
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import streamlit as st
from streamlit import config as st_config

from tests.synthetic_data import write_data_dir
from ui import data as ui_data
from ui import warmup

ROOT = Path(__file__).resolve().parent.parent
APP_FILE = ROOT / "app.py"


def _run_async(coroutine_function) -> None:
    """Run a coroutine in its own thread: a browser-test fixture on the same worker keeps a loop running in this one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(lambda: asyncio.run(coroutine_function())).result()


def test_streamlit_run_finds_the_server_in_app_py():
    """``streamlit run app.py`` serves app.py's ``st.App`` (AST discovery, as the CLI does it)."""
    from streamlit.web.server.app_discovery import discover_asgi_app

    found = discover_asgi_app(APP_FILE)
    assert found.is_asgi_app and found.import_string == "app:app"


def test_app_imported_as_a_module_is_the_server_and_its_lifespan_starts_the_warm_up(monkeypatch):
    """Imported (not run as ``__main__``), app.py builds no page: it defines the server for itself."""
    monkeypatch.setattr(st_config, "_main_script_path", None)  # st.App records the script's folder there
    spec = importlib.util.spec_from_file_location("app_under_test", APP_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert isinstance(module.app, st.App) and module.app.script_path == APP_FILE
    assert not hasattr(module, "PAGES")
    started = []
    monkeypatch.setattr(warmup, "start_warm_up", lambda: started.append(True))

    async def enter_and_leave():
        async with warmup.lifespan(module.app):
            assert started == [True]

    _run_async(enter_and_leave)


def test_warm_up_fills_the_cache_the_first_run_reads(tmp_path, monkeypatch):
    """After the warm-up, a visitor's run (same directory, same stamp) loads nothing again."""
    directory = write_data_dir(tmp_path / "data")
    monkeypatch.setenv(ui_data.ENV_VAR, str(directory))
    monkeypatch.setenv("CONFLICTMAP_CACHE_DIR", str(tmp_path / "cache"))
    loads = []
    real = ui_data.load_shared_data
    monkeypatch.setattr(ui_data, "load_shared_data", lambda path, stamp: loads.append(path) or real(path, stamp))
    monkeypatch.setattr(warmup, "MODULES", ("pandas",))  # the imports are not what this test is about
    ui_data._load_shared.clear()
    warmup.warm_up()
    assert loads == [str(directory)]
    path = ui_data.data_path()
    loaded = ui_data._load_shared(path, ui_data._stamp(path))
    assert loads == [str(directory)] and loaded.bundle.incidents is not None
    ui_data._load_shared.clear()


def test_a_failed_warm_up_is_logged_and_left_to_the_visitor(tmp_path, monkeypatch, caplog):
    """A missing directory does not stop the server; the first run reports it to the visitor as before."""
    monkeypatch.setenv(ui_data.ENV_VAR, str(tmp_path / "missing"))
    monkeypatch.setattr(warmup, "MODULES", ("pandas",))
    ui_data._load_shared.clear()
    with caplog.at_level(logging.WARNING, logger=warmup.__name__):
        warmup.warm_up()
    assert any("warming up at server start failed" in r.getMessage() for r in caplog.records)


def _module_level(body: list[ast.stmt]):
    """The statements a module runs when imported (not function or class bodies)."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        yield node
        for field in ("body", "orelse", "finalbody"):
            yield from _module_level(getattr(node, field, None) or [])
        for handler in getattr(node, "handlers", None) or []:
            yield from _module_level(handler.body)


@functools.cache
def _imported_on_import(module: str) -> frozenset[str]:
    """The modules ``module`` (of this project) imports when it is imported."""
    path = ROOT / (module.replace(".", "/") + ".py")
    if not path.exists():
        path = ROOT / module.replace(".", "/") / "__init__.py"
    if not path.exists():
        return frozenset()
    names = set()
    for node in _module_level(ast.parse(path.read_text(encoding="utf-8")).body):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return frozenset(names)


def test_the_warm_up_never_declares_the_map_component():
    """A component declared outside a script run is not registered: its frame would answer 404.

    Every project module the warm-up imports, and every one they import in turn, leaves
    ``streamlit_folium`` to be imported inside a function (ui.mapview's ``render_map``).
    """
    seen, todo = set(), list(warmup.MODULES)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += [n for n in _imported_on_import(name) if n.split(".")[0] in ("ui", "geo")]
    assert {"ui.mapview", "ui.sidebar", "geo.datadir"} <= seen
    imported = set().union(*(_imported_on_import(n) for n in seen)) | seen | set(warmup.MODULES)
    assert not {n for n in imported if n.split(".")[0] == "streamlit_folium"}


def test_sessions_connect_once_the_warm_up_has_imported(monkeypatch):
    """A websocket (a session, hence a script run) waits for the warm-up's imports; pages and files do not."""
    started, imported = threading.Event(), threading.Event()
    monkeypatch.setattr(warmup, "_started", started)
    monkeypatch.setattr(warmup, "_imported", imported)
    calls = []

    async def inner(scope, receive, send):
        calls.append((scope["type"], imported.is_set()))

    gate = warmup.middleware()[0].cls(inner)

    async def scenario():
        await gate({"type": "websocket"}, None, None)  # no warm-up started (AppTest, tests): no wait
        started.set()
        await gate({"type": "http"}, None, None)
        session = asyncio.ensure_future(gate({"type": "websocket"}, None, None))
        await asyncio.sleep(0.1)
        assert not session.done()
        imported.set()
        await asyncio.wait_for(session, 2)

    _run_async(scenario)
    assert calls == [("websocket", False), ("http", False), ("websocket", True)]
